package org.sanku.link;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.sanku.storage.ChangedRows;
import org.sanku.storage.Warehouse;

/**
 * The links of a night, from the published linkage and what changed since: only the records whose outcome can
 * differ are linked again, the others keep their published links. The result is the one a relink of every record
 * would give (the tests compare the two, table by table).
 *
 * <p>A record's outcome follows from its own fields (ID key and status, normalised name, sex, birth date, county,
 * health card), from the registry rows with its ID key (tier 1), the registry rows with its K1 (name + sex + birth
 * date + county: how many persons hold it), and for a health-card link from the other visits with its card (their
 * tier-1 and K1 persons) and those persons' registry rows. So the records linked again are:
 *
 * <ol>
 *   <li>every record whose comparison fields changed since the snapshots the published linkage read (new, altered
 *       and deleted records; names from the identity zone);</li>
 *   <li>every record whose ID key or K1 is that of a registry row that changed (before or after the change: its
 *       fields, its person key, or the row itself added or gone);</li>
 *   <li>every record the published linkage linked to the person key of such a registry row;</li>
 *   <li>every visit carrying a health card that one of the above carries (now, or before it changed): a card's
 *       outcome depends on all its visits.</li>
 * </ol>
 *
 * A card left out by (4) has no visit whose tier-1 or K1 person changed and no holder whose registry rows changed,
 * so its outcome is the published one. Deleted records leave the links. When more than {@link #MAX_SHARE} of the
 * records would be linked again, relinking everyone costs about the same, and the run does that instead.
 */
final class IncrementalLinks {

  /** Above this share of records to relink, the run relinks everyone. */
  static final double MAX_SHARE = 0.2;

  /** The comparison fields of a record's source row and their table. */
  private static final String[] EHR_FIELDS = {"id_key", "id_status", "sex_code", "birth_date",
      "current_division_code_county"};
  private static final String[] VISIT_FIELDS = {"id_key", "id_status", "sex_code", "birth_date",
      "current_division_code_county", "health_card_key"};
  /** The registry fields a link depends on. */
  private static final String[] REGISTRY_FIELDS = {"person_key", "usable", "id_key", "name_norm", "sex_code",
      "birth_date", "county"};

  private final SparkSession spark;
  private final Warehouse wh;
  private final Inputs in;
  /** Every input table the published linkage read: its snapshot, or "absent". */
  private final Map<String, String> before;
  private final PrintStream log;

  /** What a call of {@link #links} found. */
  record Counts(long records, long changedRecords, long changedRegistryRows, long relinked) {}

  private Counts counts;
  /**
   * The keys of the records linked again or deleted ({@code _s}, {@code _r}), once {@link #links} has run. Handed
   * out without the broadcast hint of its joins here: a hint on a plan with no join makes Spark warn.
   */
  private Dataset<Row> affectedRecords;
  /** {@link #affectedRecords}, to be broadcast in a join. */
  private Dataset<Row> affectedKeys;

  IncrementalLinks(SparkSession spark, Warehouse wh, Inputs in, Map<String, String> before, PrintStream log) {
    this.spark = spark;
    this.wh = wh;
    this.in = in;
    this.before = Map.copyOf(before);
    this.log = log;
  }

