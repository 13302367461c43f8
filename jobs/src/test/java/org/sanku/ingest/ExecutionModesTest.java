package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.spark.Execution;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/**
 * A step over few rows runs interpreted, a larger one compiled (Execution), and both modes give the same rows. The
 * suite's small regions run interpreted in ingest, linkage, checks and indicators; the compiled standardisation of
 * dirty data is also checked against the generator's truth by GeneratedDropsTest, which runs outside any step.
 */
class ExecutionModesTest {

  private static final String FACTORY = "spark.sql.codegen.factoryMode";
  private static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";

  private static String conf(SparkSession spark, String key) {
    scala.Option<String> v = spark.conf().getOption(key);
    return v.isDefined() ? v.get() : null;
  }

  /** The physical plan of a small query run in the session's current mode. */
  private static String plan(SparkSession spark) {
    Dataset<Row> q = spark.range(10).selectExpr("id * 2 AS x").filter("x > 4");
    // 3, 4, …, 9 doubled: 6, 8, …, 18 — seven rows whichever way it runs.
    assertEquals(7, q.collectAsList().size());
    return q.queryExecution().executedPlan().toString();
  }

  @Test
  void fewRowsRunInterpretedMoreCompiledAndTheSessionGetsItsSettingsBack() {
    SparkSession spark = TestSpark.get();
    String factory = conf(spark, FACTORY);
    String wholeStage = conf(spark, WHOLE_STAGE);
    // 99,999 rows, one under the limit of 100,000: interpreted. Whole-stage code generation marks each operator it
    // compiles with "*(stage)" in the plan: there is none.
    String interpreted = Execution.sized(spark, 99_999, 100_000, () -> {
      assertTrue(Execution.isInterpreted(spark));
      assertEquals("interpreted", Execution.mode(spark));
      return plan(spark);
    });
    assertFalse(interpreted.contains("*("), interpreted);
    // Exactly at the limit: compiled, the filter and projection in one generated stage.
    String compiled = Execution.sized(spark, 100_000, 100_000, () -> {
      assertFalse(Execution.isInterpreted(spark));
      return plan(spark);
    });
    assertTrue(compiled.contains("*(1) "), compiled);
    // Afterwards the session has its own settings again.
    assertEquals(factory, conf(spark, FACTORY));
    assertEquals(wholeStage, conf(spark, WHOLE_STAGE));
    // The setting fixes the mode whatever the rows; a value it does not know is refused, naming it.
    try {
      spark.conf().set(Execution.SETTING, "compiled");
      assertFalse(Execution.sized(spark, 10, 100_000, () -> Execution.isInterpreted(spark)));
      spark.conf().set(Execution.SETTING, "Interpreted");
      assertTrue(Execution.sized(spark, 1_000_000_000L, 100_000, () -> Execution.isInterpreted(spark)));
      spark.conf().set(Execution.SETTING, "fast");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Execution.sized(spark, 10, 100_000, () -> true));
      assertEquals("spark.sanku.execution is 'fast': expected compiled, interpreted or auto", e.getMessage());
    } finally {
      spark.conf().unset(Execution.SETTING);
    }
    assertEquals(factory, conf(spark, FACTORY));
  }

  /**
   * A dirty region's first night (4% of rows with a defect: bad IDs, dates and codes, shifted records, orphans,
   * repeated keys) ingested interpreted and again compiled into another warehouse: every table of both zones holds
   * the same rows, the quarantine included.
   */
  @Test
  void aDirtyRegionIngestedInterpretedEqualsItIngestedCompiled(@TempDir Path landing) throws IOException {
    SparkSession spark = TestSpark.get();
    IngestedRegion.generate(landing, null, 300, 1);
    Warehouse interpreted = IngestedRegion.newWarehouse();
    Warehouse compiled = IngestedRegion.newWarehouse();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      spark.conf().set(Execution.SETTING, "interpreted");
      long t0 = System.nanoTime();
      IngestJob.Result a = IngestedRegion.job(interpreted, landing, log).run();
      long t1 = System.nanoTime();
      spark.conf().set(Execution.SETTING, "compiled");
      IngestJob.Result b = IngestedRegion.job(compiled, landing, log).run();
      System.out.printf("ExecutionModesTest: ingest interpreted %.1f s, compiled %.1f s%n", (t1 - t0) / 1e9,
          (System.nanoTime() - t1) / 1e9);
      // One night of four sources: four full drops each way.
      assertEquals(4, a.dropsIngested());
      assertEquals(a.dropsIngested(), b.dropsIngested());
      assertEquals(a.files().toString(), b.files().toString());
    } finally {
      spark.conf().unset(Execution.SETTING);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    // Each drop's line says how it ran: four of each.
    assertEquals(4, text.lines().filter(l -> l.matches("ingest: \\S+ published \\(.*; interpreted\\)")).count(), text);
    assertEquals(4, text.lines().filter(l -> l.matches("ingest: \\S+ published \\(.*; compiled\\)")).count(), text);
    List<String> compared = SameTables.compare(spark, interpreted, compiled, "the interpreted ingest",
        "the compiled ingest");
    System.out.println("ExecutionModesTest: tables compared, with their rows: " + compared);
    // The tables compared include the standardised sources, their identity zone and the quarantine, with rows.
    Set<String> names = new TreeSet<>(compared.stream().map(c -> c.substring(0, c.indexOf('='))).toList());
    assertTrue(names.containsAll(List.of("std.pop_person", "std.emr_visit", "std.ehr_person", "id.pop_person",
        "ops.quarantine")), names.toString());
    assertTrue(compared.stream().filter(c -> c.startsWith("ops.quarantine=")).noneMatch(c -> c.endsWith("=0")),
        compared.toString());
  }
}
