package org.sanku.storage;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.ContentFileUtil;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.actions.RewritePositionDeleteFiles;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;
import org.sanku.config.Settings;

/**
 * Upkeep of the tables an ingest wrote, after it published (conf/sanku.yaml {@code maintenance}).
 *
 * <p>A delta is applied merge-on-read: its new rows become a small data file, and the old versions it replaces or
 * deletes are marked in a delete file beside each data file it touches, so a delta writes in proportion to its
 * size. Readers pay for both; so a data file with {@code compact_deleted_share} of its rows deleted is rewritten
 * without them, {@code compact_small_files} small files are combined, and delete files left pointing at nothing
 * are dropped. Snapshots older than
 * {@code snapshot_retention_days} (keeping at least {@code snapshots_to_keep}) are expired with the files only
 * they use. Each step is its own Iceberg commit on {@code main}: readers see the same rows before and after.
 */
public final class Maintenance {

  /** What one table's upkeep did. */
  public record Done(String table, int dataFilesRewritten, int dataFilesAdded, int deleteFilesRemoved,
      int snapshotsExpired) {}

  private final SparkSession spark;
  private final Settings.Maintenance settings;
  private final PrintStream log;
  private final Clock clock;

  public Maintenance(SparkSession spark, Settings.Maintenance settings, PrintStream log) {
    this(spark, settings, log, Clock.systemUTC());
  }

  Maintenance(SparkSession spark, Settings.Maintenance settings, PrintStream log, Clock clock) {
    this.spark = spark;
    this.settings = settings;
    this.log = log;
    this.clock = clock;
  }

  Done run(Table table, String name) {
    int rewritten = 0;
    int added = 0;
    int deletesRemoved = 0;
    if (needsCompaction(table)) {
      int smallFiles = settings.compactSmallFiles() > 0 ? settings.compactSmallFiles() : Integer.MAX_VALUE;
      double share = settings.compactDeletedShare() > 0 ? settings.compactDeletedShare() : 1.0;
      RewriteDataFiles.Result r = SparkActions.get(spark).rewriteDataFiles(table)
          // Files under SMALL_FILE_BYTES are combined once there are enough of them; larger files are rewritten
          // only for their deleted share, never for their size (that would rewrite the history on a quiet night).
          .option("min-file-size-bytes", String.valueOf(SMALL_FILE_BYTES))
          .option("max-file-size-bytes", String.valueOf(Long.MAX_VALUE / 4))
          .option("min-input-files", String.valueOf(smallFiles))
          .option("delete-file-threshold", String.valueOf(Integer.MAX_VALUE))
          .option("delete-ratio-threshold", String.valueOf(share))
          .option(RewriteDataFiles.REMOVE_DANGLING_DELETES, "true")
          .execute();
      rewritten = r.rewrittenDataFilesCount();
      added = r.addedDataFilesCount();
      deletesRemoved = r.removedDeleteFilesCount();
      table.refresh();
      if (rewritten > 0 && table.currentSnapshot() != null && !hasNestedColumns(table)
          && !"0".equals(table.currentSnapshot().summary().getOrDefault("total-position-deletes", "0"))) {
        // Delete files that a MERGE wrote without naming their data file are not recognised as dangling by the
        // rewrite: rewriting them drops their entries for files that are gone (and a file left empty).
        RewritePositionDeleteFiles.Result d = SparkActions.get(spark).rewritePositionDeletes(table)
            .option("rewrite-all", "true").execute();
        deletesRemoved += d.rewrittenDeleteFilesCount() - d.addedDeleteFilesCount();
        table.refresh();
      }
    }
    int expired = 0;
    if (settings.snapshotRetentionDays() > 0 && table.currentSnapshot() != null) {
      long olderThan = clock.millis() - TimeUnit.DAYS.toMillis(settings.snapshotRetentionDays());
      int before = size(table.snapshots());
      boolean old = false;
      for (Snapshot s : table.snapshots()) {
        old |= s.timestampMillis() < olderThan;
      }
      if (old && before > settings.snapshotsToKeep()) {
        // The table's own expiry (metadata work, no Spark job): snapshots and the files only they use go.
        table.expireSnapshots().expireOlderThan(olderThan).retainLast(settings.snapshotsToKeep()).commit();
        table.refresh();
        expired = before - size(table.snapshots());
      }
    }
    if (rewritten > 0 || expired > 0) {
      log.printf("maintain: %-40s compacted %d data file(s) into %d, dropped %d delete file(s); expired %d "
          + "snapshot(s)%n", name, rewritten, added, deletesRemoved, expired);
    }
    return new Done(name, rewritten, added, deletesRemoved, expired);
  }

