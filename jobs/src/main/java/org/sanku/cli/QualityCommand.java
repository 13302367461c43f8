package org.sanku.cli;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.pipeline.Nightly;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.pipeline.SankuConfig;
import org.sanku.quality.QualityJob;
import org.sanku.quality.QualityReport;
import org.sanku.quality.QualityReportWriter;
import org.sanku.spark.SparkSessions;
import org.sanku.storage.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sanku quality}: the data-quality results of a night, failing checks first, as a table, CSV or XLSX. */
@Command(name = "quality", mixinStandardHelpOptions = true,
    description = "Show the data-quality results of a check run (the nightly runs the checks of conf/checks): failing "
        + "checks first, with the violating rows, the rows looked at, the share, the threshold, the trend against the "
        + "7 nights before and the recommendation. --check runs the checks now (exit code 4 when an error check "
        + "fails).")
public final class QualityCommand implements Callable<Integer> {

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI")
  String warehouse;

  @Option(names = "--run", defaultValue = "latest", description = "latest or a run id (default: ${DEFAULT-VALUE})")
  String run;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or xlsx (default: ${DEFAULT-VALUE})")
  String format;

  @Option(names = "--level", defaultValue = "source",
      description = "source, county, org or file (default: ${DEFAULT-VALUE})")
  String level;

  @Option(names = "--out", description = "output file or URI (hdfs://, s3a://); required for xlsx; "
      + "default for table and csv: standard output")
  String out;

  @Option(names = "--check", description = "run the checks now for the night (the latest ingested drop, or --as-of) "
      + "and report that run")
  boolean check;

  @Option(names = "--as-of", description = "with --check: the night to check (default: the latest ingested drop)")
  LocalDate asOf;

  @Option(names = "--accept-dq", split = ",", paramLabel = "CHECK_ID",
      description = "with --check: accept this run's failure of a check (repeatable); recorded, it blocks nothing")
  List<String> acceptDq = List.of();

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE})")
  String master;

  @Override
  public Integer call() throws Exception {
    if (!QualityReportWriter.FORMATS.contains(format)) {
      throw new IllegalArgumentException("--format: table, csv or xlsx (got '" + format + "')");
    }
    if (!QualityReport.LEVELS.contains(level)) {
      throw new IllegalArgumentException("--level: source, county, org or file (got '" + level + "')");
    }
    if (format.equals("xlsx") && out == null) {
      throw new IllegalArgumentException("--format xlsx needs --out FILE.xlsx");
    }
    if (!check && (asOf != null || !acceptDq.isEmpty())) {
      throw new IllegalArgumentException("--as-of and --accept-dq go with --check");
    }
    SankuConfig config = Sanku.config();
    SparkSession spark = SparkSessions.create("sanku-quality", master);
    try {
      Warehouse wh = Warehouse.open(spark, Warehouse.locationOf(warehouse));
      int exit = 0;
      String which = run;
      if (check) {
        Pipeline p = new Pipeline(RunContext.reading(spark, wh, config, System.err).withAsOf(asOf)).acceptDq(acceptDq);
        long t0 = System.nanoTime();
        p.checkQualityCatalog();
        System.err.printf("sanku quality: check catalog analysed (%.1f s)%n", (System.nanoTime() - t0) / 1e9);
        QualityJob.Result res = p.quality();
        which = res.runId();
        exit = res.failingChecks().isEmpty() ? 0 : Nightly.HELD_BACK;
      }
      QualityReport.Report report = QualityReport.read(spark, wh, which, level);
      if (out == null) {
        write(report, null);
      } else {
        String wrote = org.sanku.storage.StorageFiles.writeOutput(out, spark.sparkContext().hadoopConfiguration(),
            f -> write(report, f));
        if (format.equals("xlsx")) {
          System.err.println("sanku quality: wrote " + wrote);
        }
      }
      return exit;
    } finally {
      spark.stop();
    }
  }

  private void write(QualityReport.Report r, Path out) throws java.io.IOException {
    switch (format) {
      case "table" -> {
        String text = QualityReportWriter.table(r);
        if (out != null) {
          Files.writeString(out, text, StandardCharsets.UTF_8);
        } else {
          System.out.print(text);
        }
      }
      case "csv" -> {
        try (Writer w = out != null ? Files.newBufferedWriter(out, StandardCharsets.UTF_8) : null) {
          Writer target = w != null ? w
              : new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
          QualityReportWriter.csv(r, target);
          target.flush();
        }
      }
      default -> {
        try (OutputStream o = Files.newOutputStream(out)) {
          QualityReportWriter.xlsx(r, o);
        }
      }
    }
  }
}
