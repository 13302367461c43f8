package org.sanku.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.spark.TestSpark;

/**
 * The truth file's indicator values agree with a count made directly from the clean facts. The count here
 * is a second, independent reading of shared/indicators.md: Spark SQL over truth/clean/*.csv, set-wise,
 * where the generator tallies person by person in Java. Both views are checked: every fact, and only the
 * facts marked recoverable.
 */
class TruthRecountTest {

  private static SparkSession spark;
  private static Path truth;

  @BeforeAll
  static void load() {
    truth = GeneratedRegion.get().resolve("truth");
    spark = TestSpark.get();
    for (String t : List.of("person", "ehr_person", "exam", "tcm", "enrollment", "followup", "contract", "visit",
        "diagnosis")) {
      spark.read().option("header", "true").csv(truth.resolve("clean/" + t + ".csv").toString())
          .createOrReplaceTempView("c_" + t);
    }
    spark.read().option("header", "true").csv(truth.resolve("indicators.csv").toString())
        .createOrReplaceTempView("truth_ind");
  }

  /** Period 2025 (as of 2025-12-31): P = 2025-01-01 … 2025-12-31, R = 2025-12-31, 365 days ending R = P. */
  private static final String S = "DATE'2025-01-01'";
  private static final String R = "DATE'2025-12-31'";
  /** Mid-period date: P.start + (365 − 1) / 2 days = 2025-07-02. */
  private static final String MID = "DATE'2025-07-02'";

