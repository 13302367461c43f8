package org.sanku.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.indicators.IndicatorJob;
import org.sanku.indicators.Period;
import org.sanku.indicators.report.Cell;
import org.sanku.indicators.report.TextTable;
import org.sanku.pipeline.Nightly;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.SankuConfig;
import org.sanku.spark.SparkSessions;
import org.sanku.storage.PrivateFolders;
import org.sanku.storage.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./sanku nightly}: ingest every new drop, link, compute and publish every indicator. */
@Command(name = "nightly", mixinStandardHelpOptions = true,
    description = "The nightly run: ingest every new drop, link the three databases, compute every indicator for "
        + "the year to date and each closed year with data, and publish the results atomically. Exit code 0 only "
        + "when everything was published (3: a drop was refused; its source waits, the rest is published).")
public final class NightlyCommand implements Callable<Integer> {

  @Option(names = "--landing", required = true, description = "landing folder (<source>/<yyyyMMdd>/ drops)")
  Path landing;

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI (hdfs://, s3a://)")
  String warehouse;

  @Option(names = "--as-of", description = "reference date (default: the latest ingested drop)")
  LocalDate asOf;

  @Option(names = "--accept-shrink", description = "apply full drops that remove more than "
      + "ingest.max_full_drop_shrink of a table's rows (held otherwise)")
  boolean acceptShrink;

  @Mixin
  RunOptions run;

  @Override
  public Integer call() {
    SankuConfig config = Sanku.config();
    run.personKey();
    PrivateFolders.scratchFor(Warehouse.locationOf(warehouse));
    SparkSession spark = SparkSessions.create("sanku-nightly", run.master);
    try {
      Pipeline p = new Pipeline(run.context(spark, config, warehouse, asOf)).landing(landing)
          .acceptShrink(acceptShrink);
      System.out.println("nightly: landing " + landing);
      Nightly.Outcome o = p.nightly();
      print(o, System.out);
      return o.exitCode();
    } finally {
      spark.stop();
    }
  }

  /** The stage summary, the year to date's county table of the headline indicators, and how the run ended. */
  public static void print(Nightly.Outcome o, PrintStream out) {
    out.println();
    out.println("nightly: stage        wall s   peak heap MiB   Spark jobs   snapshots   ");
    for (Nightly.Stage s : o.stages()) {
      out.printf("nightly: %-11s %8.1f %15s %12s %11s   %s%n", s.name(), s.seconds(),
          String.format("%,d", s.peakHeapMiB()), String.format("%,d", s.jobs()), String.format("%,d", s.snapshots()),
          s.what());
    }
    out.printf("nightly: total       %8.1f%n", o.seconds());
    IndicatorJob.Result res = o.indicators();
    Period ytd = res.periods().get(res.periods().size() - 1);
    List<Cell> county = res.values().stream().filter(v -> v.period().equals(ytd)).map(IndicatorJob.Value::cell)
        .toList();
    out.println();
    out.println("nightly: " + ytd.label() + " (" + ytd.start() + " … " + ytd.end() + "), run " + res.runId());
    out.print(TextTable.render(county, IndicatorsCommand.HEADLINE));
    out.println(o.exitCode() == 0 ? "nightly: published." : "nightly: published what was complete; refused drops "
        + "wait for a corrected delivery (exit 3).");
  }
}
