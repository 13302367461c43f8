package org.sanku.storage;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;

/**
 * The one place Sanku writes Iceberg tables. Every table is format v2 and merge-on-read (a delta rewrites delete
 * files, not data files), and every write is one atomic commit:
 *
 * <ul>
 *   <li>{@link #append} and {@link #replace} (create the table on first use) for tables written whole or added to
 *       in one commit: the ledgers, linkage's and the indicators' tables;</li>
 *   <li>write–audit–publish for ingest: every change of a drop goes to the branch {@value #STAGE} of each table
 *       ({@link #prepare}, {@link #merge}, {@link #replaceDropRows}), and only when the whole drop has been written
 *       and reconciled are the tables' {@code main} branches fast-forwarded ({@link #publish}). A run that dies
 *       before that leaves {@code main} as it was, so readers never see half a drop; the next run resets the
 *       branches and applies the drop again (the changes are idempotent: latest {@code src_updated_at} wins).</li>
 * </ul>
 */
public final class IcebergWriter {

  static final String STAGE = "stage";

  private final SparkSession spark;
  /** Tables whose staging branch was reset for the drop being written. */
  private final java.util.Set<String> staging = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public IcebergWriter(SparkSession spark) {
    this.spark = spark;
  }

  /** The properties of every Sanku table. */
  private static final Map<String, String> PROPERTIES = Map.of(
      "format-version", "2",
      "write.delete.mode", "merge-on-read",
      "write.update.mode", "merge-on-read",
      "write.merge.mode", "merge-on-read",
      "write.metadata.delete-after-commit.enabled", "true",
      "write.metadata.previous-versions-max", "50");

  public boolean exists(String table) {
    return spark.catalog().tableExists(table);
  }

  /** Held while a namespace is created: files written side by side would otherwise race, and Spark warn. */
  private static final Object NAMESPACES = new Object();

  private void createNamespaceOf(String table) {
    synchronized (NAMESPACES) {
      spark.sql("CREATE NAMESPACE IF NOT EXISTS " + table.substring(0, table.lastIndexOf('.')));
    }
  }

