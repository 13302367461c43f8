package org.sanku.quality;

import java.io.PrintStream;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sanku.indicators.Catalog;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.quality.CheckCatalog.Check;
import org.sanku.quality.CheckCatalog.Table;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.PinnedReads;
import org.sanku.storage.TableLayouts;
import org.sanku.storage.Warehouse;

/**
 * The data-quality stage: runs the check catalog ({@code conf/checks/}) over the analytics zone as the night left it
 * (after ingest and linkage, before the indicators are published), one grouped aggregation per table, and keeps the
 * results night by night in {@code dq.check_result} (with {@code dq.check}, the catalog as run, and
 * {@code dq.check_run}, one row per run). An {@code error} failure that no operator accepted blocks the indicators
 * depending on the check's source ({@link Gates}); the result says which. A table whose inputs are those of the last
 * run's scan (nothing delivered to it since) is not scanned again: its counts are read from {@code dq.check_scan}
 * ({@link ScanCache}).
 */
public final class QualityJob {

  /** What a run found. */
  public record Result(String runId, Night night, int checks, int tables, List<CheckResult> results,
      List<String> failingChecks, Set<String> blockedSources, List<String> blockedIndicators, List<String> accepted,
      double seconds) {

    /** The failing results, errors first. */
    public List<CheckResult> failures() {
      return results.stream().filter(r -> !r.passed())
          .sorted(java.util.Comparator.comparing((CheckResult r) -> -r.severity().ordinal())).toList();
    }
  }

  private final SparkSession spark;
  private final Warehouse wh;
  private final CheckCatalog catalog;
  private final Catalog indicators;
  private final SchemaCatalog contract;
  private final PrintStream log;
  private final PinnedReads reads;
  private final TableShapes shapes;
  private final Set<String> accept = new LinkedHashSet<>();
  private final List<String> views = new ArrayList<>();
  /** The checked tables' aggregations of the last run and of this one ({@link ScanCache}). */
  private ScanCache scans;
  /** Sees each table's aggregation before it runs (a test inspects its plan). */
  private java.util.function.BiConsumer<String, Dataset<Row>> observer = (t, d) -> { };

  public QualityJob(SparkSession spark, Warehouse wh, CheckCatalog catalog, Catalog indicators,
      SchemaCatalog contract, PrintStream log) {
    this.spark = spark;
    this.wh = wh;
    this.catalog = catalog;
    this.indicators = indicators;
    this.contract = contract;
    this.log = log;
    this.reads = new PinnedReads(spark);
    this.shapes = new TableShapes(contract);
  }

  /**
   * Checks every table query and check expression of the catalog against the tables' layouts (a Spark analysis of
   * empty tables, no data read): a nightly refuses a broken check before it ingests, naming the file and field.
   */
  public static void validate(SparkSession spark, CheckCatalog catalog, SchemaCatalog contract) {
    CheckValidation.validate(spark, catalog, new TableShapes(contract));
  }

  /**
   * Accepts the failures of these checks for this run (an operator's {@code --accept-dq}): they are recorded as
   * accepted and block nothing.
   *
   * @throws IllegalArgumentException naming a check the catalog does not have
   */
  public QualityJob accepting(Collection<String> checkIds) {
    for (String id : checkIds) {
      if (!catalog.checks.containsKey(id)) {
        throw new IllegalArgumentException("--accept-dq: no check '" + id + "' in the check catalog (conf/checks)");
      }
      accept.add(id);
    }
    return this;
  }

  /** Shows each table's aggregation to {@code observer} before it runs. */
  QualityJob observing(java.util.function.BiConsumer<String, Dataset<Row>> observer) {
    this.observer = observer;
    return this;
  }

