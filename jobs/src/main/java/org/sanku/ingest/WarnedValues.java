package org.sanku.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.min;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sanku.ingest.schema.ColumnSpec;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.ingest.standardise.Reasons;

/**
 * The verbatim values behind a drop's warnings, kept in the identity zone ({@code id.warning_value}) because the
 * analytics zone never gets them (see {@link Zones}): per file, column, reason and value, how many accepted rows
 * had it and the first line, so a data team can extend its code maps (an unknown 'GXY' in followup_mode_code on
 * 312 rows) without any analyst seeing what a shifted record carried. ID problems are not repeated here: the raw
 * numbers are in the identity zone's own tables already.
 */
final class WarnedValues {

  static final String TABLE = "warning_value";

  static final StructType SCHEMA = org.sanku.storage.TableLayouts.get("ops", TABLE).schema();

  private final List<Row> rows = new ArrayList<>();

  /** Collects the warned values of one file's accepted rows (one small aggregation; values are few). */
  void add(String dropId, String file, TableSchema schema, Dataset<Row> good) {
    Set<String> identity = identityColumns(schema);
    Dataset<Row> w = good.select(col("_line"), explode(col("_warnings")).as("w"))
        .filter(col("w.reason").startsWith(Reasons.ID_PREFIX).unary_$bang()
            .and(col("w.column").isin(identity.toArray()).unary_$bang()))
        .groupBy(col("w.column"), col("w.reason"), col("w.value"))
        .agg(count("*"), min("_line"));
    List<Row> values = w.collectAsList();
    synchronized (this) {
      for (Row r : values) {
        rows.add(RowFactory.create(dropId, file, schema.table(), r.getString(0), r.getString(1), r.getString(2),
            r.getLong(3), r.getLong(4)));
      }
    }
  }

  /** {@link #add}'s values of a file, counted where its rows were computed ({@link Tally}). */
  synchronized void add(String dropId, String file, TableSchema schema, Tally tally) {
    tally.values.forEach((v, a) -> rows.add(RowFactory.create(dropId, file, schema.table(), v.get(0), v.get(1),
        v.get(2), a[0], a[1])));
  }

  static Set<String> identityColumns(TableSchema schema) {
    return schema.columns().stream().filter(ColumnSpec::isIdentity).map(ColumnSpec::name)
        .collect(Collectors.toCollection(java.util.HashSet::new));
  }

  /**
   * {@link #add}'s aggregation of one accepted row at a time, for a task that reads the rows anyway: per column,
   * reason and value of a warning, how many there are and the first line. Not an ID problem, not an identity
   * column's value, as {@link #add} filters.
   */
  static final class Tally implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Set<String> identity;
    private final java.util.Map<List<String>, long[]> values = new java.util.HashMap<>();

    Tally(Set<String> identity) {
      this.identity = identity;
    }

    /** The warnings (column, reason, value) of an accepted row at {@code line}. */
    void add(List<Row> warnings, long line) {
      for (Row w : warnings) {
        String column = w.getString(0);
        String reason = w.getString(1);
        if (column == null || reason == null || reason.startsWith(Reasons.ID_PREFIX) || identity.contains(column)) {
          continue;
        }
        long[] a = values.computeIfAbsent(java.util.Arrays.asList(column, reason, w.getString(2)),
            k -> new long[] {0, line});
        a[0]++;
        a[1] = Math.min(a[1], line);
      }
    }

    /** Adds another part's values. */
    void addAll(Tally other) {
      other.values.forEach((k, b) -> values.merge(k, b.clone(), (a, x) -> new long[] {a[0] + x[0],
          Math.min(a[1], x[1])}));
    }

    boolean isEmpty() {
      return values.isEmpty();
    }
  }

  synchronized boolean isEmpty() {
    return rows.isEmpty();
  }

  synchronized Dataset<Row> dataset(SparkSession spark) {
    return spark.createDataFrame(rows, SCHEMA).coalesce(1);
  }
}
