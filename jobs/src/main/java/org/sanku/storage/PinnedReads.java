package org.sanku.storage;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * How a stage reads the warehouse: every table at the snapshot that was current when the stage first read it, so
 * that all the plans of a stage (however often Spark recomputes them) see one state of the warehouse, even while
 * another run publishes a night. Linkage, indicators and reports read through one of these; a new stage makes a new
 * one and sees what the stages before it published.
 */
public final class PinnedReads {

  private final SparkSession spark;
  private final Map<String, Long> pinned = new LinkedHashMap<>();
  /** Null to pin each table's current snapshot; else the instant whose state is read. */
  private final java.time.Instant asOf;

  public PinnedReads(SparkSession spark) {
    this(spark, null);
  }

  private PinnedReads(SparkSession spark, java.time.Instant asOf) {
    this.spark = spark;
    this.asOf = asOf;
  }

  /**
   * Reads every table as it was at {@code instant}: at the snapshot of its main branch that was current then. A
   * table without a snapshot by then (created later, or its history expired by upkeep) reads as absent. A report
   * reads the tables a published run read this way, from the run's start: what later nights published is not
   * mixed in.
   */
  public static PinnedReads asOf(SparkSession spark, java.time.Instant instant) {
    return new PinnedReads(spark, java.util.Objects.requireNonNull(instant, "instant"));
  }

  /** Whether the table exists (as of the instant, when this reads one). */
  public boolean exists(String table) {
    return spark.catalog().tableExists(table) && (asOf == null || snapshot(table) >= 0);
  }

  /** The snapshot read of {@code table}, or -1 when it has none (absent, or never written). */
  public synchronized long snapshot(String table) {
    return pinned.computeIfAbsent(table, t -> {
      if (!spark.catalog().tableExists(t)) {
        return -1L;
      }
      try {
        Table ice = Spark3Util.loadIcebergTable(spark, t);
        ice.refresh();
        if (asOf != null) {
          Long id = org.apache.iceberg.util.SnapshotUtil.nullableSnapshotIdAsOfTime(ice, asOf.toEpochMilli());
          return id == null ? -1L : id;
        }
        Snapshot s = ice.currentSnapshot();
        return s == null ? -1L : s.snapshotId();
      } catch (Exception e) {
        throw new IllegalStateException("cannot load table " + t + ": " + e.getMessage(), e);
      }
    });
  }

  /**
   * The name that reads the pinned snapshot ({@code sanku.model.person.snapshot_id_42}, Iceberg's selector), for
   * SQL text and {@code spark.table}; the plain name when the table has no snapshot.
   */
  public String name(String table) {
    long id = snapshot(table);
    if (id < 0 && asOf != null) {
      throw new IllegalStateException(table + " has no snapshot from " + asOf + " or before (it was created later, "
          + "or upkeep expired that part of its history)");
    }
    return id < 0 ? table : table + ".snapshot_id_" + id;
  }

  /** The pinned table, or null when it does not exist (as of the instant, when this reads one). */
  public Dataset<Row> read(String table) {
    if (!exists(table)) {
      return null;
    }
    long id = snapshot(table);
    return id < 0 ? spark.table(table) : spark.table(name(table));
  }

  /** The tables read so far and their snapshots, for a run's record. */
  public synchronized Map<String, Long> snapshots() {
    return Map.copyOf(pinned);
  }
}
