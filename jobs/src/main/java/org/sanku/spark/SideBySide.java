package org.sanku.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Independent driver-side steps run side by side (a step on a small table is mostly Spark's planning and the
 * latency of its jobs and commits, which overlap): every step ends before {@link #run} returns, and the first
 * failure is then rethrown as it was thrown, the later ones kept as suppressed.
 */
public final class SideBySide {

  private SideBySide() {}

  /** Runs {@code steps} on at most {@code threads} daemon threads named {@code name}; one step in this thread. */
  public static void run(String name, int threads, List<Runnable> steps) {
    if (steps.size() == 1) {
      steps.get(0).run();
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, steps.size())), r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> running = new ArrayList<>();
      for (Runnable step : steps) {
        running.add(pool.submit(step));
      }
      RuntimeException failure = null;
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException re ? re
                : new IllegalStateException(e.getCause().getMessage(), e.getCause());
          } else {
            failure.addSuppressed(e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(name + ": interrupted", e);
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      // Interrupted: the steps still running are stopped and waited for, so that none of them writes anything
      // after the caller has given up.
      pool.shutdownNow();
      boolean interrupted = Thread.interrupted();
      try {
        pool.awaitTermination(1, TimeUnit.HOURS);
      } catch (InterruptedException e) {
        interrupted = true;
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