  /** Runs every check for the night, writes the results and says what they block. */
  public Result run(LocalDate night) {
    long t0 = System.nanoTime();
    Instant started = Instant.now();
    String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").format(LocalDateTime.now(ZoneId.of(
        "Asia/Shanghai"))) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    Night n = night(night);
    log.printf("quality: %d checks on %d tables for the night of %s (%d drop(s) of the night), run %s%n",
        catalog.checks.size(), tablesChecked().size(), n.date(), n.drops().size(), runId);
    List<CheckResult> results = evaluate(n, true);
    Set<String> failing = new TreeSet<>();
    Set<String> blockedSources = new TreeSet<>();
    Set<String> acceptedFailures = new TreeSet<>();
    for (CheckResult r : results) {
      if (r.blocks()) {
        failing.add(r.checkId());
        blockedSources.add(r.source());
      } else if (r.accepted()) {
        acceptedFailures.add(r.checkId());
      }
    }
    List<String> blocked = Gates.blocked(Gates.dependencies(indicators, contract), blockedSources);
    double secs = (System.nanoTime() - t0) / 1e9;
    Result res = new Result(runId, n, catalog.checks.size(), tablesChecked().size(), List.copyOf(results),
        List.copyOf(failing), blockedSources, blocked, List.copyOf(acceptedFailures), secs);
    new QualityWriter(spark, wh).write(res, catalog, started);
    scans.write(runId);
    long failed = results.stream().filter(r -> !r.passed()).map(CheckResult::checkId).distinct().count();
    log.printf("quality: %,d results, %d check(s) failing, %d error(s) blocking%s (%.1f s)%n", results.size(),
        failed, failing.size(), blocked.isEmpty() ? "" : ": " + blocked.size() + " indicator(s) held back",
        (System.nanoTime() - t0) / 1e9);
    return res;
  }

  /** The results of every check for the night, not written: one grouped aggregation per table, each computed. */
  List<CheckResult> evaluate(Night n) {
    return evaluate(n, false);
  }

  /** {@link #evaluate(Night)}, reading a table's counts from the last run's scan when its inputs are the same. */
  private List<CheckResult> evaluate(Night n, boolean reuse) {
    try {
      return evaluateTables(n, reuse);
    } finally {
      views.forEach(v -> spark.catalog().dropTempView(v));
      views.clear();
    }
  }

  private List<CheckResult> evaluateTables(Night n, boolean reuse) {
    Map<String, String> counties = names(wh.std("ref_division"), "level = '3'", "substr(division_code, 1, 6)", "name");
    Map<String, String> orgs = names(wh.std("ref_org"), "true", "org_code", "org_name");
    scans = new ScanCache(spark, new IcebergWriter(spark), wh.dq("check_scan"));
    // In a stable order: drops of the same date come from the ledger in any order.
    String night = n.date() + " " + new java.util.TreeMap<>(n.latest()) + " " + new java.util.TreeMap<>(n.previous())
        + " " + new TreeSet<>(n.drops());
    // Each table's query is planned here, in catalog order; the tables' scans then run, and their results are read
    // in catalog order. In a small warehouse (the stage runs interpreted) the scans run side by side: each is mostly
    // planning and job latency, which overlap. In a large one each scan fills the cores: one at a time.
    List<TableScan> tables = new ArrayList<>();
    List<Runnable> scansToRun = new ArrayList<>();
    for (Map.Entry<Table, List<Check>> e : tablesChecked().entrySet()) {
      Table t = e.getKey();
      long t0 = System.nanoTime();
      CheckPlan plan = new CheckPlan(t, e.getValue(), n);
      Set<String> read = new TreeSet<>();
      Dataset<Row> tableRows = CheckPlan.rows(spark, t, n, (ns, name) -> {
        read.add(wh.analytics(ns, name));
        return resolve(ns, name);
      });
      String view = view("rows_" + t.name(), tableRows);
      Dataset<Row> aggregation = spark.sql(plan.sql(view));
      // What the aggregation follows from: the table's query and checks, the night, the query's columns, and
      // every table it reads at its pinned snapshot. The same as the last run's: its rows are read, not scanned.
      String inputs = ScanCache.inputs(t + "\n" + e.getValue() + "\n" + night + "\n" + tableRows.schema().json(),
          read, reads);
      TableScan scan = new TableScan(t, e.getValue(), plan, aggregation, inputs);
      scan.rows = reuse ? scans.reuse(t.name(), inputs, aggregation.schema()) : null;
      scan.reused = scan.rows != null;
      scan.nanos = System.nanoTime() - t0;
      tables.add(scan);
      if (!scan.reused) {
        observer.accept(t.name(), aggregation);
        scansToRun.add(() -> {
          long t1 = System.nanoTime();
          // A job group per table lets a listener count the jobs each table's checks cost.
          spark.sparkContext().setJobGroup("sanku-quality:" + t.name(), "data-quality checks of " + t.name(),
              false);
          try {
            scan.rows = aggregation.collectAsList();
          } finally {
            spark.sparkContext().clearJobGroup();
          }
          scan.nanos += System.nanoTime() - t1;
        });
      }
    }
    if (org.sanku.spark.Execution.isInterpreted(spark) && !scansToRun.isEmpty()) {
      org.sanku.spark.SideBySide.run("sanku-quality", SCANS_AT_ONCE, scansToRun);
    } else {
      scansToRun.forEach(Runnable::run);
    }
    List<CheckResult> out = new ArrayList<>();
    for (TableScan scan : tables) {
      Table t = scan.table;
      if (!scan.reused) {
        scans.record(t.name(), scan.inputs, scan.aggregation.schema(), scan.rows);
      }
      for (CheckPlan.Result r : scan.plan.results(scan.rows)) {
        String name = switch (r.level()) {
          case "county" -> counties.get(r.keys().get("county"));
          case "org" -> orgs.get(r.keys().get("org"));
          case "file" -> r.keys().get("file");
          default -> null;
        };
        Check c = r.check();
        boolean accepted = !r.passed() && accept.contains(c.id());
        out.add(new CheckResult(c.id(), c.kind(), c.severity(), r.source(), t.name(), r.level(), r.keys(), name,
            r.violated(), r.denominator(), r.share(), r.score(), c.threshold(), r.passed(), accepted));
      }
      log.printf("quality: %-24s %3d check(s), %s (%.1f s)%n", t.name(), scan.checks.size(),
          scan.reused ? "its inputs unchanged: the last scan's counts" : "one scan", scan.nanos / 1e9);
    }
    return out;
  }

  /**
   * At most this many tables' scans run at once in a small warehouse. At 1,000,000 persons the scans side by side
   * took 38.4 s and 38.9 s against 36.4 s and 38.3 s one at a time; at 400 persons 8.7 s and 8.6 s against
   * 9.5 s and 9.7 s.
   */
  static final int SCANS_AT_ONCE = 3;

  /** One table's checks: its query, planned, and its rows once scanned or read from the last run's scan. */
  private static final class TableScan {
    final Table table;
    final List<Check> checks;
    final CheckPlan plan;
    final Dataset<Row> aggregation;
    final String inputs;
    volatile List<Row> rows;
    boolean reused;
    /** Its planning and its scan (scans side by side share the cores). */
    volatile long nanos;

    TableScan(Table table, List<Check> checks, CheckPlan plan, Dataset<Row> aggregation, String inputs) {
      this.table = table;
      this.checks = checks;
      this.plan = plan;
      this.aggregation = aggregation;
      this.inputs = inputs;
    }
  }

  /** The tables with checks and their checks, in catalog order. */
  private Map<Table, List<Check>> tablesChecked() {
    Map<Table, List<Check>> out = new LinkedHashMap<>();
    for (Check c : catalog.checks.values()) {
      out.computeIfAbsent(catalog.tables.get(c.table()), k -> new ArrayList<>()).add(c);
    }
    return out;
  }

  /**
   * The night: each source's latest drop by the date and the one before (from the ingest ledger), and the night's
   * drops: those dated after the last night checked before this one, and those ingested since that run (a late
   * delivery of an earlier date). A second run for the same night sees the same drops.
   */
  Night night(LocalDate date) {
    Map<String, LocalDate> latest = new HashMap<>();
    Map<String, LocalDate> previous = new HashMap<>();
    List<String> drops = new ArrayList<>();
    String ledger = wh.ops("ingest_ledger");
    if (reads.exists(ledger)) {
      Timestamp since = null;
      LocalDate lastNight = null;
      String runs = wh.dq("check_run");
      if (reads.exists(runs)) {
        Row r = spark.sql("SELECT max(night), max_by(ledger_until, finished_at) FROM " + reads.name(runs)
            + " WHERE night < DATE'" + date + "'").first();
        lastNight = r.isNullAt(0) ? null : r.getDate(0).toLocalDate();
        since = r.isNullAt(1) ? null : r.getTimestamp(1);
      }
      for (Row r : spark.sql("SELECT source, drop_id, drop_date, max(ingested_at) FROM " + reads.name(ledger)
          + " WHERE drop_date <= DATE'" + date + "' GROUP BY source, drop_id, drop_date ORDER BY drop_date")
          .collectAsList()) {
        String source = r.getString(0);
        LocalDate d = r.getDate(2).toLocalDate();
        if (latest.containsKey(source) && !latest.get(source).equals(d)) {
          previous.put(source, latest.get(source));
        }
        latest.put(source, d);
        if (lastNight == null || d.isAfter(lastNight) || since == null || r.getTimestamp(3).after(since)) {
          drops.add(r.getString(1));
        }
      }
    }
    return new Night(date, latest, previous, drops);
  }

  /** The latest ledger commit (the next night's drops start after it), or null. */
  Timestamp ledgerUntil() {
    String ledger = wh.ops("ingest_ledger");
    if (!reads.exists(ledger)) {
      return null;
    }
    Row r = spark.sql("SELECT max(ingested_at) FROM " + reads.name(ledger)).first();
    return r.isNullAt(0) ? null : r.getTimestamp(0);
  }

  /**
   * The name a check's SQL reads {@code ns.table} by: the table at its pinned snapshot; a table the warehouse does
   * not have yet reads as empty with its layout's columns, and columns a layout gained since a table was written
   * (a ledger of an earlier version) read as null.
   */
  private String resolve(String ns, String table) {
    StructType shape = shapes.of(ns, table);
    String name = wh.analytics(ns, table);
    if (!reads.exists(name)) {
      if (shape == null) {
        throw new IllegalStateException("no table " + ns + "." + table + " in the warehouse");
      }
      return view("empty_" + ns + "_" + table, spark.createDataFrame(List.of(), shape));
    }
    Dataset<Row> d = reads.read(name);
    boolean missing = false;
    if (shape != null) {
      Set<String> have = Set.of(d.columns());
      for (StructField f : shape.fields()) {
        if (!have.contains(f.name())) {
          d = d.withColumn(f.name(), org.apache.spark.sql.functions.lit(null).cast(f.dataType()));
          missing = true;
        }
      }
    }
    return missing ? view("evolved_" + ns + "_" + table, d) : reads.name(name);
  }

  private String view(String what, Dataset<Row> d) {
    String v = "sanku_dq_" + what + "_" + Long.toHexString(System.nanoTime());
    d.createOrReplaceTempView(v);
    views.add(v);
    return v;
  }

  /** Code → name of a small reference table at its pinned snapshot (empty when absent). */
  private Map<String, String> names(String table, String filter, String code, String name) {
    Map<String, String> out = new HashMap<>();
    if (!reads.exists(table)) {
      return out;
    }
    for (Row r : spark.sql("SELECT " + code + ", " + name + " FROM " + reads.name(table) + " WHERE " + filter)
        .collectAsList()) {
      if (!r.isNullAt(0)) {
        out.putIfAbsent(r.getString(0), r.getString(1));
      }
    }
    return out;
  }

  /** The writes of a run: the catalog as run, the results, and the run row last (it marks the run as done). */
  private final class QualityWriter {
    private final SparkSession spark;
    private final Warehouse wh;
    private final IcebergWriter writer;

    QualityWriter(SparkSession spark, Warehouse wh) {
      this.spark = spark;
      this.wh = wh;
      this.writer = new IcebergWriter(spark);
    }

    void write(Result res, CheckCatalog cat, Instant started) {
      Timestamp now = Timestamp.from(Instant.now());
      List<Row> checks = new ArrayList<>();
      for (Check c : cat.checks.values()) {
        Table t = cat.tables.get(c.table());
        String rows = c.form() == CheckCatalog.Form.AGGREGATE ? c.denominator() : c.where();
        String violation = switch (c.form()) {
          case AGGREGATE -> c.violated();
          case ROWS -> c.predicate();
          case DAILY -> c.kind() == CheckCatalog.Kind.VOLUME
              ? "modified z-score of the rows dated the night against the previous " + c.daily().nights() + " nights"
              : "no rows dated the night, with rows on " + Math.round(100 * c.daily().usually())
                  + "% of the previous " + c.daily().nights() + " nights";
        };
        checks.add(RowFactory.create(c.id(), c.descriptionZh(), c.descriptionEn(), lower(c.kind()), c.table(),
            t.source() != null ? t.source() : "(" + t.sourceColumn() + ")", c.columns(), c.groupBy(), rows,
            violation, c.threshold(), lower(c.severity()), c.recommendation(),
            c.origin().file().getFileName().toString(), res.runId()));
      }
      writer.replace(wh.dq("check"), spark.createDataFrame(checks, TableLayouts.get("dq", "check").schema()));
      List<Row> rows = new ArrayList<>();
      Date night = Date.valueOf(res.night().date());
      for (CheckResult r : res.results()) {
        rows.add(RowFactory.create(res.runId(), night, res.night().dropId(r.source()), r.checkId(), lower(r.kind()),
            r.source(), r.table(), r.level(), scalaMap(r.keys()), r.groupName(), r.violated(), r.denominator(),
            r.share(), r.score(), r.threshold(), lower(r.severity()), r.passed(), r.accepted(), now));
      }
      // A night's results run to thousands of rows (14,541 at 1,000,000 persons): as one local table they would
      // travel inside the one task writing them (6 MB, which Spark warns about); in slices, gathered into one file.
      int slices = Math.max(1, (rows.size() + RESULTS_PER_SLICE - 1) / RESULTS_PER_SLICE);
      writer.append(wh.dq("check_result"), spark.createDataFrame(
          org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, slices),
          TableLayouts.get("dq", "check_result").schema()).repartition(1));
      int failed = (int) res.results().stream().filter(r -> !r.passed()).map(CheckResult::checkId).distinct().count();
      List<Row> run = List.of(RowFactory.create(res.runId(), night, res.night().drops(), ledgerUntil(),
          res.checks(), (long) res.results().size(), failed, res.failingChecks().size(), res.failingChecks(),
          List.copyOf(res.blockedSources()), res.blockedIndicators(), res.accepted(), Timestamp.from(started), now));
      writer.append(wh.dq("check_run"), spark.createDataFrame(run, TableLayouts.get("dq", "check_run").schema()));
    }
  }

  /** A map as a row read from slices holds it (a local table's rows may hold Java's). */
  private static scala.collection.Map<String, String> scalaMap(Map<String, String> m) {
    return m == null ? null : scala.collection.JavaConverters.mapAsScalaMap(m);
  }

  /** Results per task when they are written (about 400 kB). */
  static final int RESULTS_PER_SLICE = 1_000;

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(java.util.Locale.ROOT);
  }
}
