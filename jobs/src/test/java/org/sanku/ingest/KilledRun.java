package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * The first half of {@link IngestRecoveryTest}'s run killed half-way: a child JVM ingests the shared region's
 * landing ({@link IngestedRegion#landing()}) into a warehouse of its own and is killed with SIGKILL at its crash
 * point, inside the first ehr drop, after its exams were staged and before anything of it was published. What the
 * child left is all the test reads afterwards, so the child runs in a thread of its own from the start of the test
 * plan (the listener below), beside the other test classes, at a lower priority ({@code nice -n 10}): it takes the
 * cores those leave idle. Nothing here starts a Spark job in the test JVM or writes to {@code System.out}.
 */
public final class KilledRun {

  /** The killed child's warehouse (a location URI) and its output up to the crash point. */
  record Result(String location, String output) {}

  private static CompletableFuture<Result> started;
  private static volatile Process child;

  private KilledRun() {}

  /** The killed run, started now unless it was already. */
  static synchronized CompletableFuture<Result> start() {
    if (started == null) {
      CompletableFuture<Result> f = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          f.complete(run());
        } catch (Throwable e) {
          f.completeExceptionally(e);
        }
      }, "sanku-killed-run");
      t.setDaemon(true);
      t.start();
      started = f;
    }
    return started;
  }

  /** Waits for the killed run. */
  static Result result() throws Exception {
    try {
      return start().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw new AssertionError("the killed run failed", e.getCause());
    }
  }

  private static Result run() throws Exception {
    Path landing = IngestedRegion.landing();
    Path dir = Files.createTempDirectory("sanku-killed");
    String location = dir.toUri().toString();
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/nice"))) {
      cmd.addAll(List.of("/usr/bin/nice", "-n", "10"));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx2g");
    // The JIT's first tier only: the child runs a few small drops and is killed (116 s against 129 s for this test
    // alone, the clean warehouse built in the same run).
    cmd.add("-XX:TieredStopAtLevel=1");
    for (String line : Files.readAllLines(IngestedRegion.CONF.resolve("jvm.options"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        cmd.add(line.trim());
      }
    }
    // Stop inside the first ehr drop, after its exams were staged but before anything of it was published.
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), StoppingIngest.class.getName(),
        landing.toString(), location, "after-table:ehr_physical_exam"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SANKU_PERSON_KEY", HexFormat.of().formatHex(IngestedRegion.KEY));
    pb.environment().put("SANKU_CONF", IngestedRegion.CONF.toAbsolutePath().toString());
    Process p = pb.start();
    child = p;
    boolean reached = false;
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (line.startsWith("crash point reached")) {
          reached = true;
          break;
        }
      }
      assertTrue(reached, "the child run reached the crash point:\n" + out);
    } finally {
      p.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return new Result(location, out.toString());
  }

  /** Starts the killed run when a test plan that includes {@link IngestRecoveryTest} begins; kills it at the end. */
  public static class Beside implements TestExecutionListener {

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
      if (org.sanku.spark.TestPlans.includes(plan, IngestRecoveryTest.class.getName())) {
        start();
      }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
      Process p = child;
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }
}
