package org.sanku.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.TableLayouts;
import org.sanku.storage.Warehouse;

/**
 * The shipped volume, timeliness and plausibility checks on hand-built tables (written with the layouts ingest and
 * linkage write), each expected count worked out by hand below: an organisation that stops delivering is flagged by
 * volume (modified z-score) and timeliness; the edges of the plausibility ranges (a death on the day of birth, a visit
 * on the day of death, an examination on the day the record was built, 60 and 260 mmHg) pass.
 */
class HandBuiltChecksTest {

  static final LocalDate NIGHT = LocalDate.parse("2025-12-31");
  /** Visits per night of organisations A and B, night 1 to 7 before the night, repeated over the 28 nights. */
  static final int[] WEEK = {10, 12, 9, 11, 10, 10, 11};
  static final List<String> CHECKS = List.of("emr_volume", "emr_silent", "emr_visit_after_death",
      "pop_birth_after_death", "pop_age_implausible", "exam_before_record", "exam_record_missing", "exam_sbp_range",
      "exam_height_range");

  static SparkSession spark;
  static Warehouse wh;
  static QualityJob.Result result;

  @BeforeAll
  static void run() throws Exception {
    spark = TestSpark.get();
    wh = new Warehouse(spark, Files.createTempDirectory("sanku-dq-hand").toUri().toString(), "hb_a", "hb_i");
    IcebergWriter w = new IcebergWriter(spark);
    // Visits: A (county 511302) and B (511303) had WEEK[(k-1) % 7] visits k nights before the night, k = 1..28;
    // on the night A has none and B 10. C (511304) had one visit 1, 3 and 5 nights before and none else. B's first
    // visit 1, 2 and 3 nights before (30, 29 and 28 December) is by P1, who died on 28 December.
    List<Map<String, Object>> visits = new ArrayList<>();
    for (int k = 0; k <= 28; k++) {
      LocalDate day = NIGHT.minusDays(k);
      int n = k == 0 ? 0 : WEEK[(k - 1) % 7];
      for (int i = 0; i < n; i++) {
        visits.add(visit("A", "511302", day, null));
      }
      for (int i = 0; i < (k == 0 ? 10 : n); i++) {
        visits.add(visit("B", "511303", day, i == 0 && k >= 1 && k <= 3 ? "P1" : null));
      }
      if (k == 1 || k == 3 || k == 5) {
        visits.add(visit("C", "511304", day, null));
      }
    }
    w.replace(wh.model("emr_visit"), frame(TableLayouts.get("integrated", "emr_visit").schema(), visits));
    w.replace(wh.model("person"), frame(TableLayouts.get("integrated", "person").schema(), List.of(
        Map.of("person_key", "P1", "death_date", Date.valueOf("2025-12-28")), Map.of("person_key", "P2"))));
    // Registry: a birth after the death, a death on the day of birth (plausible), an age of 121 years and one of
    // exactly 120 on the night (the limit: born on or after 31 December 1905 passes), one ordinary person.
    StructType pop = new TableShapes(TestConfig.get().schemas()).of("std", "pop_person");
    w.replace(wh.std("pop_person"), frame(pop, List.of(
        Map.of("pop_record_id", "R1", "birth_date", Date.valueOf("2000-05-02"),
            "death_date", Date.valueOf("2000-05-01")),
        Map.of("pop_record_id", "R2", "birth_date", Date.valueOf("2000-05-01"),
            "death_date", Date.valueOf("2000-05-01")),
        Map.of("pop_record_id", "R3", "birth_date", Date.valueOf("1904-12-30")),
        Map.of("pop_record_id", "R4", "birth_date", Date.valueOf("1905-12-31")),
        Map.of("pop_record_id", "R5", "birth_date", Date.valueOf("1980-01-01")))));
    // Examinations: E1 the day before its record was built, sbp 59; E2 on the day it was built, sbp 60; E3 of a
    // record not in ehr_person, sbp 261; E4 sbp 260 and height 49.9 cm, E2 height 50.
    TableShapes shapes = new TableShapes(TestConfig.get().schemas());
    w.replace(wh.std("ehr_person"), frame(shapes.of("std", "ehr_person"), List.of(
        Map.of("ehr_no", "H1", "build_date", Date.valueOf("2025-03-02")),
        Map.of("ehr_no", "H2", "build_date", Date.valueOf("2025-03-01")))));
    w.replace(wh.std("ehr_physical_exam"), frame(shapes.of("std", "ehr_physical_exam"), List.of(
        Map.of("exam_id", "E1", "ehr_no", "H1", "exam_date", Date.valueOf("2025-03-01"), "sbp", 59),
        Map.of("exam_id", "E2", "ehr_no", "H2", "exam_date", Date.valueOf("2025-03-01"), "sbp", 60, "height_cm", 50.0),
        Map.of("exam_id", "E3", "ehr_no", "H9", "exam_date", Date.valueOf("2025-03-01"), "sbp", 261),
        Map.of("exam_id", "E4", "ehr_no", "H2", "exam_date", Date.valueOf("2025-03-05"), "sbp", 260,
            "height_cm", 49.9))));
    CheckCatalog catalog = CheckCatalog.empty();
    catalog.tables.putAll(TestConfig.get().checks().tables);
    for (String id : CHECKS) {
      catalog.checks.put(id, TestConfig.get().checks().checks.get(id));
    }
    result = new QualityJob(spark, wh, catalog, TestConfig.get().indicators(), TestConfig.get().schemas(),
        new PrintStream(System.out, true)).run(NIGHT);
  }

