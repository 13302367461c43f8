package org.sanku.spark;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * A result computed once and read by several plans after it. The rows are kept in Spark's own binary form (no
 * conversion to Java objects and back), behind a plan of one operator: every plan built on it is analysed and
 * optimised in milliseconds, however long the plan that produced the rows (a standardisation has hundreds of
 * expressions, linkage dozens of joins). Unlike a local checkpoint the lineage stays, so rows lost with an
 * executor on a cluster are computed again.
 */
public final class Kept {

  private Kept() {}

  /** Keeps {@code df}'s rows (memory, spilling to disk); computed by the first action on the result. */
  public static Dataset<Row> keep(Dataset<Row> df) {
    SparkSession spark = df.sparkSession();
    // The rows a plan's iterator returns are reused buffers: copied before they are stored.
    RDD<InternalRow> rows = df.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy).rdd()
        .persist(StorageLevel.MEMORY_AND_DISK());
    return spark.internalCreateDataFrame(rows, df.schema(), false);
  }

  /** {@link #keep}, computed now. */
  public static Dataset<Row> keepNow(Dataset<Row> df) {
    Dataset<Row> kept = keep(df);
    kept.queryExecution().toRdd().count();
    return kept;
  }

  /**
   * {@link #keepNow} for a plan of many aliased expressions over one input (a standardisation), optimised without
   * Catalyst's filter inference from constraints. That rule builds the set of every constraint the plan's aliases
   * imply, which grows with the product of expressions and their aliases: for the health-record person file it took
   * 10 to 21 seconds of each drop's ingest at any size (RuleExecutor's metrics), for nothing it could use, since a
   * projection over one file with a lookup of a small reference table has no join a null filter could prune. Only
   * this plan goes without it: the rows are kept behind a plan of one operator, so the plans built on them are
   * optimised as usual.
   */
  public static Dataset<Row> keepWideNow(Dataset<Row> df) {
    Dataset<Row> kept = keepWide(df);
    kept.queryExecution().toRdd().count();
    return kept;
  }

  /**
   * {@link #keepWideNow}, computed by the first action on the result (the plan is optimised now): a caller whose
   * first action reads every row anyway (a small file's counts) saves the job that only computes the rows. Adaptive
   * execution still runs a plan's shuffles and broadcasts now (a file's lookups of its parent's keys), as it plans
   * the rest on their results.
   */
  public static Dataset<Row> keepWide(Dataset<Row> df) {
    // The rule is left out in the session's configuration, which plans of other threads read too: while this plan is
    // optimised, theirs go without it as well (the same rows; see withoutFilterInference).
    return withoutFilterInference(df.sparkSession(), () -> keep(df));
  }

  private static final String EXCLUDED = "spark.sql.optimizer.excludedRules";
  private static final String INFERENCE = "org.apache.spark.sql.catalyst.optimizer.InferFiltersFromConstraints";

  private static boolean inferenceOff(SparkSession spark) {
    org.apache.spark.sql.RuntimeConfig conf = spark.conf();
    return conf.contains(EXCLUDED) && java.util.Arrays.asList(conf.get(EXCLUDED).split(",")).contains(INFERENCE);
  }

  /**
   * Runs {@code work} with Catalyst's filter inference from constraints left out of every plan the session optimises
   * meanwhile, in any thread, its other plans too (the rule only adds filters that give the same rows): for work
   * that keeps several wide plans side by side ({@link #keepWide}), whose configuration change would otherwise be
   * made and undone by each of them in turn. Callers in several threads may overlap: the rule stays off until the
   * last of them has ended.
   */
  public static <T> T withoutFilterInference(SparkSession spark, java.util.function.Supplier<T> work) {
    // Counted per session: the first caller switches the rule off, the last one gives the session its setting back,
    // whichever threads they run in (the drops of sources ingested side by side each run levels of files).
    synchronized (Kept.class) {
      InferenceOff off = INFERENCE_OFF.get(spark);
      if (off == null) {
        org.apache.spark.sql.RuntimeConfig conf = spark.conf();
        String before = conf.contains(EXCLUDED) ? conf.get(EXCLUDED) : null;
        boolean switched = !inferenceOff(spark);
        if (switched) {
          conf.set(EXCLUDED, before == null || before.isBlank() ? INFERENCE : before + "," + INFERENCE);
        }
        off = new InferenceOff(before, switched);
        INFERENCE_OFF.put(spark, off);
      }
      off.callers++;
    }
    try {
      return work.get();
    } finally {
      synchronized (Kept.class) {
        InferenceOff off = INFERENCE_OFF.get(spark);
        if (--off.callers == 0) {
          INFERENCE_OFF.remove(spark);
          if (off.switched) {
            if (off.before == null) {
              spark.conf().unset(EXCLUDED);
            } else {
              spark.conf().set(EXCLUDED, off.before);
            }
          }
        }
      }
    }
  }

  /** A session's rule switched off: its callers inside, its setting before, and whether it was switched here. */
  private static final class InferenceOff {
    private final String before;
    private final boolean switched;
    private int callers;

    InferenceOff(String before, boolean switched) {
      this.before = before;
      this.switched = switched;
    }
  }

  private static final java.util.Map<SparkSession, InferenceOff> INFERENCE_OFF = new java.util.IdentityHashMap<>();

  /**
   * Frees the rows of a result made by {@link #keep}, waiting until they are gone (milliseconds on one machine): a
   * removal still under way when the command stops Spark ends in a stack trace in its log.
   */
  public static void release(Dataset<Row> kept) {
    if (kept.queryExecution().logical() instanceof LogicalRDD l) {
      l.rdd().unpersist(true);
    }
  }
}
