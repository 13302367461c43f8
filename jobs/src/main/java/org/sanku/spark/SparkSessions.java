package org.sanku.spark;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.sanku.sql.ReadOnlyExtension;
import scala.Function1;
import scala.Option;
import scala.collection.JavaConverters;
import scala.runtime.BoxedUnit;

/**
 * Builds Sanku's Spark sessions: the embedded default ({@code local[*]}, local files) or whatever master
 * {@code spark-submit} supplies, with Iceberg's SQL extensions. The warehouse's catalogs are registered by
 * {@link org.sanku.storage.Warehouse}.
 *
 * <ul>
 *   <li>{@link #create}: the pipeline's own session (ingest, link, indicators), which writes.</li>
 *   <li>{@link #forReaders}: every session that serves users, with the read-only guard
 *       ({@link ReadOnlyExtension}) built in.</li>
 * </ul>
 */
public final class SparkSessions {

  private SparkSessions() {}

  static final String ICEBERG_EXTENSIONS = IcebergSparkSessionExtensions.class.getName();

  /** Iceberg's extensions, then the guard, whose parser must wrap Iceberg's to see Iceberg's statements too. */
  static final String READER_EXTENSIONS = ICEBERG_EXTENSIONS + "," + ReadOnlyExtension.class.getName();

  /** Shuffle partitions per core of an embedded (local) run. */
  static final int LOCAL_PARTITIONS_PER_CORE = 4;

