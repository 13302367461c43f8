package org.sanku.link;

import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.Date;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.Warehouse;

/**
 * The linkage stage ({@code ./sanku link}): builds the master person index over the population registry, links
 * every health record ({@code std.ehr_person}) and hospital visit ({@code std.emr_visit}) to a registry person in
 * tiers (standards §3.4; the generator's recoverability rules), and writes
 *
 * <ul>
 *   <li>{@code <analytics>.link.record_link}, {@code link_conflict}, {@code unlinked}, {@code link_rate},
 *       {@code registry_key} and the append-only audit {@code key_merge};</li>
 *   <li>the integrated tables {@code <analytics>.model.person}, {@code ehr_record}, {@code ehr_exam},
 *       {@code ehr_tcm_service}, {@code ehr_enrollment}, {@code ehr_followup}, {@code ehr_contract},
 *       {@code emr_visit}, {@code emr_diagnosis}, keyed by {@code person_key}.</li>
 * </ul>
 *
 * <p>Tiers: T1, a usable ID (VALID_18, UPGRADED_15) that a registry row carries, accepted when the birth date, or
 * the sex and the normalised name, agree; the same ID with neither agreeing is a conflict (a borrowed ID), reported
 * and never linked nor tried further. T2, for the rest: K1 = name + sex + birth date + county (the record's own
 * division; the registry's residence) when exactly one registry person has it; then, for visits, the health card of
 * another linked visit. Names are compared inside the plans only (joined from the identity zone); nothing written
 * to the analytics zone holds a name or an ID number.
 *
 * <p>Person keys: the ID key ({@code id_key}, HMAC-SM3 of the normalised ID) for a registry row with a usable ID,
 * otherwise the key the row had on the previous run, otherwise HMAC-SM3 of {@code "R:" + pop_record_id}. When a
 * row's key changes (its ID became usable, or it now carries another usable ID) the change is appended to
 * {@code link.key_merge} (old_key → new_key).
 *
 * <p>Every table is written with one atomic Iceberg commit (create-or-replace; a MERGE for the audit), from plans
 * over input snapshots pinned at the start of the run; independent tables are written side by side, and
 * {@code registry_key} last. Nothing large is collected to the driver (only the per-tier counts of the result),
 * and every join is an equi-join.
 *
 * <p>The job refuses (before writing anything) a person key other than the one the warehouse was ingested with:
 * surrogate keys minted with it would not be stable.
 */
public final class LinkJob {

  /** What a run did: the reference date and per source the records by tier or, when unlinked, by reason. */
  public record Result(LocalDate asOf, Map<String, Long> outcomes, long conflicts, long keyMerges,
      long undatedDepartures, long relinked, double seconds) {

    /** Records of a source ({@code ehr} or {@code emr}). */
    public long records(String source) {
      return outcomes.entrySet().stream().filter(e -> e.getKey().startsWith(source + "/"))
          .mapToLong(Map.Entry::getValue).sum();
    }

    /** Records of a source linked to a registry person. */
    public long linked(String source) {
      return outcomes.entrySet().stream().filter(e -> e.getKey().startsWith(source + "/T"))
          .mapToLong(Map.Entry::getValue).sum();
    }

    /** Records of a source with this tier ({@code T1_ID} …) or unlinked reason ({@code CONFLICT} …). */
    public long count(String source, String tierOrReason) {
      return outcomes.getOrDefault(source + "/" + tierOrReason, 0L);
    }
  }

  private final SparkSession spark;
  private final Warehouse wh;
  private final byte[] personKey;
  private final LocalDate asOf;
  private final PrintStream log;
  private final IcebergWriter writer;
  private ResidentRule resident;
  private boolean everyone;

