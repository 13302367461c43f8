package org.sanku.indicators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.link.LinkedRegion;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;

/**
 * End to end for periods other than the calendar year, on the generated region of {@link LinkedRegion} (as of
 * 2025-12-31, services generated from 2024-01-01): the year 2025, the closed year 2024, the four quarters of 2025,
 * February 2025 and the year to date as of 2025-08-14, every indicator at every level (each county, the city, the
 * province), against the generator's recoverable truth for the same periods. The values are computed with the
 * engine and roll-up of the indicator job, without publishing them (the published table of the shared warehouse
 * stays the year's).
 */
public class PeriodsRegionTest {

  /** The truth's periods as of 2025-12-31, in its order (org.sanku.generate.TruthRules#periods). */
  static final List<Period> PERIODS = List.of(Period.year(2025), Period.year(2024), Period.quarter(2025, 1),
      Period.quarter(2025, 2), Period.quarter(2025, 3), Period.quarter(2025, 4), Period.month(2025, 2),
      Period.yearToDate(LocalDate.parse("2025-08-14")));

  private static List<IndicatorJob.Value> values;
  private static List<IndicatorJob.Unassigned> unassigned;

  @BeforeAll
  static void run() {
    LinkedRegion.linked();
    SparkSession spark = TestSpark.get();
    Catalog catalog = TestConfig.get().indicators();
    var wh = LinkedRegion.warehouse();
    List<IndicatorEngine.CountyCount> counts = IndicatorEngine.over(spark, catalog, wh).compute(PERIODS);
    org.sanku.geo.Divisions div = new org.sanku.geo.Divisions(spark, wh.std("ref_division"), false);
    // The region delivers official population figures: the marked indicators count over them, as a run does.
    OfficialDenominators official = OfficialDenominators.of(spark.table(wh.std("ref_population")), catalog,
        PERIODS, div, new PrintStream(System.out, true));
    values = IndicatorJob.rollUp(catalog, TestConfig.get().targets(), PERIODS, counts, div, official);
    unassigned = IndicatorJob.unassigned(catalog, PERIODS, counts);
    new PrintStream(System.out, true).printf("periods: %,d values for %d periods%n", values.size(), PERIODS.size());
  }

  /** The truth holds exactly these periods, and the run computed each of them. */
  @Test
  void theTruthAndTheRunHoldTheSamePeriods() throws Exception {
    List<String> truth = java.nio.file.Files.readAllLines(LinkedRegion.truth().resolve("indicators.csv")).stream()
        .skip(1).map(l -> l.split(",", -1)).map(f -> f[1] + "|" + f[2] + "|" + f[3]).distinct().toList();
    assertEquals(PERIODS.stream().map(p -> p.type() + "|" + p.start() + "|" + p.end()).toList(), truth);
    for (Period p : PERIODS) {
      // 20 indicators × (9 counties + city + province), at most (an empty county may be absent).
      long n = values.stream().filter(v -> v.period().equals(p)).count();
      assertTrue(n > 20 * 3 && n <= 20 * 11, p.label() + ": " + n + " values");
    }
  }

  /** Every indicator and period at every level equals the recoverable truth (numerator, denominator, value). */
  @Test
  void everyPeriodAtEveryLevelEqualsTheRecoverableTruth() throws Exception {
    assertEquals("", IndicatorRegionTest.differences(values, unassigned, LinkedRegion.truth()));
    // The official figures, registry counts and ratios beside them, period by period (2024's over 2024's figures).
    assertEquals("", IndicatorRegionTest.officialDifferences(values, LinkedRegion.truth()));
  }

  /**
   * The generated region holds the cases the periods are about, so that the comparison above covers them: services
   * in 2024 (a closed year, and the 365 days ending a 2025 quarter's R reach into it), a resident born on 29
   * February (64 on 2025-02-28 and 65 on 2025-03-01 for one born in 1960), residents who die or move out between the
   * third quarter's R and the year's, and health records whose status changes between the first quarter's R and the
   * second's.
   */
  @Test
  void theRegionHoldsTheEdgeCases() {
    SparkSession spark = TestSpark.get();
    String clean = LinkedRegion.truth().resolve("clean").toString();
    spark.read().option("header", "true").csv(clean + "/person.csv").createOrReplaceTempView("periods_person");
    spark.read().option("header", "true").csv(clean + "/ehr_person.csv").createOrReplaceTempView("periods_ehr");
    spark.read().option("header", "true").csv(clean + "/exam.csv").createOrReplaceTempView("periods_exam");
    spark.read().option("header", "true").csv(clean + "/followup.csv").createOrReplaceTempView("periods_followup");
    spark.read().option("header", "true").csv(clean + "/visit.csv").createOrReplaceTempView("periods_visit");
    String resident = "recoverable = '1' AND resident_type_code IN ('1','3') AND person_status_code <> '4' ";
    long leapDay = count(spark, "SELECT count(*) FROM periods_person WHERE " + resident
        + "AND substr(birth_date, 6, 5) = '02-29' AND (death_date IS NULL OR death_date > '2025-03-31') "
        + "AND (move_out_date IS NULL OR move_out_date > '2025-03-31')");
    assertTrue(leapDay >= 1, "residents born on 29 February: " + leapDay);
    assertTrue(count(spark, "SELECT count(*) FROM periods_person WHERE " + resident
        + "AND birth_date = '1960-02-29'") >= 1, "a resident born 1960-02-29");
    long gone = count(spark, "SELECT count(*) FROM periods_person WHERE " + resident
        + "AND (death_date BETWEEN '2025-10-01' AND '2025-12-31' OR move_out_date BETWEEN '2025-10-01' AND "
        + "'2025-12-31')");
    assertTrue(gone >= 3, "residents gone between the third quarter's R and the year's: " + gone);
    long statusBetween = count(spark, "SELECT count(*) FROM periods_ehr WHERE recoverable = '1' "
        + "AND record_status_code <> '1' AND record_status_date BETWEEN '2025-04-01' AND '2025-06-30'");
    assertTrue(statusBetween >= 3, "records whose status changes in the second quarter: " + statusBetween);
    for (String t : List.of("periods_exam", "periods_followup", "periods_visit")) {
      String col = t.equals("periods_exam") ? "exam_date" : t.equals("periods_followup") ? "followup_date"
          : "visit_date";
      assertTrue(count(spark, "SELECT count(*) FROM " + t + " WHERE " + col + " BETWEEN '2024-01-01' AND "
          + "'2024-12-31'") > 100, t + " in 2024");
    }
    for (String v : List.of("periods_person", "periods_ehr", "periods_exam", "periods_followup", "periods_visit")) {
      spark.catalog().dropTempView(v);
    }
  }

  /**
   * The partial-period threshold acts in the region: with the same managed patients' follow-ups, a 92-day quarter
   * needs 2 face-to-face follow-ups where a 90-day one needs 1, so the standard-management share of Q3 is computed
   * with 2 (checked by the truth comparison) and the first quarter has standard patients at all.
   */
  @Test
  void quartersHaveStandardPatients() {
    for (Period p : List.of(Period.quarter(2025, 1), Period.quarter(2025, 3))) {
      IndicatorJob.Value city = values.stream().filter(v -> v.period().equals(p)
          && v.indicator().id().equals("htn_std_mgmt") && v.level().equals("city")).findFirst().orElseThrow();
      assertTrue(city.numerator() > 0 && city.numerator() < city.denominator(), p.label() + ": " + city);
    }
  }

  private static long count(SparkSession spark, String sql) {
    Row r = spark.sql(sql).first();
    return r.getLong(0);
  }
}
