package org.sanku.indicators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.link.IntegratedTables;
import org.sanku.spark.TestSpark;

/**
 * Two counting rules on hand-made rows of one county (A = 511302), period 2025 (P = R's year, R = 2025-12-31):
 * an exam without its height or weight is not complete, and a follow-up dated after its enrolment's close date
 * counts for no enrolment. Every resident has one valid health record (R1 … R7) and no other service than those
 * listed.
 *
 * <pre>
 * person  born        age on R  rows
 * Q1      1950-01-01  75        exam X1 2025-03-01, every field but height_cm
 * Q2      1950-01-01  75        exam X2 2025-04-01, every field but weight_kg
 * Q3      1950-01-01  75        exam X3 2025-05-01, complete
 * Q4      1970-01-01  55        HTN E4 结案 2025-06-30: F4a 02-01 clinic 130/80, F4b 04-01 clinic 130/80,
 *                               F4c 06-30 (the close date) home 150/95, F4d 09-01 and F4e 11-01 clinic 120/70
 * Q5      1970-01-01  55        HTN E5 结案 2025-03-01: F5 2025-04-01 clinic 120/70 (after the close)
 * Q6      1970-01-01  55        HTN E6 在管: F6a-d 02-01, 05-01, 08-01, 11-01 clinic 120/70
 * Q7      1970-01-01  55        T2DM E7 结案 2025-08-01: F7a 02-01 clinic fbg 8.0, F7b 12-01 clinic fbg 6.0 (after)
 * </pre>
 */
class CountingCasesTest {

  private static final String A = "511302";
  private static SparkSession spark;
  private static final Map<String, List<Row>> rows = new HashMap<>();
  private static Map<String, String> got;

  @BeforeAll
  static void region() {
    spark = TestSpark.get();
    List<String> g = List.of("1");
    for (String q : List.of("Q1", "Q2", "Q3")) {
      person(q, "1950-01-01");
    }
    for (String q : List.of("Q4", "Q5", "Q6", "Q7")) {
      person(q, "1970-01-01");
    }
    for (int i = 1; i <= 7; i++) {
      add("ehr_record", "ehr_no", "R" + i, "person_key", "Q" + i, "build_date", "2020-01-01",
          "basic_form_complete", "1", "record_status_code", "1", "is_electronic", "1", "org_county_code", A);
    }
    exam("X1", "R1", "2025-03-01", null, 60.0, g);
    exam("X2", "R2", "2025-04-01", 160.0, null, g);
    exam("X3", "R3", "2025-05-01", 160.0, 60.0, g);

    enrollment("E4", "R4", "HTN", "2", "2025-06-30");
    followup("F4a", "E4", "R4", "2025-02-01", "1", 130, 80, null);
    followup("F4b", "E4", "R4", "2025-04-01", "1", 130, 80, null);
    followup("F4c", "E4", "R4", "2025-06-30", "2", 150, 95, null);
    followup("F4d", "E4", "R4", "2025-09-01", "1", 120, 70, null);
    followup("F4e", "E4", "R4", "2025-11-01", "1", 120, 70, null);
    enrollment("E5", "R5", "HTN", "2", "2025-03-01");
    followup("F5", "E5", "R5", "2025-04-01", "1", 120, 70, null);
    enrollment("E6", "R6", "HTN", "1", null);
    for (String m : List.of("02", "05", "08", "11")) {
      followup("F6" + m, "E6", "R6", "2025-" + m + "-01", "1", 120, 70, null);
    }
    enrollment("E7", "R7", "T2DM", "2", "2025-08-01");
    followup("F7a", "E7", "R7", "2025-02-01", "1", null, null, 8.0);
    followup("F7b", "E7", "R7", "2025-12-01", "1", null, null, 6.0);

    IntegratedRows.views(rows, "cases_");
    spark.sql("SELECT * FROM VALUES ('511302000000', '顺庆区', '3', '511300000000'), "
        + "('511300000000', '南充市', '2', '510000000000'), ('510000000000', '四川省', '1', NULL) "
        + "AS t(division_code, name, level, parent_code)").createOrReplaceTempView("cases_std_ref_division");
    Catalog catalog = Catalog.load(Path.of("..", "conf", "indicators"));
    Period p = Period.year(2025);
    IndicatorEngine e = new IndicatorEngine(spark, catalog, (ns, t) -> "cases_" + ns + "_" + t);
    got = new TreeMap<>();
    for (IndicatorJob.Value v : IndicatorJob.rollUp(catalog, Targets.none(), List.of(p), e.compute(List.of(p)),
        new org.sanku.geo.Divisions(spark, "cases_std_ref_division", false))) {
      if (v.divisionCode().startsWith(A)) {
        got.put(v.indicator().id(), v.numerator() + "/" + v.denominator());
      }
    }
  }

