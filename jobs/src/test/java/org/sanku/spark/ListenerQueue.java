package org.sanku.spark;

import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.SparkSession;

/**
 * Spark hands its listeners the events of jobs and queries from a queue. A test that starts listening after earlier
 * work drains it first, or an earlier query's event still queued reaches the new listener as if it were its own.
 */
public final class ListenerQueue {

  private ListenerQueue() {}

  /** Returns once every event queued so far has been delivered (at most 60 s). */
  public static void drain(SparkSession spark) {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Spark's listener queue did not drain in 60 s", e);
    }
  }
}
