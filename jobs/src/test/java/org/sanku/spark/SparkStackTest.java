package org.sanku.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.sanku.storage.Warehouse;

/**
 * The stack the later stages stand on works on this JVM: Spark 3.5 on Java 17 with the add-opens list, an
 * Iceberg table in the Hadoop catalog written as Parquet, a MERGE, and a read of the previous snapshot.
 */
class SparkStackTest {

  @Test
  void icebergTableCommitsAndKeepsSnapshots() throws Exception {
    SparkSession spark = TestSpark.get();
    new org.sanku.storage.Warehouse(spark, TestSpark.warehouse().toUri().toString(), "smoke", "smoke_id");
    spark.sql("CREATE TABLE smoke.smoke.t (k STRING, v INT) USING iceberg");
    spark.sql("INSERT INTO smoke.smoke.t VALUES ('a', 1), ('b', 2)");
    long first = spark.sql("SELECT snapshot_id FROM smoke.smoke.t.snapshots").first().getLong(0);
    spark.sql("MERGE INTO smoke.smoke.t t USING (SELECT 'b' k, 20 v UNION ALL SELECT 'c', 3) s ON t.k = s.k "
        + "WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *");
    List<Row> now = spark.sql("SELECT k, v FROM smoke.smoke.t ORDER BY k").collectAsList();
    // After the merge: a=1 kept, b updated to 20, c inserted.
    assertEquals("[[a,1], [b,20], [c,3]]", now.toString());
    List<Row> before = spark.sql("SELECT k, v FROM smoke.smoke.t VERSION AS OF " + first + " ORDER BY k")
        .collectAsList();
    assertEquals("[[a,1], [b,2]]", before.toString());
    Path data = TestSpark.warehouse().resolve("analytics/smoke/t/data");
    try (Stream<Path> files = Files.walk(data)) {
      assertTrue(files.anyMatch(p -> p.toString().endsWith(".parquet")), "data files are Parquet");
    }
  }

  /**
   * Sanku's sessions do not run a whole-stage generated method HotSpot will not compile: above 8,000 bytes of
   * bytecode (HotSpot's HugeMethodLimit) Spark runs the operators' own compiled code instead. Spark's default is
   * 64 KB, at which a standardisation's stage ran interpreted. A value given to the JVM would win; none is here.
   */
  @Test
  void sessionsFallBackFromMethodsTheJitWillNotCompile() {
    assertEquals(null, System.getProperty("spark.sql.codegen.hugeMethodLimit"));
    assertEquals("8000", TestSpark.get().conf().get("spark.sql.codegen.hugeMethodLimit"));
    assertEquals("8000", TestSpark.readers().conf().get("spark.sql.codegen.hugeMethodLimit"));
  }
}