  /**
   * The facts of a view: every true fact, or (rec) the recoverable ones with the values the pipeline can recover
   * (the {@code rec_} columns: an earlier version kept when the later one was rejected, a date left empty).
   */
  private static void views(boolean rec) {
    String f = rec ? "recoverable = '1'" : "true";
    String r = rec ? "rec_" : "";
    sql("CREATE OR REPLACE TEMP VIEW p AS SELECT person_idx, county_code county, CAST(birth_date AS DATE) b, "
        + "resident_type_code rt, " + r + "person_status_code st, CAST(" + r + "death_date AS DATE) dd, "
        + "CAST(" + r + "move_out_date AS DATE) md FROM c_person WHERE " + f);
    // Resident on R; a status 死亡 or 迁出 without its date is resident on no day.
    sql("CREATE OR REPLACE TEMP VIEW res AS SELECT person_idx, county, "
        + "year(" + R + ") - year(b) - CASE WHEN date_format(b, 'MMdd') > date_format(" + R + ", 'MMdd') "
        + "THEN 1 ELSE 0 END age FROM p WHERE rt IN ('1','3') AND b <= " + R + " AND st <> '4' "
        + "AND (dd IS NULL OR dd > " + R + ") AND (md IS NULL OR md > " + R + ") "
        + "AND NOT (st = '2' AND dd IS NULL) AND NOT (st = '3' AND md IS NULL)");
    sql("CREATE OR REPLACE TEMP VIEW e AS SELECT ehr_no, person_idx, "
        + "CAST(build_date AS DATE) <= " + R + " AND basic_form_complete = '1' AND (" + r + "record_status_code = '1' "
        + "OR CAST(" + r + "record_status_date AS DATE) > " + R + ") valid, is_electronic = '1' elec "
        + "FROM c_ehr_person WHERE " + f);
    sql("CREATE OR REPLACE TEMP VIEW ev AS SELECT * FROM e WHERE valid");
    sql("CREATE OR REPLACE TEMP VIEW x AS SELECT ehr_no, CAST(exam_date AS DATE) d, " + r + "complete complete "
        + "FROM c_exam WHERE " + f);
    sql("CREATE OR REPLACE TEMP VIEW t AS SELECT ehr_no, CAST(service_date AS DATE) d, service_kind, complete "
        + "FROM c_tcm WHERE " + f);
    sql("CREATE OR REPLACE TEMP VIEW k AS SELECT ehr_no, CAST(sign_date AS DATE) sign, CAST(start_date AS DATE) s, "
        + "CAST(end_date AS DATE) en, status_code FROM c_contract WHERE " + f);
    // An enrolment is closed when 结案 (2), on its close date; 结案 without a date: before every day (cd_eff).
    sql("CREATE OR REPLACE TEMP VIEW en AS SELECT enrollment_id, ehr_no, program_code, CAST(enroll_date AS DATE) ed, "
        + "CASE WHEN manage_status_code = '2' THEN coalesce(CAST(" + r + "close_date AS DATE), DATE'0001-01-01') END cd "
        + "FROM c_enrollment WHERE " + f);
    sql("CREATE OR REPLACE TEMP VIEW fu AS SELECT followup_id, enrollment_id, CAST(followup_date AS DATE) d, "
        + "followup_mode_code m, CAST(sbp AS INT) sbp, CAST(dbp AS INT) dbp, CAST(fbg_mmol_l AS DOUBLE) fbg, "
        + "CAST(src_updated_at AS TIMESTAMP) u FROM c_followup WHERE " + f);
    sql("CREATE OR REPLACE TEMP VIEW v AS SELECT visit_id, person_idx, visit_type_code vt, CAST(visit_date AS DATE) d, "
        + "org_county_code, accepted, recoverable FROM c_visit WHERE " + f);
    // Per-person flags.
    sql("CREATE OR REPLACE TEMP VIEW flags AS SELECT r.person_idx, r.county, r.age, "
        + "EXISTS(SELECT 1 FROM ev WHERE ev.person_idx = r.person_idx) valid, "
        + "EXISTS(SELECT 1 FROM ev WHERE ev.person_idx = r.person_idx AND ev.elec) elec, "
        + "EXISTS(SELECT 1 FROM ev JOIN x ON x.ehr_no = ev.ehr_no WHERE ev.person_idx = r.person_idx "
        + "  AND x.complete = '1' AND x.d BETWEEN " + S + " AND " + R + ") exam_ok, "
        + "EXISTS(SELECT 1 FROM ev JOIN t ON t.ehr_no = ev.ehr_no WHERE ev.person_idx = r.person_idx "
        + "  AND t.service_kind = '1' AND t.complete = '1' AND t.d BETWEEN " + S + " AND " + R + ") tcm_ok, "
        + "(EXISTS(SELECT 1 FROM ev JOIN x ON x.ehr_no = ev.ehr_no WHERE ev.person_idx = r.person_idx AND x.d BETWEEN " + S + " AND " + R + ") "
        + " OR EXISTS(SELECT 1 FROM ev JOIN t ON t.ehr_no = ev.ehr_no WHERE ev.person_idx = r.person_idx AND t.d BETWEEN " + S + " AND " + R + ") "
        + " OR EXISTS(SELECT 1 FROM ev JOIN k ON k.ehr_no = ev.ehr_no WHERE ev.person_idx = r.person_idx AND k.sign BETWEEN " + S + " AND " + R + ") "
        + " OR EXISTS(SELECT 1 FROM ev JOIN en ON en.ehr_no = ev.ehr_no JOIN fu ON fu.enrollment_id = en.enrollment_id "
        + "   WHERE ev.person_idx = r.person_idx AND fu.d BETWEEN " + S + " AND " + R + ") "
        + " OR EXISTS(SELECT 1 FROM v WHERE v.person_idx = r.person_idx AND v.d BETWEEN " + S + " AND " + R + ")) dynamic, "
        + "EXISTS(SELECT 1 FROM e JOIN k ON k.ehr_no = e.ehr_no WHERE e.person_idx = r.person_idx "
        + "  AND k.s <= " + R + " AND k.en >= " + R + " AND k.status_code <> '2') contract, "
        + "EXISTS(SELECT 1 FROM e JOIN en ON en.ehr_no = e.ehr_no WHERE e.person_idx = r.person_idx AND en.program_code = 'HTN' "
        + "  AND en.ed <= " + R + " AND (en.cd IS NULL OR en.cd > " + R + ")) htn_active, "
        + "EXISTS(SELECT 1 FROM e JOIN en ON en.ehr_no = e.ehr_no WHERE e.person_idx = r.person_idx AND en.program_code = 'T2DM' "
        + "  AND en.ed <= " + R + " AND (en.cd IS NULL OR en.cd > " + R + ")) dm_active "
        + "FROM res r");
    // Managed patients: enrolled, not closed before P, with at least one follow-up in P on or before the
    // enrolment's close date (a follow-up dated after the close counts for no enrolment).
    sql("CREATE OR REPLACE TEMP VIEW fup AS SELECT e.person_idx, en.program_code prog, fu.* FROM e "
        + "JOIN en ON en.ehr_no = e.ehr_no JOIN fu ON fu.enrollment_id = en.enrollment_id "
        + "WHERE en.ed <= " + R + " AND (en.cd IS NULL OR en.cd >= " + S + ") AND fu.d BETWEEN " + S + " AND " + R
        + " AND (en.cd IS NULL OR fu.d <= en.cd)");
    // The last follow-up in P: the latest date, then the latest src_updated_at, then the greatest id.
    sql("CREATE OR REPLACE TEMP VIEW managed AS SELECT f.person_idx, f.prog, f.county, f.age, f.f2f, "
        + "l.sbp, l.dbp, l.fbg FROM (SELECT fup.person_idx, prog, r.county, r.age, "
        + "  SUM(CASE WHEN m IN ('1','2') THEN 1 ELSE 0 END) f2f FROM fup JOIN res r "
        + "  ON r.person_idx = fup.person_idx WHERE r.age >= 35 GROUP BY fup.person_idx, prog, r.county, r.age) f "
        + "JOIN (SELECT *, row_number() OVER (PARTITION BY person_idx, prog ORDER BY d DESC, u DESC, followup_id DESC) "
        + "  n FROM fup) l ON l.person_idx = f.person_idx AND l.prog = f.prog AND l.n = 1");
    // EMR-confirmed patients in the 365 days ending R (= P here).
    sql("CREATE OR REPLACE TEMP VIEW emrdx AS SELECT v.person_idx, "
        + "CASE WHEN dg.icd3 BETWEEN 'I10' AND 'I15' THEN 'HTN' WHEN dg.icd3 = 'E11' THEN 'T2DM' END prog, v.vt, v.d "
        + "FROM v JOIN c_diagnosis dg ON dg.visit_id = v.visit_id WHERE dg.uncertain = '0' "
        + "AND v.d BETWEEN " + S + " AND " + R);
    sql("CREATE OR REPLACE TEMP VIEW confirmed AS SELECT person_idx, prog FROM emrdx WHERE prog IS NOT NULL "
        + "GROUP BY person_idx, prog HAVING MAX(CASE WHEN vt = '3' THEN 1 ELSE 0 END) = 1 "
        + "OR COUNT(DISTINCT CASE WHEN vt <> '3' THEN d END) >= 2");
  }