  /**
   * Whether the table has array or map columns. Iceberg 1.10.0's rewrite of position delete files fails on such
   * tables (apache/iceberg#15080: "Invalid partition field parent: list<…>", fixed only in later releases), and
   * every std table has {@code warnings array<string>}: on them the delete files a MERGE wrote without naming their
   * data file are left for the data-file rewrite and snapshot expiry to retire, rather than failing the upkeep.
   */
  static boolean hasNestedColumns(Table table) {
    return table.schema().columns().stream().anyMatch(f -> f.type().isListType() || f.type().isMapType());
  }

  /** Data files under this size count as small (a delta's new rows). */
  static final long SMALL_FILE_BYTES = 16L << 20;

  /**
   * Whether some data file has the deleted share, or the table the number of small files, that calls for a
   * rewrite. Reads only manifests (no data): a quiet night costs milliseconds.
   */
  private boolean needsCompaction(Table table) {
    if (table.currentSnapshot() == null) {
      return false;
    }
    int small = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        long deleted = 0;
        for (DeleteFile d : task.deletes()) {
          // As the rewrite counts them: only a file-scoped delete file's records are surely this file's.
          if (ContentFileUtil.isFileScoped(d)) {
            deleted += d.recordCount();
          }
        }
        long rows = task.file().recordCount();
        if (settings.compactDeletedShare() > 0 && rows > 0 && deleted >= settings.compactDeletedShare() * rows) {
          return true;
        }
        if (task.file().fileSizeInBytes() < SMALL_FILE_BYTES) {
          small++;
        }
      }
      return settings.compactSmallFiles() > 0 && small >= settings.compactSmallFiles();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int size(Iterable<?> it) {
    int n = 0;
    for (Object o : it) {
      n++;
    }
    return n;
  }

  public List<Done> run(IcebergWriter store, List<String> tables) {
    return tables.stream().map(t -> runOrReport(store.load(t), t)).toList();
  }

  /**
   * {@link #run}, with a failure reported and the table left as it is: upkeep runs after everything was published,
   * each of its steps is its own commit, so a step that fails changes nothing readers see, and the other tables'
   * upkeep still runs.
   */
  Done runOrReport(Table table, String name) {
    try {
      return run(table, name);
    } catch (RuntimeException e) {
      String why = String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
      log.printf("maintain: %s: upkeep failed, the table is left as it is (%s: %s)%n", name,
          e.getClass().getSimpleName(), why.length() > 200 ? why.substring(0, 200) + "…" : why);
      return new Done(name, 0, 0, 0, 0);
    }
  }

  /**
   * Upkeep of every table of the warehouse, both zones: what {@code nightly} runs last, so that the tables linkage
   * and indicators replace every night (and whose old versions would otherwise stay on disk for good) are kept
   * to the retention as well. Returns the number of tables looked at.
   */
  public static int upkeepAll(SparkSession spark, Warehouse wh, Settings.Maintenance settings, PrintStream log) {
    return upkeepAll(spark, wh, settings, log, Clock.systemUTC());
  }

  static int upkeepAll(SparkSession spark, Warehouse wh, Settings.Maintenance settings, PrintStream log,
      Clock clock) {
    Maintenance m = new Maintenance(spark, settings, log, clock);
    IcebergWriter store = new IcebergWriter(spark);
    int n = 0;
    for (String catalog : List.of(wh.analytics, wh.identity)) {
      for (String table : tables(spark, catalog)) {
        Table t = store.load(table);
        IcebergWriter.keepMetadataSmall(t);
        m.runOrReport(t, table);
        n++;
      }
    }
    return n;
  }

  private static List<String> tables(SparkSession spark, String catalog) {
    List<String> out = new java.util.ArrayList<>();
    List<org.apache.spark.sql.Row> namespaces;
    try {
      namespaces = spark.sql("SHOW NAMESPACES IN " + catalog).collectAsList();
    } catch (org.apache.iceberg.exceptions.NoSuchNamespaceException e) {
      // A zone nothing has been written to yet has no folder.
      return out;
    }
    for (org.apache.spark.sql.Row ns : namespaces) {
      String namespace = catalog + "." + ns.getString(0);
      for (org.apache.spark.sql.Row t : spark.sql("SHOW TABLES IN " + namespace).collectAsList()) {
        out.add(namespace + "." + t.getString(1));
      }
    }
    return out;
  }
}
