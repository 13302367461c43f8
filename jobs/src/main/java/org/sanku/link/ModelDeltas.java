package org.sanku.link;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.Warehouse;

/**
 * The integrated tables of a night whose links were mostly kept, written as deltas: a row of such a table follows
 * from its source row and the person of its record, so only the rows whose source row changed since the published
 * linkage read it ({@link IncrementalLinks#changedRows}) or whose record's person can have changed are computed
 * again; the table's old versions of those rows are deleted and the new ones appended (position deletes and one
 * small data file, as ingest applies a delta). Every other row is the published one, which a relink of everyone
 * would write again unchanged.
 *
 * <p>The person of a record: for a health record or a visit, its link (the records linked again); for a service
 * row, its health record's row in {@code ehr_record}; for a diagnosis, its visit's in {@code emr_visit}; for a
 * follow-up, its enrollment's in {@code ehr_enrollment}. So a table is written after the one it takes persons
 * from, and as a delta only when that one stood or was itself a delta. Rows whose organisation's county now reads
 * differently (ref_org, a retired county in ref_division) are computed again too. A table is written whole when it
 * was not written by the published linkage, or when its source's changes cannot be told from its files.
 */
final class ModelDeltas {

  /** A table: its source table, key, the column naming its record, and the table that gives that record's person. */
  record Spec(String table, String source, List<String> key, String via, String parent, String linkSource,
      List<String> lookups) {}

  static final List<Spec> SPECS = List.of(
      new Spec("ehr_record", "ehr_person", List.of("ehr_no"), "ehr_no", null, "ehr", List.of("ref_division")),
      new Spec("emr_visit", "emr_visit", List.of("visit_id"), "visit_id", null, "emr", List.of("ref_org")),
      new Spec("ehr_exam", "ehr_physical_exam", List.of("exam_id"), "ehr_no", "ehr_record", null, List.of()),
      new Spec("ehr_tcm_service", "ehr_tcm_service", List.of("service_id"), "ehr_no", "ehr_record", null,
          List.of()),
      new Spec("ehr_enrollment", "ehr_program_enrollment", List.of("enrollment_id"), "ehr_no", "ehr_record", null,
          List.of()),
      new Spec("ehr_contract", "ehr_fd_contract", List.of("contract_id"), "ehr_no", "ehr_record", null, List.of()),
      new Spec("emr_diagnosis", "emr_diagnosis", List.of("visit_id", "diag_seq"), "visit_id", "emr_visit", null,
          List.of()),
      new Spec("ehr_followup", "ehr_followup", List.of("followup_id"), "enrollment_id", "ehr_enrollment", null,
          List.of()));

  private final SparkSession spark;
  private final Warehouse wh;
  private final IcebergWriter writer;
  private final LinkPlan plan;
  private final IncrementalLinks since;
  private final Dataset<Row> links;
  private final PrintStream log;
  /** Per table written as a delta: the source's changed keys ({@code _c*}) and the records whose person can differ. */
  private final Map<String, Dataset<Row>[]> sets = new HashMap<>();
  /**
   * Per table: the keys of its rows written again ({@code _d}, for the tables taking persons from it), an empty set
   * when it stands as published, absent when it is written whole.
   */
  private final Map<String, Dataset<Row>> rewritten = new HashMap<>();

  ModelDeltas(SparkSession spark, Warehouse wh, IcebergWriter writer, LinkPlan plan, IncrementalLinks since,
      Dataset<Row> links, PrintStream log) {
    this.spark = spark;
    this.wh = wh;
    this.writer = writer;
    this.plan = plan;
    this.since = since;
    this.links = links;
    this.log = log;
  }

