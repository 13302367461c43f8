package org.sanku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.storage.Warehouse;
import org.sanku.spark.TestSpark;
import org.sanku.sql.Limits;

/**
 * The limits of {@code ./sanku sql}: a statement past its timeout is cancelled, a result past the row cap is cut,
 * each with its message and exit code 1; and the command in a JVM of its own, where the users' session is the
 * JVM's first, refuses a write.
 */
class SqlLimitsTest {

  private static final String READ = "sqllim_r";

  /** About 10^12 pairs: far longer than any timeout of the tests. */
  private static final String SLOW =
      "SELECT count(*) AS n FROM range(1000000) a CROSS JOIN range(1000000) b WHERE a.id + b.id >= 0";

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static String location;

  @BeforeAll
  static void warehouse() {
    SparkSession pipeline = TestSpark.get();
    spark = TestSpark.readers();
    location = dir.resolve("wh").toUri().toString();
    new Warehouse(pipeline, location, "sqllim_a", "sqllim_i");
    pipeline.sql("CREATE NAMESPACE sqllim_a.ind");
    pipeline.sql("CREATE TABLE sqllim_a.ind.t (a INT)");
    pipeline.sql("INSERT INTO sqllim_a.ind.t VALUES (1), (2), (3)");
    org.sanku.sql.AnalyticsCatalog.register(spark, location, READ);
  }

  private record Run(int code, String out, String err) {}

  private static Run sql(String format, Limits limits, String... statements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SqlCommand.run(spark, READ, List.of(statements), format, limits,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theDefaultsAreTenMinutesAndAHundredThousandRows() {
    assertEquals(600, Limits.defaults().timeoutSeconds());
    assertEquals(100_000, Limits.defaults().maxRows());
  }

  @Test
  void aStatementPastTheTimeoutIsCancelledAndTheScriptStops() throws InterruptedException {
    long start = System.nanoTime();
    Run r = sql("csv", new Limits(2, 0), SLOW, "SELECT 'after' AS a");
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(1, r.code);
    assertEquals("sanku sql: the statement ran longer than the timeout of 2 s and was cancelled (--timeout SECONDS "
        + "changes it, 0 for none)\n", r.err);
    assertEquals("", r.out);
    assertTrue(seconds >= 2 && seconds < 60, "cancelled after " + seconds + " s");
    // The job was cancelled and its tasks interrupted, not left running: soon after, no job is active and no task
    // runs.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (busy() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertFalse(busy());
    // The thread's job group is put back, and the next statement runs in full.
    assertNull(spark.sparkContext().getLocalProperty("spark.jobGroup.id"));
    Run next = sql("csv", new Limits(120, 0), "SELECT count(*) AS n FROM ind.t");
    assertEquals(0, next.code, next.err);
    assertEquals("n\r\n3\r\n", next.out);
  }

  private static boolean busy() {
    SparkStatusTracker status = spark.sparkContext().statusTracker();
    return status.getActiveJobIds().length > 0
        || Arrays.stream(status.getExecutorInfos()).anyMatch(e -> e.numRunningTasks() > 0);
  }

  @Test
  void aResultPastTheCapIsCutWithAMessage() {
    String cut = "sanku sql: the result has more than 2 rows; only the first 2 were returned (the row cap; "
        + "--max-rows N changes it, 0 for none)\n";
    Run table = sql("table", new Limits(0, 2), "SELECT a FROM ind.t ORDER BY a", "SELECT 'after' AS b");
    assertEquals(1, table.code);
    assertEquals(" a \n---\n 1 \n 2 \n(2 rows)\n", table.out);
    assertEquals(cut, table.err);
    Run csv = sql("csv", new Limits(0, 2), "SELECT id FROM range(1000) ORDER BY id DESC");
    assertEquals(1, csv.code);
    assertEquals("id\r\n999\r\n998\r\n", csv.out);
    assertEquals(cut, csv.err);
    Run json = sql("json", new Limits(0, 2), "SELECT a FROM ind.t ORDER BY a");
    assertEquals("{\"a\":1}\n{\"a\":2}\n", json.out);
    assertEquals(cut, json.err);
    // Statements other than queries are capped too.
    Run set = sql("csv", new Limits(0, 2), "SET -v");
    assertEquals(1, set.code);
    assertEquals(3, set.out.split("\r\n").length, set.out);
    // Exactly the cap is not cut; no cap prints everything.
    Run exact = sql("csv", new Limits(0, 3), "SELECT a FROM ind.t ORDER BY a");
    assertEquals(0, exact.code, exact.err);
    assertEquals("a\r\n1\r\n2\r\n3\r\n", exact.out);
    Run none = sql("csv", new Limits(0, 0), "SELECT id FROM range(5)");
    assertEquals(0, none.code, none.err);
    assertEquals(6, none.out.split("\r\n").length);
  }

  @Test
  void badLimitsAreUsageErrors(@TempDir Path tmp) {
    String missing = tmp.resolve("no-warehouse").toString();
    for (String[] args : List.of(new String[] {"--timeout", "-1"}, new String[] {"--max-rows", "-5"},
        new String[] {"--max-rows", "many"})) {
      PrintStream old = System.err;
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
      int code;
      try {
        code = Sanku.run("sql", "--warehouse", missing, args[0], args[1], "SELECT 1");
      } finally {
        System.setErr(old);
      }
      assertEquals(2, code, String.join(" ", args));
      assertFalse(buf.toString(StandardCharsets.UTF_8).contains("no warehouse"), buf.toString());
    }
  }

  /**
   * {@code ./sanku sql} as users start it, in a JVM of its own: the users' session is built from
   * {@code spark.sql.extensions}, the guard refuses the write, and the table is unchanged.
   */
  @Test
  void theCommandInItsOwnJvmRefusesAWrite() throws IOException, InterruptedException {
    Path script = Files.writeString(dir.resolve("script.sql"),
        "SELECT count(*) AS n FROM ind.t;\nINSERT INTO ind.t VALUES (4);\nSELECT 'never' AS x;\n");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    for (String line : Files.readAllLines(Path.of("..", "conf", "jvm.options"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        cmd.add(line.trim());
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.sanku.cli.Sanku", "sql",
        "--warehouse", location, "--master", "local[1]", "--format", "csv", "--timeout", "120", "-f",
        script.toString()));
    Path out = dir.resolve("child.out");
    Path err = dir.resolve("child.err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the command ended");
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertEquals(1, p.exitValue(), stderr);
    assertEquals("n\r\n3\r\n", Files.readString(out, StandardCharsets.UTF_8));
    assertTrue(stderr.contains("sanku sql: sanku sql is read-only: INSERT statements are refused"), stderr);
    assertEquals(3, TestSpark.get().sql("SELECT count(*) FROM sqllim_a.ind.t").first().getLong(0));
  }
}