  /** The tables of {@link LinkJob#INPUTS_PROPERTY}'s list: {@code name@snapshot,…} (or {@code name@absent}). */
  static Map<String, String> parseTables(String list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String e : list.split(",")) {
      if (!e.isEmpty()) {
        int at = e.lastIndexOf('@');
        out.put(e.substring(0, at), e.substring(at + 1));
      }
    }
    return out;
  }

  Counts counts() {
    return counts;
  }

  /**
   * The links of every record ({@link LinkPlan#links}'s columns), or null when so many records would be linked again
   * that relinking everyone is the better run. {@code records} and {@code registry} are this run's (kept);
   * {@code keep} keeps the intermediate sets that several plans read (and releases them with the run's).
   */
  Dataset<Row> links(Dataset<Row> records, Dataset<Row> registry, java.util.function.UnaryOperator<Dataset<Row>> keep) {
    // 1. Records whose comparison fields changed (or that came or went).
    Dataset<Row> changed = keep.apply(
        changedKeys("ehr", wh.std("ehr_person"), "ehr_no", LinkPlan.EHR, EHR_FIELDS)
            .unionByName(changedKeys("ehr", wh.id("ehr_person"), "ehr_no", NAMES_EHR, "name"))
            .unionByName(changedKeys("emr", wh.std("emr_visit"), "visit_id", LinkPlan.VISIT, VISIT_FIELDS))
            .unionByName(changedKeys("emr", wh.id("emr_visit"), "visit_id", NAMES_VISIT, "name"))
            .distinct());
    long total = records.count();
    long nChanged = changed.count();
    // 2. Registry rows that changed: before and after, as the registry's link fields.
    Dataset<Row> reg = keep.apply(changedRegistry(registry, keep));
    long nReg = reg.count();
    if (nChanged + nReg > MAX_SHARE * Math.max(1, total)) {
      log.printf("link: %,d record(s) and %,d registry row(s) changed since the published linkage, of %,d records: "
          + "relinking everyone%n", nChanged, nReg, total);
      return null;
    }
    // The usable IDs, K1s and person keys of those row versions.
    Dataset<Row> ids = reg.filter(col("usable").equalTo(true)).select(col("id_key").as("_ik")).distinct();
    Dataset<Row> k1 = reg.filter(col("name_norm").isNotNull().and(col("sex_code").isNotNull())
            .and(col("birth_date").isNotNull()).and(col("county").isNotNull()))
        .select(col("name_norm").as("_kn"), col("sex_code").as("_ks"), col("birth_date").as("_kb"),
            col("county").as("_kc"))
        .distinct();
    Dataset<Row> keys = reg.filter(col("person_key").isNotNull()).select(col("person_key").as("_pk")).distinct();

    // 3. Records with the ID or K1 of such a row (before or after), or linked to its person.
    Dataset<Row> published = published();
    Dataset<Row> byId = records.join(broadcast(ids), col("id_key").equalTo(col("_ik")), "left_semi")
        .select(col("source"), col("record_key"));
    Dataset<Row> byK1 = records.join(broadcast(k1), col("name_norm").equalTo(col("_kn"))
            .and(col("sex_code").equalTo(col("_ks"))).and(col("birth_date").equalTo(col("_kb")))
            .and(col("county").equalTo(col("_kc"))), "left_semi")
        .select(col("source"), col("record_key"));
    Dataset<Row> byPerson = published.join(broadcast(keys), col("person_key").equalTo(col("_pk")), "left_semi")
        .select(col("source"), col("record_key"));
    Dataset<Row> direct = keep.apply(changed.unionByName(byId).unionByName(byK1).unionByName(byPerson).distinct());

    // 4. Every visit of a card that one of them carries, now or before its change.
    Dataset<Row> cardsNow = records.filter(col("health_card_key").isNotNull())
        .join(broadcast(direct.select(col("source").as("_s"), col("record_key").as("_r"))),
            col("source").equalTo(col("_s")).and(col("record_key").equalTo(col("_r"))), "left_semi")
        .select(col("health_card_key").as("_card"));
    Dataset<Row> cardsBefore = old(wh.std("emr_visit"), LinkPlan.VISIT)
        .filter(col("health_card_key").isNotNull())
        .join(broadcast(changed.filter(col("source").equalTo("emr")).select(col("record_key").as("_r"))),
            col("visit_id").equalTo(col("_r")), "left_semi")
        .select(col("health_card_key").as("_card"));
    Dataset<Row> cards = cardsNow.unionByName(cardsBefore).distinct();
    Dataset<Row> byCard = records.join(broadcast(cards), col("health_card_key").equalTo(col("_card")), "left_semi")
        .select(col("source"), col("record_key"));
    Dataset<Row> affected = keep.apply(direct.unionByName(byCard).distinct());
    long nAffected = affected.count();
    if (nAffected > MAX_SHARE * Math.max(1, total)) {
      log.printf("link: %,d of %,d records would be linked again: relinking everyone%n", nAffected, total);
      return null;
    }
    Column same = col("source").equalTo(col("_s")).and(col("record_key").equalTo(col("_r")));
    affectedRecords = affected.select(col("source").as("_s"), col("record_key").as("_r"));
    affectedKeys = broadcast(affectedRecords);
    Dataset<Row> toLink = keep.apply(records.join(affectedKeys, same, "left_semi"));
    counts = new Counts(total, nChanged, nReg, toLink.count());
    Dataset<Row> again = LinkPlan.links(toLink, near(toLink, registry, counts.relinked() <= BROADCAST_ROWS), keep);
    // Deleted records are among the affected: they leave the links with the records linked again.
    Dataset<Row> kept = published.join(affectedKeys, same, "left_anti");
    return kept.unionByName(again);
  }

  /**
   * The sources ({@code ehr}, {@code emr}) where some record's person or tier in {@code links} (this run's, from
   * {@link #links}) differs from the published one, or a record came or went.
   */
  java.util.Set<String> sourcesRelinkedDifferently(Dataset<Row> links) {
    Column same0 = col("source").equalTo(col("_s")).and(col("record_key").equalTo(col("_r")));
    Dataset<Row> now = links.join(affectedKeys, same0, "left_semi").select(col("source").as("_s1"),
        col("record_key").as("_r1"), col("person_key").as("_p1"), col("tier").as("_t1"));
    Dataset<Row> then = published().join(affectedKeys, same0, "left_semi").select(col("source").as("_s0"),
        col("record_key").as("_r0"), col("person_key").as("_p0"), col("tier").as("_t0"));
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (Row r : then.join(now, col("_s0").equalTo(col("_s1")).and(col("_r0").equalTo(col("_r1"))), "full_outer")
        .filter(not(col("_p0").eqNullSafe(col("_p1")).and(col("_t0").eqNullSafe(col("_t1")))))
        .groupBy(coalesce(col("_s0"), col("_s1")).as("source")).count().collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }

  /**
   * The keys ({@code _r}) of {@code source}'s records linked again or deleted, once {@link #links} has run: the
   * others keep their published person and tier.
   */
  Dataset<Row> relinkedKeys(String source) {
    return affectedRecords.filter(col("_s").equalTo(source)).select(col("_r"));
  }

  /**
   * The keys ({@code key}'s columns) of the rows of {@code table} that can differ between the published linkage's
   * snapshot and this run's (none when it reads the same snapshot), or null when only comparing every row tells
   * (the table absent then or now, its old snapshot gone, a compaction).
   */
  Dataset<Row> changedRows(String table, List<String> key) {
    String at = before.get(table);
    if (at == null || at.equals("absent") || !in.exists(table)) {
      return null;
    }
    if (unchanged(table)) {
      return spark.createDataFrame(new ArrayList<Row>(), in.all(table).select(key.stream().map(functions::col)
          .toArray(Column[]::new)).schema());
    }
    return ChangedRows.candidates(spark, table, Long.parseLong(at), in.snapshot(table), key, maxFileShare);
  }

  /** Whether the published linkage read {@code table} and this run reads it too. */
  boolean readsExisting(String table) {
    String at = before.get(table);
    return at != null && !at.equals("absent") && in.exists(table);
  }

  /** {@code table} as the published linkage read it, reduced to {@code schema} (no rows when it was absent). */
  Dataset<Row> asPublished(String table, StructType schema) {
    return old(table, schema);
  }

  /** Whether this run reads {@code table} as the published linkage did (the same snapshot, or absent both times). */
  boolean sameAsPublished(String table) {
    return unchanged(table);
  }

  /** Up to this many records to link again, their keys are sent to every task rather than shuffled. */
  static final long BROADCAST_ROWS = 200_000;

  /**
   * The registry rows that can decide the links of {@code records}: those with one of their ID keys or K1s, and every
   * other row of those rows' persons (whether a person has a usable ID, and the holder check of a card, look at all
   * of a person's rows). Linking {@code records} against these gives what linking them against the whole registry
   * gives: a K1 they carry has all its rows here, and a K1 only these extra rows carry is no record's.
   */
  static Dataset<Row> near(Dataset<Row> records, Dataset<Row> registry, boolean small) {
    java.util.function.UnaryOperator<Dataset<Row>> b = df -> small ? broadcast(df) : df;
    Dataset<Row> ids = records.filter(col("id_key").isNotNull()).select(col("id_key").as("_ik")).distinct();
    Dataset<Row> k1 = records.filter(col("name_norm").isNotNull().and(col("sex_code").isNotNull())
            .and(col("birth_date").isNotNull()).and(col("county").isNotNull()))
        .select(col("name_norm").as("_kn"), col("sex_code").as("_ks"), col("birth_date").as("_kb"),
            col("county").as("_kc"))
        .distinct().withColumn("_k1", lit(true));
    Dataset<Row> matched = registry
        .join(b.apply(ids.withColumn("_id", lit(true))), col("id_key").equalTo(col("_ik")), "left")
        .join(b.apply(k1), col("name_norm").equalTo(col("_kn")).and(col("sex_code").equalTo(col("_ks")))
            .and(col("birth_date").equalTo(col("_kb"))).and(col("county").equalTo(col("_kc"))), "left")
        .filter(col("_id").isNotNull().or(col("_k1").isNotNull()));
    Dataset<Row> persons = matched.select(col("person_key").as("_np")).distinct();
    return registry.join(b.apply(persons), col("person_key").equalTo(col("_np")), "left_semi");
  }

  private static final StructType NAMES_EHR = Inputs.schema("ehr_no", "string", "name", "string");
  private static final StructType NAMES_VISIT = Inputs.schema("visit_id", "string", "name", "string");

  /** The published links as {@link LinkPlan#links} returns them (the ID status is kept for unlinked records only). */
  private Dataset<Row> published() {
    Dataset<Row> linked = in.read(LinkPlan.linkTable(wh, "record_link"), Inputs.schema("source", "string",
            "record_key", "string", "person_key", "string", "tier", "string", "evidence", "string"))
        .withColumn("reason", lit(null).cast("string")).withColumn("id_status", lit(null).cast("string"))
        .withColumn("conflict_key", lit(null).cast("string")).withColumn("disagreed", lit(null).cast("string"));
    Dataset<Row> conflicts = in.read(LinkPlan.linkTable(wh, "link_conflict"), Inputs.schema("source", "string",
            "record_key", "string", "person_key", "string", "disagreed", "string"))
        .select(col("source").as("_cs"), col("record_key").as("_cr"), col("person_key").as("conflict_key"),
            col("disagreed"));
    Dataset<Row> unlinked = in.read(LinkPlan.linkTable(wh, "unlinked"), Inputs.schema("source", "string",
            "record_key", "string", "reason", "string", "id_status", "string"))
        .join(conflicts, col("source").equalTo(col("_cs")).and(col("record_key").equalTo(col("_cr"))), "left")
        .select(col("source"), col("record_key"), lit(null).cast("string").as("person_key"),
            lit(null).cast("string").as("tier"), lit(null).cast("string").as("evidence"), col("reason"),
            col("id_status"), when(col("reason").equalTo("CONFLICT"), col("conflict_key")).as("conflict_key"),
            when(col("reason").equalTo("CONFLICT"), col("disagreed")).as("disagreed"));
    return linked.unionByName(unlinked);
  }

  /** A table as the published linkage read it (no rows when it was absent then). */
  private Dataset<Row> old(String table, StructType schema) {
    String at = before.get(table);
    if (at == null || at.equals("absent")) {
      return spark.createDataFrame(new ArrayList<Row>(), schema);
    }
    return Inputs.conform(spark.table(table + ".snapshot_id_" + at), schema, table, log);
  }

  /**
   * Whether this run reads {@code table} as the published linkage did: the same snapshot, or one that only compacted
   * it (the upkeep's rewrite of its files: the same rows).
   */
  private boolean unchanged(String table) {
    String at = before.get(table);
    boolean exists = in.exists(table);
    return at != null && (at.equals("absent") ? !exists
        : exists && ChangedRows.sameRows(spark, table, Long.parseLong(at), in.snapshot(table)));
  }

  /**
   * Two hashes (96 bits) of {@code fields}' text, nulls told apart from every value: two versions of a row differ
   * when either differs. The shuffles of the comparisons carry 12 bytes a row, not the fields (an ID key alone is 64).
   */
  private static Column[] signature(String suffix, String... fields) {
    Column[] parts = new Column[fields.length];
    for (int i = 0; i < fields.length; i++) {
      parts[i] = coalesce(col(fields[i]).cast("string"), lit("\u0000"));
    }
    Column text = concat_ws("\u0001", parts);
    return new Column[] {xxhash64(text).as("_x" + suffix), hash(text).as("_h" + suffix)};
  }

  /** Whether the signatures {@code a} and {@code b} ({@link #signature}) differ, or one side has no row. */
  private static Column differs(String a, String b) {
    return not(col("_x" + a).eqNullSafe(col("_x" + b)).and(col("_h" + a).eqNullSafe(col("_h" + b))));
  }

  /** The keys ({@code source}, {@code record_key}) of the rows of {@code table} whose fields differ between then and now. */
  private Dataset<Row> changedKeys(String source, String table, String key, StructType schema, String... fields) {
    StructType out = Inputs.schema("source", "string", "record_key", "string");
    if (unchanged(table)) {
      return spark.createDataFrame(new ArrayList<Row>(), out);
    }
    return changedIds(old(table, schema), in.read(table, schema), key, candidates(table, key), fields)
        .select(lit(source).as("source"), col("_k").as("record_key"));
  }

  /**
   * Above this share of a table's rows in changed data files (a compaction rewrote them), every row is compared:
   * the candidates' keys are sent to every task.
   */
  static volatile double maxFileShare = 0.05;

  /**
   * The keys ({@code _ck}) of the rows of {@code table} that can differ between the published linkage's snapshot
   * and this run's ({@link ChangedRows}), or null when only comparing every row tells.
   */
  private Dataset<Row> candidates(String table, String key) {
    String at = before.get(table);
    if (at == null || at.equals("absent") || !in.exists(table)) {
      return null;
    }
    Dataset<Row> c = ChangedRows.candidates(spark, table, Long.parseLong(at), in.snapshot(table), List.of(key),
        maxFileShare);
    if (c == null) {
      log.println("link: " + table + ": every row compared with the published linkage's snapshot");
      return null;
    }
    log.println("link: " + table + ": only the rows of its changed data files compared");
    return c.select(col(key).as("_ck"));
  }

  /** The keys ({@code _k}) of the rows whose {@code fields} differ between {@code then} and {@code now}, or that came or went. */
  private static Dataset<Row> changedIds(Dataset<Row> then, Dataset<Row> now, String key, Dataset<Row> candidates,
      String... fields) {
    if (candidates != null) {
      // Only rows that can differ are compared: the others are the same rows of the same files at both snapshots.
      Dataset<Row> only = broadcast(candidates);
      then = then.join(only, col(key).equalTo(col("_ck")), "left_semi");
      now = now.join(only, col(key).equalTo(col("_ck")), "left_semi");
    }
    List<Column> a = new ArrayList<>(List.of(col(key).as("_k0")));
    a.addAll(List.of(signature("0", fields)));
    List<Column> b = new ArrayList<>(List.of(col(key).as("_k1")));
    b.addAll(List.of(signature("1", fields)));
    return then.select(a.toArray(new Column[0])).join(now.select(b.toArray(new Column[0])),
            col("_k0").equalTo(col("_k1")), "full_outer")
        .filter(differs("0", "1"))
        .select(coalesce(col("_k1"), col("_k0")).as("_k"));
  }

  /**
   * The registry rows whose link fields differ between the published linkage and this run (or that came or went):
   * both versions, each as {@link #REGISTRY_FIELDS}. A row whose delivered fields (and name) are the same has the
   * same person key: the ID key when its ID is usable, else its previous key, which is the published one.
   */
  private Dataset<Row> changedRegistry(Dataset<Row> registry, java.util.function.UnaryOperator<Dataset<Row>> keep) {
    StructType pop = LinkPlan.POP;
    StructType names = Inputs.schema("pop_record_id", "string", "name", "string");
    List<Dataset<Row>> changes = new ArrayList<>();
    if (!unchanged(wh.std("pop_person"))) {
      changes.add(changedIds(old(wh.std("pop_person"), pop), in.read(wh.std("pop_person"), pop), "pop_record_id",
          candidates(wh.std("pop_person"), "pop_record_id"), "id_status", "id_key", "sex_code", "birth_date", "residence_division_code_county"));
    }
    if (!unchanged(wh.id("pop_person"))) {
      changes.add(changedIds(old(wh.id("pop_person"), names), in.read(wh.id("pop_person"), names), "pop_record_id",
          candidates(wh.id("pop_person"), "pop_record_id"), "name"));
    }
    if (changes.isEmpty()) {
      StructType schema = registry.select(fieldCols(REGISTRY_FIELDS)).schema();
      return spark.createDataFrame(new ArrayList<Row>(), schema);
    }
    Dataset<Row> ids = keep.apply(changes.stream().reduce(Dataset::unionByName).orElseThrow().distinct());
    Dataset<Row> only = broadcast(ids);
    Dataset<Row> oldNames = old(wh.id("pop_person"), names).join(only, col("pop_record_id").equalTo(col("_k")),
            "left_semi")
        .select(col("pop_record_id").as("_nid"), col("name"));
    Dataset<Row> keys = in.read(LinkPlan.linkTable(wh, "registry_key"), Inputs.schema("pop_record_id", "string",
            "person_key", "string", "in_registry", "boolean"))
        .filter(col("in_registry").equalTo(true))
        .join(only, col("pop_record_id").equalTo(col("_k")), "left_semi")
        .select(col("pop_record_id").as("_kid"), col("person_key"));
    Dataset<Row> then = old(wh.std("pop_person"), pop)
        .join(only, col("pop_record_id").equalTo(col("_k")), "left_semi")
        .join(oldNames, col("pop_record_id").equalTo(col("_nid")), "left")
        .join(keys, col("pop_record_id").equalTo(col("_kid")), "left")
        .withColumn("usable", LinkPlan.USABLE)
        .withColumn("name_norm", LinkPlan.nameNorm(col("name")))
        .withColumn("county", col("residence_division_code_county"))
        .select(fieldCols(REGISTRY_FIELDS));
    Dataset<Row> now = registry.join(only, col("pop_record_id").equalTo(col("_k")), "left_semi")
        .select(fieldCols(REGISTRY_FIELDS));
    return then.unionByName(now);
  }

  private static Column[] fieldCols(String... fields) {
    Column[] out = new Column[fields.length];
    for (int i = 0; i < fields.length; i++) {
      out[i] = col(fields[i]);
    }
    return out;
  }
}
