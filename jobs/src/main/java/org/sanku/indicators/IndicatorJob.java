package org.sanku.indicators;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sanku.indicators.Catalog.Indicator;
import org.sanku.indicators.Catalog.Kind;
import org.sanku.indicators.lifetable.AbridgedLifeTable;
import org.sanku.indicators.report.Cell;
import org.sanku.ingest.Warehouse;

/**
 * The indicator stage: computes the catalog ({@code conf/indicators/}) for the periods of a run over the
 * integrated tables, rolls county counts up to city and province, puts the plans' targets beside the values
 * ({@code conf/targets.yaml}) and publishes everything to {@code <analytics>.ind.indicator_value} in one atomic
 * Iceberg commit (a MERGE that replaces this run's periods). Also written: {@code ind.indicator} (the catalog as
 * run), {@code ind.target} (plans and targets) and {@code ind.indicator_run} (one row per run).
 */
public final class IndicatorJob {

  /** One value: an indicator, a period, a division. {@code value} is null when the denominator is empty. */
  public record Value(Indicator indicator, Period period, String divisionCode, String level, String divisionName,
      String parentCode, long numerator, long denominator, Double value, Double lower95, Double upper95,
      Targets.Applied target, String note) {

    public Double gap() {
      return value == null || target == null || target.target() == null ? null : value - target.target();
    }

    public Cell cell() {
      return new Cell(indicator.id(), indicator.nameZh(), indicator.nameEn(), indicator.unit(), period.type(),
          period.start(), period.end(), divisionCode, level, divisionName, parentCode, numerator, denominator, value,
          lower95, upper95, target == null ? null : target.target(), target == null ? null : target.targetYear(),
          target == null ? null : target.plan().name(), indicator.higherIsBetter(), gap());
    }
  }

  public record Result(String runId, LocalDate asOf, List<Period> periods, List<Value> values, double seconds) {}

  private final SparkSession spark;
  private final Warehouse wh;
  private final Path confDir;
  private final PrintStream log;

  public IndicatorJob(SparkSession spark, Warehouse wh, Path confDir, PrintStream log) {
    this.spark = spark;
    this.wh = wh;
    this.confDir = confDir;
    this.log = log;
  }

  public String table(String name) {
    return wh.analytics + ".ind." + name;
  }

  private Catalog checked;
  private Targets checkedTargets;

  /**
   * Loads and checks the catalog and the targets (before any data is read); a later run() of this job uses them
   * as checked here.
   */
  public Catalog catalog() {
    Catalog c = Catalog.load(confDir.resolve("indicators"));
    IndicatorEngine.validate(spark, c);
    checkedTargets = Targets.load(confDir.resolve("targets.yaml"), c.indicators.keySet());
    checked = c;
    return c;
  }

