package org.sanku.pipeline;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.sanku.indicators.Catalog;
import org.sanku.indicators.IndicatorJob;
import org.sanku.indicators.Period;
import org.sanku.indicators.PublishedRun;
import org.sanku.indicators.report.Cell;
import org.sanku.ingest.IngestJob;
import org.sanku.link.LinkJob;
import org.sanku.quality.QualityJob;
import org.sanku.storage.Maintenance;
import org.sanku.storage.WarehouseLock;

/**
 * Sanku's pipeline as one object: the stages a nightly runs, and the reads of what they published. The command
 * line, the tests, the SQL and JDBC endpoints, reports and notebooks all come in here; each stage's job class does
 * the work, this class decides what each is given.
 */
public final class Pipeline {

  private final RunContext ctx;
  private LocalDate asOf;
  /** The warehouse lock while this pipeline holds it (a nightly holds it over all its stages). */
  private WarehouseLock lock;

  public Pipeline(RunContext ctx) {
    this.ctx = ctx;
    this.asOf = ctx.asOf();
  }

  public RunContext context() {
    return ctx;
  }

  /**
   * Checks the indicator catalog's expressions against the integrated tables' layout (a Spark analysis, no data
   * read): a broken definition stops a nightly before it ingests.
   */
  public void checkCatalog() {
    IndicatorJob.check(ctx.spark(), ctx.config().indicators());
  }

  /**
   * Checks the data-quality catalog's SQL against the tables' layouts (a Spark analysis, no data read): a broken
   * check stops a nightly before it ingests, naming its file and field.
   */
  public void checkQualityCatalog() {
    QualityJob.validate(ctx.spark(), ctx.config().checks(), ctx.config().schemas());
  }

  private final List<String> acceptDq = new ArrayList<>();
  /** The last check run of this pipeline: its gates hold back indicators the next {@link #indicators} computes. */
  private QualityJob.Result quality;

  /**
   * Accepts the failures of these checks for the next check run (an operator's {@code --accept-dq}): recorded as
   * accepted in {@code dq.check_result}, they block no indicator.
   */
  public Pipeline acceptDq(java.util.Collection<String> checkIds) {
    acceptDq.addAll(checkIds);
    return this;
  }

  /**
   * Runs the data-quality checks ({@code conf/checks}) for the run's night and keeps their results in
   * {@code dq.check_result}; an error failure on a source holds back the indicators depending on it in the
   * {@link #indicators} calls that follow.
   */
  public QualityJob.Result quality() {
    return locked("quality", () -> {
      quality = sized("quality", () -> new QualityJob(ctx.spark(), ctx.warehouse(), ctx.config().checks(),
          ctx.config().indicators(), ctx.config().schemas(), ctx.log()).accepting(acceptDq).run(asOf()));
      return quality;
    });
  }

  /** The indicators the last check run holds back (none before a check run). */
  public List<String> heldBack() {
    return quality == null ? List.of() : quality.blockedIndicators();
  }

  /** Ingests every new drop; the upkeep of the tables it wrote follows unless {@code upkeep} is false. */
  public IngestJob.Result ingest(boolean upkeep) {
    return locked("ingest", () -> {
      IngestJob job = new IngestJob(ctx.spark(), ctx.warehouse(), landing(), ctx.config().schemas(),
        ctx.config().aliases(), ctx.config().settings(), ctx.requireKey(), ctx.log())
        .protecting(ctx.protectedFiles()).acceptingShrink(acceptShrink);
      return (upkeep ? job : job.withoutUpkeep()).run();
    });
  }

  /**
   * Runs {@code work} holding the warehouse: one writer at a time (ingest, link, indicators, upkeep; a nightly
   * holds it over all of them). Another run's holding refuses this one, saying who holds it since when.
   */
  <T> T locked(String command, java.util.function.Supplier<T> work) {
    if (lock != null) {
      return work.get();
    }
    lock = WarehouseLock.acquire(ctx.warehouse().location, ctx.spark().sparkContext().hadoopConfiguration(),
        command, ctx.config().settings().lockStaleMinutes(), ctx.log());
    try {
      return work.get();
    } finally {
      WarehouseLock held = lock;
      lock = null;
      held.close();
    }
  }

  private org.apache.hadoop.fs.Path landing;
  private boolean acceptShrink;

  /** Lets the next {@link #ingest} apply full drops that remove more than ingest.max_full_drop_shrink of a table. */
  public Pipeline acceptShrink(boolean accept) {
    this.acceptShrink = accept;
    return this;
  }

  /** The landing folder the next {@link #ingest} reads, on the local disk. */
  public Pipeline landing(java.nio.file.Path folder) {
    this.landing = org.sanku.ingest.drop.LandingFiles.location(folder);
    return this;
  }

  /** The landing the next {@link #ingest} reads: a local folder or a URI ({@code hdfs://}, {@code s3a://}). */
  public Pipeline landing(String location) {
    this.landing = org.sanku.ingest.drop.LandingFiles.location(location);
    return this;
  }

  private org.apache.hadoop.fs.Path landing() {
    if (landing == null) {
      throw new IllegalStateException("no landing folder given");
    }
    return landing;
  }