  private static Map<String, Object> visit(String org, String county, LocalDate day, String person) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("visit_id", org + "-" + day + "-" + Math.random());
    m.put("org_code", org);
    m.put("org_county_code", county);
    m.put("visit_type_code", "1");
    m.put("visit_date", Date.valueOf(day));
    m.put("person_key", person);
    return m;
  }

  /** Rows of the schema with the given columns set and the others null. */
  private static org.apache.spark.sql.Dataset<Row> frame(StructType schema, List<Map<String, Object>> rows) {
    List<Row> out = new ArrayList<>();
    for (Map<String, Object> m : rows) {
      Object[] v = new Object[schema.fields().length];
      for (int i = 0; i < v.length; i++) {
        v[i] = m.get(schema.fields()[i].name());
      }
      out.add(RowFactory.create(v));
    }
    return spark.createDataFrame(out, schema);
  }

  private static CheckResult one(String check, String level, String code) {
    List<CheckResult> r = result.results().stream().filter(x -> x.checkId().equals(check) && x.level().equals(level)
        && (code == null || code.equals(x.keys().get(level)))).toList();
    assertEquals(1, r.size(), check + " " + level + " " + code + ": " + r);
    return r.get(0);
  }

  private static boolean none(String check, String level, String code) {
    return result.results().stream().noneMatch(x -> x.checkId().equals(check) && x.level().equals(level)
        && code.equals(x.keys().get(level)));
  }

  @Test
  void anOrganisationThatStopsDeliveringFailsVolume() {
    // A's 28 previous nights: WEEK four times, sorted 9×4, 10×12, 11×8, 12×4: median (14th + 15th) / 2 = 10; the
    // deviations 0×12, 1×12, 2×4 have median 1; the night's 0 scores 0.6745 · (0 − 10) / 1 = −6.745.
    CheckResult a = one("emr_volume", "org", "A");
    assertEquals(0, a.violated());
    assertEquals(10, a.denominator());
    assertEquals(-6.745, a.score(), 1e-9);
    assertFalse(a.passed());
    assertEquals("511302", a.keys().get("county"));
    // B delivered its usual 10: score 0. C's median of 0 is below min_median 10: not scored.
    CheckResult b = one("emr_volume", "org", "B");
    assertEquals(0.0, b.score(), 1e-12);
    assertTrue(b.passed());
    assertTrue(none("emr_volume", "org", "C"));
    // Counties: 511302 is A alone, so it fails as A does.
    assertEquals(-6.745, one("emr_volume", "county", "511302").score(), 1e-9);
    // The whole source: the first week's nights are A + B + C (C on nights 1, 3, 5): 21 24 19 22 21 20 22, the
    // other three weeks A + B: 20 24 18 22 20 20 22. Sorted: 18×3, 19, 20×10, 21×2, 22×8, 24×4, so the median is
    // (20 + 21) / 2 = 20.5; deviations 0.5×12, 1.5×9, 2.5×3, 3.5×4 have median 1.5; the night's 10 (B) scores
    // 0.6745 · (10 − 20.5) / 1.5 = −4.7215.
    CheckResult all = one("emr_volume", "source", null);
    assertEquals(10, all.violated());
    assertEquals(-4.7215, all.score(), 1e-9);
    assertFalse(all.passed());
  }

  @Test
  void anOrganisationThatUsuallyDeliversAndDeliveredNothingFailsTimeliness() {
    // A had visits on all 7 previous nights (at least 0.8 · 7 = 5.6 are needed to call it usual; their median, 10,
    // is the min_median the check asks for), none on the night.
    CheckResult a = one("emr_silent", "org", "A");
    assertEquals(1, a.violated());
    assertFalse(a.passed());
    assertTrue(one("emr_silent", "org", "B").passed());
    // C had visits on 3 of the 7 previous nights: not usual, so its empty night is not a failure.
    assertTrue(none("emr_silent", "org", "C"));
    assertTrue(one("emr_silent", "source", null).passed());
  }

  @Test
  void plausibilityChecksCountTheHandBuiltViolationsAndPassTheirEdges() {
    // Visits after the death: P1 died on 28 December; B's visits by P1 on 30 and 29 December are after it, the one
    // on 28 December is not. All 597 visits are looked at: A 4 · 73, B 4 · 73 + 10, C 3.
    CheckResult v = one("emr_visit_after_death", "source", null);
    assertEquals(2, v.violated());
    assertEquals(4 * 73 + 4 * 73 + 10 + 3, v.denominator());
    assertEquals(2, one("emr_visit_after_death", "org", "B").violated());
    assertEquals(0, one("emr_visit_after_death", "org", "A").violated());
    // Registry: R1 born the day after its death; R2's death on its birth day is plausible.
    assertEquals(1, one("pop_birth_after_death", "source", null).violated());
    assertEquals(5, one("pop_birth_after_death", "source", null).denominator());
    // R3 is 121 on the night; R4 turns 120 that day (born on 31 December 1905, the limit itself) and passes.
    assertEquals(1, one("pop_age_implausible", "source", null).violated());
    // Examinations: E1 before its record was built (E2 on the day passes; E3's record is missing, so it has no
    // build date and is the referential check's, not this one's).
    assertEquals(1, one("exam_before_record", "source", null).violated());
    assertEquals(1, one("exam_record_missing", "source", null).violated());
    assertEquals(4, one("exam_record_missing", "source", null).denominator());
    // sbp 59 and 261 are outside 60–260, 60 and 260 inside; height 49.9 is below 50, 50 is not.
    assertEquals(2, one("exam_sbp_range", "source", null).violated());
    assertEquals(1, one("exam_height_range", "source", null).violated());
    assertFalse(one("exam_sbp_range", "source", null).passed());
  }

  /**
   * A second run over the same tables reads each table's counts from the first run's scan and finds the same
   * results; after the upkeep compacts a table, still. A table that changed is scanned again, the others are not.
   */
  @Test
  void aTableWhoseInputsAreUnchangedIsNotScannedAgain() throws Exception {
    java.util.function.Function<java.io.ByteArrayOutputStream, QualityJob> job = out -> {
      CheckCatalog catalog = CheckCatalog.empty();
      catalog.tables.putAll(TestConfig.get().checks().tables);
      for (String id : CHECKS) {
        catalog.checks.put(id, TestConfig.get().checks().checks.get(id));
      }
      return new QualityJob(spark, wh, catalog, TestConfig.get().indicators(), TestConfig.get().schemas(),
          new PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    };
    java.io.ByteArrayOutputStream log2 = new java.io.ByteArrayOutputStream();
    QualityJob.Result second = job.apply(log2).run(NIGHT);
    String said2 = log2.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(result.tables(), count(said2, "its inputs unchanged: the last scan's counts"), said2);
    assertEquals(0, count(said2, "one scan"), said2);
    assertEquals(result.results(), second.results());
    // The upkeep compacts std.ehr_physical_exam: the same rows, still not scanned.
    String exams = wh.std("ehr_physical_exam");
    spark.sql("CALL " + exams.substring(0, exams.indexOf('.')) + ".system.rewrite_data_files(table => '"
        + exams.substring(exams.indexOf('.') + 1) + "', options => map('rewrite-all', 'true'))");
    java.io.ByteArrayOutputStream log3 = new java.io.ByteArrayOutputStream();
    QualityJob.Result third = job.apply(log3).run(NIGHT);
    String said3 = log3.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, count(said3, "one scan"), said3);
    assertEquals(result.results(), third.results());
    // E5 with sbp 300 arrives: the examinations are scanned again, nothing else. sbp outside 60–260: 59, 261 and
    // now 300, of 5 examinations.
    TableShapes shapes = new TableShapes(TestConfig.get().schemas());
    frame(shapes.of("std", "ehr_physical_exam"), List.of(Map.of("exam_id", "E5", "ehr_no", "H2", "exam_date",
        Date.valueOf("2025-03-06"), "sbp", 300))).writeTo(exams).append();
    java.io.ByteArrayOutputStream log4 = new java.io.ByteArrayOutputStream();
    QualityJob.Result fourth = job.apply(log4).run(NIGHT);
    String said4 = log4.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(1, count(said4, "one scan"), said4);
    assertTrue(said4.contains("quality: ehr_physical_exam"), said4);
    assertTrue(said4.lines().anyMatch(l -> l.startsWith("quality: ehr_physical_exam") && l.contains("one scan")),
        said4);
    CheckResult sbp = fourth.results().stream().filter(x -> x.checkId().equals("exam_sbp_range")
        && x.level().equals("source")).findFirst().orElseThrow();
    assertEquals(3, sbp.violated());
    assertEquals(5, sbp.denominator());
  }

  private static int count(String text, String what) {
    return (int) text.lines().filter(l -> l.contains(what)).count();
  }

  @Test
  void theResultsAreKeptInTheWarehouse() {
    assertEquals(result.results().size(), spark.sql("SELECT count(*) FROM " + wh.dq("check_result")
        + " WHERE run_id = '" + result.runId() + "'").first().getLong(0));
    Row run = spark.sql("SELECT night, checks, failing_checks FROM " + wh.dq("check_run") + " WHERE run_id = '"
        + result.runId() + "'").first();
    assertEquals(Date.valueOf(NIGHT), run.getDate(0));
    assertEquals(CHECKS.size(), run.getInt(1));
    // Only warnings failed: nothing is blocked.
    assertEquals(List.of(), run.getList(2));
    assertEquals(CHECKS.size(), spark.table(wh.dq("check")).count());
    // A warehouse without a ledger has no drops: the drop of a result is null.
    assertNull(spark.sql("SELECT max(drop_id) FROM " + wh.dq("check_result")).first().get(0));
  }
}
