package org.sanku.indicators;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sanku.indicators.report.Cell;
import org.sanku.storage.PinnedReads;
import org.sanku.storage.Warehouse;

/**
 * What is published for one period, and the warehouse as the run that published it read it. The period's values
 * come from {@code ind.indicator_value} as it is now; every other table (linkage, quarantine, the integrated
 * tables) is read at the snapshot that was current when that run started, so a report or an export made while a
 * later night is being published still shows the data the values were computed from.
 *
 * <p>Why the run's start: a nightly holds the warehouse lock from ingest to indicators, and the indicator stage
 * pins what it reads when it starts; everything the tables held at that instant is what the values count.
 */
public final class PublishedRun {

  /** One row of {@code ind.indicator_run}. */
  public record Run(String runId, LocalDate asOf, Instant startedAt, Instant publishedAt, String periods) {}

  private final SparkSession spark;
  private final Warehouse wh;
  private final Catalog catalog;
  private final Period period;
  private final Run run;
  private final List<Cell> cells;
  private final Map<String, String> notes;
  private final PinnedReads now;
  private final PinnedReads atRun;

  private PublishedRun(SparkSession spark, Warehouse wh, Catalog catalog, Period period, Run run, List<Cell> cells,
      Map<String, String> notes, PinnedReads now, PinnedReads atRun) {
    this.spark = spark;
    this.wh = wh;
    this.catalog = catalog;
    this.period = period;
    this.run = run;
    this.cells = List.copyOf(cells);
    this.notes = Map.copyOf(notes);
    this.now = now;
    this.atRun = atRun;
  }

  /**
   * The published values of {@code p} and their run.
   *
   * @throws IllegalStateException when nothing is published, or not this period (the message lists the
   *                               periods that are)
   */
  public static PublishedRun of(SparkSession spark, Warehouse wh, Catalog catalog, Period p) {
    PinnedReads now = new PinnedReads(spark);
    String values = wh.ind("indicator_value");
    if (!now.exists(values)) {
      throw new IllegalStateException("nothing is published in " + wh.location + " yet (./sanku nightly publishes "
          + "the indicators)");
    }
    Dataset<Row> all = now.read(values);
    List<Row> rows = all.filter("period_start = DATE'" + p.start() + "' AND period_end = DATE'" + p.end() + "'")
        .orderBy("indicator_id", "division_code").collectAsList();
    if (rows.isEmpty()) {
      List<String> published = new ArrayList<>();
      for (Row r : all.select("period_type", "period_start", "period_end").distinct()
          .orderBy("period_end", "period_type").collectAsList()) {
        published.add(argument(new Period(r.getString(0), r.getDate(1).toLocalDate(), r.getDate(2).toLocalDate())));
      }
      throw new IllegalStateException("period " + argument(p) + " is not published in " + wh.location
          + " (published: " + String.join(", ", published) + "); ./sanku indicators --period " + argument(p)
          + " computes and publishes it");
    }
    // A period's rows are replaced together by one run; should two runs' rows ever be left, the latest counts.
    Row latest = rows.stream().max(java.util.Comparator.comparing((Row r) -> r.<Timestamp>getAs("computed_at"))
        .thenComparing(r -> r.<String>getAs("run_id"))).orElseThrow();
    String runId = latest.getAs("run_id");
    Run run = run(spark, now, wh, runId, latest);
    List<Cell> cells = new ArrayList<>();
    Map<String, String> notes = new HashMap<>();
    for (Row r : rows) {
      Cell c = cell(r, catalog);
      cells.add(c);
      if (r.getAs("note") != null) {
        notes.put(key(c), r.getAs("note"));
      }
    }
    return new PublishedRun(spark, wh, catalog, p, run, cells, notes, now, PinnedReads.asOf(spark,
        run.startedAt()));
  }

  private static Run run(SparkSession spark, PinnedReads now, Warehouse wh, String runId, Row value) {
    String runs = wh.ind("indicator_run");
    if (now.exists(runs)) {
      List<Row> r = now.read(runs).filter(org.apache.spark.sql.functions.col("run_id").equalTo(runId))
          .collectAsList();
      if (!r.isEmpty()) {
        Row x = r.get(0);
        return new Run(runId, x.<java.sql.Date>getAs("as_of").toLocalDate(),
            x.<Timestamp>getAs("started_at").toInstant(), x.<Timestamp>getAs("published_at").toInstant(),
            x.getAs("periods"));
      }
    }
    // Without its row in ind.indicator_run the run's start is not known: the values' computation time bounds it.
    Instant computed = value.<Timestamp>getAs("computed_at").toInstant();
    return new Run(runId, value.<java.sql.Date>getAs("as_of").toLocalDate(), computed, computed, null);
  }

