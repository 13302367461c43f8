package org.sanku.ingest;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Iceberg tables written through a staging branch (write–audit–publish): every change of a drop goes to the
 * branch {@value #STAGE} of each table, and only when the whole drop has been written and reconciled are the
 * tables' {@code main} branches fast-forwarded. A run that dies before that leaves {@code main} as it was, so
 * readers never see half a drop; the next run resets the branches and applies the drop again (the changes are
 * idempotent: latest {@code src_updated_at} wins).
 */
final class TableStore {

  static final String STAGE = "stage";

  private final SparkSession spark;
  /** Tables whose staging branch was reset for the drop being written. */
  private final java.util.Set<String> staging = new java.util.HashSet<>();

  TableStore(SparkSession spark) {
    this.spark = spark;
  }

  /** Starts a drop: each table's staging branch is reset to main the first time the drop touches it. */
  void beginDrop() {
    staging.clear();
  }

  boolean exists(String table) {
    return spark.catalog().tableExists(table);
  }

  /**
   * Creates the table (format v2, merge-on-read so a delta rewrites only delete files, not whole data files) when
   * it does not exist, gives it a first snapshot, and points the staging branch at main.
   */
  Table prepare(String table, Dataset<Row> shape) {
    if (!exists(table)) {
      String ns = table.substring(0, table.lastIndexOf('.'));
      spark.sql("CREATE NAMESPACE IF NOT EXISTS " + ns);
      try {
        shape.limit(0).writeTo(table).using("iceberg")
            .tableProperty("format-version", "2")
            .tableProperty("write.delete.mode", "merge-on-read")
            .tableProperty("write.update.mode", "merge-on-read")
            .tableProperty("write.merge.mode", "merge-on-read")
            .create();
      } catch (org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException e) {
        throw new IllegalStateException(e);
      }
    }
    Table t = load(table);
    if (!staging.add(table)) {
      return t;
    }
    if (t.currentSnapshot() == null) {
      t.newAppend().commit();
      t.refresh();
    }
    Snapshot main = t.currentSnapshot();
    if (t.refs().containsKey(STAGE)) {
      t.manageSnapshots().replaceBranch(STAGE, main.snapshotId()).commit();
    } else {
      t.manageSnapshots().createBranch(STAGE, main.snapshotId()).commit();
    }
    return t;
  }

  Table load(String table) {
    try {
      return Spark3Util.loadIcebergTable(spark, table);
    } catch (Exception e) {
      throw new IllegalStateException("cannot load table " + table + ": " + e.getMessage(), e);
    }
  }

  static String staged(String table) {
    return table + ".branch_" + STAGE;
  }

  /**
   * Applies change rows (already one per key) to the staged table: the row with the later or equal
   * {@code src_updated_at} wins, {@code D} deletes; for a full drop, keys absent from it are deleted.
   */
  void merge(String table, Dataset<Row> changes, List<String> key, boolean changeColumns, boolean full) {
    String view = "sanku_changes_" + Math.abs(table.hashCode());
    changes.createOrReplaceTempView(view);
    String on = key.stream().map(k -> "t.`" + k + "` = s.`" + k + "`").collect(Collectors.joining(" AND "));
    StringBuilder sql = new StringBuilder("MERGE INTO " + staged(table) + " t USING " + view + " s ON " + on);
    if (changeColumns) {
      sql.append(" WHEN MATCHED AND s.src_updated_at >= t.src_updated_at AND s.op_type = 'D' THEN DELETE");
      sql.append(" WHEN MATCHED AND s.src_updated_at >= t.src_updated_at THEN UPDATE SET *");
      sql.append(" WHEN NOT MATCHED AND s.op_type <> 'D' THEN INSERT *");
    } else {
      sql.append(" WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    }
    if (full) {
      sql.append(" WHEN NOT MATCHED BY SOURCE THEN DELETE");
    }
    spark.sql(sql.toString());
    spark.catalog().dropTempView(view);
  }

  /** Replaces the staged rows of one drop (so a repeated run does not duplicate them), then appends. */
  void replaceDropRows(String table, String dropId, Dataset<Row> rows) {
    spark.sql("DELETE FROM " + staged(table) + " WHERE drop_id = '" + dropId.replace("'", "''") + "'");
    try {
      rows.writeTo(staged(table)).append();
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Publishes: main of every table becomes its staged state. */
  void publish(List<String> tables) {
    for (String name : tables) {
      Table t = load(name);
      t.manageSnapshots().fastForwardBranch("main", STAGE).commit();
    }
  }

  long currentSnapshotId(String table) {
    Snapshot s = load(table).currentSnapshot();
    return s == null ? -1 : s.snapshotId();
  }
}
