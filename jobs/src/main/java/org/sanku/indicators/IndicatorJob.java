package org.sanku.indicators;

import java.io.PrintStream;
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
import org.sanku.indicators.report.DenominatorCheck;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.PinnedReads;
import org.sanku.storage.TableLayouts;
import org.sanku.storage.Warehouse;

/**
 * The indicator stage: computes the catalog ({@code conf/indicators/}) for the periods of a run over the
 * integrated tables, rolls county counts up to city and province, puts the plans' targets beside the values
 * ({@code conf/targets.yaml}) and publishes everything to {@code <analytics>.ind.indicator_value} in one atomic
 * Iceberg commit (a MERGE that replaces this run's periods). Also written: {@code ind.indicator} (the catalog as
 * run), {@code ind.target} (plans and targets), {@code ind.indicator_run} (one row per run) and
 * {@code ind.county_count} (the county counts and what they were computed from: a run over the same inputs reads
 * them instead of computing them again, {@link CountCache}).
 */
public final class IndicatorJob {

  /** One value: an indicator, a period, a division. {@code value} is null when the denominator is empty. */
  public record Value(Indicator indicator, Period period, String divisionCode, String level, String divisionName,
      String parentCode, long numerator, long denominator, Double value, Double lower95, Double upper95,
      Targets.Applied target, String note, DenominatorCheck check) {

    public Double gap() {
      return value == null || target == null || target.target() == null ? null : value - target.target();
    }

    public Cell cell() {
      return new Cell(indicator.id(), indicator.nameZh(), indicator.nameEn(), indicator.unit(), period.type(),
          period.start(), period.end(), divisionCode, level, divisionName, parentCode, numerator, denominator, value,
          lower95, upper95, target == null ? null : target.target(), target == null ? null : target.targetYear(),
          target == null ? null : target.plan().name(), indicator.higherIsBetter(), gap(), check);
    }
  }

  /**
   * Persons or records of an indicator and period counted in no division because their county is unknown (a visit
   * at an organisation missing from ref_org): said in the run's summary and kept in {@code ind.unassigned_count}.
   */
  public record Unassigned(Indicator indicator, Period period, long numerator, long denominator) {}

  /**
   * What a run published: its values, the counts without a county, and the indicators it computed but held back (a
   * data-quality gate failed on a source they depend on; their published values stay as they were).
   */
  public record Result(String runId, LocalDate asOf, List<Period> periods, List<Value> values,
      List<Unassigned> unassigned, double seconds, List<String> withheld) {

    public Result(String runId, LocalDate asOf, List<Period> periods, List<Value> values,
        List<Unassigned> unassigned, double seconds) {
      this(runId, asOf, periods, values, unassigned, seconds, List.of());
    }
  }

  private final SparkSession spark;
  private final Warehouse wh;
  private final Catalog catalog;
  private final Targets targets;
  private final PrintStream log;
  private final IcebergWriter writer;
  /** Every table this job reads, at the snapshot it first read: one state of the warehouse for the whole run. */
  private final PinnedReads reads;
  /** Indicators computed but not published by this run (the data-quality gates). */
  private final java.util.Set<String> withheld = new java.util.LinkedHashSet<>();

  /**
   * @param catalog the indicator catalog, as loaded and {@linkplain #check checked}
   * @param targets the plans' targets for the catalog's indicators
   */
  public IndicatorJob(SparkSession spark, Warehouse wh, Catalog catalog, Targets targets, PrintStream log) {
    this.spark = spark;
    this.wh = wh;
    this.catalog = java.util.Objects.requireNonNull(catalog, "catalog");
    this.targets = java.util.Objects.requireNonNull(targets, "targets");
    this.log = log;
    this.writer = new IcebergWriter(spark);
    this.reads = new PinnedReads(spark);
  }

  public String table(String name) {
    return wh.ind(name);
  }

  /**
   * Holds back these indicators: they are computed but not published, and the values already published for the
   * run's periods stay as they were (a data-quality gate blocked a source they depend on).
   */
  public IndicatorJob withholding(java.util.Collection<String> indicatorIds) {
    withheld.addAll(indicatorIds);
    return this;
  }