  /**
   * Decides, table by table (parents first), which of {@code toWrite} are written as deltas; {@code trusted}
   * tells whether a table is the published linkage's (committed no later than it). Returns those tables.
   */
  @SuppressWarnings("unchecked")
  List<String> decide(java.util.Set<String> toWrite, java.util.function.Predicate<String> trusted) {
    List<String> out = new ArrayList<>();
    for (Spec s : SPECS) {
      if (!toWrite.contains(s.table())) {
        rewritten.put(s.table(), spark.emptyDataFrame().select(lit(null).cast("string").as("_d")).limit(0));
        continue;
      }
      String table = LinkJob.modelTable(wh, s.table());
      Dataset<Row> lookupKeys = null;
      boolean lookupsKnown = true;
      for (String l : s.lookups()) {
        lookupKeys = changedLookups(l);
        lookupsKnown = lookupKeys != null;
      }
      Dataset<Row> parent = s.parent() == null ? null : rewritten.get(s.parent());
      if (!writer.exists(table) || !trusted.test(table) || !lookupsKnown || (s.parent() != null && parent == null)) {
        continue;
      }
      Dataset<Row> changed = since.changedRows(wh.std(s.source()), s.key());
      if (changed == null) {
        continue;
      }
      List<Column> renamed = new ArrayList<>();
      for (int i = 0; i < s.key().size(); i++) {
        renamed.add(col(s.key().get(i)).as("_c" + i));
      }
      Dataset<Row> c = changed.select(renamed.toArray(new Column[0])).localCheckpoint();
      Dataset<Row> d = (s.parent() == null ? since.relinkedKeys(s.linkSource()).select(col("_r").as("_d")) : parent)
          .distinct().localCheckpoint();
      sets.put(s.table(), new Dataset[] {c, d, lookupKeys == null ? null : lookupKeys.localCheckpoint()});
      if (s.key().size() == 1) {
        // The keys of the rows written again: those changed, and those of the records whose person can differ.
        Dataset<Row> own = s.key().get(0).equals(s.via()) ? d
            : only(s).apply(plan.source(s.source(), List.of(s.key().get(0), s.via()))).select(col(s.key().get(0))
                .as("_d"));
        rewritten.put(s.table(), c.select(col("_c0").as("_d")).unionByName(own).distinct().localCheckpoint());
      }
      out.add(s.table());
    }
    return out;
  }

  /**
   * The codes ({@code _lk}) whose lookup (a retired county's successor, an organisation's county) gives another
   * county than the published linkage read: none for the same snapshot or the same pairs in a new one (a reference
   * drop delivered again); null when the lookup was absent then or is now.
   */
  private Dataset<Row> changedLookups(String ref) {
    String table = wh.std(ref);
    boolean division = ref.equals("ref_division");
    if (since.sameAsPublished(table)) {
      return spark.emptyDataFrame().select(lit(null).cast("string").as("_lk")).limit(0);
    }
    if (!since.readsExisting(table)) {
      return null;
    }
    Dataset<Row> then = division ? LinkPlan.countySuccessors(since.asPublished(table, LinkPlan.REF_DIVISION))
        : LinkPlan.orgCounties(since.asPublished(table, LinkPlan.REF_ORG));
    Dataset<Row> now = division ? plan.countySuccessors() : plan.orgCounties();
    // The codes whose county differs (or that came or went): a retired county's 6 digits, an organisation.
    String code = division ? "_old6" : "_org";
    return then.exceptAll(now).unionByName(now.exceptAll(then)).select(col(code).as("_lk")).distinct();
  }

  /** Keeps the rows of {@code s}'s source (or table) whose key changed or whose record's person can differ. */
  private UnaryOperator<Dataset<Row>> only(Spec s) {
    Dataset<Row>[] cd = sets.get(s.table());
    return df -> {
      Column onKey = null;
      for (int i = 0; i < s.key().size(); i++) {
        Column e = col(s.key().get(i)).equalTo(col("_c" + i));
        onKey = onKey == null ? e : onKey.and(e);
      }
      Dataset<Row> out = df.join(broadcast(cd[0].withColumn("_cf", lit(true))), onKey, "left")
          .join(broadcast(cd[1].withColumn("_df", lit(true))), col(s.via()).equalTo(col("_d")), "left");
      Column keep = col("_cf").isNotNull().or(col("_df").isNotNull());
      if (cd[2] != null) {
        // Rows whose lookup now gives another county (an organisation moved, a county retired).
        Column code = s.table().equals("ehr_record") ? org.apache.spark.sql.functions.substring(
            col(lookupColumn(s)), 1, 6) : col(lookupColumn(s));
        out = out.join(broadcast(cd[2].withColumn("_lf", lit(true))), code.equalTo(col("_lk")), "left");
        keep = keep.or(col("_lf").isNotNull());
      }
      return out.filter(keep)
          .drop(java.util.stream.Stream.concat(java.util.stream.IntStream.range(0, s.key().size())
              .mapToObj(i -> "_c" + i), java.util.stream.Stream.of("_cf", "_d", "_df", "_lk", "_lf"))
              .toArray(String[]::new));
    };
  }

