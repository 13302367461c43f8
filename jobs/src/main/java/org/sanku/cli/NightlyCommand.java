package org.sanku.cli;

import java.io.PrintStream;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.indicators.IndicatorJob;
import org.sanku.indicators.Period;
import org.sanku.indicators.report.Cell;
import org.sanku.indicators.report.TextTable;
import org.sanku.pipeline.DailyRuns;
import org.sanku.pipeline.Nightly;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.SankuConfig;
import org.sanku.quality.CheckResult;
import org.sanku.quality.QualityJob;
import org.sanku.spark.SparkSessions;
import org.sanku.storage.PrivateFolders;
import org.sanku.storage.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ./sanku nightly}: ingest every new drop, link, compute and publish every indicator. */
@Command(name = "nightly", mixinStandardHelpOptions = true,
    description = "The nightly run: ingest every new drop, link the three databases, run the data-quality checks, "
        + "compute every indicator for the year to date and each closed year with data, and publish the results "
        + "atomically. Exit code 0 only when everything was published (3: a drop was refused; its source waits, the "
        + "rest is published; 4: a failed error check held back the indicators depending on its source, the others "
        + "are published).")
public final class NightlyCommand implements Callable<Integer> {

  @Option(names = "--landing", required = true, description = "landing folder or URI (hdfs://, s3a://) of "
      + "<source>/<yyyyMMdd>/ drops")
  String landing;

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI (hdfs://, s3a://)")
  String warehouse;

  @Option(names = "--as-of", description = "reference date (default: the latest ingested drop)")
  LocalDate asOf;

  @Option(names = "--accept-shrink", description = "apply full drops that remove more than "
      + "ingest.max_full_drop_shrink of a table's rows (held otherwise)")
  boolean acceptShrink;

  @Option(names = "--accept-dq", split = ",", paramLabel = "CHECK_ID", description = "accept this run's failure "
      + "of a data-quality check (repeatable): recorded in dq.check_result, it holds no indicator back")
  List<String> acceptDq = List.of();

  @Option(names = "--daily-at", split = ",", paramLabel = "HH:MM", description = "stay running and run the "
      + "nightly every day at this time (Asia/Shanghai; repeatable) in the same JVM: every run after the first "
      + "starts with Spark's and Sanku's code already compiled")
  List<LocalTime> dailyAt = List.of();

  @Option(names = "--runs", paramLabel = "N", description = "with --daily-at: stop after N runs (default: run until "
      + "stopped)")
  Integer runs;

  @Mixin
  RunOptions run;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (dailyAt.isEmpty()) {
      if (runs != null) {
        throw new ParameterException(spec.commandLine(), "--runs counts the runs of --daily-at: give --daily-at "
            + "HH:MM too");
      }
      SankuConfig config = Sanku.config();
      byte[] key = run.personKey();
      PrivateFolders.scratchFor(Warehouse.locationOf(warehouse));
      return once(config, key);
    }
    // What applies to one night's data only must not apply to every later night.
    String once = asOf != null ? "--as-of" : acceptShrink ? "--accept-shrink" : !acceptDq.isEmpty() ? "--accept-dq"
        : null;
    if (once != null) {
      throw new ParameterException(spec.commandLine(), once + " applies to one run, not to every night of "
          + "--daily-at: run ./sanku nightly " + once + " … once, between the service's runs (a warehouse takes one "
          + "writer at a time)");
    }
    if (runs != null && runs < 1) {
      throw new ParameterException(spec.commandLine(), "--runs must be at least 1 (got " + runs + ")");
    }
    // Checked now, so that a broken catalog or a missing key stops the service at its start, not at 02:30. Each run
    // loads the configuration again: a definition changed in the day applies from the next night on.
    Sanku.config();
    byte[] key = run.personKey();
    PrivateFolders.scratchFor(Warehouse.locationOf(warehouse));
    return new DailyRuns(dailyAt, java.time.Clock.systemUTC(), Thread::sleep, System.out).run(runs,
        () -> once(Sanku.reloaded(), key));
  }

  /** One nightly run, in a Spark session of its own. */
  private int once(SankuConfig config, byte[] key) {
    SparkSession spark = SparkSessions.create("sanku-nightly", run.master);
    try {
      Pipeline p = new Pipeline(run.context(spark, config, warehouse, asOf, key)).landing(landing)
          .acceptShrink(acceptShrink).acceptDq(acceptDq);
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
    printQuality(o, out);
    IndicatorJob.Result res = o.indicators();
    Period ytd = res.periods().get(res.periods().size() - 1);
    List<Cell> county = res.values().stream().filter(v -> v.period().equals(ytd)).map(IndicatorJob.Value::cell)
        .toList();
    out.println();
    out.println("nightly: " + ytd.label() + " (" + ytd.start() + " … " + ytd.end() + "), run " + res.runId());
    out.print(TextTable.render(county, IndicatorsCommand.HEADLINE));
    out.println(switch (o.exitCode()) {
      case 0 -> "nightly: published.";
      case Nightly.HELD_BACK -> "nightly: published, except the indicators held back by failed error checks (exit 4): "
          + String.join(", ", o.indicators().withheld());
      default -> "nightly: published what was complete; refused drops wait for a corrected delivery (exit 3).";
    });
  }

  /** The night's data quality: failing checks (errors first), accepted failures, and what was held back. */
  static void printQuality(Nightly.Outcome o, PrintStream out) {
    QualityJob.Result q = o.quality();
    if (q == null) {
      return;
    }
    List<CheckResult> failures = q.failures();
    long failing = failures.stream().map(CheckResult::checkId).distinct().count();
    out.println();
    out.printf("nightly: data quality, night of %s: %d checks, %d failing (%d error(s) blocking), run %s%n",
        q.night().date(), q.checks(), failing, q.failingChecks().size(), q.runId());
    java.util.Map<String, List<CheckResult>> byCheck = new java.util.LinkedHashMap<>();
    failures.forEach(f -> byCheck.computeIfAbsent(f.checkId(), k -> new java.util.ArrayList<>()).add(f));
    for (var e : byCheck.entrySet()) {
      CheckResult first = e.getValue().get(0);
      String mark = first.accepted() ? "accepted" : first.severity().name().toLowerCase(java.util.Locale.ROOT);
      // A check over several sources' files (quarantine, duplicates) names each failing source, in order.
      String sources = String.join("+", new java.util.TreeSet<>(e.getValue().stream().map(CheckResult::source)
          .toList()));
      out.printf("nightly:   %-8s %-30s %s, %d group(s) failing%n", mark, e.getKey(), sources, e.getValue().size());
    }
    if (!q.accepted().isEmpty()) {
      out.println("nightly: accepted for this run (--accept-dq): " + String.join(", ", q.accepted()));
    }
    if (!q.blockedIndicators().isEmpty()) {
      out.println("nightly: failing error checks " + String.join(", ", q.failingChecks()) + " on "
          + String.join(", ", q.blockedSources()) + " hold back: " + String.join(", ", q.blockedIndicators()));
    }
    if (failing > 0) {
      out.println("nightly: details: ./sanku quality --warehouse <warehouse> --run " + q.runId());
    }
  }
}
