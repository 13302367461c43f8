package org.sanku.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.indicators.Period;
import org.sanku.indicators.PublishedRun;
import org.sanku.indicators.report.html.HtmlReport;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.pipeline.SankuConfig;
import org.sanku.spark.SparkSessions;
import org.sanku.storage.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sanku report}: a published period as one self-contained HTML file with charts. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Write the published indicators of a period as one self-contained HTML report (Chinese, charts "
        + "inlined, no network needed, prints on A4): headline indicators against the plans' targets, each "
        + "indicator by county with its trend, EMR-confirmed patients managed and not (漏管), data quality and "
        + "methods. Small cells are suppressed as in CSV and XLSX. The period must be published.")
public final class ReportCommand implements Callable<Integer> {

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI")
  String warehouse;

  @Option(names = "--period", required = true,
      description = "a published period: 2025, 2025-Q3, 2025-07 or ytd:2025-11-24")
  String period;

  @Option(names = "--scope", description = "division the report is about, 6 or 12 digits (default: the only city)")
  String scope;

  @Option(names = "--out", required = true, description = "the HTML file to write, e.g. 南充-2025.html (a path or a "
      + "URI: hdfs://, s3a://)")
  String out;

  @Option(names = "--suppress-below", defaultValue = "5",
      description = "publication threshold k, as for csv and xlsx (default: ${DEFAULT-VALUE})")
  int k;

  @Option(names = "--amber-within", defaultValue = "10",
      description = "a missed target shows amber, not red, within this percentage of the target "
          + "(default: ${DEFAULT-VALUE})")
  double amberWithin;

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE})")
  String master;

  @Override
  public Integer call() throws Exception {
    Period p = Period.parse(period);
    HtmlReport.Options options = new HtmlReport.Options(scope, k, amberWithin / 100.0, IndicatorsCommand.HEADLINE);
    SankuConfig config = Sanku.config();
    SparkSession spark = SparkSessions.create("sanku-report", master);
    try {
      Warehouse wh = Warehouse.open(spark, Warehouse.locationOf(warehouse));
      PublishedRun run = new Pipeline(RunContext.reading(spark, wh, config, System.err)).published(p);
      String wrote = org.sanku.storage.StorageFiles.writeOutput(out, spark.sparkContext().hadoopConfiguration(),
          f -> HtmlReport.write(run, config.schemas(), options, f));
      said(run, p, wrote, System.err);
      return 0;
    } finally {
      spark.stop();
    }
  }

  /** Writes the report of a published period and says what it wrote. */
  public static PublishedRun write(SparkSession spark, Warehouse wh, SankuConfig config, Period p,
      HtmlReport.Options options, Path out, PrintStream log) throws java.io.IOException {
    PublishedRun run = new Pipeline(RunContext.reading(spark, wh, config, log)).published(p);
    HtmlReport.write(run, config.schemas(), options, out);
    said(run, p, out.toString(), log);
    return run;
  }

  private static void said(PublishedRun run, Period p, String out, PrintStream log) {
    log.println("sanku report: wrote " + out + " (period " + PublishedRun.argument(p) + ", run "
        + run.run().runId() + ", data as of " + run.run().asOf() + ")");
  }
}
