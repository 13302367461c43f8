package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Timestamp;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.spark.TestSpark;

/**
 * Keys repeated within one file collapse to their latest row, the same way whether only the repeated keys are sorted
 * (few repeats) or every row is (many).
 */
class LatestPerKeyTest {

  private static final StructType PROBLEM = new StructType().add("column", DataTypes.StringType)
      .add("reason", DataTypes.StringType).add("value", DataTypes.StringType);

  private static final StructType COUNTED = new StructType()
      .add("visit_id", DataTypes.StringType).add("diag_seq", DataTypes.IntegerType)
      .add("_errors", DataTypes.createArrayType(PROBLEM)).add("_warnings", DataTypes.createArrayType(PROBLEM))
      .add("_line", DataTypes.LongType);

  private static Row counted(String visit, Integer seq, int errors, int warnings, long line) {
    return counted(visit, seq, errors, java.util.Collections.nCopies(warnings, RowFactory.create("diag_code",
        "UNKNOWN_CODE", "y")), line);
  }

  private static Row counted(String visit, Integer seq, int errors, List<Row> warnings, long line) {
    List<Row> e = java.util.Collections.nCopies(errors, RowFactory.create("diag_code", "BAD_CODE", "x"));
    return RowFactory.create(visit, seq, e, warnings, line);
  }