  private static Map<String, long[]> recount(boolean rec) {
    views(rec);
    String q = String.join(" UNION ALL ",
        "SELECT 'ehr_coverage' id, county, SUM(IF(valid,1,0)) n, COUNT(*) d FROM flags GROUP BY county",
        "SELECT 'ehr_electronic_coverage', county, SUM(IF(valid AND elec,1,0)), COUNT(*) FROM flags GROUP BY county",
        "SELECT 'ehr_usage', county, SUM(IF(dynamic,1,0)), COUNT(*) FROM flags WHERE valid GROUP BY county",
        "SELECT 'elderly_health_mgmt', county, SUM(IF(valid AND exam_ok,1,0)), COUNT(*) FROM flags WHERE age >= 65 GROUP BY county",
        "SELECT 'elderly80_health_mgmt', county, SUM(IF(valid AND exam_ok,1,0)), COUNT(*) FROM flags WHERE age >= 80 GROUP BY county",
        "SELECT 'elderly_tcm_mgmt', county, SUM(IF(valid AND tcm_ok,1,0)), COUNT(*) FROM flags WHERE age >= 65 GROUP BY county",
        "SELECT 'elderly_fd_contract', county, SUM(IF(contract,1,0)), COUNT(*) FROM flags WHERE age >= 65 GROUP BY county",
        "SELECT 'keypop_fd_contract', county, SUM(IF(contract,1,0)), COUNT(*) FROM flags "
            + "WHERE age >= 65 OR htn_active OR dm_active GROUP BY county",
        "SELECT 'htn_std_mgmt', county, SUM(IF(f2f >= 4,1,0)), COUNT(*) FROM managed WHERE prog = 'HTN' GROUP BY county",
        "SELECT 'htn_bp_control', county, SUM(IF(sbp IS NOT NULL AND dbp IS NOT NULL AND dbp < 90 "
            + "AND sbp < IF(age >= 65, 150, 140),1,0)), COUNT(*) FROM managed WHERE prog = 'HTN' GROUP BY county",
        "SELECT 't2dm_std_mgmt', county, SUM(IF(f2f >= 4,1,0)), COUNT(*) FROM managed WHERE prog = 'T2DM' GROUP BY county",
        "SELECT 't2dm_glucose_control', county, SUM(IF(fbg < 7.0,1,0)), COUNT(*) FROM managed WHERE prog = 'T2DM' GROUP BY county",
        "SELECT 'htn_unmanaged', f.county, SUM(IF(htn_active,0,1)), COUNT(*) FROM flags f JOIN confirmed c "
            + "ON c.person_idx = f.person_idx AND c.prog = 'HTN' WHERE f.age >= 35 GROUP BY f.county",
        "SELECT 't2dm_unmanaged', f.county, SUM(IF(dm_active,0,1)), COUNT(*) FROM flags f JOIN confirmed c "
            + "ON c.person_idx = f.person_idx AND c.prog = 'T2DM' WHERE f.age >= 35 GROUP BY f.county",
        "SELECT 'aging_60', county, SUM(IF(age >= 60,1,0)), COUNT(*) FROM flags GROUP BY county",
        "SELECT 'aging_65', county, SUM(IF(age >= 65,1,0)), COUNT(*) FROM flags GROUP BY county",
        // Infant mortality: every registry person by last county; deaths in P before the first birthday.
        "SELECT 'infant_mortality', county, SUM(IF(dd BETWEEN " + S + " AND " + R + " AND add_months(b, 12) > dd,1,0)), "
            + "SUM(IF(b BETWEEN " + S + " AND " + R + ",1,0)) FROM p GROUP BY county",
        // Life table inputs: resident-type deaths in P (not after moving out) and the mid-period population.
        "SELECT 'life_expectancy', county, SUM(IF(rt IN ('1','3') AND st <> '4' AND dd BETWEEN " + S + " AND " + R
            + " AND (md IS NULL OR md > dd),1,0)), SUM(IF(rt IN ('1','3') AND st <> '4' AND b <= " + MID
            + " AND (dd IS NULL OR dd > " + MID + ") AND (md IS NULL OR md > " + MID + ") "
            + "AND NOT (st = '2' AND dd IS NULL) AND NOT (st = '3' AND md IS NULL),1,0)) FROM p GROUP BY county",
        "SELECT 'link_rate_ehr', substr(manage_org_code, 1, 6), SUM(IF(" + (rec ? "recoverable = '1' AND " : "")
            + "r.person_idx IS NOT NULL,1,0)), COUNT(*) FROM c_ehr_person e LEFT JOIN res r ON r.person_idx = e.person_idx "
            + (rec ? "WHERE accepted = '1' " : "") + "GROUP BY substr(manage_org_code, 1, 6)",
        // A visit at an organisation with no county at the end is counted under '' (unassigned).
        "SELECT 'link_rate_emr', coalesce(org_county_code, ''), SUM(IF(" + (rec ? "v.recoverable = '1' AND " : "")
            + "r.person_idx IS NOT NULL,1,0)), COUNT(*) FROM c_visit v LEFT JOIN res r ON r.person_idx = v.person_idx "
            + "WHERE CAST(v.visit_date AS DATE) >= " + S + (rec ? " AND v.accepted = '1' " : " ")
            + "GROUP BY coalesce(org_county_code, '')");
    Map<String, long[]> out = new TreeMap<>();
    for (Row r : spark.sql(q).collectAsList()) {
      String county = r.getString(1);
      long n = r.isNullAt(2) ? 0 : ((Number) r.get(2)).longValue();
      long d = r.isNullAt(3) ? 0 : ((Number) r.get(3)).longValue();
      if (county.isEmpty()) {
        // No county: in no county and not in the city either.
        out.merge(r.getString(0) + "|unassigned", new long[] {n, d}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        continue;
      }
      out.merge(r.getString(0) + "|" + county, new long[] {n, d}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
      out.merge(r.getString(0) + "|city", new long[] {n, d}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
    }
    return out;
  }

  private static Map<String, long[]> expected(boolean rec) {
    String n = rec ? "numerator_recoverable" : "numerator_true";
    String d = rec ? "denominator_recoverable" : "denominator_true";
    Map<String, long[]> out = new TreeMap<>();
    // The year (the truth holds other periods too, checked against the pipeline end to end).
    for (Row r : spark.sql("SELECT indicator_id, division_level, substr(division_code, 1, 6), " + n + ", " + d
        + " FROM truth_ind WHERE division_level IN ('county', 'city', 'unassigned') AND period_start = '2025-01-01' "
        + "AND period_end = '2025-12-31'").collectAsList()) {
      String key = r.getString(0) + "|" + (r.getString(1).equals("county") ? r.getString(2) : r.getString(1));
      long nn = Long.parseLong(r.getString(3));
      long dd = Long.parseLong(r.getString(4));
      if (nn != 0 || dd != 0) {
        out.put(key, new long[] {nn, dd});
      }
    }
    return out;
  }

  private static void compare(boolean rec) {
    Map<String, long[]> got = recount(rec);
    got.values().removeIf(a -> a[0] == 0 && a[1] == 0);
    Map<String, long[]> want = expected(rec);
    Map<String, String> g = new TreeMap<>();
    Map<String, String> w = new TreeMap<>();
    got.forEach((k, v) -> g.put(k, v[0] + "/" + v[1]));
    want.forEach((k, v) -> w.put(k, v[0] + "/" + v[1]));
    assertEquals(w, g);
    // 20 indicators (life expectancy by its inputs) × (9 counties + city).
    assertTrue(w.size() >= 20 * 9, "indicator cells checked: " + w.size());
  }

  @Test
  void trueValuesAgreeWithARecountOfTheCleanFacts() {
    compare(false);
  }

  @Test
  void recoverableValuesAgreeWithARecountOfTheRecoverableFacts() {
    compare(true);
  }

  private static void sql(String s) {
    spark.sql(s);
  }

  /**
   * The truth folder documents itself: its README states this region's own parameters (from
   * {@link GeneratedRegion}) and the period every row of indicators.csv is for, and names every defect class that
   * defects.csv lists, so a reader of one file finds the meaning of the other.
   */
  @Test
  void truthFolderDocumentsItself() throws Exception {
    String readme = java.nio.file.Files.readString(truth.resolve("README.md"), StandardCharsets.UTF_8);
    assertTrue(readme.contains("Region nanchong, " + GeneratedRegion.PERSONS + " persons, seed " + GeneratedRegion.SEED
        + ", as of " + GeneratedRegion.AS_OF + ", " + GeneratedRegion.NIGHTS + " night(s), dirty rate "
        + GeneratedRegion.DIRTY + "."), readme);
    // The year first, then the other periods (the previous year, the quarters, February, a year to date), each named.
    List<Row> periods = spark.sql("SELECT DISTINCT period_type, period_start, period_end FROM truth_ind")
        .collectAsList();
    assertEquals(8, periods.size(), periods.toString());
    assertTrue(readme.contains("for the period 2025-01-01 … 2025-12-31"), readme);
    for (Row p : periods) {
      if (!p.getString(0).equals("year") || !p.getString(1).equals("2025-01-01")) {
        assertTrue(readme.replace("\n", " ").replaceAll("\\s+", " ").contains(p.getString(1) + " … "
            + p.getString(2) + " (" + p.getString(0) + ")"), p + " in " + readme);
      }
    }
    List<String> defects = java.nio.file.Files.readAllLines(truth.resolve("defects.csv"));
    assertTrue(defects.size() > 10, "defect classes listed: " + defects.size());
    for (String line : defects.subList(1, defects.size())) {
      String cls = line.substring(0, line.indexOf(','));
      assertTrue(readme.contains("`" + cls + "`"), cls + " is listed in defects.csv but not explained in README.md");
    }
    // The rule for a later version that fails, and the counting rules the truth decides, are stated.
    assertTrue(readme.contains("the pipeline keeps the earlier version"), readme);
    assertTrue(readme.contains("then latest src_updated_at, then greatest followup_id"), readme);
  }
}
