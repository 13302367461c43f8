package org.sanku.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sanku.ingest.schema.ColumnSpec;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.Warehouse;

/** The checks of a file's rows against the tables its columns reference (schemas/*.yaml {@code references}). */
final class References {

  private References() {}

  /**
   * The schema's references: a child whose parent key is not in the (staged) parent table is an ORPHAN error; a
   * code its lookup table (ref_org) does not hold flows on with a warning (UNKNOWN_ORG).
   */
  static Dataset<Row> check(SparkSession spark, Warehouse wh, IcebergWriter store, Dataset<Row> std,
      TableSchema schema, long rows) {
    for (ColumnSpec ref : schema.parentReferences()) {
      String column = ref.name();
      String parentTable = wh.std(ref.referencedTable());
      Dataset<Row> keys;
      if (!store.exists(parentTable)) {
        keys = spark.emptyDataFrame().withColumn("_parent_key", lit(null).cast("string"));
      } else {
        // The parent's key is its primary key: unique, no distinct needed.
        keys = spark.table(IcebergWriter.staged(parentTable)).select(col(ref.referencedColumn()).as("_parent_key"));
        if (rows <= IcebergWriter.SMALL_CHANGES) {
          // A small file looks up only the parent keys it names: the parent's key column is scanned once and
          // filtered against the file's keys in memory, with no shuffle of the parent.
          Dataset<Row> wanted = std.select(col(column).as("_want")).where(col("_want").isNotNull()).distinct();
          keys = broadcast(keys.join(broadcast(wanted), keys.col("_parent_key").equalTo(wanted.col("_want")),
              "left_semi"));
        } else {
          // A large file meets the parent's keys in a shuffled hash join: each partition of the keys (the parent's
          // key column only) is the hash table, and the file's wide rows are not sorted, as a sort-merge join
          // would.
          keys = keys.hint("shuffle_hash");
        }
      }
      std = std.join(keys.withColumn("_parent_found", lit(true)),
          std.col(column).equalTo(keys.col("_parent_key")), "left")
          .withColumn("_errors", when(col("_parent_found").isNull(), expr("array_union(_errors, array(named_struct("
              + "'column', '" + column + "', 'reason', 'ORPHAN', 'value', " + column + ")))"))
              .otherwise(col("_errors")))
          .drop("_parent_key", "_parent_found");
    }
    for (ColumnSpec ref : schema.lookupReferences()) {
      String column = ref.name();
      String lookup = wh.std(ref.referencedTable());
      if (!store.exists(lookup)) {
        continue;
      }
      // Lookup tables (ref_org: one row per organisation) are small: broadcast.
      Dataset<Row> codes = broadcast(spark.table(lookup).select(col(ref.referencedColumn()).as("_lookup"))
          .withColumn("_lookup_found", lit(true)));
      std = std.join(codes, std.col(column).equalTo(codes.col("_lookup")), "left")
          .withColumn("_warnings", when(col("_lookup_found").isNull().and(col(column).isNotNull()),
              expr("array_union(_warnings, array(named_struct('column', '" + column + "', 'reason', '"
                  + ref.lookupReason() + "', 'value', " + column + ")))")).otherwise(col("_warnings")))
          .drop("_lookup", "_lookup_found");
    }
    return std;
  }
}