  /**
   * @param personKey the deployment's person key (the one the warehouse was ingested with)
   * @param asOf      reference date R of the link rates
   */
  public LinkJob(SparkSession spark, Warehouse wh, byte[] personKey, LocalDate asOf, PrintStream log) {
    this.spark = spark;
    this.wh = wh;
    this.personKey = java.util.Objects.requireNonNull(personKey, "personKey").clone();
    this.asOf = java.util.Objects.requireNonNull(asOf, "asOf");
    this.log = log;
    this.writer = new IcebergWriter(spark);
  }

  /**
   * The rule "resident on R" the link rates count by: the indicator catalog's ({@code Catalog.residentRule()}), so
   * that linkage and the indicators never count residents two ways. Required.
   */
  public LinkJob residentRule(ResidentRule rule) {
    this.resident = java.util.Objects.requireNonNull(rule, "rule");
    return this;
  }

  /**
   * Relinks every record, whatever the published linkage ({@code ./sanku link --relink-all}): by default a run
   * links again only the records a change since the published linkage can concern ({@link IncrementalLinks}).
   */
  public LinkJob relinkAll(boolean all) {
    this.everyone = all;
    return this;
  }

  /** {@code <analytics>.link.<table>}. */
  public static String linkTable(Warehouse wh, String table) {
    return LinkPlan.linkTable(wh, table);
  }

  /** {@code <analytics>.model.<table>}. */
  public static String modelTable(Warehouse wh, String table) {
    return LinkPlan.modelTable(wh, table);
  }

