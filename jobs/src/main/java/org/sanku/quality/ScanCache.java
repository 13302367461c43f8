package org.sanku.quality;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.sanku.storage.ComputedFrom;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.PinnedReads;
import org.sanku.storage.TableLayouts;

/**
 * Each checked table's aggregation from the last run ({@code <analytics>.dq.check_scan}), with what it was computed
 * from: a digest of the table's query and checks, the night and the code, then every table the query read with its
 * snapshot. A run whose inputs for a table are the same (each table at that snapshot, or at one that only compacted
 * it) reads the aggregation instead of scanning again: a source that delivered nothing, a second run of the night.
 */
final class ScanCache {

  /** One table's aggregation (its rows as JSON objects) and what it was computed from. */
  private record Scan(String inputs, StructType schema, List<String> rows) {}

  private final SparkSession spark;
  private final IcebergWriter writer;
  private final String table;
  private final Map<String, Scan> stored = new LinkedHashMap<>();
  private final Map<String, Scan> now = new LinkedHashMap<>();

  ScanCache(SparkSession spark, IcebergWriter writer, String table) {
    this.spark = spark;
    this.writer = writer;
    this.table = table;
    if (writer.exists(table)) {
      for (Row r : spark.table(table).collectAsList()) {
        try {
          DataType type = DataType.fromJson(r.<String>getAs("row_schema"));
          List<String> json = r.isNullAt(r.fieldIndex("rows")) ? List.of() : r.getList(r.fieldIndex("rows"));
          stored.put(r.getAs("table_name"), new Scan(r.getAs("inputs"), (StructType) type, List.copyOf(json)));
        } catch (RuntimeException e) {
          // An entry this version cannot read is not used: the table is scanned.
        }
      }
    }
  }

  /**
   * The inputs of a table's aggregation: {@code basis} (what besides tables it follows from, digested with the
   * code), then each table read with the snapshot {@code reads} pinned.
   */
  static String inputs(String basis, java.util.Collection<String> read, PinnedReads reads) {
    Map<String, Long> ids = new TreeMap<>();
    read.forEach(t -> ids.put(t, reads.snapshot(t)));
    return ComputedFrom.text(ComputedFrom.digest(List.of(QualityJob.class, CheckPlan.class, ScanCache.class), basis),
        ids);
  }

  /** The stored rows of {@code name}'s aggregation when computed from {@code inputs} (up to compactions), or null. */
  List<Row> reuse(String name, String inputs, StructType schema) {
    Scan s = stored.get(name);
    if (s == null || !s.schema().equals(schema) || !same(s.inputs(), inputs)) {
      return null;
    }
    List<Row> rows = s.rows().isEmpty() ? List.of()
        : spark.read().schema(schema).json(spark.createDataset(s.rows(), Encoders.STRING())).collectAsList();
    now.put(name, s);
    return rows;
  }

  /** Records {@code name}'s aggregation, computed now from {@code inputs}. */
  void record(String name, String inputs, StructType schema, List<Row> rows) {
    List<String> json;
    try {
      // On the driver: the collected rows carry their schema (a Spark job per table cost more than the rows).
      json = rows.stream().map(Row::json).toList();
    } catch (RuntimeException e) {
      json = rows.isEmpty() ? List.of() : spark.createDataFrame(rows, schema).toJSON().collectAsList();
    }
    now.put(name, new Scan(inputs, schema, json));
  }

  /** Writes this run's aggregations, replacing the stored ones. */
  void write(String runId) {
    List<Row> rows = new ArrayList<>();
    for (var e : now.entrySet()) {
      rows.add(RowFactory.create(e.getKey(), e.getValue().inputs(), e.getValue().schema().json(),
          e.getValue().rows(), runId));
    }
    writer.replace(table, spark.createDataFrame(rows, TableLayouts.get("dq", "check_scan").schema()).coalesce(1));
  }

  /**
   * Whether two inputs are the same: the same basis (which fixes the tables read), each table at the same snapshot
   * or at one that only compacted it.
   */
  private boolean same(String then, String current) {
    int at = current.indexOf(";tables=");
    Map<String, Long> now = at < 0 ? null : ComputedFrom.tables(current.substring(at + ";tables=".length()));
    return now != null
        && ComputedFrom.whyNot(spark, then, current.substring(0, at), t -> now.getOrDefault(t, -1L)) == null;
  }
}
