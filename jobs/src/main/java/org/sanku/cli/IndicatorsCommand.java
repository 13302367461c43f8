package org.sanku.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.indicators.Period;
import org.sanku.indicators.report.Cell;
import org.sanku.storage.Warehouse;
import org.sanku.indicators.report.Reports;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.pipeline.SankuConfig;
import org.sanku.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sanku indicators}: the published values of a period, with targets and gaps, as a table, CSV or XLSX. */
@Command(name = "indicators", mixinStandardHelpOptions = true,
    description = "Show the indicator values of a period by county, city and province with targets and gaps: a "
        + "terminal table (exact), or CSV and an Excel workbook for circulation (small cells suppressed). A period "
        + "not yet published (e.g. a quarter) is computed first.")
public final class IndicatorsCommand implements Callable<Integer> {

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI")
  String warehouse;

  @Option(names = "--period", required = true,
      description = "2025 (calendar year), 2025-Q3, 2025-07 or ytd:2025-11-24 (1 January to that date)")
  String period;

  @Option(names = "--level", description = "county, city or province (default: all levels)")
  String level;

  @Option(names = "--indicator", split = ",", description = "indicator ids (default: all; the table shows the "
      + "headline indicators)")
  List<String> indicators;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or xlsx (default: ${DEFAULT-VALUE})")
  String format;

  @Option(names = "--out", description = "output file or URI (hdfs://, s3a://); required for xlsx; default for "
      + "csv: standard output")
  String out;

  @Option(names = "--recompute", description = "compute the period again even when it is published")
  boolean recompute;

  @Option(names = "--suppress-below", defaultValue = "5",
      description = "publication threshold k for csv and xlsx (default: ${DEFAULT-VALUE})")
  int k;

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE})")
  String master;

  /** The indicators the terminal table shows by default. */
  public static final List<String> HEADLINE = List.of("ehr_coverage", "elderly_health_mgmt", "elderly_tcm_mgmt",
      "elderly_fd_contract", "keypop_fd_contract", "htn_std_mgmt", "htn_unmanaged", "t2dm_unmanaged", "aging_65",
      "life_expectancy");

  @Override
  public Integer call() throws Exception {
    if (!List.of("table", "csv", "xlsx").contains(format)) {
      throw new IllegalArgumentException("--format: table, csv or xlsx (got '" + format + "')");
    }
    if (format.equals("xlsx") && out == null) {
      throw new IllegalArgumentException("--format xlsx needs --out FILE.xlsx");
    }
    if (level != null && !List.of("county", "city", "province").contains(level)) {
      throw new IllegalArgumentException("--level: county, city or province (got '" + level + "')");
    }
    Period p = Period.parse(period);
    SankuConfig config = Sanku.config();
    SparkSession spark = SparkSessions.create("sanku-indicators", master);
    try {
      Warehouse wh = Warehouse.open(spark, Warehouse.locationOf(warehouse));
      List<Cell> cells = new Pipeline(RunContext.reading(spark, wh, config, System.err)).values(p, recompute);
      return write(cells, System.out, spark.sparkContext().hadoopConfiguration());
    } finally {
      spark.stop();
    }
  }

  int write(List<Cell> all, PrintStream stdout, org.apache.hadoop.conf.Configuration hadoop) throws Exception {
    Reports reports = new Reports(format, level, indicators, k, HEADLINE);
    if (out == null) {
      reports.write(all, null, stdout);
      return 0;
    }
    String wrote = org.sanku.storage.StorageFiles.writeOutput(out, hadoop, f -> reports.write(all, f, stdout));
    if ("xlsx".equals(format)) {
      System.err.println("sanku indicators: wrote " + wrote);
    }
    return 0;
  }
}