  public Result run() {
    long t0 = System.nanoTime();
    registerKeyFunction();
    Inputs in = new Inputs(spark, log);
    LocalDate r = asOf;
    checkKey(in);
    if (resident == null) {
      throw new IllegalStateException("link: no resident rule given (the indicator catalog's resident_on condition)");
    }
    log.println("link: reference date " + r);
    Result same = everyone ? null : unchanged(in, r, t0);
    if (same != null) {
      return same;
    }
    LinkPlan plan = new LinkPlan(wh, in, r, resident);

    List<Dataset<Row>> cached = new ArrayList<>();
    Dataset<Row> registry = keep(plan.registry(), cached);
    IncrementalLinks since = everyone ? null : incremental(in);
    Dataset<Row> records = keep(plan.records(), cached);
    Dataset<Row> links = null;
    if (since != null) {
      long ti = System.nanoTime();
      Dataset<Row> l = since.links(records, registry, df -> keep(df, cached));
      if (l != null) {
        links = keep(l, cached);
        IncrementalLinks.Counts c = since.counts();
        log.printf("link: %,d of %,d records linked again (%,d changed since the published linkage, %,d registry "
            + "row version(s) changed, and the records of their persons, IDs, K1 and health cards); the others keep "
            + "their published links (%.1f s)%n", c.relinked(), c.records(), c.changedRecords(),
            c.changedRegistryRows(), (System.nanoTime() - ti) / 1e9);
      }
    }
    long relinked = -1;
    if (links == null) {
      links = keep(LinkPlan.links(records, registry, df -> keep(df, cached)), cached);
    } else {
      relinked = since.counts().relinked();
    }
    Dataset<Row> persons = keep(plan.persons(registry), cached);
    // The integrated health records and visits of every record: on a night of deltas only a table written whole
    // reads them (those written as deltas compute their changed rows), so they are kept when first read (keeping
    // them runs their joins' shuffles at once: 12 s of a night at 1,000,000 persons). A relink of everyone makes
    // them before the writes, beside the persons (below).
    Dataset<Row> linked = links;
    boolean relinkedAll = relinked < 0;
    Later ehrRecord = new Later(() -> keep(plan.ehrRecord(linked), cached));
    Later emrVisit = new Later(() -> keep(plan.emrVisit(linked), cached));
    try {
      long merges = writeKeyMerges(registry, r);

      // The outcome summary (a small collect) also materialises the links; then the shared inputs of the
      // tables are materialised once each, before the independent writes run side by side.
      Map<String, Long> outcomes = new TreeMap<>();
      long conflicts = 0;
      for (Row row : links.groupBy(col("source"), col("tier"), col("reason")).count().collectAsList()) {
        String what = row.isNullAt(1) ? row.getString(2) : row.getString(1);
        outcomes.merge(row.getString(0) + "/" + what, row.getLong(3), Long::sum);
        if ("CONFLICT".equals(row.getString(2))) {
          conflicts += row.getLong(3);
        }
      }
      // The persons, and on a relink of everyone the health records and visits of every record, computed side by
      // side: each is a few jobs whose tails leave a core idle.
      List<Runnable> shared = new ArrayList<>(List.of(() -> persons.count()));
      if (relinkedAll) {
        shared.add(() -> ehrRecord.get().count());
        shared.add(() -> emrVisit.get().count());
      }
      org.sanku.spark.SideBySide.run("sanku-link-shared", shared.size(), shared);
      // Registry persons dead or moved out at a date the registry does not give: resident on no day (the rule),
      // said here as well as warned at ingest (MISSING_CONDITIONAL), so that no one leaves the counts unseen.
      long undated = persons.filter(UNDATED).count();

      Date d = Date.valueOf(r);
      Supplier<Dataset<Row>> ehrKeys = () -> ehrRecord.get().select(col("ehr_no").as("_ehr"), col("person_key"));
      Supplier<Dataset<Row>> enrollments = () -> plan.service("ehr_program_enrollment", "ehr_enrollment",
          ehrKeys.get());
      Map<String, Supplier<Dataset<Row>>> tables = new LinkedHashMap<>();
      Dataset<Row> recordLink = links.filter(col("person_key").isNotNull()).withColumn("as_of", lit(d));
      tables.put("record_link", () -> recordLink);
      Dataset<Row> conflict = links.filter(col("reason").equalTo("CONFLICT"))
          .select(col("source"), col("record_key"), col("conflict_key").as("person_key"), col("disagreed"),
              col("id_status"), lit(d).as("as_of"));
      tables.put("link_conflict", () -> conflict);
      Dataset<Row> unlinked = links.filter(col("person_key").isNull()).withColumn("as_of", lit(d));
      tables.put("unlinked", () -> unlinked);
      tables.put("person", () -> persons);
      tables.put("ehr_record", ehrRecord);
      tables.put("ehr_exam", () -> plan.service("ehr_physical_exam", "ehr_exam", ehrKeys.get()));
      tables.put("ehr_tcm_service", () -> plan.service("ehr_tcm_service", "ehr_tcm_service", ehrKeys.get()));
      tables.put("ehr_enrollment", enrollments);
      tables.put("ehr_followup", () -> plan.followups(enrollments.get().select(col("enrollment_id").as("_enr"),
          col("ehr_no"), col("person_key"))));
      tables.put("ehr_contract", () -> plan.service("ehr_fd_contract", "ehr_contract", ehrKeys.get()));
      tables.put("emr_visit", emrVisit);
      tables.put("emr_diagnosis", () -> plan.diagnoses(emrVisit.get().select(col("visit_id").as("_vid"),
          col("person_key"))));
      tables.put("link_rate", () -> plan.linkRates(ehrRecord.get(), emrVisit.get(), persons));
      // Every table the integrated tables are made from is pinned and recorded now, whether or not this run's
      // plans have read it yet (those of a table written whole are made as it is written): the next run tells its
      // changes from what is recorded here.
      MADE_FROM.values().forEach(from -> from.subList(1, from.size()).forEach(t -> in.read(wh.std(t),
          new org.apache.spark.sql.types.StructType())));
      // What the run read, recorded on registry_key and on the tables a later run builds its links from: a later
      // run links again only what changed since, and only from tables that one run wrote.
      String read = inputs(in, r);
      Map<String, String> inputsOf = Map.of("record_link", read, "unlinked", read, "link_conflict", read);
      if (relinked >= 0) {
        keepUnchanged(tables, since, links);
        writeNight(tables, inputsOf, since, plan, links, persons);
      } else {
        writeAll(tables, inputsOf);
      }

      // Last: the plans above read the previous registry_key, and replacing a table drops the cached plans that
      // read it. A run that dies before this line leaves the previous keys, from which the next run derives the
      // same keys again.
      Dataset<Row> current = registry.select(col("pop_record_id"), col("person_key"), col("key_kind"),
          lit(true).as("in_registry"));
      Dataset<Row> stale = plan.previousKeys().join(current.select(col("pop_record_id").as("_cur")),
              col("pop_record_id").equalTo(col("_cur")), "left_anti")
          .select(col("pop_record_id"), col("person_key"), col("key_kind"), lit(false).as("in_registry"));
      // With what the run read: a later run over the same inputs finds them here and relinks nothing.
      replace("registry_key", current.unionByName(stale), Map.of(INPUTS_PROPERTY, read));

      double secs = (System.nanoTime() - t0) / 1e9;
      long all = outcomes.values().stream().mapToLong(Long::longValue).sum();
      Result result = new Result(r, Collections.unmodifiableMap(outcomes), conflicts, merges, undated,
          relinked < 0 ? all : relinked, secs);
      log.printf("link: ehr %,d records, %,d linked; emr %,d visits, %,d linked; %,d conflicts; %,d key changes "
          + "(%.1f s)%n", result.records("ehr"), result.linked("ehr"), result.records("emr"), result.linked("emr"),
          conflicts, merges, secs);
      log.println("link: outcomes " + outcomes);
      if (undated > 0) {
        log.printf("link: %,d registry person(s) with status 死亡 or 迁出 and no date: resident on no day "
            + "(warned at ingest as MISSING_CONDITIONAL)%n", undated);
      }
      return result;
    } finally {
      for (Dataset<Row> df : cached) {
        org.sanku.spark.Kept.release(df);
      }
    }
  }

