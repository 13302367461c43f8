package org.sanku.indicators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.link.IntegratedTables;
import org.sanku.spark.TestSpark;

/**
 * The catalog's rules for periods other than a calendar year, on five hand-made persons of one county (顺庆区
 * 511302), the same five the generator's truth counts in org.sanku.generate.TruthPeriodsTest, with the same
 * expected counts:
 *
 * <pre>
 * person  born        notes
 * H1      1975-01-01  HTN since 2020; face-to-face follow-ups 2025-02-10 and 2025-08-10
 * H2      1970-01-01  HTN since 2020; face-to-face follow-ups 2025-07-05 and 2025-09-05 (home visit)
 * H3      1965-01-01  HTN since 2020; face-to-face follow-ups 2024-02-01 and 2024-05-01
 * L1      1960-02-29  born on a leap day: 64 on 2025-02-28, 65 on 2025-03-01
 * D1      1950-01-01  died 2025-05-10; record status 死亡 dated 2025-05-20
 * </pre>
 * Everyone is resident (type 1) and has a valid health record built 2020-01-01. The "≥ 4 a year" rule needs
 * ⌈4 × days(P) / days(year)⌉ with the days of P's own calendar year: 1 in the 28 days of February 2025 and the 90 of
 * 2025-Q1, 2 in the 92 of 2025-Q3, and 2 (4 × 183 / 366 exactly; 3 with 365 days) from 2024-01-01 to 2024-07-01.
 */
class PeriodRulesTest {

  private static final String A = "511302";
  private static SparkSession spark;
  private static Map<String, List<Row>> rows;
  private static Catalog catalog;

  @BeforeAll
  static void region() {
    spark = TestSpark.get();
    rows = new HashMap<>();
    person("H1", "1975-01-01", "1", null);
    person("H2", "1970-01-01", "1", null);
    person("H3", "1965-01-01", "1", null);
    person("L1", "1960-02-29", "1", null);
    person("D1", "1950-01-01", "2", "2025-05-10");
    for (String p : List.of("H1", "H2", "H3", "L1")) {
      record("R" + p, p, "1", null);
    }
    record("RD1", "D1", "2", "2025-05-20");
    enrollment("EH1", "RH1");
    enrollment("EH2", "RH2");
    enrollment("EH3", "RH3");
    followup("F1a", "EH1", "RH1", "2025-02-10", "1");
    followup("F1b", "EH1", "RH1", "2025-08-10", "1");
    followup("F2a", "EH2", "RH2", "2025-07-05", "1");
    followup("F2b", "EH2", "RH2", "2025-09-05", "2");
    followup("F3a", "EH3", "RH3", "2024-02-01", "1");
    followup("F3b", "EH3", "RH3", "2024-05-01", "1");
    IntegratedRows.views(rows, "periods_");
    spark.sql("SELECT * FROM VALUES ('511302000000', '顺庆区', '3', '511300000000'), "
        + "('511300000000', '南充市', '2', '510000000000'), ('510000000000', '四川省', '1', NULL) "
        + "AS t(division_code, name, level, parent_code)").createOrReplaceTempView("periods_std_ref_division");
    catalog = Catalog.load(Path.of("..", "conf", "indicators"));
  }

  @AfterAll
  static void dropViews() {
    for (IntegratedTables.Spec s : IntegratedTables.all()) {
      spark.catalog().dropTempView("periods_" + s.namespace() + "_" + s.table());
    }
    spark.catalog().dropTempView("periods_std_ref_division");
  }

