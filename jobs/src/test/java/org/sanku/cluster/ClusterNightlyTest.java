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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
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
 *
 * <p>The cluster's runs ({@link ClusterRuns}) start with the test plan and run in their own JVMs beside the other
 * test classes; this class runs last ({@code junit-platform.properties} orders classes by {@link Order}) and does
 * the embedded side, in this JVM's Spark, after them.
 */
@Order(Integer.MAX_VALUE)
class ClusterNightlyTest {

  /** Columns of ind.indicator_value that a run's results consist of (not its id or clock). */
  static final String VALUES = "indicator_id, period_type, period_start, period_end, division_code, division_level, "
      + "numerator, denominator, value, lower95, upper95, target, gap, note, as_of";

  @Test
  void theNightlyOnAStandaloneClusterWithLandingAndWarehouseOnHdfsPublishesTheEmbeddedRunsNumbers() throws Exception {
    // The cluster's side (ClusterRuns) began with the test plan and ran beside the other classes: a small region
    // (400 persons, 4% dirty rows) over two nights, the first night's full drops, then a night of deltas in which the
    // population registry's file was altered after its manifest was written, and the CSV of 2025 on HDFS. Here, when
    // the test plan did not include this class from its start, it starts now.
    Path dir = Files.createTempDirectory("sanku-cluster-embedded");
    try (ClusterRuns runs = ClusterRuns.start()) {
      Path generated = runs.generated();
      Path landing = dir.resolve("landing");
      List<Path> firstNight = deliverNight(generated, landing, 0);
      assertEquals(4, firstNight.size(), firstNight.toString());

      // The embedded run: this JVM's local session, a local warehouse, the same drops from the local disk.
      long t1 = System.nanoTime();
      SparkSession spark = TestSpark.get();
      Warehouse local = new Warehouse(spark, Warehouse.locationOf(dir.resolve("wh-local").toString()), "cl_a",
          "cl_i");
      assertEquals(0, embedded(spark, local, landing).exitCode());
      long t2 = System.nanoTime();
      List<String> fromLocal = values(spark, local);

      ClusterRuns.Result cluster = runs.result();
      cluster.report().forEach(System.out::println);
      String out = cluster.night1();
      String hdfsLanding = cluster.hdfsLanding();
      assertTrue(out.contains("nightly: published."), tail(out));
      assertTrue(out.contains("nightly: landing " + hdfsLanding), tail(out));
      // The run used the cluster: the Master registered the application, and the Worker ran its executor, whose
      // log shows tasks finished there.
      // (Both nights: the Master's log is read after the cluster's three runs.)
      assertEquals(2, cluster.cluster().log("master").lines()
          .filter(l -> l.contains("Registered app sanku-nightly with ID")).count(), cluster.cluster().tail("master", 30));
      List<Path> executorLogs;
      try (Stream<Path> s = Files.walk(cluster.cluster().workerDir)) {
        executorLogs = s.filter(p -> p.getFileName().toString().equals("stderr")).toList();
      }
      assertTrue(!executorLogs.isEmpty(), "no executor ran on the worker");
      boolean tasksRan = false;
      for (Path p : executorLogs) {
        tasksRan |= Files.readString(p).contains("Finished task");
      }
      assertTrue(tasksRan, "no task finished on the worker's executors");

      // The warehouse is on HDFS, both zones, the identity zone private.
      var fs = cluster.cluster().hdfs.getFileSystem();
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/sanku/warehouse/analytics/ind/indicator_value/metadata")));
      assertEquals(0700, fs.getFileStatus(new org.apache.hadoop.fs.Path("/sanku/warehouse/identity")).getPermission()
          .toShort());

      // Number for number: every value the cluster's first night published (its snapshot of the values table) is
      // the embedded run's, and none is missing.
      Warehouse onHdfs = new Warehouse(spark, cluster.warehouse(), "cl_h", "cl_hi");
      List<String> fromCluster = values(spark, onHdfs, cluster.night1Values());
      assertTrue(fromLocal.size() > 100, "too few values to compare: " + fromLocal.size());
      assertEquals(fromLocal, fromCluster);
      // ... and the values are not all empty: the region's counties have residents and managed elderly.
      assertTrue(fromCluster.stream().anyMatch(v -> v.startsWith("elderly_health_mgmt|") && !v.contains("|0|0|")),
          String.join("\n", fromCluster.subList(0, 20)));

      // The second night, delivered as on the cluster's landing: deltas of every source, the registry's altered.
      List<Path> secondNight = deliverNight(generated, landing, 1);
      assertEquals(4, secondNight.size(), secondNight.toString());
      String popDrop = alterRegistry(landing, secondNight);
      assertEquals(cluster.popDrop(), popDrop);
      try (var in = fs.open(new org.apache.hadoop.fs.Path("/sanku/landing/" + popDrop + "/pop_person.csv"))) {
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(landing.resolve(popDrop).resolve("pop_person.csv")),
            in.readAllBytes()), "the cluster's altered registry file is the embedded run's");
      }
      // Refused where the embedded run refuses it (exit code 3: the source waits, the rest is published).
      long t3 = System.nanoTime();
      java.io.ByteArrayOutputStream secondLog = new java.io.ByteArrayOutputStream();
      assertEquals(3, embedded(spark, local, landing, new PrintStream(secondLog, true, StandardCharsets.UTF_8))
          .exitCode());
      System.out.printf("cluster nightly: the embedded first night %.1f s, the second night %.1f s%n",
          (t2 - t1) / 1e9, (System.nanoTime() - t3) / 1e9);
      String out2 = cluster.night2();
      assertTrue(out2.contains("ingest: refused " + popDrop + " (later population drops wait):"), tail(out2));
      assertTrue(out2.contains(popDrop + "/pop_person.csv: sha256 expected "), out2.lines()
          .filter(l -> l.contains("population/")).reduce("", (a, b) -> a + "\n" + b));
      assertTrue(out2.contains("nightly: published what was complete; refused drops wait for a corrected delivery "
          + "(exit 3)."), tail(out2));
      // The deltas of the other sources were ingested on the cluster: the ledger has two drops of each, one of
      // the registry.
      Map<String, Long> drops = new java.util.TreeMap<>();
      for (Row r : spark.sql("SELECT split(drop_id, '/')[0], count(DISTINCT drop_id) FROM "
          + onHdfs.ops("ingest_ledger") + " GROUP BY 1").collectAsList()) {
        drops.put(r.getString(0), r.getLong(1));
      }
      assertEquals(Map.of("ehr", 2L, "emr", 2L, "population", 1L, "reference", 2L), drops);
      List<String> secondLocal = values(spark, local);
      assertEquals(secondLocal, values(spark, onHdfs));
      assertTrue(!secondLocal.equals(fromLocal), "the night of deltas changed no published value");
      // Both linked again only what the deltas concern (on the cluster reading the snapshots the first night's
      // linkage read from HDFS), and that is what a relink of every record gives, table by table.
      String second = secondLog.toString(StandardCharsets.UTF_8);
      assertTrue(second.contains(" records linked again ("), second);
      assertTrue(out2.contains(" records linked again ("), tail(out2));
      Map<String, List<String>> incremental = org.sanku.link.LinkedRegion.linkageRows(spark, local);
      new Pipeline(new RunContext(spark, local, TestConfig.get(), null, IngestedRegion.KEY, List.of(),
          new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))).link(true);
      assertEquals(incremental, org.sanku.link.LinkedRegion.linkageRows(spark, local));

      // An output on HDFS: the CSV of 2025 written there by ./sanku indicators on the cluster (after its second
      // night) is, byte for byte, the CSV of the embedded warehouse's values written locally.
      Path localCsv = dir.resolve("values-2025.csv");
      List<org.sanku.indicators.report.Cell> cells = new Pipeline(RunContext.reading(spark, local, TestConfig.get(),
          new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)))
          .values(org.sanku.indicators.Period.parse("2025"), false);
      new org.sanku.indicators.report.Reports("csv", null, null, 5, List.of()).write(cells, localCsv, null);
      byte[] onHdfsCsv;
      try (var in = fs.open(new org.apache.hadoop.fs.Path(cluster.csvPath()))) {
        onHdfsCsv = in.readAllBytes();
      }
      assertTrue(onHdfsCsv.length > 1000, "CSV of " + onHdfsCsv.length + " bytes");
      assertEquals(Files.readString(localCsv), new String(onHdfsCsv, StandardCharsets.UTF_8));
    } finally {
      LocalCluster.deleteTree(dir);
    }
  }

  /**
   * Alters the registry's file of a night's drops after its manifest was written (the last record's last field,
   * before the line end: still valid UTF-8), as a corrupted delivery; returns the drop's id, e.g.
   * {@code population/20251230}.
   */
  static String alterRegistry(Path landing, List<Path> night) throws IOException {
    Path pop = night.stream().filter(p -> p.startsWith(landing.resolve("population"))).findFirst()
        .orElseThrow().resolve("pop_person.csv");
    byte[] bytes = Files.readAllBytes(pop);
    int at = bytes.length - 2;
    bytes[at] = (byte) (bytes[at] == '1' ? '2' : '1');
    Files.write(pop, bytes);
    return "population/" + pop.getParent().getFileName();
  }

  /** Copies the drop folders of the {@code night}-th date (0 = the first) of every source to {@code landing}. */
  static List<Path> deliverNight(Path generated, Path landing, int night) throws Exception {
    List<Path> out = new ArrayList<>();
    for (String source : List.of("population", "ehr", "emr", "reference")) {
      List<Path> dates;
      try (Stream<Path> s = Files.list(generated.resolve(source))) {
        dates = s.sorted().toList();
      }
      Path from = dates.get(night);
      Path to = landing.resolve(source).resolve(from.getFileName());
      org.sanku.ingest.IngestRecoveryTest.copyTree(from, to);
      out.add(to);
    }
    return out;
  }

  static Nightly.Outcome embedded(SparkSession spark, Warehouse wh, Path landing) {
    return embedded(spark, wh, landing, new PrintStream(OutputStream.nullOutputStream(), true,
        StandardCharsets.UTF_8));
  }

  static Nightly.Outcome embedded(SparkSession spark, Warehouse wh, Path landing, PrintStream log) {
    return new Pipeline(new RunContext(spark, wh, TestConfig.get(), null, IngestedRegion.KEY, List.of(), log))
        .landing(landing).nightly();
  }

  /**
   * Runs {@code ./sanku}'s main with {@code args} through spark-submit on the cluster, in a child JVM started in a
   * folder with no {@code conf/}; returns its output. Fails unless it ends within 1200 s with exit code
   * {@code exit}.
   */
  static String submit(LocalCluster cluster, Path dir, Path jar, String name, int exit, List<String> report,
      String... args) throws Exception {
    Path driverDir = Files.createDirectories(dir.resolve("driver"));
    // The driver logs as ./sanku does (WARN, Sanku's own progress): Spark's INFO lines would be most of its work.
    Path log4j = Path.of(Pipeline.class.getResource("/log4j2.properties").toURI());
    // The driver, the executor and the daemons compile with the JIT's first tier only: on two cores they and the
    // test JVM compete for the CPU, and a 400-person run ends before the optimising tier pays for its compilations
    // (the test alone: 4 min 15 s and 424 CPU-seconds against 4 min 58 s and 546).
    List<String> cmd = new ArrayList<>(LocalCluster.NICE);
    cmd.addAll(List.of(LocalCluster.javaBin(), "-Xmx1g", "-XX:TieredStopAtLevel=1",
        "-Dlog4j2.configurationFile=" + log4j.toUri()));
    cmd.addAll(LocalCluster.JVM_FLAGS);
    cmd.addAll(List.of("-cp", cluster.sparkClassPath, "org.apache.spark.deploy.SparkSubmit",
        "--master", cluster.master, "--deploy-mode", "client", "--class", "org.sanku.cli.Sanku",
        "--driver-java-options", "-Duser.timezone=Asia/Shanghai",
        "--conf", "spark.executor.extraJavaOptions=-Duser.timezone=Asia/Shanghai -XX:TieredStopAtLevel=1",
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=2",
        "--conf", "spark.sql.shuffle.partitions=2", "--conf", "spark.default.parallelism=2",
        "--conf", "spark.network.timeout=600s",
        // A file's close waits until the name node has heard of its last block from the data node; the client
        // first asks again after 400 ms, doubling. The test's HDFS answers within milliseconds, and Iceberg's
        // commits close many small files: 20 ms took the 400-person nightly on this cluster from 176 s to 89 s.
        "--conf", "spark.hadoop.dfs.client.block.write.locateFollowingBlock.initial.delay.ms=20",
        // ... and tries 10 times rather than 5 (about 20 s rather than 0.6 s): the name node is in the test JVM,
        // which runs the other test classes meanwhile, and one of its pauses must not fail a close.
        "--conf", "spark.hadoop.dfs.client.block.write.locateFollowingBlock.retries=10"));
    cmd.add(jar.toString());
    cmd.addAll(List.of(args));
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(driverDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("SANKU_PERSON_KEY", HexFormat.of().formatHex(IngestedRegion.KEY));
    pb.environment().remove("SANKU_HOME");
    pb.environment().remove("SANKU_CONF");
    Process submit = pb.start();
    boolean ended = false;
    try {
      ended = submit.waitFor(1200, TimeUnit.SECONDS);
    } finally {
      if (!ended) { // the time is up, or the runs were stopped
        submit.toHandle().descendants().forEach(ProcessHandle::destroy);
        submit.destroyForcibly();
      }
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    // Where the cluster's time goes: the nightly's own table of stages (wall time, jobs, commits).
    out.lines().filter(l -> l.startsWith("nightly: ") && l.matches("nightly: (stage|ingest|link|quality|indicators"
        + "|upkeep|total) .*")).forEach(l -> report.add(name + " on the cluster: " + l));
    assertTrue(ended, "spark-submit still running after 1200 s:" + tail(out));
    assertEquals(exit, submit.exitValue(), tail(out));
    return out;
  }

  static String tail(String out) {
    return out.lines().skip(Math.max(0, out.lines().count() - 60)).reduce("", (a, b) -> a + "\n" + b);
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
    return values(spark, wh, -1);
  }

  /** The values of a snapshot of the warehouse's values table (-1: the current one), one line each, sorted. */
  static List<String> values(SparkSession spark, Warehouse wh, long snapshot) {
    List<String> out = new ArrayList<>();
    for (Row r : spark.sql("SELECT " + VALUES + " FROM " + wh.ind("indicator_value")
        + (snapshot < 0 ? "" : " VERSION AS OF " + snapshot)).collectAsList()) {
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
