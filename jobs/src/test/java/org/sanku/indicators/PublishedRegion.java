package org.sanku.indicators;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sanku.link.LinkedRegion;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.quality.CheckedRegion;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/**
 * The linked region of {@link LinkedRegion} (3,000 persons of 南充, three nights) with indicators published as a
 * nightly schedule leaves them: the closed year 2025 and the year to date of an earlier night (30 December), so a
 * report has a history to draw. Between the two runs the data-quality checks run ({@link CheckedRegion}, the
 * checks of 30 and 31 December, shared with the quality tests), so their {@code dq.check_result} appears: the year's
 * run read the warehouse before it existed, the earlier night's run after. One failed result with text that must be
 * escaped is added to it here, under a check id and run of its own that no check run or report line of the quality
 * tests reads. Made once per test JVM; the year is reused when another test published it already.
 */
public final class PublishedRegion {

  public static final Period YEAR = Period.year(2025);
  public static final Period EARLIER_NIGHT = Period.yearToDate(LocalDate.parse("2025-12-30"));
  /** The check id and run of the added result with markup in it. */
  public static final String ESCAPING_CHECK = "report_escaping";
  public static final String ESCAPING_RUN = "report-escaping-run";
  /** A group name with markup in it: the report must show it as text. */
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
      checksMadeHere = !spark.catalog().tableExists(checks);
      CheckedRegion.result();
      // Its checked_at is the latest, so the report lists it first among the failures.
      spark.sql("INSERT INTO " + checks + " VALUES ('" + ESCAPING_RUN + "', DATE'2025-12-31', NULL, '"
          + ESCAPING_CHECK + "', 'plausibility', 'ehr', 'ehr_physical_exam', 'org', map('org', 'X'), '"
          + CHECK_MESSAGE.replace("'", "''") + "', 3L, 10L, 0.3D, CAST(NULL AS DOUBLE), 0.0D, 'warn', false, false, "
          + "current_timestamp())");
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