  /** Creates the table empty, with {@code shape}'s columns, unless it exists. */
  public void createIfMissing(String table, Dataset<Row> shape) {
    if (exists(table)) {
      return;
    }
    createNamespaceOf(table);
    // Through the catalog, not by writing no rows: a statement in the catalog costs no Spark job.
    String[] parts = table.split("\\.");
    try {
      var catalog = (org.apache.spark.sql.connector.catalog.TableCatalog) spark.sessionState().catalogManager()
          .catalog(parts[0]);
      catalog.createTable(org.apache.spark.sql.connector.catalog.Identifier.of(
          java.util.Arrays.copyOfRange(parts, 1, parts.length - 1), parts[parts.length - 1]),
          shape.schema().asNullable(), new org.apache.spark.sql.connector.expressions.Transform[0], PROPERTIES);
    } catch (TableAlreadyExistsException e) {
      // Created meanwhile by another run: what is wanted is there.
    } catch (org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException e) {
      throw new IllegalStateException("cannot create " + table + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates the table with the rows in one commit when it does not exist; false when it exists (created meanwhile
   * by another run, too), so that the caller writes to it.
   */
  private boolean createWith(String table, Dataset<Row> rows) {
    return createWith(table, rows, Map.of());
  }

  private boolean createWith(String table, Dataset<Row> rows, Map<String, String> properties) {
    if (exists(table)) {
      return false;
    }
    createNamespaceOf(table);
    try {
      writer(rows, table, properties).create();
      return true;
    } catch (TableAlreadyExistsException e) {
      return false;
    }
  }

  /**
   * Appends the rows in one commit, creating the table on first use. Columns the rows have and the table lacks (a
   * layout that gained a column since the table was written) are added to the table first, empty for its old rows.
   */
  public void append(String table, Dataset<Row> rows) {
    try {
      if (createWith(table, rows)) {
        return;
      }
      addMissingColumns(table, rows.schema());
      rows.writeTo(table).append();
    } catch (NoSuchTableException e) {
      throw new IllegalStateException("cannot append to " + table + ": " + e.getMessage(), e);
    }
  }

  private void addMissingColumns(String table, org.apache.spark.sql.types.StructType columns) {
    Table t = load(table);
    org.apache.iceberg.UpdateSchema update = null;
    for (org.apache.spark.sql.types.StructField f : columns.fields()) {
      if (t.schema().findField(f.name()) == null) {
        update = update == null ? t.updateSchema() : update;
        update.addColumn(f.name(), org.apache.iceberg.spark.SparkSchemaUtil.convert(f.dataType()));
      }
    }
    if (update != null) {
      update.commit();
      spark.catalog().refreshTable(table);
    }
  }

  /** Replaces the table's rows and columns in one commit (readers see the old table or the new, never neither). */
  public void replace(String table, Dataset<Row> rows) {
    replace(table, rows, Map.of());
  }

  /** {@link #replace(String, Dataset)}, setting {@code properties} on the table in the same commit. */
  public void replace(String table, Dataset<Row> rows, Map<String, String> properties) {
    if (!createWith(table, rows, properties)) {
      writer(rows, table, properties).createOrReplace();
    }
  }

  private static org.apache.spark.sql.CreateTableWriter<Row> writer(Dataset<Row> rows, String table) {
    return writer(rows, table, Map.of());
  }

  private static org.apache.spark.sql.CreateTableWriter<Row> writer(Dataset<Row> rows, String table,
      Map<String, String> properties) {
    org.apache.spark.sql.CreateTableWriter<Row> w = rows.writeTo(table).using("iceberg");
    for (Map.Entry<String, String> p : PROPERTIES.entrySet()) {
      w = w.tableProperty(p.getKey(), p.getValue());
    }
    for (Map.Entry<String, String> p : properties.entrySet()) {
      w = w.tableProperty(p.getKey(), p.getValue());
    }
    return w;
  }

  /**
   * Runs a MERGE of {@code rows} (as the source {@code s}) into {@code table} (the target {@code t}) in one commit:
   * {@code sql} is the statement after {@code MERGE INTO <table> t USING <rows> s}.
   */
  public void mergeInto(String table, Dataset<Row> rows, String sql) {
    // A layout that gained a column since the table was written: the column is added, empty for the old rows.
    if (exists(table)) {
      addMissingColumns(table, rows.schema());
    }
    String view = "sanku_merge_" + Integer.toHexString(table.hashCode()) + "_" + Long.toHexString(System.nanoTime());
    rows.createOrReplaceTempView(view);
    try {
      spark.sql("MERGE INTO " + table + " t USING " + view + " s " + sql);
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /** Starts a drop: each table's staging branch is reset to main the first time the drop touches it. */
  public void beginDrop() {
    staging.clear();
  }

  /**
   * Creates the table when it does not exist, gives it a first snapshot, and points the staging branch at main.
   */
  public Table prepare(String table, Dataset<Row> shape) {
    createIfMissing(table, shape);
    Table t = load(table);
    if (!staging.add(table)) {
      return t;
    }
    keepMetadataSmall(t);
    if (t.currentSnapshot() == null) {
      t.newAppend().commit();
      t.refresh();
    }
    Snapshot main = t.currentSnapshot();
    SnapshotRef stage = t.refs().get(STAGE);
    // After a published drop the branch already is main (publish fast-forwards main to it): no commit needed.
    if (stage == null) {
      t.manageSnapshots().createBranch(STAGE, main.snapshotId()).commit();
    } else if (stage.snapshotId() != main.snapshotId()) {
      t.manageSnapshots().replaceBranch(STAGE, main.snapshotId()).commit();
    }
    return t;
  }

  /** Tables created by earlier versions: keep the metadata folder from growing with every commit. */
  public static void keepMetadataSmall(Table t) {
    if (!"true".equals(t.properties().get("write.metadata.delete-after-commit.enabled"))) {
      t.updateProperties().set("write.metadata.delete-after-commit.enabled", "true")
          .set("write.metadata.previous-versions-max", "50").commit();
      t.refresh();
    }
  }

  public Table load(String table) {
    try {
      return Spark3Util.loadIcebergTable(spark, table);
    } catch (Exception e) {
      throw new IllegalStateException("cannot load table " + table + ": " + e.getMessage(), e);
    }
  }

  /** The staging branch of a table, as a name Spark reads and writes. */
  public static String staged(String table) {
    return table + ".branch_" + STAGE;
  }

  /** Change sets up to this many rows are applied by the broadcast path of {@link #merge}... */
  public static final long SMALL_CHANGES = 200_000;
  /** ...to tables of at least this many rows (below, one MERGE is cheaper than three steps). */
  static final long LARGE_TABLE_ROWS = 100_000;

  /**
   * Applies change rows (already one per key) to the staged table: the row with the later or equal
   * {@code src_updated_at} wins, {@code D} deletes; for a full drop, keys absent from it are deleted.
   *
   * <p>A small change set (a nightly delta) to a large table takes a path whose cost follows the delta: which of
   * its keys the table holds is found by streaming the table's key column past the broadcast keys; then a MERGE
   * with only {@code WHEN MATCHED} clauses (an inner join, so the change rows are broadcast and the table is
   * neither shuffled nor sorted) updates and deletes, writing position deletes for the matched rows only; the new
   * keys are appended. One MERGE with a {@code NOT MATCHED} clause would be an outer join that shuffles and sorts
   * the whole table's keys; for a small table that costs less than the three steps' jobs and commits. Both paths
   * give the same rows.
   */
  public void merge(String table, Dataset<Row> changes, List<String> key, boolean changeColumns, boolean full,
      long changeRows) {
    if (rowsOf(table) == 0) {
      // Nothing to match (a first drop): what any MERGE would do is insert every row that is not a delete, so
      // the rows are appended as they are, without the join, shuffle and sort of a MERGE.
      try {
        (changeColumns ? changes.filter(functions.col("op_type").notEqual("D")) : changes)
            .writeTo(staged(table)).append();
      } catch (NoSuchTableException e) {
        throw new IllegalStateException(e);
      }
      return;
    }
    boolean broadcast = !full && changeRows <= SMALL_CHANGES && rowsOf(table) >= LARGE_TABLE_ROWS;
    apply(table, changes, key, changeColumns, full, broadcast);
  }

  /**
   * The staged table's data-file records from its snapshot summary (no data read): its row count, or more when
   * delete files hide some of them.
   */
  public long rowsOf(String table) {
    Table t = load(table);
    SnapshotRef ref = t.refs().get(STAGE);
    Snapshot snap = ref == null ? t.currentSnapshot() : t.snapshot(ref.snapshotId());
    if (snap == null || snap.summary() == null || snap.summary().get("total-records") == null) {
      return 0;
    }
    return Long.parseLong(snap.summary().get("total-records"));
  }

  /** {@link #rowsOf} summed over those of {@code tables} that exist (no data read). */
  public long rowsOf(java.util.Collection<String> tables) {
    long rows = 0;
    for (String t : tables) {
      if (exists(t)) {
        rows += rowsOf(t);
      }
    }
    return rows;
  }

  /** {@link #merge} with the path chosen by the caller. */
  public void apply(String table, Dataset<Row> changes, List<String> key, boolean changeColumns, boolean full,
      boolean broadcast) {
    String view = "sanku_changes_" + Math.abs(table.hashCode()) + "_" + Long.toHexString(System.nanoTime());
    String on = key.stream().map(k -> "t.`" + k + "` = s.`" + k + "`").collect(Collectors.joining(" AND "));
    String matched = changeColumns
        ? " WHEN MATCHED AND s.src_updated_at >= t.src_updated_at AND s.op_type = 'D' THEN DELETE"
            + " WHEN MATCHED AND s.src_updated_at >= t.src_updated_at THEN UPDATE SET *"
        : " WHEN MATCHED THEN UPDATE SET *";
    try {
      if (broadcast && !full) {
        // Computed once (standardised, pseudonymised, latest per key) for the three steps below.
        changes = changes.localCheckpoint();
        Column[] keyCols = key.stream().map(functions::col).toArray(Column[]::new);
        Dataset<Row> changeKeys = changes.select(keyCols);
        // The keys the table already holds, before anything changes (at most the delta's size).
        Dataset<Row> existing = spark.table(staged(table)).select(keyCols)
            .join(functions.broadcast(changeKeys), toSeq(key), "left_semi")
            .localCheckpoint();
        broadcastable(changes).createOrReplaceTempView(view);
        spark.sql("MERGE INTO " + staged(table) + " t USING " + view + " s ON " + on + matched);
        Dataset<Row> inserts = changes.join(functions.broadcast(existing), toSeq(key), "left_anti");
        if (changeColumns) {
          inserts = inserts.filter(functions.col("op_type").notEqual("D"));
        }
        // Columns in the change set's order (the join puts the key first); the table's order is the same. At most
        // SMALL_CHANGES rows: one data file, not one per partition of the change set (a night of 20 new records
        // wrote 8 files, and a table's small files then called for a compaction of all of it every fourth night).
        inserts.selectExpr(java.util.Arrays.stream(changes.columns()).map(c -> "`" + c + "`")
            .toArray(String[]::new)).coalesce(1).writeTo(staged(table)).append();
      } else {
        changes.createOrReplaceTempView(view);
        StringBuilder sql = new StringBuilder("MERGE INTO " + staged(table) + " t USING " + view + " s ON " + on);
        sql.append(matched);
        sql.append(changeColumns ? " WHEN NOT MATCHED AND s.op_type <> 'D' THEN INSERT *"
            : " WHEN NOT MATCHED THEN INSERT *");
        if (full) {
          sql.append(" WHEN NOT MATCHED BY SOURCE THEN DELETE");
        }
        spark.sql(sql.toString());
      }
    } catch (NoSuchTableException e) {
      throw new IllegalStateException(e);
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  /** A change set taking at most this many bytes in memory is broadcast to its MERGE ({@link #broadcastable}). */
  static final long BROADCAST_BYTES = 64L << 20;

  /**
   * A local checkpoint's rows, stated to Spark's planner as small enough to broadcast when they take at most
   * {@link #BROADCAST_BYTES} (and broadcasts are not switched off): the MERGE then reads the table once and looks
   * each row up in the change set, instead of shuffling the whole table by key. A join hint cannot say so:
   * Iceberg's rewrite of a MERGE drops a hint on its source (Spark warned of it in every file). And the size Spark
   * estimates from a checkpoint's plan is larger than its threshold (10 MB) from about 18,000 rows of a wide table:
   * about 50,000 changed visits (estimated 28.6 MB) into the 3,183,911 of a 1,000,000-person region shuffled all
   * of them, a delta applied in 9.8 s and 10.5 s against 8.2 s and 8.0 s broadcast.
   */
  private Dataset<Row> broadcastable(Dataset<Row> kept) {
    long threshold = spark.sessionState().conf().autoBroadcastJoinThreshold();
    if (!(kept.queryExecution().logical() instanceof org.apache.spark.sql.execution.LogicalRDD l) || threshold <= 0) {
      return kept;
    }
    long bytes = -1;
    for (org.apache.spark.storage.RDDInfo i : spark.sparkContext().getRDDStorageInfo()) {
      if (i.id() == l.rdd().id()) {
        bytes = i.memSize() + i.diskSize();
      }
    }
    if (bytes < 0 || bytes > BROADCAST_BYTES) {
      return kept;
    }
    org.apache.spark.sql.catalyst.plans.logical.Statistics small =
        new org.apache.spark.sql.catalyst.plans.logical.Statistics(scala.math.BigInt.apply(Math.min(bytes, threshold)),
            scala.Option.empty(), org.apache.spark.sql.catalyst.expressions.AttributeMap$.MODULE$.empty(), false);
    return Dataset.ofRows(spark, l.copy(l.output(), l.rdd(), l.outputPartitioning(), l.outputOrdering(),
        l.isStreaming(), spark, scala.Option.apply(small), scala.Option.empty()));
  }

  private static scala.collection.Seq<String> toSeq(List<String> key) {
    return scala.collection.JavaConverters.asScalaBuffer(key).toSeq();
  }

  /** Replaces the staged rows of one drop (so a repeated run does not duplicate them), then appends. */
  public void replaceDropRows(String table, String dropId, Dataset<Row> rows) {
    replaceDropRows(table, List.of(dropId), rows);
  }

  /**
   * Replaces the staged rows whose {@code drop_id} is one of {@code dropIds} (so a repeated run does not duplicate
   * them), then appends {@code rows} in one commit.
   */
  public void replaceDropRows(String table, List<String> dropIds, Dataset<Row> rows) {
    // Rows of these drops are only there when one was published but its ledger entry was not written (a crash in
    // between). The table's metadata says which files may hold them (their drop_id bounds admit it): usually none,
    // and then no Spark job runs; otherwise they are looked up, and deleted only if there (a DELETE is a commit).
    List<String> maybe = dropIds.stream().filter(d -> mayHold(table, "drop_id", d)).toList();
    if (!maybe.isEmpty()) {
      String where = " WHERE drop_id IN (" + maybe.stream().map(d -> "'" + d.replace("'", "''") + "'")
          .collect(Collectors.joining(", ")) + ")";
      if (!spark.sql("SELECT 1 FROM " + staged(table) + where + " LIMIT 1").isEmpty()) {
        spark.sql("DELETE FROM " + staged(table) + where);
      }
    }
    try {
      rows.writeTo(staged(table)).append();
    } catch (NoSuchTableException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether a data file of the staged table may hold rows where {@code column} equals {@code value}, from the
   * table's metadata alone (file-level bounds; no data read).
   */
  boolean mayHold(String table, String column, String value) {
    Table t = load(table);
    SnapshotRef ref = t.refs().get(STAGE);
    org.apache.iceberg.TableScan scan = t.newScan().filter(org.apache.iceberg.expressions.Expressions.equal(column,
        value));
    if (ref != null) {
      scan = scan.useRef(STAGE);
    } else if (t.currentSnapshot() == null) {
      return false;
    }
    try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.FileScanTask> files = scan.planFiles()) {
      return files.iterator().hasNext();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Publishes: main of every table becomes its staged state. */
  public void publish(List<String> tables) {
    for (String name : tables) {
      Table t = load(name);
      t.manageSnapshots().fastForwardBranch("main", STAGE).commit();
    }
  }

  /**
   * The snapshots of a table's main and staging branches (-1 where there is none), read afresh: a value computed
   * from the table's rows, staged and published, holds while these are the same.
   */
  public List<Long> branchesOf(String table) {
    Table t = load(table);
    t.refresh();
    SnapshotRef stage = t.refs().get(STAGE);
    return List.of(t.currentSnapshot() == null ? -1L : t.currentSnapshot().snapshotId(),
        stage == null ? -1L : stage.snapshotId());
  }

  public long currentSnapshotId(String table) {
    Snapshot s = load(table).currentSnapshot();
    return s == null ? -1 : s.snapshotId();
  }
}