  /**
   * The integrated tables each of whose inputs this run reads at the snapshot the published linkage read, and whose
   * source's links (person and tier) are all as published, are the published ones: they are left as they stand and
   * taken out of {@code tables} (a night on which a source delivered nothing). {@code person} and {@code link_rate}
   * depend on the reference date and are always written.
   */
  private void keepUnchanged(Map<String, Supplier<Dataset<Row>>> tables, IncrementalLinks since,
      Dataset<Row> links) {
    java.util.Set<String> relinked = since.sourcesRelinkedDifferently(links);
    // A table committed after registry_key is from a run that died while writing: never kept.
    long published = committed(linkTable(wh, "registry_key"));
    List<String> kept = new ArrayList<>();
    MADE_FROM.forEach((table, in) -> {
      String name = modelTable(wh, table);
      boolean same = !relinked.contains(in.get(0)) && writer.exists(name) && committed(name) <= published
          && in.subList(1, in.size()).stream().allMatch(t -> since.sameAsPublished(wh.std(t)));
      if (same) {
        tables.remove(table);
        kept.add(name);
      }
    });
    if (!kept.isEmpty()) {
      log.println("link: " + String.join(", ", kept) + " stand as published (their inputs and links are unchanged)");
    }
  }

  /**
   * The integrated tables made from the links: each one's source ({@code ehr}, {@code emr}) and the {@code std}
   * tables it is made from.
   */
  private static final Map<String, List<String>> MADE_FROM = new LinkedHashMap<>();

  static {
    MADE_FROM.put("ehr_record", List.of("ehr", "ehr_person", "ref_division"));
    MADE_FROM.put("ehr_exam", List.of("ehr", "ehr_physical_exam"));
    MADE_FROM.put("ehr_tcm_service", List.of("ehr", "ehr_tcm_service"));
    MADE_FROM.put("ehr_enrollment", List.of("ehr", "ehr_program_enrollment"));
    MADE_FROM.put("ehr_followup", List.of("ehr", "ehr_followup", "ehr_program_enrollment"));
    MADE_FROM.put("ehr_contract", List.of("ehr", "ehr_fd_contract"));
    MADE_FROM.put("emr_visit", List.of("emr", "emr_visit", "ref_org"));
    MADE_FROM.put("emr_diagnosis", List.of("emr", "emr_diagnosis"));
  }

