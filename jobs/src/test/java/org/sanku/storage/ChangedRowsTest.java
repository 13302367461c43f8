package org.sanku.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.spark.TestSpark;

/**
 * The rows of a table that can differ between two snapshots, from its files: deltas applied as ingest applies
 * them (merge-on-read), worked out by hand from which keys each delta updates, deletes and inserts.
 */
class ChangedRowsTest {

  private static SparkSession spark;
  private static Warehouse wh;

  @BeforeAll
  static void warehouse() throws Exception {
    spark = TestSpark.get();
    Path dir = Files.createTempDirectory("sanku-changed-rows");
    wh = new Warehouse(spark, dir.toUri().toString(), "chg_a", "chg_i");
  }

  private static Dataset<Row> delta(String values) {
    return spark.sql("SELECT * FROM VALUES " + values + " AS c(k, v, src_updated_at, op_type)").coalesce(1);
  }

  private static long current(String table) {
    Table t = new IcebergWriter(spark).load(table);
    t.refresh();
    return t.currentSnapshot().snapshotId();
  }

  private static List<String> keys(String table, long then, long now, double share) {
    Dataset<Row> c = ChangedRows.candidates(spark, table, then, now, List.of("k"), share);
    return c == null ? null : c.orderBy("k").as(Encoders.STRING()).collectAsList();
  }

  @Test
  void theCandidatesAreTheRowsOfTheChangedFilesAndNoOthers() {
    IcebergWriter store = new IcebergWriter(spark);
    String t = wh.std("changed");
    // Snapshot A: keys 100..199 in one data file.
    MaintenanceTest.drop(store, t, spark.sql("SELECT cast(id AS string) AS k, 'v0' AS v, timestamp'2025-01-01 00:00:00' AS "
        + "src_updated_at, 'U' AS op_type FROM range(100, 200) ORDER BY id").coalesce(1));
    long a = current(t);
    // Snapshot B: 110 and 111 updated, 112 deleted, 300 new. New data file: 110, 111, 300; positions of the old
    // versions of 110, 111 and of 112 marked deleted. Candidates: 110, 111, 112, 300.
    MaintenanceTest.drop(store, t, delta("('110', 'v1', timestamp'2025-01-02 00:00:00', 'U'), "
        + "('111', 'v1', timestamp'2025-01-02 00:00:00', 'U'), ('112', 'v1', timestamp'2025-01-02 00:00:00', 'D'), "
        + "('300', 'v1', timestamp'2025-01-02 00:00:00', 'U')"));
    long b = current(t);
    assertEquals(List.of("110", "111", "112", "300"), keys(t, a, b, 1.0));
    // Nothing changed between a snapshot and itself.
    assertEquals(List.of(), keys(t, b, b, 1.0));
    // Snapshot C: 120 updated. Since B: its new file (120) and its old position; the delete file now also lists
    // 110, 111 and 112, which B no longer shows: 120 alone. Since A: all five.
    MaintenanceTest.drop(store, t, delta("('120', 'v2', timestamp'2025-01-03 00:00:00', 'U')"));
    long c = current(t);
    assertEquals(List.of("120"), keys(t, b, c, 1.0));
    assertEquals(List.of("110", "111", "112", "120", "300"), keys(t, a, c, 1.0));
    // The changed files hold 3 + 1 of the 104 data-file records (3.8%): above a 1% limit, not derivable.
    assertNull(keys(t, a, c, 0.01));
    // An unknown snapshot: not derivable.
    assertNull(keys(t, 42L, c, 1.0));
    // Snapshot D, a compaction: every row is in a new file (100 rows: 100..199 less 112, and 300). It changed no
    // row, so the comparison from A ends at C, whose files tell the changes: the same five keys, within the
    // default limit (3.8%). Compared with D's files instead, its 100 rows and A's 100 would all be candidates.
    compact(t);
    long d = current(t);
    assertEquals(100, spark.table(t).count());
    assertEquals(List.of("110", "111", "112", "120", "300"), keys(t, a, d, 0.05));
    assertEquals(List.of("120"), keys(t, b, d, 0.05));
    // The compaction changed no row: nothing changed from C to D, and C and D hold the same rows (D's rows last
    // changed when C was committed).
    Table td = new IcebergWriter(spark).load(t);
    td.refresh();
    assertEquals("replace", td.currentSnapshot().operation());
    assertEquals(List.of(), keys(t, c, d, 0.05));
    assertEquals(d, ChangedRows.sameRowsAs(td, c, d));
    assertTrue(ChangedRows.sameRows(spark, t, c, d));
    assertFalse(ChangedRows.sameRows(spark, t, b, d));
    assertEquals(td.snapshot(c).timestampMillis(), ChangedRows.rowsCommitted(td));
    // Snapshot E: 130 updated after the compaction. From C the comparison starts at D: 130 alone, within the
    // default limit (1 + 1 of 100 records), where the files of A, B and C are all gone.
    MaintenanceTest.drop(store, t, delta("('130', 'v3', timestamp'2025-01-04 00:00:00', 'U')"));
    long e = current(t);
    assertEquals(List.of("130"), keys(t, c, e, 0.05));
    assertFalse(ChangedRows.sameRows(spark, t, c, e));
    assertEquals(c, ChangedRows.sameRowsAs(td, c, c));
    // Snapshot F compacts E: from C the comparison runs from D to E, 130 alone. From A it runs to E, whose files
    // (D's 100 rows and E's 1) and A's 100 are all changed files: 201 records against the table's 101, not derivable.
    compact(t);
    long f = current(t);
    td.refresh();
    assertEquals(e, ChangedRows.sameRowsBefore(td, f, c));
    assertEquals(List.of("130"), keys(t, c, f, 0.05));
    assertNull(keys(t, a, f, 0.05));
    // Without the limit every row is a candidate: A's 100..199, D's 100..199 less 112 and 300, E's 130: 101 keys.
    assertEquals(101, keys(t, a, f, 100.0).size());
    // Never back past the old snapshot: from E to F nothing changed.
    assertEquals(e, ChangedRows.sameRowsBefore(td, f, e));
    assertEquals(List.of(), keys(t, e, f, 0.05));
  }

  private static void compact(String t) {
    spark.sql("CALL " + t.substring(0, t.indexOf('.')) + ".system.rewrite_data_files(table => '"
        + t.substring(t.indexOf('.') + 1) + "', options => map('rewrite-all', 'true'))");
  }
}
