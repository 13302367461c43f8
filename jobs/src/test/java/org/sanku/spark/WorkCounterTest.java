package org.sanku.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.storage.Warehouse;

/** A scope counts the snapshots of its thread and of the threads it starts, not those of other threads. */
class WorkCounterTest {

  @Test
  void aScopeCountsItsThreadsCommitsAndNoOtherThreads(@TempDir Path dir) throws Exception {
    SparkSession spark = TestSpark.get();
    WorkCounter.install(spark);
    Warehouse wh = new Warehouse(spark, dir.toUri().toString(), "wc_a", "wc_i");
    String a = wh.std("wc_a");
    String b = wh.std("wc_b");
    String c = wh.std("wc_c");
    String d = wh.std("wc_d");
    for (String t : List.of(a, b, c, d)) {
      spark.sql("CREATE TABLE " + t + " (k INT) USING iceberg");
    }
    // Each INSERT is one snapshot. In the scope: one in its thread, two in the two threads it starts side by
    // side (to tables of their own, as a file's two zones), so 3. Beside it, a thread started before the scope commits 2 that the scope must not count.
    Thread other = new Thread(() -> {
      spark.sql("INSERT INTO " + b + " VALUES (1)");
      spark.sql("INSERT INTO " + b + " VALUES (2)");
    });
    WorkCounter.Counts before = WorkCounter.now();
    WorkCounter.Counts inScope;
    try (WorkCounter.Scope scope = WorkCounter.scope(spark)) {
      other.start();
      spark.sql("INSERT INTO " + a + " VALUES (1)");
      SideBySide.run("wc", 2, List.of(() -> spark.sql("INSERT INTO " + c + " VALUES (2)"),
          () -> spark.sql("INSERT INTO " + d + " VALUES (3)")));
      other.join();
      inScope = scope.counts();
    }
    assertEquals(3, inScope.snapshots());
    // All five are counted in the JVM's total.
    assertEquals(5, WorkCounter.now().since(before).snapshots());
  }
}