  /**
   * When {@code table}'s rows were last committed (Long.MAX_VALUE when it has none): a compaction since (the
   * upkeep's) rewrote files, not rows, and does not count.
   */
  private long committed(String table) {
    org.apache.iceberg.Table t = writer.load(table);
    t.refresh();
    return org.sanku.storage.ChangedRows.rowsCommitted(t);
  }

  /**
   * Writes independent tables side by side (each still one atomic commit): most of a small table's write is
   * driver-side latency (planning, the Iceberg commit), which overlaps well. The first failure is rethrown after
   * every write has ended.
   */
  private void writeAll(Map<String, Supplier<Dataset<Row>>> tables, Map<String, String> inputsOf) {
    List<Runnable> writes = new ArrayList<>();
    for (var e : tables.entrySet()) {
      String read = inputsOf.get(e.getKey());
      writes.add(() -> replace(e.getKey(), e.getValue().get(), read == null ? Map.of()
          : Map.of(INPUTS_PROPERTY, read)));
    }
    org.sanku.spark.SideBySide.run("sanku-link-writer", WRITERS, writes);
  }

  /**
   * The writes of a night whose links were mostly kept: the integrated tables that can be are written as deltas
   * ({@link ModelDeltas}), each after the table it takes persons from; the others whole, as {@link #writeAll};
   * {@code link_rate} last, from the integrated tables as written.
   */
  private void writeNight(Map<String, Supplier<Dataset<Row>>> tables, Map<String, String> inputsOf,
      IncrementalLinks since, LinkPlan plan, Dataset<Row> links, Dataset<Row> persons) {
    long published = committed(linkTable(wh, "registry_key"));
    ModelDeltas deltas = new ModelDeltas(spark, wh, writer, plan, since, links, log);
    List<String> asDeltas = deltas.decide(tables.keySet(), t -> committed(t) <= published);
    // Levels: the deltas taking persons from links and the integrated tables written whole; then the deltas taking
    // persons from those, and link rates (from the tables as written); then follow-ups (from enrollments) and the
    // link tables. Those are written last: replacing a table drops the cached plans that read it (the links).
    List<List<Runnable>> levels = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (var e : tables.entrySet()) {
      String name = e.getKey();
      if (name.equals("link_rate")) {
        continue;
      }
      if (!asDeltas.contains(name)) {
        String read = inputsOf.get(name);
        levels.get(IntegratedTables.get(name).namespace().equals("link") ? 2 : 0).add(() -> replace(name,
            e.getValue().get(), read == null ? Map.of() : Map.of(INPUTS_PROPERTY, read)));
        continue;
      }
      int level = switch (name) {
        case "ehr_record", "emr_visit" -> 0;
        case "ehr_followup" -> 2;
        default -> 1;
      };
      levels.get(level).add(() -> deltas.write(name, conformed(name, deltas.rows(name))));
    }
    if (tables.containsKey("link_rate")) {
      levels.get(1).add(() -> replace("link_rate", plan.linkRates(spark.table(modelTable(wh, "ehr_record")),
          spark.table(modelTable(wh, "emr_visit")), persons)));
    }
    for (List<Runnable> level : levels) {
      if (!level.isEmpty()) {
        org.sanku.spark.SideBySide.run("sanku-link-writer", WRITERS, level);
      }
    }
  }

  /** {@code df} with the columns of integrated table {@code name}'s spec. */
  private Dataset<Row> conformed(String name, Dataset<Row> df) {
    IntegratedTables.Spec spec = IntegratedTables.get(name);
    return Inputs.conform(df, Inputs.specSchema(spec), modelTable(wh, name), log);
  }

