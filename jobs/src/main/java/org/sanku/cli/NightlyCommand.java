package org.sanku.cli;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.config.Settings;
import org.sanku.indicators.IndicatorJob;
import org.sanku.indicators.Period;
import org.sanku.indicators.report.Cell;
import org.sanku.indicators.report.TextTable;
import org.sanku.ingest.IngestJob;
import org.sanku.ingest.Maintenance;
import org.sanku.ingest.Warehouse;
import org.sanku.link.LinkJob;
import org.sanku.spark.SparkSessions;
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

  @Mixin
  RunOptions run;

  @Override
  public Integer call() {
    byte[] key = run.personKey();
    SparkSession spark = SparkSessions.create("sanku-nightly", run.master);
    try {
      return run(spark, Warehouse.open(spark, Warehouse.locationOf(warehouse)), landing, key, run.keyFiles(), asOf,
          System.out).exitCode();
    } finally {
      spark.stop();
    }
  }

  /** What a nightly run did: per stage wall time and peak heap, the indicator result, and the exit code. */
  public record Outcome(int exitCode, List<String[]> stages, IndicatorJob.Result indicators) {}

  static Outcome run(SparkSession spark, Warehouse wh, Path landing, byte[] key, LocalDate asOf, PrintStream out) {
    return run(spark, wh, landing, key, List.of(), asOf, out);
  }

  static Outcome run(SparkSession spark, Warehouse wh, Path landing, byte[] key, List<Path> keyFiles, LocalDate asOf,
      PrintStream out) {
    Path conf = Sanku.confDir();
    IndicatorJob ind = new IndicatorJob(spark, wh, conf, out);
    List<String[]> stages = new ArrayList<>();
    // The catalog is checked before anything is ingested: a broken definition stops the run at once.
    ind.catalog();
    long t0 = System.nanoTime();
    resetPeaks();
    out.println("nightly [1/3] ingest: " + landing);
    IngestJob.Result ing = new IngestJob(spark, wh, landing, conf.resolveSibling("schemas"), conf, key, out)
        .protecting(keyFiles).withoutUpkeep().run();
    stages.add(stage("ingest", t0, ing.dropsIngested() + " drop(s), " + ing.refusals().size() + " refused"));
    out.printf("nightly [1/3] ingest: %d drop(s) ingested, %d refused (%s s)%n", ing.dropsIngested(),
        ing.refusals().size(), stages.get(0)[1]);
    for (String r : ing.refusals()) {
      out.println("nightly: REFUSED " + r);
    }
    long t1 = System.nanoTime();
    resetPeaks();
    out.println("nightly [2/3] link");
    LinkJob.Result link = new LinkJob(spark, wh, key, asOf, out).run();
    stages.add(stage("link", t1, link.outcomes().values().stream().mapToLong(Long::longValue).sum() + " records"));
    long t2 = System.nanoTime();
    resetPeaks();
    out.println("nightly [3/3] indicators (as of " + link.asOf() + ")");
    IndicatorJob.Result res = ind.run(link.asOf(), null);
    stages.add(stage("indicators", t2, res.values().size() + " values"));
    // Upkeep of every table (linkage and indicator tables are replaced nightly; their old versions expire).
    long t3 = System.nanoTime();
    int kept = Maintenance.upkeepAll(spark, wh, Settings.load(conf).maintenance(), out);
    stages.add(stage("upkeep", t3, kept + " tables"));
    out.println();
    out.println("nightly: stage        wall s   peak heap MiB   ");
    for (String[] s : stages) {
      out.printf("nightly: %-11s %8s %15s   %s%n", s[0], s[1], s[2], s[3]);
    }
    out.printf("nightly: total       %8.1f%n", (System.nanoTime() - t0) / 1e9);
    Period ytd = res.periods().get(res.periods().size() - 1);
    List<Cell> county = res.values().stream().filter(v -> v.period().equals(ytd)).map(IndicatorJob.Value::cell)
        .toList();
    out.println();
    out.println("nightly: " + ytd.label() + " (" + ytd.start() + " … " + ytd.end() + "), run " + res.runId());
    out.print(TextTable.render(county, IndicatorsCommand.HEADLINE));
    int rc = ing.ok() ? 0 : 3;
    out.println(rc == 0 ? "nightly: published." : "nightly: published what was complete; refused drops wait for "
        + "a corrected delivery (exit 3).");
    return new Outcome(rc, stages, res);
  }

  private static String[] stage(String name, long t0, String what) {
    long peak = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        peak += p.getPeakUsage().getUsed();
      }
    }
    return new String[] {name, String.format("%.1f", (System.nanoTime() - t0) / 1e9),
        String.format("%,d", peak >> 20), what};
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
  }
}
