package org.sanku.spark;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.events.CreateSnapshotEvent;
import org.apache.iceberg.events.Listeners;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/**
 * Counts the Spark jobs and the Iceberg snapshots (data commits) a JVM runs, so that a stage or a file step can say
 * what it cost besides its time: a step on a tiny file should cost milliseconds, and its jobs and commits are where
 * a fixed cost hides. Branch operations (staging, publishing) are commits too but create no snapshot.
 */
public final class WorkCounter {

  /** Jobs and snapshots so far, or between two readings. */
  public record Counts(long jobs, long snapshots) {
    public Counts since(Counts before) {
      return new Counts(jobs - before.jobs, snapshots - before.snapshots);
    }
  }

  private static final AtomicLong JOBS = new AtomicLong();
  private static final AtomicLong SNAPSHOTS = new AtomicLong();
  /** The local property naming the {@link Scope} a job was started in (Spark gives it to every job of a query). */
  private static final String SCOPE = "sanku.workScope";
  private static final java.util.Map<String, AtomicLong> SCOPE_JOBS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final AtomicLong SCOPES = new AtomicLong();
  /** The scope each scope started inside, while that one is open. */
  private static final java.util.Map<String, String> SCOPE_PARENT = new java.util.concurrent.ConcurrentHashMap<>();
  /**
   * Snapshots committed by each thread (Iceberg tells its listeners in the committing thread). A thread started by
   * another counts into the same counter, so a scope's threads count into the scope ({@link Scope} gives its thread
   * a counter of its own).
   */
  private static final InheritableThreadLocal<AtomicLong> THREAD_SNAPSHOTS = new InheritableThreadLocal<>() {
    @Override
    protected AtomicLong initialValue() {
      return new AtomicLong();
    }
  };
  private static final Set<SparkContext> COUNTED = Collections.newSetFromMap(new WeakHashMap<>());
  private static boolean icebergCounted;

  private WorkCounter() {}

  /** Counts the jobs of the session's Spark context and the JVM's Iceberg snapshots (once each). */
  public static synchronized void install(SparkSession spark) {
    SparkContext sc = spark.sparkContext();
    if (COUNTED.add(sc)) {
      sc.addSparkListener(new SparkListener() {
        @Override
        public void onJobStart(SparkListenerJobStart jobStart) {
          JOBS.incrementAndGet();
          String scope = jobStart.properties() == null ? null : jobStart.properties().getProperty(SCOPE);
          AtomicLong jobs = scope == null ? null : SCOPE_JOBS.get(scope);
          // A job heard of after its scope closed counts in the nearest enclosing scope still open (a file's last
          // job in its drop's), or in none.
          while (jobs == null && scope != null) {
            scope = SCOPE_PARENT.get(scope);
            jobs = scope == null ? null : SCOPE_JOBS.get(scope);
          }
          if (jobs != null) {
            jobs.incrementAndGet();
          }
        }
      });
    }
    if (!icebergCounted) {
      Listeners.register(e -> {
        SNAPSHOTS.incrementAndGet();
        THREAD_SNAPSHOTS.get().incrementAndGet();
      }, CreateSnapshotEvent.class);
      icebergCounted = true;
    }
  }

  public static Counts now() {
    return new Counts(JOBS.get(), SNAPSHOTS.get());
  }

  /**
   * Starts counting the work of the calling thread alone: the jobs its queries start (and the jobs Spark starts for
   * them in other threads) and the snapshots it commits, with those of the threads it starts meanwhile (a file's two
   * zones written side by side), while other threads run work of their own side by side.
   */
  public static Scope scope(SparkSession spark) {
    return new Scope(spark.sparkContext());
  }

  /** The work of one thread since {@link #scope}; {@link #close} ends it. */
  public static final class Scope implements AutoCloseable {
    private final SparkContext sc;
    private final String id = "scope-" + SCOPES.incrementAndGet();
    private final String before;
    /** The thread's counter before the scope, and the scope's own (its thread's and those it starts). */
    private final AtomicLong outer = THREAD_SNAPSHOTS.get();
    private final AtomicLong snapshots = new AtomicLong();
    private Counts counts;

    Scope(SparkContext sc) {
      this.sc = sc;
      this.before = sc.getLocalProperty(SCOPE);
      SCOPE_JOBS.put(id, new AtomicLong());
      if (before != null) {
        SCOPE_PARENT.put(id, before);
      }
      sc.setLocalProperty(SCOPE, id);
      THREAD_SNAPSHOTS.set(snapshots);
    }

    /** The jobs and snapshots so far (the jobs as far as Spark's listeners have heard of them). */
    public Counts counts() {
      if (counts != null) {
        return counts;
      }
      AtomicLong jobs = SCOPE_JOBS.get(id);
      return new Counts(jobs == null ? 0 : jobs.get(), snapshots.get());
    }

    /** Ends the scope (the thread's jobs count where they did before it); its counts stay readable. */
    @Override
    public void close() {
      if (counts == null) {
        counts = counts();
        SCOPE_JOBS.remove(id);
        // The scopes started inside this one no longer have it to count their late jobs into.
        SCOPE_PARENT.values().removeIf(id::equals);
        // A scope inside another (a file's inside its drop's) counts into it too, as its snapshots do below.
        AtomicLong enclosing = before == null ? null : SCOPE_JOBS.get(before);
        if (enclosing != null) {
          enclosing.addAndGet(counts.jobs());
        }
        sc.setLocalProperty(SCOPE, before);
        THREAD_SNAPSHOTS.set(outer);
        outer.addAndGet(counts.snapshots());
      }
    }
  }
}
