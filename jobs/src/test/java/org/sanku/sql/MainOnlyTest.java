package org.sanku.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.storage.Warehouse;
import org.sanku.spark.TestSpark;

/**
 * Readers see main only. The pipeline's session writes a table as ingest does: two published snapshots on main, then
 * a half-ingested row on the {@code stage} branch, a tag on that stage snapshot and a tag on main's first snapshot.
 * The users' session must never show the stage row, however the table is named.
 */
class MainOnlyTest {

  private static final String STAGE_ROW = "half-ingested";
  private static final String TABLE = "mo_r.std.person";

  @TempDir
  static Path dir;

  private static SparkSession readers;
  private static long first;
  private static long staged;

  @BeforeAll
  static void warehouse() {
    SparkSession pipeline = TestSpark.get();
    readers = TestSpark.readers();
    String location = dir.resolve("wh").toUri().toString();
    new Warehouse(pipeline, location, "mo_a", "mo_i");
    pipeline.sql("CREATE NAMESPACE mo_a.std");
    pipeline.sql("CREATE TABLE mo_a.std.person (k STRING, v STRING)");
    pipeline.sql("INSERT INTO mo_a.std.person VALUES ('k1', 'published-1')");
    first = latest(pipeline);
    pipeline.sql("INSERT INTO mo_a.std.person VALUES ('k2', 'published-2')");
    pipeline.sql("ALTER TABLE mo_a.std.person CREATE TAG on_main AS OF VERSION " + first);
    pipeline.sql("ALTER TABLE mo_a.std.person CREATE BRANCH stage");
    pipeline.sql("INSERT INTO mo_a.std.person.branch_stage VALUES ('k3', '" + STAGE_ROW + "')");
    staged = latest(pipeline);
    pipeline.sql("ALTER TABLE mo_a.std.person CREATE TAG staged AS OF VERSION " + staged);
    org.sanku.sql.AnalyticsCatalog.register(readers, location, "mo_r");
  }

  private static long latest(SparkSession pipeline) {
    return pipeline.sql("SELECT snapshot_id FROM mo_a.std.person.snapshots ORDER BY committed_at DESC LIMIT 1")
        .first().getLong(0);
  }

  private static List<Row> read(String sql) {
    List<Row> rows = readers.sql(sql).collectAsList();
    assertFalse(rows.toString().contains(STAGE_ROW), sql + ": " + rows);
    return rows;
  }

  @Test
  void otherBranchesTagsAndTheirSnapshotsAreRefused() {
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("SELECT * FROM " + TABLE + ".branch_stage", "reads the branch 'stage'");
    refused.put("SELECT * FROM " + TABLE + " VERSION AS OF 'stage'", "VERSION AS OF 'stage' reads a branch or tag");
    refused.put("SELECT * FROM " + TABLE + " FOR SYSTEM_VERSION AS OF 'stage'", "VERSION AS OF 'stage'");
    refused.put("SELECT * FROM " + TABLE + " VERSION AS OF 'staged'", "VERSION AS OF 'staged' reads a branch or tag");
    refused.put("SELECT * FROM " + TABLE + " VERSION AS OF 'on_main'", "reads a branch or tag");
    refused.put("SELECT * FROM " + TABLE + ".tag_staged", "reads the tag 'staged'");
    refused.put("SELECT * FROM " + TABLE + ".tag_on_main", "reads the tag 'on_main'");
    refused.put("SELECT * FROM " + TABLE + " VERSION AS OF " + staged,
        "snapshot " + staged + " is not in the history of the main branch");
    refused.put("SELECT * FROM " + TABLE + ".snapshot_id_" + staged, "is not in the history of the main branch");
    refused.put("SELECT * FROM " + TABLE + ".files VERSION AS OF " + staged, "is not in the history");
    refused.put("SELECT * FROM " + TABLE + ".files VERSION AS OF 'stage'", "reads a branch or tag");
    refused.put("SELECT * FROM " + TABLE + ".refs", "lists the table's branches and tags");
    refused.put("SELECT * FROM " + TABLE + ".snapshots", "lists the snapshots of every branch");
    for (String all : List.of("all_data_files", "all_delete_files", "all_files", "all_entries", "all_manifests")) {
      refused.put("SELECT * FROM " + TABLE + "." + all, "describes the files of every branch");
    }
    refused.put("SELECT count(*) FROM " + TABLE + " a JOIN " + TABLE + ".branch_stage b USING (k)",
        "reads the branch 'stage'");
    refused.put("WITH s AS (SELECT * FROM " + TABLE + ".branch_stage) SELECT * FROM s", "reads the branch 'stage'");
    refused.put("SELECT * FROM " + TABLE + " WHERE k IN (SELECT k FROM " + TABLE + ".branch_stage)",
        "reads the branch 'stage'");
    refused.put("EXPLAIN SELECT * FROM " + TABLE + " VERSION AS OF 'stage'", "reads a branch or tag");
    refused.put("DESCRIBE TABLE EXTENDED " + TABLE + ".branch_stage", "reads the branch 'stage'");
    refused.put("SHOW TBLPROPERTIES " + TABLE + ".tag_staged", "reads the tag 'staged'");
    refused.put("SHOW CREATE TABLE " + TABLE + ".snapshot_id_" + staged, "is not in the history");
    refused.forEach((sql, why) -> {
      String message = assertThrows(RefusedException.class, () -> readers.sql(sql).collectAsList(), sql)
          .getMessage();
      assertTrue(message.contains(why) && message.contains("refused") && message.contains("main"),
          sql + ": " + message);
    });
    // The Dataset API's read options are checked as well.
    for (Map.Entry<String, String> option : Map.of("branch", "stage", "tag", "staged",
        "snapshot-id", Long.toString(staged)).entrySet()) {
      String message = assertThrows(RefusedException.class,
          () -> readers.read().option(option.getKey(), option.getValue()).table(TABLE).collectAsList()).getMessage();
      assertTrue(message.contains("refused"), option + ": " + message);
    }
  }

  @Test
  void mainAndTimeTravelAlongMainAreRead() {
    assertEquals(2, read("SELECT * FROM " + TABLE).size());
    assertEquals(2, read("SELECT * FROM " + TABLE + ".branch_main").size());
    assertEquals(2, read("SELECT * FROM " + TABLE + " VERSION AS OF 'main'").size());
    assertEquals(List.of("published-1"),
        read("SELECT v FROM " + TABLE + " VERSION AS OF " + first).stream().map(r -> r.getString(0)).toList());
    assertEquals(1, read("SELECT * FROM " + TABLE + " FOR SYSTEM_VERSION AS OF " + first).size());
    assertEquals(1, read("SELECT * FROM " + TABLE + ".snapshot_id_" + first).size());
    // The stage snapshot is the newest, but a timestamp is resolved along main's history.
    assertEquals(2, read("SELECT * FROM " + TABLE + " TIMESTAMP AS OF current_timestamp()").size());
    List<Row> history = read("SELECT snapshot_id FROM " + TABLE + ".history");
    assertEquals(2, history.size());
    assertFalse(history.stream().anyMatch(r -> r.getLong(0) == staged));
    assertEquals(2, read("SELECT * FROM " + TABLE + ".files").size());
    assertEquals(1, read("SELECT * FROM " + TABLE + ".files VERSION AS OF " + first).size());
    read("DESCRIBE TABLE EXTENDED " + TABLE);
    read("SHOW TBLPROPERTIES " + TABLE + ".branch_main");
    read("SELECT * FROM " + TABLE + ".manifests");
    read("SELECT * FROM " + TABLE + ".partitions");
  }
}