  /**
   * aging_65, aging_60, ehr_coverage and htn_std_mgmt of the county, per period (one engine run for all five):
   *
   * <ul>
   *   <li>February 2025 (R 2025-02-28): residents 5; 65+: D1 only (L1 is 64) → 1/5; 60+: H3 (60), L1, D1 → 3/5;
   *       valid records 5/5 (D1's status date is after R); H1's follow-up of 02-10 meets the threshold 1 → 1/1.</li>
   *   <li>2025-Q1 (R 03-31): 65+: L1 (65 since 1 March) and D1 → 2/5; H1 → 1/1.</li>
   *   <li>2025-Q2 (R 06-30): D1 died on 05-10 → residents 4; 65+: L1 → 1/4; 60+: 2/4; valid records 4/4; no
   *       follow-up in P → no managed patient, 0/0.</li>
   *   <li>2025-Q3 (threshold 2): H1 has one follow-up (not standard), H2 two → 1/2.</li>
   *   <li>2024-01-01 … 2024-07-01: H3's two follow-ups meet the threshold 2 → 1/1; 65+: D1 (74) → 1/5; 60+: L1,
   *       D1 (H3 is 59) → 2/5.</li>
   * </ul>
   */
  @Test
  void eachPeriodHasItsOwnReferenceDateThresholdAndAges() {
    List<Period> periods = List.of(Period.month(2025, 2), Period.quarter(2025, 1), Period.quarter(2025, 2),
        Period.quarter(2025, 3), Period.yearToDate(LocalDate.parse("2024-07-01")));
    IndicatorEngine e = new IndicatorEngine(spark, catalog, (ns, t) -> "periods_" + ns + "_" + t);
    List<IndicatorJob.Value> values = IndicatorJob.rollUp(catalog, Targets.none(), periods, e.compute(periods),
        new org.sanku.geo.Divisions(spark, "periods_std_ref_division", false));
    List<String> want = List.of("1/5 3/5 5/5 1/1", "2/5 3/5 5/5 1/1", "1/4 2/4 4/4 0/0", "1/4 2/4 4/4 1/2",
        "1/5 2/5 5/5 1/1");
    for (int i = 0; i < periods.size(); i++) {
      Period p = periods.get(i);
      StringBuilder got = new StringBuilder();
      for (String id : List.of("aging_65", "aging_60", "ehr_coverage", "htn_std_mgmt")) {
        IndicatorJob.Value v = values.stream().filter(x -> x.period().equals(p) && x.indicator().id().equals(id)
            && x.level().equals("county")).findFirst().orElse(null);
        got.append(got.length() == 0 ? "" : " ").append(v == null ? "0/0" : v.numerator() + "/" + v.denominator());
      }
      assertEquals(want.get(i), got.toString(), p.label());
    }
    // The threshold's inputs: days of P over days of its own calendar year.
    assertEquals(90, Period.quarter(2025, 1).days());
    assertEquals(365, Period.quarter(2025, 1).yearDays());
    assertEquals(183, Period.yearToDate(LocalDate.parse("2024-07-01")).days());
    assertEquals(366, Period.yearToDate(LocalDate.parse("2024-07-01")).yearDays());
  }

  private static void add(String table, Object... kv) {
    IntegratedRows.add(rows, table, kv);
  }

  private static void person(String key, String birth, String status, String death) {
    add("person", "person_key", key, "birth_date", birth, "resident_type_code", "1", "person_status_code", status,
        "death_date", death, "county_code", A);
  }

  private static void record(String ehrNo, String person, String status, String statusDate) {
    add("ehr_record", "ehr_no", ehrNo, "person_key", person, "build_date", "2020-01-01", "basic_form_complete", "1",
        "record_status_code", status, "record_status_date", statusDate, "is_electronic", "1", "org_county_code", A);
  }

  private static void enrollment(String id, String ehrNo) {
    add("ehr_enrollment", "enrollment_id", id, "ehr_no", ehrNo, "person_key", ehrNo.substring(1), "program_code",
        "HTN", "enroll_date", "2020-01-01", "manage_status_code", "1");
  }

  private static void followup(String id, String enrollment, String ehrNo, String date, String mode) {
    add("ehr_followup", "followup_id", id, "enrollment_id", enrollment, "ehr_no", ehrNo, "person_key",
        ehrNo.substring(1), "followup_date", date, "followup_mode_code", mode, "sbp", 120, "dbp", 80);
  }
}
