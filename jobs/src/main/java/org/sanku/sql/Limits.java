package org.sanku.sql;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The limits of a users' statement: how long it may run and how many rows of its result are returned. A query has
 * no bound of its own (a cross join runs until killed, a {@code SELECT *} of a big table would print millions of
 * lines), so every statement of {@code ./sanku sql} runs under these, and the JDBC server is meant to reuse them.
 * Zero means no limit.
 *
 * <ul>
 *   <li>The timeout cancels the statement's Spark job group ({@link #watch}): the jobs fail, their tasks are
 *       interrupted, and the statement ends with an error. Time the driver spends outside jobs (parsing, planning)
 *       counts towards the timeout but is not interrupted; the next job it starts is cancelled.</li>
 *   <li>The row cap is Spark's own {@code LIMIT} ({@link #capped}) of one row more than the cap, so Spark stops
 *       reading early and the caller can tell a result that was cut from one of exactly the cap.</li>
 * </ul>
 */
public final class Limits {

  public static final long DEFAULT_TIMEOUT_SECONDS = 600;
  public static final long DEFAULT_MAX_ROWS = 100_000;

  /** How often cancelling is repeated after the deadline, for the jobs a statement starts after the first cancel. */
  private static final long RECANCEL_MILLIS = 250;

  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "sanku-sql-timeout");
    t.setDaemon(true);
    return t;
  });

  private final long timeoutSeconds;
  private final long maxRows;

  /**
   * @param timeoutSeconds how long a statement may run, 0 for no limit
   * @param maxRows how many rows of a result are returned, 0 for no limit
   */
  public Limits(long timeoutSeconds, long maxRows) {
    if (timeoutSeconds < 0) {
      throw new IllegalArgumentException("the timeout must be 0 (none) or a number of seconds, not " + timeoutSeconds);
    }
    if (maxRows < 0 || maxRows >= Integer.MAX_VALUE) {
      throw new IllegalArgumentException("the row cap must be 0 (none) or a number of rows below "
          + Integer.MAX_VALUE + ", not " + maxRows);
    }
    this.timeoutSeconds = timeoutSeconds;
    this.maxRows = maxRows;
  }

  /** 600 seconds, 100,000 rows. */
  public static Limits defaults() {
    return new Limits(DEFAULT_TIMEOUT_SECONDS, DEFAULT_MAX_ROWS);
  }

  public long timeoutSeconds() {
    return timeoutSeconds;
  }

  public long maxRows() {
    return maxRows;
  }

  /** The result limited to one row more than the cap (unchanged without a cap). */
  public Dataset<Row> capped(Dataset<Row> result) {
    return maxRows == 0 ? result : result.limit((int) maxRows + 1);
  }

  /** Whether a result of {@code rows} rows goes past the cap. */
  public boolean beyondCap(long rows) {
    return maxRows > 0 && rows > maxRows;
  }

  /** The message for a cut result; {@code howToChange} names the setting, e.g. {@code --max-rows N}. */
  public String capMessage(String howToChange) {
    return "the result has more than " + maxRows + " rows; only the first " + maxRows + " were returned (the row "
        + "cap; " + howToChange + " changes it, 0 for none)";
  }

  /** The message for a statement cancelled at the timeout; {@code howToChange} names the setting. */
  public String timeoutMessage(String howToChange) {
    return "the statement ran longer than the timeout of " + timeoutSeconds + " s and was cancelled ("
        + howToChange + " changes it, 0 for none)";
  }

  /**
   * Starts the clock for a statement about to run on this thread: its Spark jobs are put in {@code jobGroup}
   * (interrupting their tasks on cancel), which is cancelled at the timeout and every quarter second after it until
   * the watch is closed. Closing puts back the thread's previous job group.
   */
  public Watch watch(SparkContext sc, String jobGroup) {
    return new Watch(sc, jobGroup, timeoutSeconds);
  }

  /** The clock of one statement. */
  public static final class Watch implements AutoCloseable {

    private static final String GROUP = "spark.jobGroup.id";
    private static final String DESCRIPTION = "spark.job.description";
    private static final String INTERRUPT = "spark.job.interruptOnCancel";

    private final SparkContext sc;
    private final String previousGroup;
    private final String previousDescription;
    private final String previousInterrupt;
    private final AtomicBoolean timedOut = new AtomicBoolean();
    private final ScheduledFuture<?> cancelling;

    private Watch(SparkContext sc, String jobGroup, long timeoutSeconds) {
      this.sc = sc;
      this.previousGroup = sc.getLocalProperty(GROUP);
      this.previousDescription = sc.getLocalProperty(DESCRIPTION);
      this.previousInterrupt = sc.getLocalProperty(INTERRUPT);
      sc.setJobGroup(jobGroup, "sanku sql statement", true);
      this.cancelling = timeoutSeconds == 0 ? null : TIMER.scheduleWithFixedDelay(() -> {
        timedOut.set(true);
        sc.cancelJobGroup(jobGroup);
      }, TimeUnit.SECONDS.toMillis(timeoutSeconds), RECANCEL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Whether the timeout was reached (the statement's jobs were cancelled). */
    public boolean timedOut() {
      return timedOut.get();
    }

    @Override
    public void close() {
      if (cancelling != null) {
        cancelling.cancel(false);
      }
      sc.setLocalProperty(GROUP, previousGroup);
      sc.setLocalProperty(DESCRIPTION, previousDescription);
      sc.setLocalProperty(INTERRUPT, previousInterrupt);
    }
  }
}
