package org.sanku.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.sanku.generate.RegionGenerator;
import org.sanku.spark.TestConfig;

/**
 * The cluster's side of {@link ClusterNightlyTest}: a generated region, a {@link LocalCluster} (HDFS, Master, Worker)
 * and the three {@code spark-submit} runs on it (the first night, the night of deltas with the registry's file
 * altered, the CSV of 2025 on HDFS), one after the other in a thread of their own.
 *
 * <p>{@link ClusterInBackground} starts it when the test plan begins, so that its minutes of child JVMs run beside
 * the other test classes; the test itself runs last, does the embedded side and compares. Nothing here starts a Spark
 * job in the test JVM (whose Spark context the other classes use, with their listeners, caches and job counts): the
 * work on the cluster runs in the cluster's JVMs, and what the test needs of the first night afterwards is the
 * snapshot of {@code ind.indicator_value} it published, read with Iceberg's table API. Its output is kept and printed
 * by the test, never written to {@code System.out} while another class may be reading that stream.
 */
final class ClusterRuns implements AutoCloseable {

  /** What the cluster did: its outputs, and where to read the results. The cluster stays up for the test. */
  record Result(LocalCluster cluster, String warehouse, String hdfsLanding, String night1, long night1Values,
      String night2, String popDrop, String csvPath, List<String> report) {}

  private static ClusterRuns started;

  final Path dir;
  private final CompletableFuture<Path> generated = new CompletableFuture<>();
  private final CompletableFuture<Result> result = new CompletableFuture<>();
  private final Thread thread;
  private volatile LocalCluster cluster;
  private volatile boolean closed;

  /** The runs, started now unless they were already. */
  static synchronized ClusterRuns start() {
    if (started == null) {
      started = new ClusterRuns();
    }
    return started;
  }

  /** Stops the cluster if the runs were started and their test did not close them (the test plan's end). */
  static synchronized void closeIfStarted() {
    if (started != null) {
      started.close();
    }
  }

  private ClusterRuns() {
    try {
      dir = Files.createTempDirectory("sanku-cluster");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    thread = new Thread(this::run, "sanku-cluster-runs");
    thread.setDaemon(true);
    thread.start();
  }

  /** The generated region (400 persons, 4% dirty rows, two nights), both sides' drops. */
  Path generated() throws Exception {
    return get(generated);
  }

  /** Waits for the cluster's three runs. */
  Result result() throws Exception {
    return get(result);
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(); // each step has a time limit of its own
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw new AssertionError("the cluster's runs failed", e.getCause());
    }
  }

  private void run() {
    try {
      Path gen = dir.resolve("generated");
      RegionGenerator.generate(new RegionGenerator.Options("nanchong", 400, 5, LocalDate.parse("2025-12-31"), gen,
          2, 0.04, null, TestConfig.CONF, 2));
      generated.complete(gen);
      List<String> report = new ArrayList<>();
      long t0 = System.nanoTime();
      cluster = new LocalCluster(dir.resolve("cluster"));
      if (closed) { // stopped while the cluster started
        stopCluster();
        return;
      }
      String wh = cluster.hdfsUri() + "/sanku/warehouse";
      String hdfsLanding = cluster.hdfsUri() + "/sanku/landing";
      var fs = cluster.hdfs.getFileSystem();
      // The cluster's landing is copied from a local folder of its own: the test delivers the embedded side's.
      Path landing = dir.resolve("landing");
      ClusterNightlyTest.deliverNight(gen, landing, 0);
      fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(landing.toUri()),
          new org.apache.hadoop.fs.Path("/sanku/landing"));
      ClusterNightlyTest.configurationOnHdfs(cluster);
      Path jar = ClusterNightlyTest.applicationJar(dir.resolve("sanku-app.jar"));
      String out1 = ClusterNightlyTest.submit(cluster, dir, jar, "night1", 0, report, "nightly", "--landing",
          hdfsLanding, "--warehouse", wh);
      // The first night's published values, kept by Iceberg after the second night (snapshots expire after 30 days).
      long night1Values = new org.apache.iceberg.hadoop.HadoopTables(fs.getConf())
          .load(wh + "/analytics/ind/indicator_value").currentSnapshot().snapshotId();
      long t1 = System.nanoTime();

      List<Path> secondNight = ClusterNightlyTest.deliverNight(gen, landing, 1);
      String popDrop = ClusterNightlyTest.alterRegistry(landing, secondNight);
      for (Path drop : secondNight) {
        String rel = landing.relativize(drop).toString();
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(drop.toUri()),
            new org.apache.hadoop.fs.Path("/sanku/landing/" + rel));
      }
      String out2 = ClusterNightlyTest.submit(cluster, dir, jar, "night2", 3, report, "nightly", "--landing",
          hdfsLanding, "--warehouse", wh);
      long t2 = System.nanoTime();
      String csv = "/sanku/out/values-2025.csv";
      ClusterNightlyTest.submit(cluster, dir, jar, "csv", 0, report, "indicators", "--warehouse", wh, "--period",
          "2025", "--format", "csv", "--out", cluster.hdfsUri() + csv);
      report.add(String.format("cluster nightly (beside the other test classes): cluster start and the first night "
          + "%.1f s, the second night %.1f s, the CSV %.1f s", (t1 - t0) / 1e9, (t2 - t1) / 1e9,
          (System.nanoTime() - t2) / 1e9));
      result.complete(new Result(cluster, wh, hdfsLanding, out1, night1Values, out2, popDrop, csv, report));
    } catch (Throwable e) {
      try {
        stopCluster();
      } catch (Throwable x) {
        e.addSuppressed(x);
      }
      generated.completeExceptionally(e);
      result.completeExceptionally(e);
    }
  }

  private synchronized void stopCluster() {
    LocalCluster c = cluster;
    cluster = null;
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        throw new AssertionError("stopping the cluster", e);
      }
    }
  }

  /** Stops the runs if they are still going, then the cluster, and deletes the folder. */
  @Override
  public void close() {
    closed = true;
    synchronized (ClusterRuns.class) {
      if (started == this) {
        started = null;
      }
    }
    if (thread.isAlive()) {
      thread.interrupt();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(120));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stopCluster();
    LocalCluster.deleteTree(dir);
  }
}
