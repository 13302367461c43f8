package org.sanku.indicators;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sanku.link.LinkedRegion;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/**
 * The linked region of {@link LinkedRegion} (3,000 persons of 南充, three nights) with indicators published as a
 * nightly schedule leaves them: the closed year 2025 and the year to date of an earlier night (30 December), so a
 * report has a history to draw. Between the two runs a data-quality stage's table {@code dq.check_result} appears
 * (made here, with text that must be escaped): the year's run read the warehouse before it existed, the earlier
 * night's run after. Made once per test JVM; the year is reused when another test published it already.
 */
public final class PublishedRegion {

  public static final Period YEAR = Period.year(2025);
  public static final Period EARLIER_NIGHT = Period.yearToDate(LocalDate.parse("2025-12-30"));
  /** A check message with markup in it: the report must show it as text. */
  public static final String CHECK_MESSAGE = "</script><script>window.injected=1</script> <b>粗体</b> & \"引号\"";

  private static Warehouse warehouse;
  private static boolean checksMadeHere;

  private PublishedRegion() {}

  public static synchronized Warehouse warehouse() {
    if (warehouse == null) {
      LinkedRegion.linked();
      Warehouse wh = LinkedRegion.warehouse();
      SparkSession spark = TestSpark.get();
      Pipeline pipeline = new Pipeline(RunContext.reading(spark, wh, TestConfig.get(),
          new PrintStream(System.out, true)));
      if (pipeline.publishedValues(YEAR).isEmpty()) {
        pipeline.indicators(List.of(YEAR));
      }
      String checks = wh.analytics("dq", "check_result");
      if (!spark.catalog().tableExists(checks)) {
        spark.sql("CREATE NAMESPACE IF NOT EXISTS " + wh.analytics + ".dq");
        spark.sql("CREATE TABLE " + checks + " (check_id STRING, table_name STRING, status STRING, "
            + "failed_rows BIGINT, message STRING) USING iceberg");
        spark.sql("INSERT INTO " + checks + " VALUES ('ehr_exam_date_order', 'std.ehr_physical_exam', 'WARN', 3, '"
            + CHECK_MESSAGE.replace("'", "''") + "'), ('pop_birth_not_future', 'std.pop_person', 'PASS', 0, NULL)");
        checksMadeHere = true;
      }
      pipeline.indicators(List.of(EARLIER_NIGHT));
      warehouse = wh;
    }
    return warehouse;
  }

  /** Whether dq.check_result was made by this fixture (after the year's run), not found already there. */
  public static synchronized boolean checksMadeHere() {
    warehouse();
    return checksMadeHere;
  }
}
