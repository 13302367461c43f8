package org.sanku.sql;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.connector.catalog.CatalogManager;
import org.sanku.storage.Warehouse;
import scala.Option;

/**
 * Runs the statements of {@code ./sanku sql} one at a time on a users' session, whose current catalog is made the
 * analytics zone's: each is run and printed ({@link ResultWriter}) under the statement {@link Limits}; a refused or
 * failing statement prints {@code sanku sql: <message>} on the error stream.
 *
 * <p>What may run is decided by the session itself ({@link ReadOnlyExtension}, which the runner insists on), not
 * here. What the runner adds is what a guard cannot do, because it concerns the running of a statement rather than
 * its plan: the timeout and the row cap with messages that name the option to change them, the hint that the
 * identity zone is not reachable, and putting back on close what the statements may change on the session, the
 * current catalog and namespace ({@code USE}) and the time zone ({@code SET TIME ZONE}).
 */
public final class SqlRunner implements AutoCloseable {

  static final String TIME_ZONE = "spark.sql.session.timeZone";

  private static final Pattern IDENTITY_ZONE =
      Pattern.compile("(?i)(?<![A-Za-z0-9_])" + Pattern.quote(Warehouse.DEFAULT_IDENTITY) + "(?![A-Za-z0-9_])");

  private static final AtomicLong STATEMENTS = new AtomicLong();

  private final SparkSession spark;
  private final ResultWriter writer;
  private final Limits limits;
  private final PrintStream out;
  private final PrintStream err;
  private final String previousCatalog;
  private final String[] previousNamespace;
  private final String previousTimeZone;

  /** A runner under the default {@link Limits}. */
  public SqlRunner(SparkSession spark, String analyticsCatalog, ResultWriter.Format format, PrintStream out,
      PrintStream err) {
    this(spark, analyticsCatalog, format, Limits.defaults(), out, err);
  }

  /**
   * Makes {@code analyticsCatalog} (already registered on the session) the current catalog.
   *
   * @throws IllegalArgumentException when the session does not carry the read-only guard
   *     ({@code SparkSessions.forReaders} builds one that does)
   */
  public SqlRunner(SparkSession spark, String analyticsCatalog, ResultWriter.Format format, Limits limits,
      PrintStream out, PrintStream err) {
    if (!ReadOnlyExtension.guards(spark)) {
      throw new IllegalArgumentException("sanku sql runs only on a session with the read-only guard "
          + "(SparkSessions.forReaders)");
    }
    this.spark = spark;
    this.writer = new ResultWriter(format, out);
    this.limits = limits;
    this.out = out;
    this.err = err;
    CatalogManager catalogs = spark.sessionState().catalogManager();
    this.previousCatalog = catalogs.currentCatalog().name();
    this.previousNamespace = catalogs.currentNamespace();
    this.previousTimeZone = setting(spark, TIME_ZONE);
    onSession(spark, () -> catalogs.setCurrentCatalog(analyticsCatalog));
  }

  /**
   * Runs {@code r} with {@code spark} as the thread's active session. The catalog manager loads a catalog it has
   * not loaded yet with the settings of the active session, which is another one when the users' session is a
   * sibling of the pipeline's ({@code SparkSessions.forReaders}); {@code spark.sql} makes its own
   * session active by itself.
   */
  private static void onSession(SparkSession spark, Runnable r) {
    Option<SparkSession> active = SparkSession.getActiveSession();
    SparkSession.setActiveSession(spark);
    try {
      r.run();
    } finally {
      if (active.isDefined()) {
        SparkSession.setActiveSession(active.get());
      } else {
        SparkSession.clearActiveSession();
      }
    }
  }

  /**
   * Runs one statement and prints its result; false (after printing why) when it was refused or failed, ran past
   * the timeout, or had more rows than the cap (the rows up to the cap are printed).
   */
  public boolean execute(String statement) {
    Limits.Watch watch = limits.watch(spark.sparkContext(), "sanku-sql-" + STATEMENTS.incrementAndGet());
    try (watch) {
      Dataset<Row> result = spark.sql(statement);
      boolean cut = writer.write(limits.capped(result), DateTimeUtils.getZoneId(spark.conf().get(TIME_ZONE)),
          limits.maxRows());
      if (cut) {
        out.flush();
        err.println("sanku sql: " + limits.capMessage("--max-rows N"));
        return false;
      }
      return true;
    } catch (Exception e) {
      out.flush();
      err.println("sanku sql: " + (watch.timedOut() ? limits.timeoutMessage("--timeout SECONDS")
          : message(e, statement)));
      return false;
    }
  }

  /** The message of a failure: Spark's own without the plan dump, with a hint when the identity zone was named. */
  static String message(Throwable e, String statement) {
    String m = null;
    for (Throwable t = e; t != null && m == null; t = t.getCause()) {
      if (t instanceof AnalysisException a) {
        m = a.getSimpleMessage();
      } else if (t instanceof SparkThrowable && t.getCause() == null) {
        m = t.getMessage();
      }
    }
    if (m == null) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      m = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
    m = m.strip();
    if (IDENTITY_ZONE.matcher(statement).find()) {
      m += "\n(" + Warehouse.DEFAULT_IDENTITY.toLowerCase(Locale.ROOT) + ", the identity zone, is not available here: "
          + "sanku sql sees the analytics zone only)";
    }
    return m;
  }

  /** Puts back the session's current catalog and namespace and its time zone. */
  @Override
  public void close() {
    out.flush();
    CatalogManager catalogs = spark.sessionState().catalogManager();
    try {
      onSession(spark, () -> {
        catalogs.setCurrentCatalog(previousCatalog);
        // Setting the catalog gave its default namespace; setting that again would check that it exists, which
        // an Iceberg hadoop catalog cannot do for its root.
        if (!Arrays.equals(catalogs.currentNamespace(), previousNamespace)) {
          catalogs.setCurrentNamespace(previousNamespace);
        }
      });
    } finally {
      restore(spark, TIME_ZONE, previousTimeZone);
    }
  }

  private static String setting(SparkSession spark, String key) {
    return spark.conf().contains(key) ? spark.conf().get(key) : null;
  }

  private static void restore(SparkSession spark, String key, String value) {
    if (value == null) {
      spark.conf().unset(key);
    } else {
      spark.conf().set(key, value);
    }
  }
}
