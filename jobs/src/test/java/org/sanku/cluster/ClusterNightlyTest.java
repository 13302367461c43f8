package org.sanku.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.sanku.generate.RegionGenerator;
import org.sanku.ingest.IngestedRegion;
import org.sanku.pipeline.Nightly;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.pipeline.SankuConfig;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/**
 * The nightly on a real cluster, not {@code local[*]}: a Spark standalone Master and Worker in their own JVMs, the
 * warehouse on HDFS, the run submitted by {@code spark-submit} (its {@code SparkSubmit} main, in a child JVM) with
 * Sanku's classes only in the application jar and its configuration only inside that jar (the driver starts in a
 * folder with no {@code conf/}). What it publishes must equal, number for number, what the embedded run publishes on
 * the same drops with the same person key: the cluster changes where the work runs, never a count.
 */
class ClusterNightlyTest {

  /** Columns of ind.indicator_value that a run's results consist of (not its id or clock). */
  static final String VALUES = "indicator_id, period_type, period_start, period_end, division_code, division_level, "
      + "numerator, denominator, value, lower95, upper95, target, gap, note, as_of";

  @Test
  void theNightlyOnAStandaloneClusterWithItsWarehouseOnHdfsPublishesTheEmbeddedRunsNumbers() throws Exception {
    Path dir = Files.createTempDirectory("sanku-cluster");
    // A small region (400 persons, one full drop per source, 4% dirty rows); the landing is a local folder every
    // executor of this one-machine cluster reads (README: on a cluster the landing is a shared mount).
    Path landing = dir.resolve("landing");
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", 400, 5, LocalDate.parse("2025-12-31"), landing,
        1, 0.04, null, TestConfig.CONF, 2));

    // The embedded run: this JVM's local session, a local warehouse.
    long t0 = System.nanoTime();
    SparkSession spark = TestSpark.get();
    Warehouse local = new Warehouse(spark, Warehouse.locationOf(dir.resolve("wh-local").toString()), "cl_a", "cl_i");
    Nightly.Outcome embedded = new Pipeline(new RunContext(spark, local, TestConfig.get(), null, IngestedRegion.KEY,
        List.of(), new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))).landing(landing)
        .nightly();
    assertEquals(0, embedded.exitCode());
    long t1 = System.nanoTime();

    try (LocalCluster cluster = new LocalCluster(dir.resolve("cluster"))) {
      String wh = cluster.hdfsUri() + "/sanku/warehouse";
      configurationOnHdfs(cluster);
      Path jar = applicationJar(dir.resolve("sanku-app.jar"));
      Path driverDir = Files.createDirectories(dir.resolve("driver"));
      // The driver logs as ./sanku does (WARN, Sanku's own progress): Spark's INFO lines would be most of its work.
      Path log4j = Path.of(Pipeline.class.getResource("/log4j2.properties").toURI());
      List<String> cmd = new ArrayList<>(List.of(LocalCluster.javaBin(), "-Xmx1g",
          "-Dlog4j2.configurationFile=" + log4j.toUri()));
      cmd.addAll(LocalCluster.JVM_FLAGS);
      cmd.addAll(List.of("-cp", cluster.sparkClassPath, "org.apache.spark.deploy.SparkSubmit",
          "--master", cluster.master, "--deploy-mode", "client", "--class", "org.sanku.cli.Sanku",
          "--driver-java-options", "-Duser.timezone=Asia/Shanghai",
          "--conf", "spark.executor.extraJavaOptions=-Duser.timezone=Asia/Shanghai",
          "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
          "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=2",
          "--conf", "spark.sql.shuffle.partitions=2", "--conf", "spark.default.parallelism=2",
          jar.toString(), "nightly", "--landing", landing.toString(), "--warehouse", wh));
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(driverDir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("submit.log").toFile());
      pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
      pb.environment().put("SANKU_PERSON_KEY", HexFormat.of().formatHex(IngestedRegion.KEY));
      pb.environment().remove("SANKU_HOME");
      pb.environment().remove("SANKU_CONF");
      Process submit = pb.start();
      boolean ended = submit.waitFor(600, TimeUnit.SECONDS);
      if (!ended) {
        submit.toHandle().descendants().forEach(ProcessHandle::destroy);
        submit.destroyForcibly();
      }
      String out = Files.readString(dir.resolve("submit.log"), StandardCharsets.UTF_8);
      String tail = out.lines().skip(Math.max(0, out.lines().count() - 60)).reduce("", (a, b) -> a + "\n" + b);
      System.out.printf("cluster nightly: embedded run %.1f s, cluster start and spark-submit %.1f s%n",
          (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
      assertTrue(ended, "spark-submit still running after 600 s:" + tail);
      assertEquals(0, submit.exitValue(), tail);
      assertTrue(out.contains("nightly: published."), tail);
      // The run used the cluster: the Master registered the application, and the Worker ran its executor, whose
      // log shows tasks finished there.
      assertTrue(cluster.log("master").contains("Registered app sanku-nightly with ID"),
          cluster.tail("master", 30));
      List<Path> executorLogs;
      try (Stream<Path> s = Files.walk(cluster.workerDir)) {
        executorLogs = s.filter(p -> p.getFileName().toString().equals("stderr")).toList();
      }
      assertTrue(!executorLogs.isEmpty(), "no executor ran on the worker");
      boolean tasksRan = false;
      for (Path p : executorLogs) {
        tasksRan |= Files.readString(p).contains("Finished task");
      }
      assertTrue(tasksRan, "no task finished on the worker's executors");

      // The warehouse is on HDFS, both zones, the identity zone private.
      var fs = cluster.hdfs.getFileSystem();
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/sanku/warehouse/analytics/ind/indicator_value/metadata")));
      assertEquals(0700, fs.getFileStatus(new org.apache.hadoop.fs.Path("/sanku/warehouse/identity")).getPermission()
          .toShort());

      // Number for number: every published value of the cluster's run is the embedded run's, and none is missing.
      Warehouse onHdfs = new Warehouse(spark, wh, "cl_h", "cl_hi");
      List<String> fromLocal = values(spark, local);
      List<String> fromCluster = values(spark, onHdfs);
      assertTrue(fromLocal.size() > 100, "too few values to compare: " + fromLocal.size());
      assertEquals(fromLocal, fromCluster);
      // ... and the values are not all empty: the region's counties have residents and managed elderly.
      assertTrue(fromCluster.stream().anyMatch(v -> v.startsWith("elderly_health_mgmt|") && !v.contains("|0|0|")),
          String.join("\n", fromCluster.subList(0, 20)));
    } finally {
      LocalCluster.deleteTree(dir);
    }
  }

  /**
   * A configuration folder on HDFS ({@code --conf-dir hdfs://…/conf}, or SANKU_CONF) is copied to a local folder and
   * read from there, with its sibling {@code schemas/}; a broken key in the HDFS copy is reported in the copy.
   */
  static void configurationOnHdfs(LocalCluster cluster) throws Exception {
    var fs = cluster.hdfs.getFileSystem();
    org.apache.hadoop.fs.Path etc = new org.apache.hadoop.fs.Path("/sanku/etc");
    fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(TestConfig.CONF.toAbsolutePath().toUri()),
        new org.apache.hadoop.fs.Path(etc, "conf"));
    fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(TestConfig.CONF.toAbsolutePath()
        .resolveSibling("schemas").toUri()), new org.apache.hadoop.fs.Path(etc, "schemas"));
    String uri = cluster.hdfsUri() + "/sanku/etc/conf";
    SankuConfig.Locations at = SankuConfig.Locations.resolve(java.util.Map.of("SANKU_CONF", uri)::get);
    assertTrue(at.conf().startsWith(Path.of(System.getProperty("java.io.tmpdir"))), at.toString());
    assertEquals(at.conf().resolveSibling("schemas"), at.schemas());
    SankuConfig c = SankuConfig.load(at);
    assertEquals(12, c.schemas().tables().size()); // 11 delivered tables and the optional ref_population
    assertEquals(TestConfig.get().indicators().indicators.keySet(), c.indicators().indicators.keySet());
    // The same folder with a typo in its sanku.yaml on HDFS: the problem names the key, in the copy read.
    try (var out = fs.create(new org.apache.hadoop.fs.Path(etc, "conf/sanku.yaml"), true)) {
      out.write("maintenance:\n  compact_small_file: 3\n".getBytes(StandardCharsets.UTF_8));
    }
    SankuConfig.Locations broken = SankuConfig.Locations.resolve(java.util.Map.of("SANKU_CONF", uri)::get);
    org.sanku.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
        org.sanku.config.ConfigException.class, () -> SankuConfig.load(broken));
    assertTrue(e.getMessage().contains(broken.conf().resolve("sanku.yaml") + ": maintenance.compact_small_file"),
        e.getMessage());
  }

  /** The published values of a warehouse, one line each, sorted. */
  static List<String> values(SparkSession spark, Warehouse wh) {
    List<String> out = new ArrayList<>();
    for (Row r : spark.sql("SELECT " + VALUES + " FROM " + wh.ind("indicator_value")).collectAsList()) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.length(); i++) {
        b.append(i == 0 ? "" : "|").append(r.get(i));
      }
      out.add(b.toString());
    }
    out.sort(null);
    return out;
  }

  /**
   * The application jar as spark-submit gets it: Sanku's classes and resources (with conf/ and schemas/ under
   * sanku/), nothing else; the libraries come from the cluster's class path here.
   */
  static Path applicationJar(Path jar) throws Exception {
    Path classes = Path.of(Pipeline.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> s = Files.walk(classes)) {
      // Folders get entries of their own, as jar tools write them (class-path folders are looked up by them).
      for (Path p : s.filter(p -> !p.equals(classes)).sorted().toList()) {
        String name = classes.relativize(p).toString().replace('\\', '/');
        out.putNextEntry(new JarEntry(Files.isDirectory(p) ? name + "/" : name));
        if (Files.isRegularFile(p)) {
          Files.copy(p, out);
        }
        out.closeEntry();
      }
    }
    return jar;
  }
}