  /**
   * The run's reference date: the context's, else the latest drop in the ingest ledger (today in Asia/Shanghai
   * when nothing was ingested). Resolved on first use and kept, so link and indicators count on the same day.
   */
  public LocalDate asOf() {
    if (asOf == null) {
      asOf = LinkJob.latestDropDate(ctx.spark(), ctx.warehouse());
    }
    return asOf;
  }

  public LinkJob.Result link() {
    return link(false);
  }

  /** Linkage; {@code relinkAll} links every record again ({@link LinkJob#relinkAll}). */
  public LinkJob.Result link(boolean relinkAll) {
    return locked("link", () -> sized("link", () -> new LinkJob(ctx.spark(), ctx.warehouse(), ctx.requireKey(),
        asOf(), ctx.log()).residentRule(ctx.config().indicators().residentRule()).relinkAll(relinkAll).run()));
  }

  private IndicatorJob indicatorJob(java.io.PrintStream log) {
    return new IndicatorJob(ctx.spark(), ctx.warehouse(), ctx.config().indicators(), ctx.config().targets(), log)
        .withholding(heldBack());
  }

  /** Computes and publishes the nightly periods: the year to date and each closed year with data. */
  public IndicatorJob.Result indicators() {
    return locked("indicators", () -> sized("indicators", () -> {
      IndicatorJob job = indicatorJob(ctx.log());
      return job.run(asOf(), job.nightlyPeriods(asOf()));
    }));
  }

  /** Computes and publishes the given periods, as of the last day of the last one. */
  public IndicatorJob.Result indicators(List<Period> periods) {
    return locked("indicators", () -> sized("indicators", () -> indicatorJob(ctx.log())
        .run(periods.get(periods.size() - 1).end(), periods)));
  }

  /**
   * Runs a stage over the whole warehouse interpreted when its source tables hold few rows
   * ({@link org.sanku.spark.Execution#WAREHOUSE_ROWS}), compiled otherwise; an interpreted stage says so.
   */
  private <T> T sized(String stage, java.util.function.Supplier<T> work) {
    if (org.sanku.spark.Execution.fixed(ctx.spark())) {
      return work.get();
    }
    long rows = warehouseRows();
    if (org.sanku.spark.Execution.interpreted(ctx.spark(), rows, org.sanku.spark.Execution.WAREHOUSE_ROWS)) {
      ctx.log().printf("%s: interpreted (%s)%n", stage, rows < org.sanku.spark.Execution.WAREHOUSE_ROWS
          ? String.format("the warehouse's source tables hold %,d rows, fewer than %,d", rows,
              org.sanku.spark.Execution.WAREHOUSE_ROWS)
          : org.sanku.spark.Execution.SETTING + "=interpreted");
    }
    return org.sanku.spark.Execution.sized(ctx.spark(), rows, org.sanku.spark.Execution.WAREHOUSE_ROWS, work);
  }

  /** The rows of the warehouse's standardised tables, from their snapshots' summaries (no data read). */
  long warehouseRows() {
    return new org.sanku.storage.IcebergWriter(ctx.spark()).rowsOf(ctx.config().schemas().tables().stream()
        .map(t -> ctx.warehouse().std(t.table())).toList());
  }

  /** Upkeep of every table of both zones (conf/sanku.yaml maintenance); returns the number of tables. */
  public int upkeep() {
    return locked("upkeep", () -> Maintenance.upkeepAll(ctx.spark(), ctx.warehouse(),
        ctx.config().settings().maintenance(), ctx.log()));
  }

  /** The whole nightly: ingest, link, quality checks, indicators, upkeep, with each stage's time and peak heap. */
  public Nightly.Outcome nightly() {
    return locked("nightly", () -> new Nightly(this).run());
  }

  /** The published values of one period, ordered by indicator and division (empty when none are published). */
  public List<Cell> publishedValues(Period p) {
    Catalog catalog = ctx.config().indicators();
    if (!ctx.spark().catalog().tableExists(ctx.warehouse().ind("indicator_value"))) {
      return List.of();
    }
    List<Cell> cells = new ArrayList<>();
    for (Row r : IndicatorJob.read(ctx.spark(), ctx.warehouse(), p)) {
      cells.add(PublishedRun.cell(r, catalog));
    }
    return cells;
  }

  /**
   * What is published for one period: its values, the run that published them and the warehouse as that run read
   * it (for reports and exports, which show the data the values were computed from).
   *
   * @throws IllegalStateException when the period is not published (the message lists those that are)
   */
  public PublishedRun published(Period p) {
    return PublishedRun.of(ctx.spark(), ctx.warehouse(), ctx.config().indicators(), p);
  }

  /**
   * The values of one period: the published ones, else (or when {@code recompute}) computed and published now.
   */
  public List<Cell> values(Period p, boolean recompute) {
    List<Cell> published = recompute ? List.of() : publishedValues(p);
    if (!published.isEmpty()) {
      return published;
    }
    if (!ctx.spark().catalog().tableExists(ctx.warehouse().model("person"))) {
      throw new IllegalStateException("nothing to compute: the warehouse has no linked data (run ./sanku nightly)");
    }
    ctx.log().println("sanku indicators: computing " + p.label() + " (" + p.start() + " … " + p.end() + ")");
    checkCatalog();
    return indicators(List.of(p)).values().stream().map(IndicatorJob.Value::cell).toList();
  }
}