  /** {@code df} computed once for the many plans built on it ({@link org.sanku.spark.Kept}). */
  private Dataset<Row> keep(Dataset<Row> df, List<Dataset<Row>> cached) {
    Dataset<Row> kept = org.sanku.spark.Kept.keep(df);
    synchronized (cached) {
      cached.add(kept);
    }
    return kept;
  }

  /**
   * A kept plan made when first asked for (by any of the steps running side by side, who then share it); never made
   * when no one asks.
   */
  static final class Later implements Supplier<Dataset<Row>> {
    private final Supplier<Dataset<Row>> make;
    private Dataset<Row> made;

    Later(Supplier<Dataset<Row>> make) {
      this.make = make;
    }

    @Override
    public synchronized Dataset<Row> get() {
      if (made == null) {
        made = make.get();
      }
      return made;
    }
  }

  /** Tables written at the same time. */
  private static final int WRITERS = 4;

  private void registerKeyFunction() {
    org.sanku.ids.PersonKeyFunction.register(spark, personKey);
  }

  /**
   * Refuses a key other than the one the warehouse was ingested with: surrogate keys minted with it would not be
   * stable. Checked on up to 200 identity-zone registry rows (their {@code id_key} against the function).
   */
  private void checkKey(Inputs in) {
    Dataset<Row> sample = in.read(wh.id("pop_person"), Inputs.schema("id_no", "string", "id_key", "string"))
        .filter(col("id_no").isNotNull().and(col("id_key").isNotNull())).limit(200);
    Row c = sample.agg(count(lit(1)), sum(when(callUDF(org.sanku.ids.PersonKeyFunction.NAME, col("id_no"))
        .equalTo(col("id_key")), 0L).otherwise(1L))).first();
    if (c.getLong(0) > 0 && c.getLong(1) > 0) {
      throw new IllegalStateException("link: the person key is not the one " + wh.location
          + " was ingested with (registry id_key values do not match); nothing was written");
    }
  }

  /**
   * The default reference date of linkage and indicators: the latest drop date in the ingest ledger (today in
   * Asia/Shanghai when nothing was ingested).
   */
  public static LocalDate latestDropDate(SparkSession spark, Warehouse wh) {
    return latestDrop(new Inputs(spark, new PrintStream(OutputStream.nullOutputStream())), wh);
  }

  private static LocalDate latestDrop(Inputs in, Warehouse wh) {
    String ledger = wh.ops("ingest_ledger");
    if (in.exists(ledger)) {
      Row row = in.all(ledger).agg(org.apache.spark.sql.functions.max("drop_date")).first();
      if (!row.isNullAt(0)) {
        return row.getDate(0).toLocalDate();
      }
    }
    return LocalDate.now(ZoneId.of("Asia/Shanghai"));
  }