  /** The rows of {@code table} (a delta table) computed again, before the tables it takes persons from are written. */
  Dataset<Row> rows(String table) {
    Spec s = spec(table);
    UnaryOperator<Dataset<Row>> only = only(s);
    switch (table) {
      case "ehr_record":
      case "emr_visit": {
        // Only the links of the records whose rows are computed again (a changed lookup's rows among them).
        List<String> cols = new ArrayList<>(List.of(s.via()));
        cols.add(lookupColumn(s));
        Dataset<Row> keys = only.apply(plan.source(s.source(), cols)).select(col(s.via()).as("_lk2")).distinct();
        Dataset<Row> l = links.filter(col("source").equalTo(s.linkSource()))
            .join(broadcast(keys), col("record_key").equalTo(col("_lk2")), "left_semi");
        return table.equals("ehr_record") ? plan.ehrRecord(l, only) : plan.emrVisit(l, only);
      }
      case "emr_diagnosis":
        return plan.diagnoses(parent("emr_visit").select(col("visit_id").as("_vid"), col("person_key")), only);
      case "ehr_followup":
        return plan.followups(parent("ehr_enrollment").select(col("enrollment_id").as("_enr"), col("ehr_no"),
            col("person_key")), only);
      default:
        return plan.service(s.source(), table, parent("ehr_record").select(col("ehr_no").as("_ehr"),
            col("person_key")), only);
    }
  }

  /** A parent table as written (or standing) now. */
  private Dataset<Row> parent(String table) {
    return spark.table(LinkJob.modelTable(wh, table));
  }

  /**
   * Writes {@code rows} (from {@link #rows}, conformed to the table's columns) as a delta of {@code table}: the
   * table's rows with a changed key or a record whose person can differ are deleted, then {@code rows} appended.
   */
  void write(String table, Dataset<Row> rows) {
    Spec s = spec(table);
    String name = LinkJob.modelTable(wh, table);
    Column[] keyCols = s.key().stream().map(k -> col(k)).toArray(Column[]::new);
    Dataset<Row> gone = only(s).apply(spark.table(name).select(withVia(s))).select(keyCols).localCheckpoint();
    long deleted = gone.count();
    Dataset<Row> out = rows.localCheckpoint();
    long written = out.count();
    // Both steps on the table's staging branch, then main moved to it: readers see the old rows or the new ones,
    // never the table with the old deleted and the new not yet appended.
    writer.prepare(name, out);
    String staged = IcebergWriter.staged(name);
    if (deleted > 0) {
      String on = s.key().stream().map(k -> "t.`" + k + "` = s.`" + k + "`").collect(Collectors.joining(" AND "));
      writer.mergeInto(staged, broadcast(gone), "ON " + on + " WHEN MATCHED THEN DELETE");
    }
    if (written > 0) {
      try {
        out.coalesce(1).writeTo(staged).append();
      } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
        throw new IllegalStateException(e);
      }
    }
    writer.publish(List.of(name));
    log.printf("link: %s written as a delta: %,d row(s) deleted, %,d written%n", name, deleted, written);
  }

  private static Column[] withVia(Spec s) {
    List<Column> cols = new ArrayList<>();
    for (String k : s.key()) {
      cols.add(col(k));
    }
    if (!s.key().contains(s.via())) {
      cols.add(col(s.via()));
    }
    if (lookupColumn(s) != null) {
      cols.add(col(lookupColumn(s)));
    }
    return cols.toArray(new Column[0]);
  }

  /** The column a table's lookup reads (an organisation code), or null. */
  private static String lookupColumn(Spec s) {
    return switch (s.table()) {
      case "ehr_record" -> "manage_org_code";
      case "emr_visit" -> "org_code";
      default -> null;
    };
  }

  private static Spec spec(String table) {
    return SPECS.stream().filter(s -> s.table().equals(table)).findFirst().orElseThrow();
  }
}
