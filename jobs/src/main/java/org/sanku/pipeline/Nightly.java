package org.sanku.pipeline;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.sanku.indicators.IndicatorJob;
import org.sanku.ingest.IngestJob;
import org.sanku.link.LinkJob;
import org.sanku.quality.QualityJob;
import org.sanku.spark.WorkCounter;

/**
 * The nightly run: check the catalogs, ingest every new drop, link, run the data-quality checks, compute and publish
 * the indicators (those a failed error check holds back excepted), keep every table up. Each stage publishes
 * atomically; the exit code is 0 only when everything was published, 3 when a drop was refused (its source waits;
 * everything complete is still published), 4 when the checks held indicators back (the others are published).
 */
public final class Nightly {

  /**
   * One stage's wall time, the JVM's peak heap in use during it (garbage included), and the Spark jobs and Iceberg
   * snapshots it ran.
   */
  public record Stage(String name, double seconds, long peakHeapMiB, long jobs, long snapshots, String what) {}

  /** What a nightly did. */
  public record Outcome(int exitCode, List<Stage> stages, IngestJob.Result ingest, LinkJob.Result link,
      QualityJob.Result quality, IndicatorJob.Result indicators, double seconds) {}

  /** Exit code of a nightly that published with indicators held back by the data-quality gates. */
  public static final int HELD_BACK = 4;

  private final Pipeline pipeline;

  Nightly(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  Outcome run() {
    PrintStream out = pipeline.context().log();
    WorkCounter.install(pipeline.context().spark());
    List<Stage> stages = new ArrayList<>();
    long tc = System.nanoTime();
    pipeline.checkCatalog();
    pipeline.checkQualityCatalog();
    out.printf("nightly: indicator and check catalogs checked (%.1f s)%n", (System.nanoTime() - tc) / 1e9);
    long t0 = System.nanoTime();
    out.println("nightly [1/3] ingest");
    IngestJob.Result ing = stage(stages, "ingest", () -> pipeline.ingest(false),
        r -> r.dropsIngested() + " drop(s), " + r.refusals().size() + " refused");
    out.printf("nightly [1/3] ingest: %d drop(s) ingested, %d refused (%.1f s)%n", ing.dropsIngested(),
        ing.refusals().size(), stages.get(0).seconds());
    for (String r : ing.refusals()) {
      out.println("nightly: REFUSED " + r);
    }
    out.println("nightly [2/3] link");
    LinkJob.Result link = stage(stages, "link", pipeline::link,
        r -> r.outcomes().values().stream().mapToLong(Long::longValue).sum() + " records");
    // The checks read what linkage built (link rates, the three databases side by side) and decide, before the
    // indicators are published, which of them this night's data can carry.
    out.println("nightly: data-quality checks (night of " + pipeline.asOf() + ")");
    QualityJob.Result q = stage(stages, "quality", pipeline::quality, r -> r.checks() + " checks, "
        + r.failures().stream().map(f -> f.checkId()).distinct().count() + " failing");
    for (String id : q.failingChecks()) {
      out.println("nightly: CHECK FAILED (error) " + id);
    }
    if (!q.blockedIndicators().isEmpty()) {
      out.println("nightly: held back (not published): " + String.join(", ", q.blockedIndicators()));
    }
    out.println("nightly [3/3] indicators (as of " + pipeline.asOf() + ")");
    IndicatorJob.Result ind = stage(stages, "indicators", pipeline::indicators, r -> r.values().size() + " values");
    // Upkeep of every table: linkage and indicator tables are replaced nightly, and their old versions expire.
    stage(stages, "upkeep", pipeline::upkeep, n -> n + " tables");
    int exit = !ind.withheld().isEmpty() ? HELD_BACK : ing.ok() ? 0 : 3;
    return new Outcome(exit, List.copyOf(stages), ing, link, q, ind, (System.nanoTime() - t0) / 1e9);
  }

  private static <T> T stage(List<Stage> stages, String name, Supplier<T> work,
      java.util.function.Function<T, String> what) {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
    long t0 = System.nanoTime();
    WorkCounter.Counts before = WorkCounter.now();
    T result = work.get();
    WorkCounter.Counts cost = WorkCounter.now().since(before);
    long peak = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        peak += p.getPeakUsage().getUsed();
      }
    }
    stages.add(new Stage(name, (System.nanoTime() - t0) / 1e9, peak >> 20, cost.jobs(), cost.snapshots(),
        what.apply(result)));
    return result;
  }
}
