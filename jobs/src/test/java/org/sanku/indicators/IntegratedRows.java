package org.sanku.indicators;

import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.sanku.link.IntegratedTables;
import org.sanku.spark.TestSpark;

/** Hand-built rows of the integrated tables (schemas/integrated) for the indicator rules' tests. */
final class IntegratedRows {

  private IntegratedRows() {}

  /**
   * Adds a row to {@code table}'s rows: column name, value, … (a date column takes its ISO text); every other
   * column is null. An unknown column is refused.
   */
  static void add(Map<String, List<Row>> rows, String table, Object... kv) {
    IntegratedTables.Spec s = IntegratedTables.get(table);
    Object[] values = new Object[s.columns().size()];
    for (int i = 0; i < kv.length; i += 2) {
      int at = s.names().indexOf((String) kv[i]);
      if (at < 0) {
        throw new IllegalArgumentException(table + " has no column " + kv[i]);
      }
      Object v = kv[i + 1];
      if (v instanceof String str && s.columns().get(at).type().equals("date")) {
        v = Date.valueOf(str);
      }
      values[at] = v;
    }
    rows.computeIfAbsent(table, k -> new ArrayList<>()).add(RowFactory.create(values));
  }

  /** The rows of one integrated table (none: an empty table) with its schema. */
  static Dataset<Row> frame(Map<String, List<Row>> rows, IntegratedTables.Spec s) {
    StructType schema = new StructType();
    for (IntegratedTables.Col c : s.columns()) {
      schema = schema.add(c.name(), c.sparkType());
    }
    return TestSpark.get().createDataFrame(rows.getOrDefault(s.table(), List.of()), schema);
  }

  /** Every integrated table as a temporary view {@code <prefix><namespace>_<table>}. */
  static void views(Map<String, List<Row>> rows, String prefix) {
    for (IntegratedTables.Spec s : IntegratedTables.all()) {
      frame(rows, s).createOrReplaceTempView(prefix + s.namespace() + "_" + s.table());
    }
  }
}