  /**
   * Checks every expression of the catalog against the integrated tables' layout, before any data is read: a
   * nightly refuses a broken catalog before it ingests.
   */
  public static void check(SparkSession spark, Catalog catalog) {
    IndicatorEngine.validate(spark, catalog);
  }

  /**
   * Computes and publishes.
   *
   * @param asOf    reference date of the run (year to date)
   * @param periods the periods ({@link #nightlyPeriods} for a nightly)
   */
  public Result run(LocalDate asOf, List<Period> periods) {
    long t0 = System.nanoTime();
    Instant started = Instant.now();
    LocalDate r = java.util.Objects.requireNonNull(asOf, "asOf");
    List<Period> ps = java.util.Objects.requireNonNull(periods, "periods");
    String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").format(LocalDateTime.now(ZoneId.of(
        "Asia/Shanghai"))) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    log.printf("indicators: %d indicators × %d period(s) (%s), run %s%n", catalog.indicators.size(), ps.size(),
        ps.stream().map(Period::label).collect(Collectors.joining(", ")), runId);
    long t1 = System.nanoTime();
    CountCache cache = new CountCache(spark, writer, table("county_count"), catalog, ps);
    StringBuilder why = new StringBuilder();
    List<IndicatorEngine.CountyCount> counts = cache.reuse(reads, why);
    if (counts != null) {
      log.printf("indicators: the counts stored in %s were computed from this run's inputs (the catalog, the "
          + "periods, every table as it is): read, not computed again%n", table("county_count"));
    } else {
      log.println("indicators: counting (the stored counts do not apply: " + why + ")");
      counts = new IndicatorEngine(spark, catalog, (ns, t) -> reads.name(wh.analytics(ns, t))).compute(ps);
      cache.store(counts, reads.snapshots(), runId);
    }
    org.sanku.geo.Divisions div = new org.sanku.geo.Divisions(spark, reads, wh.std("ref_division"));
    // The official year-end population, when the reference source has delivered it (none: the registry counts).
    OfficialDenominators official = OfficialDenominators.of(reads.read(wh.std("ref_population")), catalog, ps, div,
        log);
    List<Value> values = rollUp(catalog, targets, ps, counts, div, official).stream()
        .filter(v -> !withheld.contains(v.indicator().id())).toList();
    official(values);
    // A held-back indicator's counts without a county are held back with it.
    List<Unassigned> unassigned = unassigned(catalog, ps, counts).stream()
        .filter(u -> !withheld.contains(u.indicator().id())).toList();
    for (Unassigned u : unassigned) {
      log.printf("indicators: WARNING %s %s: %,d of its denominator (%,d of its numerator) have no county (e.g. a "
          + "visit at an organisation missing from ref_org): counted in no division, kept in %s%n",
          u.indicator().id(), u.period().label(), u.denominator(), u.numerator(), table("unassigned_count"));
    }
    long t2 = System.nanoTime();
    publish(runId, r, ps, values, catalog, targets, started);
    publishUnassigned(runId, r, ps, unassigned);
    double secs = (System.nanoTime() - t0) / 1e9;
    log.printf("indicators: %,d values published to %s in %.1f s (check %.1f s, compute %.1f s, publish %.1f s)%n",
        values.size(), table("indicator_value"), secs, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
        (System.nanoTime() - t2) / 1e9);
    if (!withheld.isEmpty()) {
      log.println("indicators: held back by the data-quality gates (not published): " + String.join(", ", withheld));
    }
    return new Result(runId, r, ps, values, unassigned, secs, List.copyOf(withheld));
  }

  /**
   * Says which counties of an indicator counting over official figures had none: their registry count is in the
   * denominator instead, which the user should know before comparing them with the others.
   */
  private void official(List<Value> values) {
    Map<String, List<String>> missing = new TreeMap<>();
    for (Value v : values) {
      if (v.check() != null && v.level().equals("county") && v.check().officialDenominator() == null) {
        missing.computeIfAbsent(v.period().label() + " " + v.indicator().id(), k -> new ArrayList<>())
            .add(v.divisionCode().substring(0, 6));
      }
    }
    missing.forEach((k, counties) -> log.printf("indicators: WARNING %s: no official figure for %s: counted over "
        + "the registry there (note NO_OFFICIAL_DENOMINATOR; their city and province OFFICIAL_PARTIAL)%n", k,
        String.join(", ", counties)));
  }

  /** The year to date and each closed year back to the first year with services or visits (at most N years). */
  public List<Period> nightlyPeriods(LocalDate asOf) {
    Catalog c = catalog;
    int back = c.params.containsKey("closed_years") ? Integer.parseInt(String.valueOf(c.params.get("closed_years")))
        : 5;
    int first = asOf.getYear();
    String[][] dated = {{"ehr_exam", "exam_date"}, {"ehr_followup", "followup_date"}, {"emr_visit", "visit_date"},
        {"ehr_tcm_service", "service_date"}};
    for (String[] d : dated) {
      String t = wh.model(d[0]);
      if (!reads.exists(t)) {
        continue;
      }
      Row row = spark.sql("SELECT min(" + d[1] + ") FROM " + reads.name(t) + " WHERE " + d[1] + " <= DATE'" + asOf + "'").first();
      if (!row.isNullAt(0)) {
        first = Math.min(first, row.getDate(0).toLocalDate().getYear());
      }
    }
    return Period.nightly(asOf, Math.max(first, asOf.getYear() - back));
  }

  /** County values, then city and province sums of numerators and denominators, all over the registry. */
  static List<Value> rollUp(Catalog catalog, Targets targets, List<Period> periods,
      List<IndicatorEngine.CountyCount> counts, org.sanku.geo.Divisions div) {
    return rollUp(catalog, targets, periods, counts, div, OfficialDenominators.NONE);
  }

  /**
   * County values, then city and province sums of numerators and denominators (life tables re-computed). Where an
   * indicator counts over official figures in a period, a county's denominator is its official figure, or its
   * registry count when it has none (note {@code NO_OFFICIAL_DENOMINATOR}); a city or province sums its counties'
   * denominators as published, so it stays the sum of the rows under it (note {@code OFFICIAL_PARTIAL} when some of
   * them fell back). Each such value carries the registry's count and the ratio registry ÷ official over the
   * counties that have a figure.
   */
  static List<Value> rollUp(Catalog catalog, Targets targets, List<Period> periods,
      List<IndicatorEngine.CountyCount> counts, org.sanku.geo.Divisions div, OfficialDenominators official) {
    Map<String, List<IndicatorEngine.CountyCount>> byKey = new LinkedHashMap<>();
    for (IndicatorEngine.CountyCount c : counts) {
      byKey.computeIfAbsent(c.indicatorId() + "|" + c.period(), k -> new ArrayList<>()).add(c);
    }
    List<Value> out = new ArrayList<>();
    for (Indicator ind : catalog.indicators.values()) {
      for (int p = 0; p < periods.size(); p++) {
        Period period = periods.get(p);
        List<IndicatorEngine.CountyCount> cs = byKey.getOrDefault(ind.id() + "|" + p, List.of());
        boolean off = official.uses(ind, p);
        if (off) {
          // A county with an official figure and nobody in the registry is still a county of the region.
          cs = new ArrayList<>(cs);
          java.util.Set<String> have = new java.util.HashSet<>();
          cs.forEach(c -> have.add(c.county()));
          for (String county : official.counties(ind, p)) {
            if (!have.contains(county)) {
              cs.add(new IndicatorEngine.CountyCount(ind.id(), p, county, 0, 0, null, null));
            }
          }
        }
        // Division code → accumulated counts, in code order per level.
        Map<String, Counts> nd = new TreeMap<>();
        Map<String, long[][]> life = new TreeMap<>();
        Map<String, String> level = new HashMap<>();
        // Division code → {registry count, official figures, registry count of the counties with a figure,
        // counties without a figure}, for the indicators counting over official figures.
        Map<String, long[]> cross = new HashMap<>();
        for (IndicatorEngine.CountyCount c : cs) {
          if (c.county() == null) {
            continue; // no county: reported by unassigned(), never silently part of a division
          }
          String county = org.sanku.geo.Divisions.countyCode(c.county());
          Long figure = off ? official.figure(ind, p, c.county()) : null;
          long denominator = figure != null ? figure : c.denominator();
          List<String> chain = div.chain(county);
          for (int i = 0; i < chain.size(); i++) {
            String code = chain.get(i);
            level.putIfAbsent(code, i == 0 ? "county" : div.level(code));
            nd.merge(code, new Counts(c.numerator(), denominator), Counts::plus);
            if (off) {
              long[] x = cross.computeIfAbsent(code, k -> new long[4]);
              x[0] += c.denominator();
              if (figure != null) {
                x[1] += figure;
                x[2] += c.denominator();
              } else {
                x[3]++;
              }
            }
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
            Counts cell = e.getValue();
            long n = cell.numerator();
            long d = cell.denominator();
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
            } else if (!cell.isEmpty()) {
              value = cell.value(ind.factor());
            } else {
              note = "NO_DENOMINATOR";
            }
            DenominatorCheck check = null;
            if (off) {
              long[] x = cross.get(code);
              boolean any = x[1] > 0;
              check = new DenominatorCheck(official.year(p), x[0], any ? x[1] : null,
                  any ? (double) x[2] / x[1] : null, x[3] > 0);
              if (note == null && x[3] > 0) {
                note = any ? "OFFICIAL_PARTIAL" : "NO_OFFICIAL_DENOMINATOR";
              }
            }
            List<String> chain = div.chain(code);
            out.add(new Value(ind, period, code, lv, div.name(code), chain.size() > 1 ? chain.get(1) : null, n, d,
                value, lo, hi, targets.lookup(ind.id(), chain, period.end().getYear()), note, check));
          }
        }
      }
    }
    return out;
  }

  /** The counts without a county, per indicator and period (only those with something counted). */
  static List<Unassigned> unassigned(Catalog catalog, List<Period> periods, List<IndicatorEngine.CountyCount> counts) {
    Map<String, long[]> sums = new LinkedHashMap<>();
    for (IndicatorEngine.CountyCount c : counts) {
      if (c.county() == null && (c.numerator() > 0 || c.denominator() > 0)) {
        long[] a = sums.computeIfAbsent(c.indicatorId() + "|" + c.period(), k -> new long[2]);
        a[0] += c.numerator();
        a[1] += c.denominator();
      }
    }
    List<Unassigned> out = new ArrayList<>();
    for (Indicator ind : catalog.indicators.values()) {
      for (int p = 0; p < periods.size(); p++) {
        long[] a = sums.get(ind.id() + "|" + p);
        if (a != null) {
          out.add(new Unassigned(ind, periods.get(p), a[0], a[1]));
        }
      }
    }
    return out;
  }

  // ---- publication ----

  /** {@code ind.unassigned_count}: this run's periods replaced (an empty run clears them), the others kept. */
  private void publishUnassigned(String runId, LocalDate asOf, List<Period> periods, List<Unassigned> unassigned) {
    List<Row> rows = new ArrayList<>();
    for (Unassigned u : unassigned) {
      rows.add(RowFactory.create(u.indicator().id(), u.period().type(), Date.valueOf(u.period().start()),
          Date.valueOf(u.period().end()), u.numerator(), u.denominator(), Date.valueOf(asOf), runId));
    }
    String table = table("unassigned_count");
    if (rows.isEmpty() && !spark.catalog().tableExists(table)) {
      return; // nothing to say and nothing said before
    }
    Dataset<Row> df = spark.createDataFrame(rows, TableLayouts.get("ind", "unassigned_count").schema());
    writer.createIfMissing(table, df);
    String inRun = periods.stream().map(p -> "(t.period_start = DATE'" + p.start() + "' AND t.period_end = DATE'"
        + p.end() + "')").collect(Collectors.joining(" OR "));
    // A held-back indicator keeps its counts published before, as its values do.
    String kept = withheld.isEmpty() ? "" : " AND t.indicator_id NOT IN (" + withheld.stream()
        .map(id -> "'" + id.replace("'", "''") + "'").collect(Collectors.joining(", ")) + ")";
    writer.mergeInto(table, df, "ON t.indicator_id = s.indicator_id AND t.period_start = s.period_start "
        + "AND t.period_end = s.period_end WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT * "
        + "WHEN NOT MATCHED BY SOURCE AND (" + inRun + ")" + kept + " THEN DELETE");
  }

  static final StructType VALUE_SCHEMA = TableLayouts.get("ind", "indicator_value").schema();

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
          t == null ? null : t.baselineYear(), v.note(), Date.valueOf(asOf), runId, now,
          v.check() == null ? null : v.check().registryDenominator(),
          v.check() == null ? null : v.check().officialDenominator(),
          v.check() == null ? null : v.check().officialYear(), v.check() == null ? null : v.check().ratio()));
    }
    String table = table("indicator_value");
    Dataset<Row> df = spark.createDataFrame(rows, VALUE_SCHEMA);
    writer.createIfMissing(table, df);
    String inRun = periods.stream().map(p -> "(t.period_start = DATE'" + p.start() + "' AND t.period_end = DATE'"
        + p.end() + "')").collect(Collectors.joining(" OR "));
    // Held-back indicators keep the values published before: the MERGE neither writes nor deletes their rows.
    String kept = withheld.isEmpty() ? "" : " AND t.indicator_id NOT IN (" + withheld.stream()
        .map(id -> "'" + id.replace("'", "''") + "'").collect(Collectors.joining(", ")) + ")";
    // One commit: this run's values replace those of the same periods; other periods are kept.
    writer.mergeInto(table, df, "ON t.indicator_id = s.indicator_id "
        + "AND t.period_start = s.period_start AND t.period_end = s.period_end "
        + "AND t.division_code = s.division_code "
        + "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT * "
        + "WHEN NOT MATCHED BY SOURCE AND (" + inRun + ")" + kept + " THEN DELETE");
    writeCatalog(catalog, targets);
    List<Row> run = List.of(RowFactory.create(runId, Date.valueOf(asOf),
        periods.stream().map(Period::label).collect(Collectors.joining(",")), values.size(),
        Timestamp.from(started), now));
    writer.append(table("indicator_run"), spark.createDataFrame(run,
        TableLayouts.get("ind", "indicator_run").schema()));
  }

  private void writeCatalog(Catalog catalog, Targets targets) throws org.apache.spark.sql.AnalysisException {
    List<Row> rows = new ArrayList<>();
    for (Indicator i : catalog.indicators.values()) {
      rows.add(RowFactory.create(i.id(), i.nameZh(), i.nameEn(), i.unit(), i.factor(), i.kind().name().toLowerCase(),
          i.higherIsBetter(), i.denominator() == null ? i.population().sql() : i.denominator().sql(),
          i.numerator() == null ? i.deaths().sql() : i.numerator().sql(), i.origin().file().getFileName().toString()));
    }
    StructType s = TableLayouts.get("ind", "indicator").schema();
    writer.replace(table("indicator"), spark.createDataFrame(rows, s));
    List<Row> trows = new ArrayList<>();
    for (Targets.Entry e : targets.entries) {
      Targets.Plan p = targets.plans.get(e.plan());
      trows.add(RowFactory.create(e.indicator(), p.id(), p.name(), p.division(), p.years(), e.target(),
          e.targetYear(), e.baseline(), e.baselineYear()));
    }
    StructType ts = TableLayouts.get("ind", "target").schema();
    writer.replace(table("target"), spark.createDataFrame(trows, ts));
  }

  /** Published values of one period (for the {@code indicators} command), ordered by indicator and division. */
  public static List<Row> read(SparkSession spark, Warehouse wh, Period p) {
    String t = wh.ind("indicator_value");
    return spark.table(t).filter("period_start = DATE'" + p.start() + "' AND period_end = DATE'" + p.end() + "'")
        .orderBy("indicator_id", "division_code").collectAsList();
  }
}