  /** Appends this run's key changes to link.key_merge (a MERGE, so a repeated run adds nothing twice). */
  private long writeKeyMerges(Dataset<Row> registry, LocalDate r) {
    Dataset<Row> changes = registry.filter(col("prev_key").isNotNull().and(col("prev_key").notEqual(col("person_key"))))
        .select(col("prev_key").as("old_key"), col("person_key").as("new_key"),
            when(col("prev_kind").equalTo("SURROGATE").and(col("key_kind").equalTo("ID")), lit("SURROGATE_TO_ID"))
                .otherwise(lit("ID_CHANGED")).as("reason"),
            col("pop_record_id"), lit(Date.valueOf(r)).as("as_of"), current_timestamp().as("recorded_at"));
    IntegratedTables.Spec spec = IntegratedTables.get("key_merge");
    String table = linkTable(wh, "key_merge");
    Dataset<Row> rows = Inputs.conform(changes, Inputs.specSchema(spec), table, log)
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long n = rows.count();
      writer.createIfMissing(table, rows);
      if (n > 0) {
        writer.mergeInto(table, rows, "ON t.old_key = s.old_key AND t.new_key = s.new_key AND t.pop_record_id = "
            + "s.pop_record_id WHEN NOT MATCHED THEN INSERT *");
        log.printf("link: %,d person key change(s) recorded in %s%n", n, table);
      }
      return n;
    } finally {
      rows.unpersist(true);
    }
  }

  /**
   * The table property of {@code link.registry_key} naming what the run that wrote it read: its reference date, a
   * digest of the resident rule and of linkage's code and table layouts, and every input table with its snapshot
   * (or {@code absent}).
   */
  static final String INPUTS_PROPERTY = "sanku.link.inputs";

  /** What a run's tables follow from besides its input tables. */
  private String basis(LocalDate r) {
    return "as_of=" + r + ";" + version();
  }

  /** The resident rule and the code a run's tables follow from (its links do not depend on the reference date). */
  private String version() {
    return "rule=" + org.sanku.storage.ComputedFrom.digest(resident.sql().getBytes(
        java.nio.charset.StandardCharsets.UTF_8)) + ";code=" + CODE;
  }

  /**
   * The published linkage to build this run's links from, or null (said in the log) when there is none to trust:
   * no linkage yet, one written by another version or rule, tables of linkage not all from the run that wrote
   * {@code registry_key} (a run that died while writing), or input snapshots that upkeep has expired since.
   */
  private IncrementalLinks incremental(Inputs in) {
    String keys = linkTable(wh, "registry_key");
    if (!writer.exists(keys)) {
      return null;
    }
    String stored = writer.load(keys).properties().get(INPUTS_PROPERTY);
    int at = stored == null ? -1 : stored.indexOf(";tables=");
    if (at < 0) {
      log.println("link: the published linkage does not record what it read: relinking everyone");
      return null;
    }
    if (!stored.substring(0, at).endsWith(";" + version())) {
      log.println("link: the published linkage was computed by another version of linkage or resident rule: "
          + "relinking everyone");
      return null;
    }
    for (String t : List.of("record_link", "unlinked", "link_conflict")) {
      String table = linkTable(wh, t);
      if (!writer.exists(table) || !stored.equals(writer.load(table).properties().get(INPUTS_PROPERTY))) {
        log.println("link: " + table + " is not from the run that wrote " + keys + ": relinking everyone");
        return null;
      }
    }
    Map<String, String> tables = IncrementalLinks.parseTables(stored.substring(at + ";tables=".length()));
    for (var e : tables.entrySet()) {
      if (!e.getValue().equals("absent") && (!writer.exists(e.getKey())
          || writer.load(e.getKey()).snapshot(Long.parseLong(e.getValue())) == null)) {
        log.println("link: the snapshot of " + e.getKey() + " the published linkage read is no longer kept: "
            + "relinking everyone");
        return null;
      }
    }
    return new IncrementalLinks(spark, wh, in, tables, log);
  }

  /** {@link #INPUTS_PROPERTY} of this run: its basis, and the input tables it read at their snapshots. */
  private String inputs(Inputs in, LocalDate r) {
    Map<String, String> tables = new TreeMap<>();
    in.snapshots().forEach((t, id) -> {
      if (isInput(t)) {
        tables.put(t, String.valueOf(id));
      }
    });
    in.absent().forEach(t -> {
      if (isInput(t)) {
        tables.put(t, "absent");
      }
    });
    StringBuilder b = new StringBuilder(basis(r)).append(";tables=");
    tables.forEach((t, id) -> b.append(t).append('@').append(id).append(','));
    return b.toString();
  }

  /** Linkage's own tables (link.*, model.*) are what it writes, not what its results follow from. */
  private boolean isInput(String table) {
    return !table.startsWith(linkTable(wh, "")) && !table.startsWith(modelTable(wh, ""));
  }

  /**
   * When the published linkage was computed from the same inputs as this run's (every input table at the same
   * snapshot or one that only compacted it, none added, the same reference date, resident rule and code), its tables are what this run would
   * write: nothing is relinked, and the result is read from them (a night whose deliveries were all refused or
   * absent, a second run). Null otherwise.
   */
  private Result unchanged(Inputs in, LocalDate r, long t0) {
    String table = linkTable(wh, "registry_key");
    if (!writer.exists(table)) {
      return null;
    }
    String stored = writer.load(table).properties().get(INPUTS_PROPERTY);
    String basis = basis(r) + ";tables=";
    if (stored == null || !stored.startsWith(basis)) {
      return null;
    }
    for (var e : IncrementalLinks.parseTables(stored.substring(basis.length())).entrySet()) {
      String name = e.getKey();
      String id = e.getValue();
      boolean exists = in.exists(name);
      // A compaction since (the upkeep's) rewrote the table's files, not its rows: the same input.
      if (id.equals("absent") ? exists : !exists || !org.sanku.storage.ChangedRows.sameRows(spark, name,
          Long.parseLong(id), in.snapshot(name))) {
        return null;
      }
    }
    Map<String, Long> outcomes = new TreeMap<>();
    for (String t : List.of("record_link", "unlinked")) {
      String what = t.equals("record_link") ? "tier" : "reason";
      for (Row row : spark.sql("SELECT source, " + what + ", count(*) FROM " + linkTable(wh, t) + " GROUP BY source, "
          + what).collectAsList()) {
        outcomes.merge(row.getString(0) + "/" + row.getString(1), row.getLong(2), Long::sum);
      }
    }
    long conflicts = outcomes.entrySet().stream().filter(e -> e.getKey().endsWith("/CONFLICT"))
        .mapToLong(Map.Entry::getValue).sum();
    long undated = spark.table(modelTable(wh, "person")).filter(UNDATED).count();
    double secs = (System.nanoTime() - t0) / 1e9;
    Result result = new Result(r, Collections.unmodifiableMap(outcomes), conflicts, 0, undated, 0, secs);
    log.printf("link: the inputs are those the published linkage was computed from (every table at the same "
        + "snapshot, the same reference date, rule and code): nothing relinked, its tables stand (%.1f s)%n", secs);
    log.printf("link: ehr %,d records, %,d linked; emr %,d visits, %,d linked; %,d conflicts%n",
        result.records("ehr"), result.linked("ehr"), result.records("emr"), result.linked("emr"), conflicts);
    log.println("link: outcomes " + outcomes);
    if (undated > 0) {
      log.printf("link: %,d registry person(s) with status 死亡 or 迁出 and no date: resident on no day "
          + "(warned at ingest as MISSING_CONDITIONAL)%n", undated);
    }
    return result;
  }

  /** Registry persons dead or moved out at a date the registry does not give. */
  private static final String UNDATED = "(person_status_code = '2' AND death_date IS NULL) "
      + "OR (person_status_code = '3' AND move_out_date IS NULL)";

  /** A digest of linkage's code and of the tables it writes: a new version relinks. */
  private static final String CODE = codeDigest();

  private static String codeDigest() {
    return org.sanku.storage.ComputedFrom.digest(List.of(LinkJob.class, LinkPlan.class, IncrementalLinks.class,
        Inputs.class, ResidentRule.class, org.sanku.ids.PersonKeyFunction.class), IntegratedTables.all().toString());
  }

  /** Writes an integrated or link table in one atomic commit (create or replace), with its spec's columns. */
  private void replace(String name, Dataset<Row> df) {
    replace(name, df, Map.of());
  }

  private void replace(String name, Dataset<Row> df, Map<String, String> properties) {
    IntegratedTables.Spec spec = IntegratedTables.get(name);
    String table = spec.namespace().equals("model") ? modelTable(wh, name) : linkTable(wh, name);
    // One file per core, not one per shuffle partition: every later stage reads these tables whole.
    Dataset<Row> out = Inputs.conform(df, Inputs.specSchema(spec), table, log)
        .coalesce(Math.max(1, spark.sparkContext().defaultParallelism()));
    writer.replace(table, out, properties);
  }
}
