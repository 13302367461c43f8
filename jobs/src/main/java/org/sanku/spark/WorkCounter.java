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
        }
      });
    }
    if (!icebergCounted) {
      Listeners.register(e -> SNAPSHOTS.incrementAndGet(), CreateSnapshotEvent.class);
      icebergCounted = true;
    }
  }

  public static Counts now() {
    return new Counts(JOBS.get(), SNAPSHOTS.get());
  }
}