  /** A row of {@code ind.indicator_value} as a cell, with the catalog's English name. */
  public static Cell cell(Row r, Catalog catalog) {
    Catalog.Indicator ind = catalog.indicators.get(r.<String>getAs("indicator_id"));
    return new Cell(r.getAs("indicator_id"), r.getAs("name_zh"), ind == null ? null : ind.nameEn(),
        r.getAs("unit"), r.getAs("period_type"), r.<java.sql.Date>getAs("period_start").toLocalDate(),
        r.<java.sql.Date>getAs("period_end").toLocalDate(), r.getAs("division_code"), r.getAs("division_level"),
        r.getAs("division_name"), r.getAs("parent_code"), r.<Long>getAs("numerator"), r.<Long>getAs("denominator"),
        r.getAs("value"), r.getAs("lower95"), r.getAs("upper95"), r.getAs("target"), r.getAs("target_year"),
        r.getAs("target_plan"), Boolean.TRUE.equals(r.getAs("higher_is_better")), r.getAs("gap"), check(r));
  }

  /** The registry count beside an official denominator, when the row has one (older tables lack the columns). */
  private static org.sanku.indicators.report.DenominatorCheck check(Row r) {
    if (r.schema() == null || !java.util.Arrays.asList(r.schema().fieldNames()).contains("official_year")
        || r.isNullAt(r.fieldIndex("official_year"))) {
      return null;
    }
    String note = r.getAs("note");
    Long official = r.getAs("official_denominator");
    return new org.sanku.indicators.report.DenominatorCheck(r.<Integer>getAs("official_year"),
        r.<Long>getAs("registry_denominator"), official, r.getAs("denominator_ratio"), official == null
        || "NO_OFFICIAL_DENOMINATOR".equals(note) || "OFFICIAL_PARTIAL".equals(note));
  }

  /** The command-line form of a period: 2025, 2025-Q3, 2025-07 or ytd:2025-11-24. */
  public static String argument(Period p) {
    return p.type().equals("ytd") ? "ytd:" + p.end() : p.label();
  }

  private static String key(Cell c) {
    return c.indicatorId() + "|" + c.periodStart() + "|" + c.periodEnd() + "|" + c.divisionCode();
  }

  public Period period() {
    return period;
  }

  public Run run() {
    return run;
  }

  public Catalog catalog() {
    return catalog;
  }

  public SparkSession spark() {
    return spark;
  }

  public Warehouse warehouse() {
    return wh;
  }

  /** The period's values at every level, ordered by indicator and division. */
  public List<Cell> cells() {
    return cells;
  }

  /** The note of a value of this period (NO_DENOMINATOR, FEW_DEATHS, NO_LIFE_TABLE), or null. */
  public String note(Cell c) {
    return notes.get(key(c));
  }

  /**
   * Every published value of every period (closed years, quarters, months and the year-to-date rows of earlier
   * nights), as {@code ind.indicator_value} holds them now, ordered by indicator, period end and division.
   */
  public List<Cell> history() {
    List<Cell> out = new ArrayList<>();
    for (Row r : now.read(wh.ind("indicator_value")).orderBy("indicator_id", "period_end", "period_type",
        "division_code").collectAsList()) {
      out.add(cell(r, catalog));
    }
    return out;
  }

  /**
   * An analytics-zone table as the run read it (at its start), or null when it did not exist then.
   *
   * @param namespace {@code std}, {@code model}, {@code link}, {@code ops} or another analytics namespace
   */
  public Dataset<Row> read(String namespace, String table) {
    return atRun.read(wh.analytics(namespace, table));
  }

  /**
   * A table of the indicator stage ({@code ind.target}, {@code ind.indicator}) as it is now, beside the period's
   * values, or null when absent. (The run rewrote these after it started, so they are not read as of its start.)
   */
  public Dataset<Row> readPublished(String table) {
    return now.read(wh.ind(table));
  }

  /** The SQL name reading an analytics-zone table as the run read it (for SQL text over several tables). */
  public String name(String namespace, String table) {
    return atRun.name(wh.analytics(namespace, table));
  }

  /** The tables read so far (as the run read them) and their snapshot ids. */
  public Map<String, Long> snapshots() {
    Map<String, Long> m = new java.util.TreeMap<>(atRun.snapshots());
    m.putAll(now.snapshots());
    return m;
  }
}