  /** Settings of every Sanku session. */
  private static Map<String, String> defaults() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.session.timeZone", "Asia/Shanghai");
    conf.put("spark.ui.showConsoleProgress", "false");
    // Local files' permissions set without starting a chmod process per file (org.sanku.storage.LocalFiles).
    if (System.getProperty("spark.hadoop.fs.file.impl") == null) {
      conf.put("spark.hadoop.fs.file.impl", org.sanku.storage.LocalFiles.class.getName());
    }
    // Every query's plan is described for Spark's listeners; the default "formatted" description walks the plan
    // once more per query (and per adaptive re-plan), a cost that grows with the plan's size.
    conf.put("spark.sql.ui.explainMode", "simple");
    // A whole-stage generated method larger than HotSpot's HugeMethodLimit (8,000 bytes of bytecode) is never
    // compiled by the JIT: it runs interpreted. A standardisation's stage is such a method (22% of the executors'
    // time in a 1,000,000-row person file's ingest ran interpreted in it, JFR). At 8,000, Spark's documented value
    // for HotSpot, such a stage runs its operators' own compiled code instead (the file's parse step 31.1 s to
    // 24.2 s). A value given to the JVM (-Dspark.sql.codegen.hugeMethodLimit, or spark-submit's --conf) wins.
    if (System.getProperty("spark.sql.codegen.hugeMethodLimit") == null) {
      conf.put("spark.sql.codegen.hugeMethodLimit", "8000");
    }
    // Adaptive execution turns a sort-merge join into a shuffled hash join when every partition of one side, as
    // shuffled, is under this size: neither side is then sorted by its (64-character) key. Linkage sorted for its
    // joins and groupings in 44% of its executor samples at 1,000,000 persons (JFR); with this, linking them all
    // again took 186.3 s instead of 202.7 s. The hash table of a partition this size fits an executor's memory.
    if (System.getProperty("spark.sql.adaptive.maxShuffledHashJoinLocalMapThreshold") == null) {
      conf.put("spark.sql.adaptive.maxShuffledHashJoinLocalMapThreshold", "256m");
    }
    return conf;
  }

  /**
   * The readers' settings: reading files by path in SQL ({@code SELECT * FROM parquet.`/some/path`}) is off, so
   * such a name is looked up as a table of the current catalog (the guard refuses it in any case).
   */
  private static Map<String, String> readerDefaults() {
    Map<String, String> conf = defaults();
    conf.put("spark.sql.runSQLOnFiles", "false");
    return conf;
  }

  /**
   * The pipeline's session. When the JVM was not started by spark-submit (no spark.master set), Sanku runs embedded
   * on the given local master.
   */
  public static SparkSession create(String appName, String masterIfUnset) {
    return builder(appName, masterIfUnset, defaults())
        .config("spark.sql.extensions", ICEBERG_EXTENSIONS).getOrCreate();
  }

  /**
   * A session for users, read-only by construction: {@link ReadOnlyExtension} is among its extensions, after
   * Iceberg's, and the method fails rather than return a session without it.
   *
   * <p>Extensions are fixed when a session is built, and a JVM's first session also fixes those of its Spark
   * context. In a JVM that has no session yet (the {@code ./sanku sql} command) the session is built normally, with
   * the guard in {@code spark.sql.extensions}, so sessions later derived from it ({@code newSession()}, which the
   * JDBC server opens per connection) carry it too. In a JVM that already has a session (the pipeline's), asking
   * the builder would hand back that session, unguarded: the readers' session is then a sibling on the same Spark
   * context and shared state (what {@code newSession()} would give), with its own extensions, and the existing
   * session is left as it was.
   */
  public static SparkSession forReaders(String appName, String masterIfUnset) {
    return forReaders(appName, masterIfUnset, List.of());
  }

  /**
   * {@link #forReaders(String, String)} with more session extensions (the JDBC server's), applied after Iceberg's
   * and before the guard, whose parser stays outermost.
   */
  public static SparkSession forReaders(String appName, String masterIfUnset,
      List<? extends Function1<SparkSessionExtensions, BoxedUnit>> more) {
    Option<SparkSession> existing = SparkSession.getActiveSession();
    if (existing.isEmpty() || existing.get().sparkContext().isStopped()) {
      existing = SparkSession.getDefaultSession();
    }
    SparkSession session;
    if (existing.isDefined() && !existing.get().sparkContext().isStopped()) {
      session = sibling(existing.get(), more);
    } else {
      SparkSession.Builder b = builder(appName, masterIfUnset, readerDefaults());
      if (more.isEmpty()) {
        b.config("spark.sql.extensions", READER_EXTENSIONS);
      } else {
        // The builder applies its own extensions before those named in spark.sql.extensions: all are given here
        // instead, in their order.
        b.withExtensions(new scala.runtime.AbstractFunction1<SparkSessionExtensions, BoxedUnit>() {
          @Override
          public BoxedUnit apply(SparkSessionExtensions e) {
            applyInOrder(e, more);
            return BoxedUnit.UNIT;
          }
        });
      }
      session = b.getOrCreate();
    }
    if (!ReadOnlyExtension.guards(session)) {
      throw new IllegalStateException("the Spark session for users lacks the read-only guard "
          + ReadOnlyExtension.class.getName() + " (spark.sql.extensions is " + session.sparkContext().getConf()
          .get("spark.sql.extensions", "unset") + ")");
    }
    return session;
  }

  /** Iceberg's extensions, then {@code more}, then the guard. */
  private static void applyInOrder(SparkSessionExtensions extensions,
      List<? extends Function1<SparkSessionExtensions, BoxedUnit>> more) {
    new IcebergSparkSessionExtensions().apply(extensions);
    more.forEach(m -> m.apply(extensions));
    new ReadOnlyExtension().apply(extensions);
  }

  private static SparkSession sibling(SparkSession existing,
      List<? extends Function1<SparkSessionExtensions, BoxedUnit>> more) {
    SparkSessionExtensions extensions = new SparkSessionExtensions();
    applyInOrder(extensions, more);
    scala.collection.immutable.Map<String, String> options =
        scala.collection.immutable.Map$.MODULE$.<String, String>empty()
            .$plus$plus(JavaConverters.mapAsScalaMap(readerDefaults()));
    return new SparkSession(existing.sparkContext(), Option.apply(existing.sharedState()), Option.empty(),
        extensions, options);
  }

  private static SparkSession.Builder builder(String appName, String masterIfUnset, Map<String, String> conf) {
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    conf.forEach(b::config);
    if (System.getProperty("spark.master") == null) {
      b = b.master(masterIfUnset).config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
      if (System.getProperty("spark.sql.shuffle.partitions") == null) {
        // Spark's default of 200 shuffle partitions is meant for clusters: on one machine every shuffle of a tiny
        // file then runs 200 tasks (adaptive execution does not coalesce the shuffles Iceberg's writes ask for),
        // seconds of fixed cost per step. A few partitions per core keep big shuffles spread and spillable.
        b = b.config("spark.sql.shuffle.partitions", String.valueOf(LOCAL_PARTITIONS_PER_CORE
            * Runtime.getRuntime().availableProcessors()));
      }
    }
    return b;
  }
}