  /**
   * Computes and publishes.
   *
   * @param asOf    reference date of the run (year to date), or null for the latest drop in the ingest ledger
   * @param periods the periods, or null for the nightly set (the year to date and each closed year with data)
   */
  public Result run(LocalDate asOf, List<Period> periods) {
    long t0 = System.nanoTime();
    Instant started = Instant.now();
    Catalog catalog = checked != null ? checked : catalog();
    Targets targets = checkedTargets;
    LocalDate r = asOf != null ? asOf : org.sanku.link.LinkJob.latestDropDate(spark, wh);
    List<Period> ps = periods != null ? periods : nightlyPeriods(catalog, r);
    String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").format(LocalDateTime.now(ZoneId.of(
        "Asia/Shanghai"))) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    log.printf("indicators: %d indicators × %d period(s) (%s), run %s%n", catalog.indicators.size(), ps.size(),
        ps.stream().map(Period::label).collect(Collectors.joining(", ")), runId);
    long t1 = System.nanoTime();
    List<IndicatorEngine.CountyCount> counts = IndicatorEngine.over(spark, catalog, wh.analytics).compute(ps);
    List<Value> values = rollUp(catalog, targets, ps, counts, new Divisions(spark, wh.analytics));
    long t2 = System.nanoTime();
    publish(runId, r, ps, values, catalog, targets, started);
    double secs = (System.nanoTime() - t0) / 1e9;
    log.printf("indicators: %,d values published to %s in %.1f s (check %.1f s, compute %.1f s, publish %.1f s)%n",
        values.size(), table("indicator_value"), secs, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
        (System.nanoTime() - t2) / 1e9);
    return new Result(runId, r, ps, values, secs);
  }

  /** The year to date and each closed year back to the first year with services or visits (at most N years). */
  List<Period> nightlyPeriods(Catalog c, LocalDate asOf) {
    int back = c.params.containsKey("closed_years") ? Integer.parseInt(String.valueOf(c.params.get("closed_years")))
        : 5;
    int first = asOf.getYear();
    String[][] dated = {{"ehr_exam", "exam_date"}, {"ehr_followup", "followup_date"}, {"emr_visit", "visit_date"},
        {"ehr_tcm_service", "service_date"}};
    for (String[] d : dated) {
      String t = wh.analytics + ".model." + d[0];
      if (!spark.catalog().tableExists(t)) {
        continue;
      }
      Row row = spark.sql("SELECT min(" + d[1] + ") FROM " + t + " WHERE " + d[1] + " <= DATE'" + asOf + "'").first();
      if (!row.isNullAt(0)) {
        first = Math.min(first, row.getDate(0).toLocalDate().getYear());
      }
    }
    return Period.nightly(asOf, Math.max(first, asOf.getYear() - back));
  }

  /** County values, then city and province sums of numerators and denominators (life tables re-computed). */
  static List<Value> rollUp(Catalog catalog, Targets targets, List<Period> periods,
      List<IndicatorEngine.CountyCount> counts, Divisions div) {
    Map<String, List<IndicatorEngine.CountyCount>> byKey = new LinkedHashMap<>();
    for (IndicatorEngine.CountyCount c : counts) {
      byKey.computeIfAbsent(c.indicatorId() + "|" + c.period(), k -> new ArrayList<>()).add(c);
    }
    List<Value> out = new ArrayList<>();
    for (Indicator ind : catalog.indicators.values()) {
      for (int p = 0; p < periods.size(); p++) {
        Period period = periods.get(p);
        List<IndicatorEngine.CountyCount> cs = byKey.getOrDefault(ind.id() + "|" + p, List.of());
        // Division code → accumulated counts, in code order per level.
        Map<String, long[]> nd = new TreeMap<>();
        Map<String, long[][]> life = new TreeMap<>();
        Map<String, String> level = new HashMap<>();
        for (IndicatorEngine.CountyCount c : cs) {
          String county = Divisions.countyCode(c.county());
          List<String> chain = div.chain(county);
          for (int i = 0; i < chain.size(); i++) {
            String code = chain.get(i);
            level.putIfAbsent(code, i == 0 ? "county" : div.level(code));
            long[] a = nd.computeIfAbsent(code, k -> new long[2]);
            a[0] += c.numerator();
            a[1] += c.denominator();
            if (c.deathsByGroup() != null) {
              long[][] l = life.computeIfAbsent(code, k -> new long[2][IndicatorEngine.GROUPS]);
              for (int g = 0; g < IndicatorEngine.GROUPS; g++) {
                l[0][g] += c.deathsByGroup()[g];
                l[1][g] += c.populationByGroup()[g];
              }
            }
          }
        }
        for (String lv : List.of("county", "city", "province")) {
          for (var e : nd.entrySet()) {
            String code = e.getKey();
            if (!lv.equals(level.get(code))) {
              continue;
            }
            long n = e.getValue()[0];
            long d = e.getValue()[1];
            Double value = null;
            Double lo = null;
            Double hi = null;
            String note = null;
            if (ind.kind() == Kind.LIFE_TABLE) {
              long[][] l = life.get(code);
              double[] pop = new double[IndicatorEngine.GROUPS];
              for (int g = 0; g < pop.length; g++) {
                pop[g] = l[1][g];
              }
              try {
                AbridgedLifeTable.Result lt = AbridgedLifeTable.compute(l[0], pop, period.years());
                value = lt.e0();
                lo = lt.lower95();
                hi = lt.upper95();
                if (!lt.reliable()) {
                  note = "FEW_DEATHS";
                }
              } catch (IllegalArgumentException ex) {
                note = "NO_LIFE_TABLE";
              }
            } else if (d > 0) {
              value = n * ind.factor() / d;
            } else {
              note = "NO_DENOMINATOR";
            }
            List<String> chain = div.chain(code);
            out.add(new Value(ind, period, code, lv, div.name(code), chain.size() > 1 ? chain.get(1) : null, n, d,
                value, lo, hi, targets.lookup(ind.id(), chain, period.end().getYear()), note));
          }
        }
      }
    }
    return out;
  }

  // ---- publication ----

  static final StructType VALUE_SCHEMA = new StructType()
      .add("indicator_id", DataTypes.StringType, false)
      .add("name_zh", DataTypes.StringType)
      .add("unit", DataTypes.StringType)
      .add("period_type", DataTypes.StringType, false)
      .add("period_start", DataTypes.DateType, false)
      .add("period_end", DataTypes.DateType, false)
      .add("division_code", DataTypes.StringType, false)
      .add("division_level", DataTypes.StringType, false)
      .add("division_name", DataTypes.StringType)
      .add("parent_code", DataTypes.StringType)
      .add("numerator", DataTypes.LongType, false)
      .add("denominator", DataTypes.LongType, false)
      .add("value", DataTypes.DoubleType)
      .add("lower95", DataTypes.DoubleType)
      .add("upper95", DataTypes.DoubleType)
      .add("target", DataTypes.DoubleType)
      .add("target_year", DataTypes.IntegerType)
      .add("target_plan", DataTypes.StringType)
      .add("higher_is_better", DataTypes.BooleanType)
      .add("gap", DataTypes.DoubleType)
      .add("baseline", DataTypes.DoubleType)
      .add("baseline_year", DataTypes.IntegerType)
      .add("note", DataTypes.StringType)
      .add("as_of", DataTypes.DateType)
      .add("run_id", DataTypes.StringType, false)
      .add("computed_at", DataTypes.TimestampType);

  private void publish(String runId, LocalDate asOf, List<Period> periods, List<Value> values, Catalog catalog,
      Targets targets, Instant started) {
    try {
      publishOrThrow(runId, asOf, periods, values, catalog, targets, started);
    } catch (org.apache.spark.sql.AnalysisException e) {
      throw new IllegalStateException("cannot publish the indicator values: " + e.getMessage(), e);
    }
  }

  private void publishOrThrow(String runId, LocalDate asOf, List<Period> periods, List<Value> values,
      Catalog catalog, Targets targets, Instant started) throws org.apache.spark.sql.AnalysisException {
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (Value v : values) {
      Targets.Applied t = v.target();
      rows.add(RowFactory.create(v.indicator().id(), v.indicator().nameZh(), v.indicator().unit(), v.period().type(),
          Date.valueOf(v.period().start()), Date.valueOf(v.period().end()), v.divisionCode(), v.level(),
          v.divisionName(), v.parentCode(), v.numerator(), v.denominator(), v.value(), v.lower95(), v.upper95(),
          t == null ? null : t.target(), t == null ? null : t.targetYear(), t == null ? null : t.plan().name(),
          v.indicator().higherIsBetter(), v.gap(), t == null ? null : t.baseline(),
          t == null ? null : t.baselineYear(), v.note(), Date.valueOf(asOf), runId, now));
    }
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + wh.analytics + ".ind");
    String table = table("indicator_value");
    Dataset<Row> df = spark.createDataFrame(rows, VALUE_SCHEMA);
    if (!spark.catalog().tableExists(table)) {
      df.limit(0).writeTo(table).using("iceberg").tableProperty("format-version", "2").create();
    }
    String view = "sanku_indicator_values_" + runId.replace('-', '_');
    String inRun = periods.stream().map(p -> "(t.period_start = DATE'" + p.start() + "' AND t.period_end = DATE'"
        + p.end() + "')").collect(Collectors.joining(" OR "));
    df.createOrReplaceTempView(view);
    try {
      // One commit: this run's values replace those of the same periods; other periods are kept.
      spark.sql("MERGE INTO " + table + " t USING " + view + " s ON t.indicator_id = s.indicator_id "
          + "AND t.period_start = s.period_start AND t.period_end = s.period_end "
          + "AND t.division_code = s.division_code "
          + "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT * "
          + "WHEN NOT MATCHED BY SOURCE AND (" + inRun + ") THEN DELETE");
    } finally {
      spark.catalog().dropTempView(view);
    }
    writeCatalog(catalog, targets);
    List<Row> run = List.of(RowFactory.create(runId, Date.valueOf(asOf),
        periods.stream().map(Period::label).collect(Collectors.joining(",")), values.size(),
        Timestamp.from(started), now));
    StructType runSchema = new StructType().add("run_id", DataTypes.StringType).add("as_of", DataTypes.DateType)
        .add("periods", DataTypes.StringType).add("values", DataTypes.IntegerType)
        .add("started_at", DataTypes.TimestampType).add("published_at", DataTypes.TimestampType);
    Dataset<Row> rd = spark.createDataFrame(run, runSchema);
    if (spark.catalog().tableExists(table("indicator_run"))) {
      rd.writeTo(table("indicator_run")).append();
    } else {
      rd.writeTo(table("indicator_run")).using("iceberg").create();
    }
  }

  private void writeCatalog(Catalog catalog, Targets targets) throws org.apache.spark.sql.AnalysisException {
    List<Row> rows = new ArrayList<>();
    for (Indicator i : catalog.indicators.values()) {
      rows.add(RowFactory.create(i.id(), i.nameZh(), i.nameEn(), i.unit(), i.factor(), i.kind().name().toLowerCase(),
          i.higherIsBetter(), i.denominator() == null ? i.population().sql() : i.denominator().sql(),
          i.numerator() == null ? i.deaths().sql() : i.numerator().sql(), i.origin().file().getFileName().toString()));
    }
    StructType s = new StructType().add("indicator_id", DataTypes.StringType).add("name_zh", DataTypes.StringType)
        .add("name_en", DataTypes.StringType).add("unit", DataTypes.StringType).add("factor", DataTypes.DoubleType)
        .add("kind", DataTypes.StringType).add("higher_is_better", DataTypes.BooleanType)
        .add("denominator", DataTypes.StringType).add("numerator", DataTypes.StringType)
        .add("defined_in", DataTypes.StringType);
    replace(spark.createDataFrame(rows, s), table("indicator"));
    List<Row> trows = new ArrayList<>();
    for (Targets.Entry e : targets.entries) {
      Targets.Plan p = targets.plans.get(e.plan());
      trows.add(RowFactory.create(e.indicator(), p.id(), p.name(), p.division(), p.years(), e.target(),
          e.targetYear(), e.baseline(), e.baselineYear()));
    }
    StructType ts = new StructType().add("indicator_id", DataTypes.StringType).add("plan", DataTypes.StringType)
        .add("plan_name", DataTypes.StringType).add("division_code", DataTypes.StringType)
        .add("plan_years", DataTypes.StringType).add("target", DataTypes.DoubleType)
        .add("target_year", DataTypes.IntegerType).add("baseline", DataTypes.DoubleType)
        .add("baseline_year", DataTypes.IntegerType);
    replace(spark.createDataFrame(trows, ts), table("target"));
  }

  /** One atomic commit: create the table, or replace its contents and schema. */
  private void replace(Dataset<Row> df, String table) throws org.apache.spark.sql.AnalysisException {
    if (spark.catalog().tableExists(table)) {
      df.writeTo(table).using("iceberg").createOrReplace();
    } else {
      df.writeTo(table).using("iceberg").create();
    }
  }

  /** Published values of one period (for the {@code indicators} command), ordered by indicator and division. */
  public static List<Row> read(SparkSession spark, Warehouse wh, Period p) {
    String t = wh.analytics + ".ind.indicator_value";
    return spark.table(t).filter("period_start = DATE'" + p.start() + "' AND period_end = DATE'" + p.end() + "'")
        .orderBy("indicator_id", "division_code").collectAsList();
  }
}
