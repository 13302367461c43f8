package org.sanku.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.storage.IcebergWriter;

/**
 * A later version that fails (contract §2: the latest version of a key wins, but only a version that can be read):
 * when a row is quarantined and its key is already published, the published version is the last good one and stays.
 * A delta never merges a quarantined row, so it stays by itself; a full drop deletes every key it does not hold, so
 * its rejected updates are handed back to the merge unchanged. Each file reports how many rows were such updates.
 */
final class RejectedUpdates {

  private RejectedUpdates() {}

  /**
   * The keys of a file's quarantined rows that the table already holds and that no accepted row of the file
   * carries: updates that failed, whose published version stays.
   */
  static Dataset<Row> keys(SparkSession spark, Dataset<Row> std, TableSchema schema, String stdTable) {
    Column[] keys = schema.primaryKey().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    scala.collection.Seq<String> on = scala.collection.JavaConverters.asScalaBuffer(schema.primaryKey()).toSeq();
    Dataset<Row> published = spark.table(IcebergWriter.staged(stdTable)).select(keys);
    return std.filter(size(col("_errors")).gt(0)).select(keys).distinct()
        .join(std.filter(size(col("_errors")).equalTo(0)).select(keys), on, "left_anti")
        .join(published, on, "left_semi");
  }

  /**
   * A full drop's changes with the published rows of its rejected updates added back unchanged (the same
   * src_updated_at, so the merge leaves them as they are and does not delete them); a delta's changes as they are.
   */
  static Dataset<Row> keepPublished(SparkSession spark, Dataset<Row> changes, String table, Dataset<Row> keys,
      boolean full, TableSchema schema) {
    if (!full || keys == null || !spark.catalog().tableExists(table)) {
      return changes;
    }
    scala.collection.Seq<String> on = scala.collection.JavaConverters.asScalaBuffer(schema.primaryKey()).toSeq();
    Dataset<Row> kept = spark.table(IcebergWriter.staged(table)).join(keys, on, "left_semi");
    return changes.unionByName(kept.select(java.util.Arrays.stream(changes.columns())
        .map(c -> col("`" + c + "`")).toArray(Column[]::new)));
  }
}