  /**
   * A file's counts (read, quarantined, warned, distinct keys of its accepted rows) are the same counted in Spark
   * (a large file) or from the rows collected in the job that computes them (a small file), which is one job.
   */
  @Test
  void aSmallFileIsCountedInTheJobThatComputesItsRowsAsALargeOneIsInSpark() throws Exception {
    SparkSession spark = TestSpark.get();
    TableSchema schema = SchemaCatalog.load(java.nio.file.Path.of("..", "schemas"), java.nio.file.Path.of("..", "conf"))
        .get("emr_diagnosis");
    Dataset<Row> std = spark.createDataFrame(List.of(
        counted("V1", 1, 0, 0, 1),    // accepted
        counted("V1", 1, 0, 1, 2),    // accepted, warned (diag_code 'y'); repeats V1/1
        counted("V1", 2, 1, 0, 3),    // quarantined
        counted("V2", null, 0, 0, 4), // accepted
        // accepted, warned; repeats V2/null (a null part equals a null part). Its warnings: 'y' again, 'w', and an
        // ID problem, whose value is never kept among the warned values.
        counted("V2", null, 0, List.of(RowFactory.create("diag_code", "UNKNOWN_CODE", "w"),
            RowFactory.create("diag_code", "UNKNOWN_CODE", "y"), RowFactory.create("diag_code", "ID_CHECKSUM", "z")),
            5),
        counted("V3", 1, 2, 1, 6),    // quarantined (its warning does not make it a warned row)
        counted("V1", 2, 0, 0, 7),    // accepted: the quarantined row's key, once among the accepted rows
        counted(null, null, 0, 0, 8)), COUNTED); // accepted, a key of nulls
    // Worked out from the rows: 8 read, 2 quarantined, 2 warned, 6 accepted with 4 distinct keys (V1/1, V2/null,
    // V1/2, null/null), so 2 accepted rows repeat another's key.
    long[] expected = {8, 2, 2, 4};
    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, IngestJob.countLarge(std, schema));
    org.sanku.spark.WorkCounter.install(spark);
    spark.sparkContext().listenerBus().waitUntilEmpty();
    long before = org.sanku.spark.WorkCounter.now().jobs();
    Dataset<Row> kept = org.sanku.spark.Kept.keepWide(std);
    IngestJob.Counted small = IngestJob.countSmall(kept, schema);
    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, small.counts());
    spark.sparkContext().listenerBus().waitUntilEmpty();
    // Keeping these rows (a plan with no shuffle or broadcast) runs no job; counting them is the one job that
    // computes them, with their warned values.
    assertEquals(1, org.sanku.spark.WorkCounter.now().jobs() - before, "one job computes the rows and counts them");
    // The warned values of the accepted rows, worked out by hand: diag_code 'y' twice (lines 2 and 5; the
    // quarantined line 6's 'y' is not an accepted row's), 'w' once (line 5); the ID problem of line 5 is left out.
    // As column|reason|value|rows|first line; the same as Spark's aggregation of a large file's values gives.
    WarnedValues fromTask = new WarnedValues();
    fromTask.add("d", "f", schema, small.warned());
    WarnedValues inSpark = new WarnedValues();
    inSpark.add("d", "f", schema, std.filter("size(_errors) = 0"));
    List<String> expectedValues = List.of("diag_code|UNKNOWN_CODE|w|1|5", "diag_code|UNKNOWN_CODE|y|2|2");
    assertEquals(expectedValues, warnedValues(spark, fromTask));
    assertEquals(expectedValues, warnedValues(spark, inSpark));
    org.sanku.spark.Kept.release(kept);
  }

  /** A file's warned values as column|reason|value|rows|first line, sorted. */
  private static List<String> warnedValues(SparkSession spark, WarnedValues values) {
    return values.dataset(spark).collectAsList().stream().map(r -> r.getAs("column_name") + "|" + r.getAs("reason")
        + "|" + r.getAs("value") + "|" + r.getAs("rows") + "|" + r.getAs("first_line")).sorted().toList();
  }

  private static final StructType ROWS = new StructType()
      .add("visit_id", DataTypes.StringType).add("diag_seq", DataTypes.IntegerType)
      .add("src_updated_at", DataTypes.TimestampType).add("_line", DataTypes.LongType);

  private static Row row(String visit, int seq, String updated, long line) {
    return RowFactory.create(visit, seq, updated == null ? null : Timestamp.valueOf(updated), line);
  }

  @Test
  void theLatestRowOfEachKeyWinsAndTheLaterLineBreaksATie() {
    SparkSession spark = TestSpark.get();
    // emr_diagnosis: key (visit_id, diag_seq), with change columns (src_updated_at orders the versions).
    TableSchema schema = SchemaCatalog.load(java.nio.file.Path.of("..", "schemas"), java.nio.file.Path.of("..", "conf"))
        .get("emr_diagnosis");
    Dataset<Row> good = spark.createDataFrame(List.of(
        // V1/1 three times: the 10:00 version (line 7) is the latest although line 9 comes after it.
        row("V1", 1, "2025-03-01 08:00:00", 2),
        row("V1", 1, "2025-03-01 10:00:00", 7),
        row("V1", 1, "2025-03-01 09:00:00", 9),
        // V1/2 once, and V2/1 once: the same visit or the same sequence number is another key.
        row("V1", 2, "2025-03-01 08:00:00", 3),
        row("V2", 1, "2025-03-01 08:00:00", 4),
        // V3/1 twice at the same time: the later line (11) wins.
        row("V3", 1, "2025-03-02 12:00:00", 11),
        row("V3", 1, "2025-03-02 12:00:00", 5)), ROWS);
    // 7 rows, 4 distinct keys: 3 repeat another's key.
    TreeSet<String> expected = new TreeSet<>(List.of("V1/1@7", "V1/2@3", "V2/1@4", "V3/1@11"));
    // Few repeats: only V1/1's and V3/1's rows are sorted.
    assertEquals(expected, keysAndLines(IngestJob.latestPerKey(good, schema, 3)));
    // The same, with the repeated keys found once for the several plans built on the result (a large file's two
    // zones); keysAndLines reads it twice.
    assertEquals(expected, keysAndLines(IngestJob.latestPerKey(good, schema, 3, true)));
    // Many repeats (more than the small-change limit): every row goes through the window.
    assertEquals(expected, keysAndLines(IngestJob.latestPerKey(good, schema, Long.MAX_VALUE)));
  }

  private static TreeSet<String> keysAndLines(Dataset<Row> rows) {
    TreeSet<String> out = new TreeSet<>();
    for (Row r : rows.collectAsList()) {
      out.add(r.getAs("visit_id") + "/" + r.getAs("diag_seq") + "@" + r.getAs("_line"));
    }
    assertEquals(out.size(), rows.count(), "one row per key");
    return out;
  }
}
