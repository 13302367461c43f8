package org.sanku.notebooks;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * The notebooks' environment for {@link NotebooksTest}, made as the test makes it ({@link NotebookEnv#setup}, a
 * no-op when it is up to date) but from the start of the test plan, in a thread of its own, beside the other test
 * classes: on a machine where it is missing, making it (a virtual environment and pip installing from the local
 * wheel indexes) takes 20 s to a minute and a half, and none of it uses the test JVM's Spark. The test waits for it,
 * then calls the setup itself, which finds it up to date (or, when this one failed, makes it again and reports why).
 * Its log is kept and printed by the test, never written to {@code System.out} while another class reads it.
 */
public final class NotebookSetup {

  private static CompletableFuture<String> started;

  private NotebookSetup() {}

  static synchronized void start() {
    if (started != null) {
      return;
    }
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      try (PrintStream log = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
        NotebookEnv.setup(NotebooksTest.NOTEBOOKS, NotebookEnv.defaultLocation(System.getenv()),
            System.getenv().getOrDefault("SANKU_PYTHON", "python3"), log);
      } catch (Exception | Error e) {
        buffer.writeBytes(("notebooks: the setup beside the other classes failed: " + e + "\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      f.complete(buffer.toString(StandardCharsets.UTF_8));
    }, "sanku-notebook-setup");
    t.setDaemon(true);
    t.start();
    started = f;
  }

  /** Waits for the setup if it was started, and returns its log ("" when it was not). */
  static String awaitIfStarted() throws Exception {
    CompletableFuture<String> f;
    synchronized (NotebookSetup.class) {
      f = started;
    }
    return f == null ? "" : f.get();
  }

  /** Starts the setup when a test plan that includes {@link NotebooksTest} begins. */
  public static class Beside implements TestExecutionListener {

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
      if (org.sanku.spark.TestPlans.includes(plan, NotebooksTest.class.getName())) {
        start();
      }
    }
  }
}
