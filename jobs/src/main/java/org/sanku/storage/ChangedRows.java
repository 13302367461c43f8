package org.sanku.storage;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The keys of the rows of a merge-on-read table that can differ between two of its snapshots, found from the
 * table's files rather than by comparing every row: a row that is in a data file live at both snapshots and that no
 * position delete added since removes is the same row at both. The candidates are the rows of the data files live
 * now and not then (new and updated rows), and the rows, as they were then, of the data files live then and not now
 * and at the positions of the delete files live now and not then (removed and updated rows). Reading them costs
 * the size of the change, not of the table; the caller still compares the candidates' fields.
 *
 * <p>A compaction (the nightly upkeep's rewrite of small files or delete files, an Iceberg {@code replace}: the same
 * rows in other files) changes no row: one right after the old snapshot starts the comparison after it
 * ({@link #sameRowsAs}), one right before the new snapshot ends it before it ({@link #sameRowsBefore}).
 *
 * <p>Not derivable (null) when the old snapshot is gone (expired), when a delete file is an equality delete, or
 * when the changed data files hold more than a given share of the table's rows (a compaction between changes
 * rewrote them): the caller then compares every row.
 */
public final class ChangedRows {

  private ChangedRows() {}

  /**
   * The distinct keys ({@code keyColumns}) of the rows of {@code table} that can differ between snapshot
   * {@code then} and snapshot {@code now}, or null (see the class).
   *
   * @param maxShare above this share of the table's data-file records in changed data files, null
   */
  public static Dataset<Row> candidates(SparkSession spark, String table, long then, long now,
      List<String> keyColumns, double maxShare) {
    Table t;
    try {
      t = Spark3Util.loadIcebergTable(spark, table);
    } catch (Exception e) {
      return null;
    }
    Snapshot a = t.snapshot(then);
    Snapshot b = t.snapshot(now);
    if (a == null || b == null) {
      return null;
    }
    then = sameRowsAs(t, then, now);
    now = sameRowsBefore(t, now, then);
    Files before = files(t, then);
    Files after = files(t, now);
    if (before == null || after == null) {
      return null;
    }
    List<String> added = new ArrayList<>();
    long changedRecords = 0;
    for (var e : after.data.entrySet()) {
      if (!before.data.containsKey(e.getKey())) {
        added.add(e.getKey());
        changedRecords += e.getValue();
      }
    }
    Set<String> removed = new HashSet<>();
    for (var e : before.data.entrySet()) {
      if (!after.data.containsKey(e.getKey())) {
        removed.add(e.getKey());
        changedRecords += e.getValue();
      }
    }
    long total = after.data.values().stream().mapToLong(Long::longValue).sum();
    if (changedRecords > maxShare * Math.max(1, total)) {
      return null;
    }
    List<String> newDeletes = new ArrayList<>();
    for (String d : after.deletes) {
      if (!before.deletes.contains(d)) {
        newDeletes.add(d);
      }
    }
    Column[] keys = keyColumns.stream().map(functions::col).toArray(Column[]::new);
    Dataset<Row> out = null;
    if (!added.isEmpty()) {
      // New and updated rows: the whole new files (rows a later delete removes again are candidates too).
      out = spark.read().parquet(added.toArray(new String[0])).select(keys);
    }
    if (!removed.isEmpty() || !newDeletes.isEmpty()) {
      // Removed and replaced rows, as they were: by their file and position in the old snapshot.
      // The metadata columns selected first: a join cannot name them.
      List<Column> withPlace = new ArrayList<>(List.of(keys));
      withPlace.add(col("_file"));
      withPlace.add(col("_pos"));
      Dataset<Row> old = spark.table(table + ".snapshot_id_" + then).select(withPlace.toArray(new Column[0]));
      Dataset<Row> gone = null;
      if (!newDeletes.isEmpty()) {
        Dataset<Row> positions = spark.read().parquet(newDeletes.toArray(new String[0]))
            .select(col("file_path").as("_df"), col("pos").as("_dp"));
        gone = old.join(functions.broadcast(positions),
            col("_file").equalTo(col("_df")).and(col("_pos").equalTo(col("_dp"))), "left_semi").select(keys);
      }
      if (!removed.isEmpty()) {
        Dataset<Row> inRemoved = old.filter(col("_file").isin(removed.toArray())).select(keys);
        gone = gone == null ? inRemoved : gone.unionByName(inRemoved);
      }
      out = out == null ? gone : out.unionByName(gone);
    }
    if (out == null) {
      return spark.createDataFrame(new ArrayList<Row>(),
          spark.table(table).select(keys).schema());
    }
    return out.distinct();
  }

  /**
   * The last snapshot of {@code t} up to {@code upTo} (in its history) holding the same rows as snapshot
   * {@code then}: {@code then}, or the last of an unbroken run of compactions right after it (operation
   * {@code replace}: files rewritten, no row added, changed or removed). {@code then} itself when it is not in
   * {@code upTo}'s history.
   */
  public static long sameRowsAs(Table t, long then, long upTo) {
    if (t.snapshot(then) == null || t.snapshot(upTo) == null) {
      return then;
    }
    List<Snapshot> after = new ArrayList<>();
    boolean found = false;
    for (Snapshot s : org.apache.iceberg.util.SnapshotUtil.ancestorsOf(upTo, t::snapshot)) {
      if (s.snapshotId() == then) {
        found = true;
        break;
      }
      after.add(s);
    }
    long same = then;
    for (int i = after.size() - 1; found && i >= 0; i--) {
      if (!org.apache.iceberg.DataOperations.REPLACE.equals(after.get(i).operation())) {
        break;
      }
      same = after.get(i).snapshotId();
    }
    return same;
  }

  /**
   * The first snapshot of {@code t} holding the same rows as snapshot {@code now}: {@code now}, or the snapshot
   * before the unbroken run of compactions (operation {@code replace}) that ends at it, at the earliest
   * {@code notBefore}. The nightly upkeep compacts a table right after a night's changes; the files of the snapshot
   * before it tell those changes, and are kept as long as that snapshot is.
   */
  static long sameRowsBefore(Table t, long now, long notBefore) {
    Snapshot s = t.snapshot(now);
    while (s != null && s.snapshotId() != notBefore
        && org.apache.iceberg.DataOperations.REPLACE.equals(s.operation()) && s.parentId() != null
        && t.snapshot(s.parentId()) != null) {
      s = t.snapshot(s.parentId());
    }
    return s == null ? now : s.snapshotId();
  }

  /**
   * Whether {@code table} holds the same rows at snapshot {@code now} as at {@code then}: the same snapshot, or only
   * compactions between them ({@link #sameRowsAs}).
   */
  public static boolean sameRows(SparkSession spark, String table, long then, long now) {
    if (then == now) {
      return true;
    }
    try {
      return sameRowsAs(Spark3Util.loadIcebergTable(spark, table), then, now) == now;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * When {@code t}'s rows last changed: the commit time of its current snapshot, or of the snapshot before the
   * compactions that followed it (Long.MAX_VALUE when it has no snapshot).
   */
  public static long rowsCommitted(Table t) {
    Snapshot s = t.currentSnapshot();
    while (s != null && org.apache.iceberg.DataOperations.REPLACE.equals(s.operation()) && s.parentId() != null
        && t.snapshot(s.parentId()) != null) {
      s = t.snapshot(s.parentId());
    }
    return s == null ? Long.MAX_VALUE : s.timestampMillis();
  }

  /** A snapshot's live data files (path → records) and delete files; null when one is an equality delete. */
  private record Files(Map<String, Long> data, Set<String> deletes) {}

  private static Files files(Table t, long snapshot) {
    Map<String, Long> data = new HashMap<>();
    Set<String> deletes = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = t.newScan().useSnapshot(snapshot).planFiles()) {
      for (FileScanTask task : tasks) {
        data.put(task.file().path().toString(), task.file().recordCount());
        for (var d : task.deletes()) {
          if (d.content() != FileContent.POSITION_DELETES) {
            return null;
          }
          deletes.add(d.path().toString());
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Files(data, deletes);
  }
}