  @AfterAll
  static void dropViews() {
    for (IntegratedTables.Spec s : IntegratedTables.all()) {
      spark.catalog().dropTempView("cases_" + s.namespace() + "_" + s.table());
    }
    spark.catalog().dropTempView("cases_std_ref_division");
  }

  @Test
  void anExamWithoutHeightOrWeightIsNotComplete() {
    // Residents aged 65+: Q1, Q2, Q3. A complete exam in P: Q3 only (X1 lacks the height, X2 the weight).
    assertEquals("1/3", got.get("elderly_health_mgmt"));
    // The two incomplete exams are still services: with the follow-ups below, every one of the seven valid
    // records is dynamic (see the next test for Q5).
    assertEquals("7/7", got.get("ehr_usage"));
  }

  @Test
  void aFollowupAfterTheCloseCountsForNoEnrolment() {
    // Managed HTN patients (a follow-up in P on or before the close): Q4 (F4a, F4b, F4c; F4c is on the close date)
    // and Q6; not Q5, whose only follow-up F5 is after E5's close. Four face-to-face: Q6 only (Q4 has three
    // counted; with F4d and F4e it would have five).
    assertEquals("1/2", got.get("htn_std_mgmt"));
    // Last counted follow-up: Q4's F4c 150/95, not controlled (F4e's 120/70 is after the close); Q6 120/70.
    assertEquals("1/2", got.get("htn_bp_control"));
    // T2DM: Q7 is managed through F7a (fbg 8.0, the last counted one: not controlled; F7b's 6.0 is after the
    // close), one face-to-face follow-up of four.
    assertEquals("0/1", got.get("t2dm_std_mgmt"));
    assertEquals("0/1", got.get("t2dm_glucose_control"));
    // Enrolled on R: only E6 (E4, E5, E7 closed before R). Key population: Q1-Q3 (65+) and Q6, no contract.
    assertEquals("0/4", got.get("keypop_fd_contract"));
  }

  // ---- fixture rows, shaped like the integrated tables ----

  private static void add(String table, Object... kv) {
    IntegratedRows.add(rows, table, kv);
  }

  private static void person(String key, String birth) {
    add("person", "person_key", key, "birth_date", birth, "resident_type_code", "1", "person_status_code", "1",
        "county_code", A);
  }

  private static String personOf(String ehrNo) {
    return "Q" + ehrNo.substring(1);
  }

  private static void exam(String id, String ehrNo, String date, Double height, Double weight, List<String> g) {
    add("ehr_exam", "exam_id", id, "ehr_no", ehrNo, "person_key", personOf(ehrNo), "exam_date", date, "sbp", 120,
        "dbp", 80, "height_cm", height, "weight_kg", weight, "fbg_mmol_l", 5.0, "adl_score", 1,
        "health_eval_code", "1", "guidance_codes", g);
  }

  private static void enrollment(String id, String ehrNo, String program, String status, String closed) {
    add("ehr_enrollment", "enrollment_id", id, "ehr_no", ehrNo, "person_key", personOf(ehrNo), "program_code",
        program, "enroll_date", "2023-01-01", "manage_status_code", status, "close_date", closed);
  }

  private static void followup(String id, String enrollment, String ehrNo, String date, String mode, Integer sbp,
      Integer dbp, Double fbg) {
    add("ehr_followup", "followup_id", id, "enrollment_id", enrollment, "ehr_no", ehrNo, "person_key",
        personOf(ehrNo), "followup_date", date, "followup_mode_code", mode, "sbp", sbp, "dbp", dbp, "fbg_mmol_l", fbg);
  }
}
