package org.sanku.spark;

import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Compiled or interpreted execution, chosen per step by the rows it handles.
 *
 * <p>Spark compiles every query's operators and expressions into Java classes (whole-stage code generation) and
 * the JVM then compiles those again. That pays off over many rows; over a few thousand it costs more than it
 * saves, and every file of a drop is a new query with hundreds of expressions (its standardisation) that runs
 * once. A step over few rows therefore runs interpreted: Spark evaluates the same plans without generating code.
 * Both give the same rows (Spark runs its own tests both ways); only the time differs.
 *
 * <p>Measured on the quiet 2-core machine (2026-12-06): a 400-person, two-night nightly 62.9 s interpreted against
 * 73.9 s compiled; the 20,000-person demo region's nightly 112.7 s against 118.9 s (ingest 67.0 s against 75.2 s,
 * linkage 19.2 s against 17.4 s); a 100,000-person region's ingest 108.7 s against 124.3 s (its 800,000-row
 * hospital drop 29.5 s against 28.6 s; linkage 41.7 s against 37.0 s, checks 15.8 s against 10.6 s, indicators
 * 17.4 s against 13.4 s); the 1,000,000-person night of deltas' ingest 70.2 s against 68.6 s (its hospital drop,
 * 5,000 visits into a table of 3.2 million, 21.1 s against 17.8 s). Hence two limits: a drop runs interpreted when
 * its rows and those of the tables it writes are under {@link #DROP_ROWS}; linkage, checks and indicators when the
 * warehouse's tables hold fewer than {@link #WAREHOUSE_ROWS} rows.
 *
 * <p>{@code spark.sanku.execution} ({@code compiled}, {@code interpreted}, or {@code auto}, the default) fixes the
 * mode for every step: {@code -Dspark.sanku.execution=compiled} in {@code SANKU_JAVA_OPTS}, or
 * {@code spark-submit --conf}. So does a code-generation setting given when Spark starts
 * ({@code spark.sql.codegen.wholeStage} or {@code spark.sql.codegen.factoryMode}): Sanku then leaves both alone.
 */
public final class Execution {

  /** A drop runs interpreted when its rows plus those of the tables it writes are fewer. */
  public static final long DROP_ROWS = 1_000_000L;

  /** Linkage, checks and indicators run interpreted when the warehouse's source tables hold fewer rows. */
  public static final long WAREHOUSE_ROWS = 100_000L;

  /** The session setting that fixes the mode: {@code compiled}, {@code interpreted} or {@code auto}. */
  public static final String SETTING = "spark.sanku.execution";

  static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
  static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";

  private Execution() {}

  /** Whether {@code rows} against {@code limit} make a step run interpreted. */
  public static boolean interpreted(long rows, long limit) {
    return rows < limit;
  }

  /** Whether the session evaluates interpreted right now (for the logs and tests). */
  public static boolean isInterpreted(SparkSession spark) {
    return "NO_CODEGEN".equalsIgnoreCase(spark.conf().get(FACTORY_MODE, "FALLBACK"));
  }

  /** Whether Spark's own code-generation settings were given when it started: then no step changes them. */
  public static boolean fixed(SparkSession spark) {
    return spark.sparkContext().getConf().contains(WHOLE_STAGE) || spark.sparkContext().getConf()
        .contains(FACTORY_MODE);
  }

  /** {@link #SETTING}'s value, checked: {@code auto} when unset. */
  static String setting(SparkSession spark) {
    String v = current(spark, SETTING);
    String mode = v == null ? "auto" : v.trim().toLowerCase(java.util.Locale.ROOT);
    if (!mode.equals("auto") && !mode.equals("compiled") && !mode.equals("interpreted")) {
      throw new IllegalArgumentException(SETTING + " is '" + v + "': expected compiled, interpreted or auto");
    }
    return mode;
  }

  /** Whether a step over {@code rows} runs interpreted in this session ({@link #SETTING} first, then the limit). */
  public static boolean interpreted(SparkSession spark, long rows, long limit) {
    return switch (setting(spark)) {
      case "compiled" -> false;
      case "interpreted" -> true;
      default -> interpreted(rows, limit);
    };
  }

  /**
   * Runs {@code work} interpreted when {@code rows} is under {@code limit}, compiled otherwise, then gives the
   * session back its settings. Not for steps that run beside others on the same session: the setting is the
   * session's.
   */
  public static <T> T sized(SparkSession spark, long rows, long limit, Supplier<T> work) {
    if (fixed(spark)) {
      return work.get();
    }
    String wholeStage = current(spark, WHOLE_STAGE);
    String factory = current(spark, FACTORY_MODE);
    boolean interpreted = interpreted(spark, rows, limit);
    spark.conf().set(WHOLE_STAGE, Boolean.toString(!interpreted));
    spark.conf().set(FACTORY_MODE, interpreted ? "NO_CODEGEN" : "FALLBACK");
    try {
      return work.get();
    } finally {
      restore(spark, WHOLE_STAGE, wholeStage);
      restore(spark, FACTORY_MODE, factory);
    }
  }

  private static String current(SparkSession spark, String key) {
    scala.Option<String> v = spark.conf().getOption(key);
    return v.isDefined() ? v.get() : null;
  }

  private static void restore(SparkSession spark, String key, String value) {
    if (value == null) {
      spark.conf().unset(key);
    } else {
      spark.conf().set(key, value);
    }
  }

  /** The word the logs use for the mode. */
  public static String mode(SparkSession spark) {
    return isInterpreted(spark) ? "interpreted" : "compiled";
  }
}
