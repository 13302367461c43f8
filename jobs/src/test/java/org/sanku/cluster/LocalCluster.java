package org.sanku.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real cluster on this machine for the tests, every part bound to 127.0.0.1 on free ports: an HDFS
 * ({@link MiniDFSCluster}, one data node, in the test JVM) and a Spark standalone Master and one Worker, each a
 * separate JVM started from the test class path without Sanku's own classes (a cluster has Spark, Hadoop and the
 * libraries, never the application, which {@code spark-submit} ships). Closing stops every process it started (and
 * the executors the Worker started) by its id, the HDFS, and deletes the work folder.
 */
final class LocalCluster implements AutoCloseable {

  /** The flags Spark 3.5 needs on Java 17, as the test JVM got them (Surefire's argLine, conf/jvm.options). */
  static final List<String> JVM_FLAGS = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
      .stream().filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
          || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")).toList();

  /**
   * The cluster's processes run at a lower priority ({@code nice -n 10}, inherited by the executors and the
   * driver): they run beside the other test classes ({@link ClusterRuns}) and should take the cores those leave
   * idle rather than half of them. Hence also the long timeouts here, in {@link #start} and in the submissions: a
   * process that waits for a core is not a dead one.
   */
  static final List<String> NICE = Files.isExecutable(Path.of("/usr/bin/nice"))
      ? List.of("/usr/bin/nice", "-n", "10") : List.of();

  /** Spark's timeouts for the cluster's processes (heartbeats, RPC, a Worker's silence before the Master drops it). */
  static final List<String> TIMEOUTS = List.of("-Dspark.network.timeout=600s", "-Dspark.worker.timeout=600");

  final Path dir;
  final MiniDFSCluster hdfs;
  String master;
  int masterUiPort;
  Path workerDir;
  /** Spark's class path of this cluster (the test class path less Sanku's classes). */
  final String sparkClassPath;
  private final List<Process> processes = new ArrayList<>();

  LocalCluster(Path dir) throws Exception {
    this.dir = dir;
    this.sparkClassPath = sparkClassPath();
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    this.hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      hdfs.waitActive();
      startSpark();
    } catch (Exception | Error e) {
      try {
        close(); // what was started, the HDFS included
      } catch (Exception x) {
        e.addSuppressed(x);
      }
      throw e;
    }
  }

  private void startSpark() throws Exception {
    // The Worker runs executors from $SPARK_HOME/jars (empty here) and SPARK_DIST_CLASSPATH.
    Path sparkHome = Files.createDirectories(dir.resolve("spark-home"));
    Files.createDirectories(sparkHome.resolve("jars"));
    workerDir = Files.createDirectories(dir.resolve("worker"));
    int port = freePort();
    masterUiPort = freePort();
    master = "spark://127.0.0.1:" + port;
    Process m = start("master", sparkHome, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
        String.valueOf(port), "--webui-port", String.valueOf(masterUiPort));
    awaitLog(m, "master", l -> l.contains("I have been elected leader"), Duration.ofSeconds(300));
    Process w = start("worker", sparkHome, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
        "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()), "--cores", "2",
        "--memory", "2g", "--work-dir", workerDir.toString(), master);
    awaitLog(w, "worker", l -> l.contains("Successfully registered with master"), Duration.ofSeconds(300));
  }

  /** The HDFS's URI, e.g. {@code hdfs://127.0.0.1:40123}. */
  String hdfsUri() {
    return "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
  }

  /** The test class path without Sanku's classes folders: what a cluster node has. */
  static String sparkClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.endsWith("target" + File.separator + "classes")
            && !e.endsWith("target" + File.separator + "test-classes") && !e.contains("surefire"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** Starts {@code mainClass} in its own JVM on Spark's class path, output to {@code <name>.log}. */
  Process start(String name, Path sparkHome, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(NICE);
    cmd.addAll(List.of(javaBin(), "-Xmx512m", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(TIMEOUTS);
    cmd.addAll(JVM_FLAGS);
    cmd.addAll(List.of("-cp", sparkClassPath, mainClass));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_DIST_CLASSPATH", sparkClassPath);
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.remove("SANKU_HOME");
    env.remove("SANKU_CONF");
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Waits for a line of a process's log, failing with the log's end when it dies or the time is up. */
  void awaitLog(Process p, String name, Predicate<String> line, Duration limit) throws Exception {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      if (log(name).lines().anyMatch(line)) {
        return;
      }
      if (!p.isAlive()) {
        throw new AssertionError(name + " ended (exit " + p.exitValue() + "):\n" + tail(name, 40));
      }
      Thread.sleep(200);
    }
    throw new AssertionError(name + " not ready after " + limit + ":\n" + tail(name, 40));
  }

  String log(String name) throws IOException {
    Path f = dir.resolve(name + ".log");
    return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
  }

  String tail(String name, int lines) throws IOException {
    List<String> all = log(name).lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    // Executors first (children of the Worker), then the daemons, newest first; each by its own id.
    List<ProcessHandle> all = new ArrayList<>();
    for (int i = processes.size() - 1; i >= 0; i--) {
      all.addAll(processes.get(i).descendants().toList());
      all.add(processes.get(i).toHandle());
    }
    for (ProcessHandle h : all) {
      h.destroy();
    }
    Thread.interrupted(); // a stop asked by interrupting the thread that started the cluster still stops it all
    try {
      for (ProcessHandle h : all) {
        try {
          h.onExit().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          h.destroyForcibly();
        }
      }
    } finally {
      try {
        hdfs.shutdown(true);
      } finally {
        deleteTree(dir);
      }
    }
  }

  static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
