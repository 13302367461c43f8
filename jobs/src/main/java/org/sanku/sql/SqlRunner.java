package org.sanku.sql;

import java.io.PrintStream;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.connector.catalog.CatalogManager;
import org.sanku.storage.Warehouse;

/**
 * Runs the statements of {@code ./sanku sql} one at a time on a session whose current catalog is the analytics
 * zone's: each is parsed, checked read-only ({@link ReadOnly}), run and printed ({@link ResultWriter}); a refused or
 * failing statement prints {@code sanku sql: <message>} on the error stream.
 *
 * <p>While the runner is open, reading files by path in SQL ({@code SELECT * FROM parquet.`/some/path`}) is off,
 * so the only tables a statement can reach are those of the catalogs registered on the session. Closing the runner
 * puts back what the statements may change on the session: the current catalog and namespace ({@code USE}), the
 * time zone ({@code SET TIME ZONE}), and that setting.
 */
public final class SqlRunner implements AutoCloseable {

  static final String RUN_SQL_ON_FILES = "spark.sql.runSQLOnFiles";
  static final String TIME_ZONE = "spark.sql.session.timeZone";

  private static final Pattern IDENTITY_ZONE =
      Pattern.compile("(?i)(?<![A-Za-z0-9_])" + Pattern.quote(Warehouse.DEFAULT_IDENTITY) + "(?![A-Za-z0-9_])");

  private final SparkSession spark;
  private final ResultWriter writer;
  private final PrintStream out;
  private final PrintStream err;
  private final String previousCatalog;
  private final String[] previousNamespace;
  private final String previousRunSqlOnFiles;
  private final String previousTimeZone;

  /** Makes {@code analyticsCatalog} (already registered on the session) the current catalog. */
  public SqlRunner(SparkSession spark, String analyticsCatalog, ResultWriter.Format format, PrintStream out,
      PrintStream err) {
    this.spark = spark;
    this.writer = new ResultWriter(format, out);
    this.out = out;
    this.err = err;
    CatalogManager catalogs = spark.sessionState().catalogManager();
    this.previousCatalog = catalogs.currentCatalog().name();
    this.previousNamespace = catalogs.currentNamespace();
    this.previousRunSqlOnFiles = setting(spark, RUN_SQL_ON_FILES);
    this.previousTimeZone = setting(spark, TIME_ZONE);
    catalogs.setCurrentCatalog(analyticsCatalog);
    spark.conf().set(RUN_SQL_ON_FILES, "false");
  }

  /** Runs one statement and prints its result; false (after printing why) when it was refused or failed. */
  public boolean execute(String statement) {
    try {
      LogicalPlan plan = spark.sessionState().sqlParser().parsePlan(statement);
      String refusal = ReadOnly.refusal(plan, statement);
      if (refusal != null) {
        err.println("sanku sql: " + refusal);
        return false;
      }
      Dataset<Row> result = spark.sql(statement);
      writer.write(result, DateTimeUtils.getZoneId(spark.conf().get(TIME_ZONE)));
      return true;
    } catch (Exception e) {
      out.flush();
      err.println("sanku sql: " + message(e, statement));
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

  /** Puts back the session's current catalog and namespace, time zone and reading of files by path. */
  @Override
  public void close() {
    out.flush();
    CatalogManager catalogs = spark.sessionState().catalogManager();
    try {
      catalogs.setCurrentCatalog(previousCatalog);
      catalogs.setCurrentNamespace(previousNamespace);
    } finally {
      restore(spark, RUN_SQL_ON_FILES, previousRunSqlOnFiles);
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
