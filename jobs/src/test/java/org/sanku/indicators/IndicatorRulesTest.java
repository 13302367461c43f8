package org.sanku.indicators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
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
import org.junit.jupiter.api.io.TempDir;
import org.sanku.link.IntegratedTables;
import org.sanku.spark.TestSpark;

/**
 * Every counting rule of the catalog on a hand-made region: twenty persons in two counties of 南充 (A = 511302
 * 顺庆区, B = 511303 高坪区), each built to sit on one edge of a rule. The expected counts are worked out by hand
 * below, person by person, from shared/indicators.md; the engine reads the same rows through temporary views
 * shaped like the integrated tables.
 *
 * <p>Period 2025: P = 2025-01-01 … 2025-12-31, R = 2025-12-31, the 365 days ending R = P, mid date 2025-07-02.
 *
 * <pre>
 * person  born        notes                                         age on R  resident on R
 * P1      1960-12-31  birthday on R                                 65        yes (A)
 * P2      1961-01-01  birthday the day after R                      64        yes (A)
 * P3      1950-06-01  户籍外出 (resident type 2)                     75        no
 * P4      1955-03-01  died 2025-06-01 (age 70)                      -         no
 * P5      1950-01-01  type 3, moved out 2025-12-31 (on R)           75        no
 * P6      1945-05-05                                                80        yes (A)
 * P7      1940-01-01  county B                                      85        yes (B)
 * P8      1980-01-01                                                45        yes (A)
 * P9      1955-01-01                                                70        yes (A)
 * P10     1970-01-01                                                55        yes (A)
 * P11     1975-01-01                                                50        yes (A)
 * P12     1975-06-06                                                50        yes (A)
 * P13     1960-02-02                                                65        yes (A)
 * P14     1990-01-01                                                35        yes (A)
 * P15     1991-01-01                                                34        yes (A)
 * P16     2025-03-01  died 2025-08-01 (infant)                      -         no
 * P17     2024-10-01  died 2025-02-01 (infant, born before P)       -         no
 * P18     2024-12-01  died 2025-12-15 (aged 1)                      -         no
 * P19     2025-05-05  type 2                                        0         no
 * P20     2025-02-01  county B                                      0         yes (B)
 * P21     1950-01-01  status 2 (死亡) without a death date            -         no: gone on a day nobody knows
 * P22     1980-01-01  status 3 (迁出) without a move-out date         -         no: likewise
 * P23     1970-01-01  no county (registry division unknown)         55        yes, in no county
 * </pre>
 * Residents on R: A = P1 P2 P6 P8 P9 P10 P11 P12 P13 P14 P15 (11), B = P7 P20 (2), and P23 with no county.
 *
 * <p>Enrolments are closed by their manage_status_code (2 结案) on their close_date: E7 (P7) is 结案 without a date
 * (closed before every period, so its follow-up F7 makes nobody managed), E14 (P14) is 在管 with a stray close date
 * (open). Same-day follow-ups: the last one is the latest src_updated_at, then the greatest key.
 */
class IndicatorRulesTest {

  private static final String A = "511302";
  private static final String B = "511303";
  private static SparkSession spark;
  private static Map<String, List<Row>> rows;
  private static Catalog catalog;

  @BeforeAll
  static void region() {
    spark = TestSpark.get();
    rows = new HashMap<>();
    person("P1", "1960-12-31", "1", "1", null, null, A);
    person("P2", "1961-01-01", "1", "1", null, null, A);
    person("P3", "1950-06-01", "2", "1", null, null, A);
    person("P4", "1955-03-01", "1", "2", "2025-06-01", null, A);
    person("P5", "1950-01-01", "3", "3", null, "2025-12-31", A);
    person("P6", "1945-05-05", "1", "1", null, null, A);
    person("P7", "1940-01-01", "1", "1", null, null, B);
    person("P8", "1980-01-01", "1", "1", null, null, A);
    person("P9", "1955-01-01", "1", "1", null, null, A);
    person("P10", "1970-01-01", "1", "1", null, null, A);
    person("P11", "1975-01-01", "1", "1", null, null, A);
    person("P12", "1975-06-06", "1", "1", null, null, A);
    person("P13", "1960-02-02", "1", "1", null, null, A);
    person("P14", "1990-01-01", "1", "1", null, null, A);
    person("P15", "1991-01-01", "1", "1", null, null, A);
    person("P16", "2025-03-01", "1", "2", "2025-08-01", null, A);
    person("P17", "2024-10-01", "1", "2", "2025-02-01", null, A);
    person("P18", "2024-12-01", "1", "2", "2025-12-15", null, A);
    person("P19", "2025-05-05", "2", "1", null, null, A);
    person("P20", "2025-02-01", "1", "1", null, null, B);
    person("P21", "1950-01-01", "1", "2", null, null, A);
    person("P22", "1980-01-01", "1", "3", null, null, A);
    person("P23", "1970-01-01", "1", "1", null, null, null);

    // Health records: ehr_no, person, built, basic form complete, status, status date, electronic, org county.
    record("R1", "P1", "2020-01-01", "1", "1", null, "1", A);
    record("R2", "P2", "2020-01-01", "1", "1", null, "0", A);
    record("R3", "P3", "2020-01-01", "1", "1", null, "1", A);
    record("R6", "P6", "2020-01-01", "1", "1", null, "0", A);
    record("R7", "P7", "2020-01-01", "0", "1", null, "1", B);        // basic form incomplete: not valid
    record("R8", "P8", "2020-01-01", "1", "1", null, "1", A);
    record("R9", "P9", "2020-01-01", "1", "2", "2026-01-05", "0", A); // status changed after R: valid on R
    record("R10", "P10", "2026-01-10", "1", "1", null, "1", A);      // built after R: not valid
    record("R11", "P11", "2020-01-01", "1", "1", null, "0", A);
    record("R13", "P13", "2020-01-01", "1", "3", "2025-10-01", "1", A); // moved away (迁出) before R: not valid
    record("R99", null, "2020-01-01", "1", "1", null, "1", A);       // not linked
    record("R14", "P14", "2020-01-01", "0", "1", null, "0", A);      // basic form incomplete: not valid
    record("R21", "P21", "2020-01-01", "1", "1", null, "1", A);      // P21 is not resident

    List<String> g = List.of("1");
    exam("X1", "R1", "2025-03-01", 120, 80, 160.0, 60.0, 5.0, 1, "1", g);        // complete
    exam("X2", "R2", "2024-04-01", 120, 80, 160.0, 60.0, 5.0, 1, "1", g);        // before P
    exam("X3", "R3", "2025-03-01", 120, 80, 160.0, 60.0, 5.0, 1, "1", g);
    exam("X6", "R6", "2025-05-01", 120, 80, 160.0, 60.0, 5.0, null, "1", g);     // ADL score missing
    exam("X6b", "R6", "2024-12-31", 120, 80, 160.0, 60.0, 5.0, 1, "1", g);       // complete, before P
    exam("X7", "R7", "2025-06-01", 120, 80, 160.0, 60.0, 5.0, 1, "1", g);        // record not valid
    exam("X9", "R9", "2025-07-01", 120, 80, 160.0, 60.0, 5.0, 1, "1", List.of()); // no guidance
    exam("X13", "R13", "2025-03-03", 120, 80, 160.0, 60.0, 5.0, 1, "1", g);      // record not valid on R

    tcm("T6", "R6", "2025-06-01", "1", 33, List.of("1"), List.of("1"));         // complete
    tcm("T7", "R7", "2025-06-01", "1", 30, List.of("1"), List.of("1"));         // 30 of 33 items
    tcm("T1", "R1", "2025-06-01", "2", null, List.of(), List.of("1"));          // child guidance
    tcm("T9", "R9", "2025-06-01", "1", 33, List.of(), List.of("1"));            // no constitution

    contract("C6", "R6", "2024-12-20", "2025-01-01", "2025-12-31", "1");        // valid on R (ends on R)
    contract("C7a", "R7", "2025-01-01", "2025-01-01", "2026-12-31", "2");       // 解约
    contract("C7b", "R7", "2025-12-20", "2026-01-01", "2026-12-31", "1");       // starts after R
    contract("C13", "R13", "2025-01-01", "2025-01-01", "2025-12-31", "3");      // any linked record counts
    contract("C8", "R8", "2024-06-01", "2024-06-01", "2025-12-30", "1");        // ended the day before R

    enrollment("E8", "R8", "HTN", "2024-01-01", null);
    enrollment("E9h", "R9", "HTN", "2023-01-01", null);
    enrollment("E9d", "R9", "T2DM", "2023-01-01", null);
    enrollment("E10", "R10", "HTN", "2024-05-01", null);
    enrollment("E11", "R11", "HTN", "2020-01-01", "2024-12-31");                // closed before P
    enrollment("E13", "R13", "HTN", "2025-11-01", null);                        // active on R, no follow-up
    enrollment("E7", "R7", "HTN", "2023-01-01", "2", null);                     // 结案, no date: closed always
    enrollment("E14", "R14", "T2DM", "2024-01-01", "1", "2025-06-30");          // 在管: open, date ignored
    // P8: three face-to-face follow-ups and one by phone; the last (Nov) 135/85 → controlled (< 140/90).
    followup("F8a", "E8", "R8", "2025-02-01", "1", 130, 80, null);
    followup("F8b", "E8", "R8", "2025-05-01", "3", 130, 80, null);
    followup("F8c", "E8", "R8", "2025-08-01", "2", 130, 80, null);
    followup("F8d", "E8", "R8", "2025-11-01", "1", 135, 85, null, "2025-11-02 10:00:00");
    // Same day, same src_updated_at: the greater key (F8e) is the last follow-up; 150/95 → not controlled.
    followup("F8e", "E8", "R8", "2025-11-01", "3", 150, 95, null, "2025-11-02 10:00:00");
    // P9 (aged 70): four face-to-face; last 145/80 → controlled under the 65+ threshold (< 150).
    followup("F9a", "E9h", "R9", "2025-01-10", "1", 150, 95, null);
    followup("F9b", "E9h", "R9", "2025-04-10", "1", 150, 95, null);
    followup("F9c", "E9h", "R9", "2025-07-10", "2", 150, 95, null);
    followup("F9d", "E9h", "R9", "2025-10-10", "1", 145, 80, null);
    followup("F9e", "E9d", "R9", "2025-06-01", "1", null, null, 7.0);          // glucose 7.0: not < 7.0
    // P10 (aged 55): four face-to-face; last 145/85 → not controlled (< 140 needed); a 2024 visit is not "last".
    followup("F10z", "E10", "R10", "2024-12-20", "1", 120, 70, null);
    followup("F10a", "E10", "R10", "2025-02-15", "1", 120, 70, null);
    followup("F10b", "E10", "R10", "2025-05-15", "1", 120, 70, null);
    followup("F10c", "E10", "R10", "2025-08-15", "1", 120, 70, null);
    followup("F10d", "E10", "R10", "2025-11-15", "1", 145, 85, null, "2025-11-16 09:00:00");
    // Same day, changed earlier at the source: F10d stays the last follow-up although F10e's key is greater.
    followup("F10e", "E10", "R10", "2025-11-15", "3", 125, 75, null, "2025-11-15 18:00:00");
    // P7 (85, county B): E7 is 结案 without a date, so this follow-up makes nobody managed.
    followup("F7", "E7", "R7", "2025-04-01", "1", 120, 70, null);
    followup("F11", "E11", "R11", "2025-03-01", "1", 120, 70, null);           // enrolment closed before P

    // Visits: id, person, organisation county, type (1 outpatient, 2 emergency, 3 inpatient), date.
    visit("V11a", "P11", A, "1", "2025-03-01");
    visit("V11b", "P11", A, "2", "2025-04-01");
    visit("V12a", "P12", A, "1", "2025-05-01");
    visit("V12b", "P12", A, "1", "2025-05-01");
    visit("V12c", "P12", A, "3", "2025-06-01");
    visit("V13", "P13", B, "3", "2025-09-01");
    visit("V14a", "P14", A, "1", "2025-02-02");
    visit("V14b", "P14", A, "1", "2025-03-03");
    visit("V15a", "P15", A, "1", "2025-02-02");
    visit("V15b", "P15", A, "1", "2025-03-03");
    visit("V2", "P2", A, "3", "2024-12-31");
    visit("V8", "P8", A, "1", "2025-01-01");
    visit("V99", null, A, "1", "2025-01-01");
    visit("V98", "P8", null, "1", "2025-03-03");  // at an organisation missing from ref_org: no county
    diagnosis("V11a", "P11", "I10", false);
    diagnosis("V11b", "P11", "I10", false);
    diagnosis("V12a", "P12", "I11", false);
    diagnosis("V12b", "P12", "I11", false);       // same day as V12a
    diagnosis("V12c", "P12", "I10", true);        // uncertain
    diagnosis("V13", "P13", "I12", false);
    diagnosis("V14a", "P14", "E11", false);
    diagnosis("V14b", "P14", "E11", false);
    diagnosis("V15a", "P15", "E11", false);
    diagnosis("V15b", "P15", "E11", false);
    diagnosis("V2", "P2", "I10", false);          // before the window
    diagnosis("V8", "P8", "J06", false);

    IntegratedRows.views(rows, "rules_");
    spark.sql("SELECT * FROM VALUES ('511302000000', '顺庆区', '3', '511300000000'), "
        + "('511303000000', '高坪区', '3', '511300000000'), ('511300000000', '南充市', '2', '510000000000'), "
        + "('510000000000', '四川省', '1', NULL) AS t(division_code, name, level, parent_code)")
        .createOrReplaceTempView("rules_std_ref_division");
    catalog = Catalog.load(Path.of("..", "conf", "indicators"));
  }

  @AfterAll
  static void dropViews() {
    for (IntegratedTables.Spec s : IntegratedTables.all()) {
      spark.catalog().dropTempView("rules_" + s.namespace() + "_" + s.table());
    }
    spark.catalog().dropTempView("rules_std_ref_division");
  }

  private static Map<String, String> compute(Catalog c, Period p) {
    IndicatorEngine e = new IndicatorEngine(spark, c, (ns, t) -> "rules_" + ns + "_" + t);
    List<IndicatorJob.Value> values = IndicatorJob.rollUp(c, Targets.none(), List.of(p), e.compute(List.of(p)),
        new org.sanku.geo.Divisions(spark, "rules_std_ref_division", false));
    Map<String, String> out = new TreeMap<>();
    for (IndicatorJob.Value v : values) {
      out.put(v.indicator().id() + "|" + v.divisionCode().substring(0, 6), v.numerator() + "/" + v.denominator());
    }
    return out;
  }

  @Test
  void everyRuleCountsAsWorkedOutByHand() {
    Map<String, String> got = compute(catalog, Period.year(2025));
    Map<String, String> want = new TreeMap<>();
    // Valid records of residents: A = P1 P2 P6 P8 P9 P11 (R10 built after R, R13 迁出 before R); B: R7 incomplete.
    expect(want, "ehr_coverage", "6/11", "0/2");
    // ... electronic: R1, R8 (R7 is electronic but not valid).
    expect(want, "ehr_electronic_coverage", "2/11", "0/2");
    // Dynamic in the 365 days ending R: P1 (X1), P6 (X6, incomplete still counts), P8 (follow-ups, visit),
    // P9 (follow-ups), P11 (visits) — not P2 (exam and visit before the window). B: no valid record.
    expect(want, "ehr_usage", "5/6", "0/0");
    // Residents 65+: A = P1 (65 on R), P6, P9, P13; B = P7. Complete exam in P on a valid record: P1 only
    // (X6 no ADL score, X9 no guidance, X13 record 迁出, X7 record incomplete; P2 is 64).
    expect(want, "elderly_health_mgmt", "1/4", "0/1");
    expect(want, "elderly80_health_mgmt", "0/1", "0/1");
    // Complete elderly TCM: T6 (P6); T9 no constitution, T7 30 items, T1 a child service.
    expect(want, "elderly_tcm_mgmt", "1/4", "0/1");
    // Contract valid on R: C6 (P6, ends on R), C13 (P13: status 3 is not 解约, record validity not needed);
    // not C7a (解约), C7b (starts after R), C8 (ended the day before R).
    expect(want, "elderly_fd_contract", "2/4", "0/1");
    // Key population: 65+ (P1 P6 P9 P13 | P7) or enrolled on R (P8, P9, P10, P13, P14 | -): A = 7, B = 1. P14's
    // E14 is 在管 (status 1): open on R although it carries a close date (2025-06-30); E7 (P7) is 结案.
    expect(want, "keypop_fd_contract", "2/7", "0/1");
    // Managed HTN (35+, enrolled by R, not closed before P, a follow-up in P): P8, P9, P10 (P11 closed 2024,
    // P13 no follow-up). Not P7 in B: E7 is 结案 without a close date, closed before every period, so F7 (April)
    // makes no one managed. Four face-to-face: P9, P10 (P8 has three and two phone calls; F10e is a phone call).
    expect(want, "htn_std_mgmt", "2/3", "0/0");
    // Last follow-up in P: P8 has two on 2025-11-01 with the same src_updated_at, so the greater key, F8e 150/95,
    // is the last: not controlled. P9 (70) 145/80 < 150/90 yes. P10 (55) has two on 2025-11-15: F10d changed at
    // the source after F10e, so F10d 145/85 is the last (whatever the keys say): not controlled.
    expect(want, "htn_bp_control", "1/3", "0/0");
    // Managed T2DM: P9 (one follow-up); glucose 7.0 is not < 7.0.
    expect(want, "t2dm_std_mgmt", "0/1", "0/0");
    expect(want, "t2dm_glucose_control", "0/1", "0/0");
    // EMR-confirmed HTN (35+): P11 (outpatient + emergency on two days), P13 (inpatient I12, visited in B but
    // counted in the person's county A); not P12 (two visits on one day, the inpatient one uncertain), not P2
    // (before the window). Without an active enrolment on R: P11 (closed 2024). P13 is enrolled.
    expect(want, "htn_unmanaged", "1/2", "0/0");
    // EMR-confirmed T2DM: P14 (35 on R); P15 is 34. P14's E14 is 在管 on R (its stray close date does not close
    // it): managed, so none is unmanaged.
    expect(want, "t2dm_unmanaged", "0/1", "0/0");
    // Ageing: 60+ = P1 P2 P6 P9 P13 | P7; 65+ = P1 P6 P9 P13 | P7.
    expect(want, "aging_60", "5/11", "1/2");
    expect(want, "aging_65", "4/11", "1/2");
    // P21 (死亡) and P22 (迁出) have no date: resident on no day, so in none of the counts above, nor below.
    // Infant mortality over every registry person by county: births in P = P16 P19 (type 2 counts) | P20;
    // infant deaths in P = P16, P17 (born 2024) — not P18 (aged 1 at death).
    expect(want, "infant_mortality", "2/2", "0/1");
    // Life table: resident-type deaths in P = P4, P16, P17, P18 (all A); population on 2025-07-02: A = P1 P2
    // P5 (moves out later) P6 P8 P9 P10 P11 P12 P13 P14 P15 P16 (dies later) P18 = 14, B = P7 P20 = 2.
    expect(want, "life_expectancy", "4/14", "0/2");
    // Health records built by R, by managing organisation's county: A = R1 R2 R3 R6 R8 R9 R11 R13 R14 R21 R99
    // (not R10, built after R); linked to a resident: all but R3 (户籍外出), R21 (P21: 死亡 without a date, resident
    // on no day) and R99 (unlinked). B: R7 → P7.
    expect(want, "link_rate_ehr", "8/11", "1/1");
    // Visits in P by the hospital's county: A = 11 (not V2, 2024; V13 is in B; V98's hospital has no county);
    // linked to a resident: all but V99.
    expect(want, "link_rate_emr", "10/11", "1/1");
    Map<String, String> countyAndCity = new TreeMap<>(got);
    countyAndCity.keySet().removeIf(k -> k.endsWith("|510000"));
    assertEquals(want, countyAndCity);
    // The province is the city's only: the same sums.
    for (String id : catalog.indicators.keySet()) {
      assertEquals(got.get(id + "|511300"), got.get(id + "|510000"), id);
    }
  }

  /**
   * What has no county is counted in no division and said: P23 (resident, aged 55, no county) is in the
   * denominators of record coverage, electronic coverage, both ageing rates and the life table's mid-year
   * population, in none of their numerators; V98 (P8, a resident, at a hospital missing from ref_org) is a visit
   * of the period linked to a resident, 1/1 of link_rate_emr. Nothing else lacks a county.
   */
  @Test
  void whatHasNoCountyIsCountedInNoDivisionAndReported() {
    Period p = Period.year(2025);
    IndicatorEngine e = new IndicatorEngine(spark, catalog, (ns, t) -> "rules_" + ns + "_" + t);
    Map<String, String> got = new TreeMap<>();
    for (IndicatorJob.Unassigned u : IndicatorJob.unassigned(catalog, List.of(p), e.compute(List.of(p)))) {
      got.put(u.indicator().id(), u.numerator() + "/" + u.denominator());
    }
    assertEquals(Map.of("ehr_coverage", "0/1", "ehr_electronic_coverage", "0/1", "aging_60", "0/1", "aging_65",
        "0/1", "life_expectancy", "0/1", "link_rate_emr", "1/1"), got);
  }

  private static void expect(Map<String, String> want, String id, String a, String b) {
    if (!a.equals("0/0")) {
      want.put(id + "|" + A, a);
    } else {
      want.put(id + "|" + A, a);
    }
    want.put(id + "|" + B, b);
    long[] x = nd(a);
    long[] y = nd(b);
    want.put(id + "|511300", (x[0] + y[0]) + "/" + (x[1] + y[1]));
  }

  private static long[] nd(String s) {
    String[] p = s.split("/");
    return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])};
  }

  @Test
  void valuesAreRatesOfTheSumsAndAnEmptyDenominatorIsAState() {
    IndicatorEngine e = new IndicatorEngine(spark, catalog, (ns, t) -> "rules_" + ns + "_" + t);
    Period p = Period.year(2025);
    List<IndicatorJob.Value> values = IndicatorJob.rollUp(catalog, Targets.none(), List.of(p),
        e.compute(List.of(p)), new org.sanku.geo.Divisions(spark, "rules_std_ref_division", false));
    IndicatorJob.Value cityAging = find(values, "aging_60", "511300000000");
    // City 60+: (5 + 1) / (11 + 2) = 6/13 = 46.1538…% — the sum of counts, not the mean of 45.45% and 50%.
    assertEquals(600.0 / 13, cityAging.value(), 1e-12);
    assertEquals("南充市", cityAging.divisionName());
    assertEquals("city", cityAging.level());
    // Infant mortality: 2 / 3 births × 1000 = 666.67‰ for the city.
    assertEquals(2000.0 / 3, find(values, "infant_mortality", "511300000000").value(), 1e-9);
    IndicatorJob.Value noManaged = find(values, "htn_std_mgmt", "511303000000");
    assertNull(noManaged.value());
    assertEquals("NO_DENOMINATOR", noManaged.note());
    // Four deaths cannot make a life table (no deaths at 85+): no value, a note.
    assertNull(find(values, "life_expectancy", "511302000000").value());
  }

  /**
   * Year to date as of 2025-06-30 (181 days): a "4 a year" rule needs ⌈4 × 181 / 365⌉ = ⌈1.98⌉ = 2 face-to-face
   * follow-ups. Managed: P8 (Feb; May by phone), P9 (Jan, Apr), P10 (Feb, May). Standard: P9 and P10 → 2/3.
   * Residents 65+ on 2025-06-30: P5 (moves out in December: still resident), P6, P9, P13 (65 in February); not
   * P1 (64 until 31 December), not P4 (died 1 June) → 4 in A; P7 in B.
   */
  @Test
  void partialPeriodsScaleTheFollowUpRuleAndMoveR() {
    Map<String, String> got = compute(catalog, Period.yearToDate(java.time.LocalDate.parse("2025-06-30")));
    assertEquals("2/3", got.get("htn_std_mgmt|" + A));
    assertEquals("4", got.get("elderly_health_mgmt|" + A).split("/")[1]);
    assertEquals("1", got.get("elderly_health_mgmt|" + B).split("/")[1]);
  }

  @Test
  void anIndicatorAddedByAConfigFileAloneIsComputed(@TempDir Path dir) throws IOException {
    Path conf = catalogCopy(dir);
    Files.writeString(conf.resolve("local.yaml"), """
        indicators:
          aging_80:
            name_zh: 高龄化率（80岁及以上）
            name_en: Share of residents aged 80+
            unit: "%"
            params: {min_age: 80}
            denominator: resident
            numerator: "age >= ${min_age}"
        """);
    Map<String, String> got = compute(Catalog.load(conf), Period.year(2025));
    // Residents 80+: P6 (80) in A of 11; P7 (85) in B of 2.
    assertEquals("1/11", got.get("aging_80|" + A));
    assertEquals("1/2", got.get("aging_80|" + B));
  }

  /**
   * The person flags are cached with only the columns the counts' expressions name. A record indicator reading a
   * person column no other indicator reads ({@code person.residence_since}) gets it; one reading {@code person} as a
   * whole gets every column. Both count as worked out by hand.
   */
  @Test
  void theCachedFlagsKeepTheColumnsTheExpressionsName(@TempDir Path dir) throws IOException {
    IndicatorEngine plain = new IndicatorEngine(spark, catalog, (ns, t) -> "rules_" + ns + "_" + t);
    String[] columns = plain.plan(List.of(Period.year(2025))).flags().columns();
    java.util.Set<String> used = plain.used(columns);
    for (String c : List.of("period_id", "person_key", "county_code", "resident", "age", "valid_record")) {
      assertTrue(used.contains(c), c + " in " + used);
    }
    for (String c : List.of("residence_since", "ethnicity_code", "mother_key", "hukou_division_code")) {
      assertTrue(!used.contains(c), c + " in " + used);
    }
    assertTrue(used.size() < columns.length, used.size() + " of " + columns.length);

    Path conf = catalogCopy(dir);
    Files.writeString(conf.resolve("local.yaml"), """
        indicators:
          link_rate_ehr_settled:
            name_zh: 健康档案关联率（居住起始日未知）
            name_en: Link rate of records, residence start unknown
            kind: record
            unit: "%"
            source: record
            county: org_county_code
            denominator: "rec_build_date <= ref_date"
            numerator: "person.resident AND person.`residence_since` IS NULL"
          records_of_registry_persons:
            name_zh: 关联到人口库的健康档案
            name_en: Records of registry persons
            kind: record
            unit: "%"
            source: record
            county: org_county_code
            denominator: "rec_build_date <= ref_date"
            numerator: "person IS NOT NULL"
        """);
    Catalog c = Catalog.load(conf);
    IndicatorEngine e = new IndicatorEngine(spark, c, (ns, t) -> "rules_" + ns + "_" + t);
    assertNull(e.used(columns), "person read as a whole: every column");
    Files.writeString(conf.resolve("local.yaml"), Files.readString(conf.resolve("local.yaml"))
        .replace("numerator: \"person IS NOT NULL\"", "numerator: \"person.person_key IS NOT NULL\""));
    Catalog byField = Catalog.load(conf);
    java.util.Set<String> withField = new IndicatorEngine(spark, byField, (ns, t) -> "rules_" + ns + "_" + t)
        .used(columns);
    assertTrue(withField.contains("residence_since"), withField.toString());
    assertTrue(!withField.contains("ethnicity_code"), withField.toString());

    for (Catalog k : List.of(c, byField)) {
      Map<String, String> got = compute(k, Period.year(2025));
      // Records built by R in A: R1 R2 R3 R6 R8 R9 R11 R13 R14 R21 R99 (not R10). No person of the region has a
      // residence_since, so linked to a resident: all but R3, R21, R99, as in link_rate_ehr. B: R7 -> P7.
      assertEquals("8/11", got.get("link_rate_ehr_settled|" + A));
      assertEquals("1/1", got.get("link_rate_ehr_settled|" + B));
      // Linked to a registry person (resident or not): all but R99.
      assertEquals("10/11", got.get("records_of_registry_persons|" + A));
      assertEquals("1/1", got.get("records_of_registry_persons|" + B));
      // The catalog's own indicators are unchanged beside them.
      assertEquals("8/11", got.get("link_rate_ehr|" + A));
      assertEquals("1/4", got.get("elderly_health_mgmt|" + A));
    }
    // A person column that does not exist is refused naming the file and field, narrowed flags or not.
    Files.writeString(conf.resolve("local.yaml"), Files.readString(conf.resolve("local.yaml"))
        .replace("person.`residence_since` IS NULL", "person.no_such_column IS NULL"));
    Catalog broken = Catalog.load(conf);
    Catalog.CatalogException refused = assertThrows(Catalog.CatalogException.class,
        () -> IndicatorEngine.validate(spark, broken));
    assertTrue(refused.getMessage().contains("local.yaml: indicators.link_rate_ehr_settled.numerator"),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("no_such_column"), refused.getMessage());
  }

  @Test
  void aBrokenDefinitionIsRefusedNamingTheFileAndField(@TempDir Path dir) throws IOException {
    Path conf = dir.resolve("indicators");
    Files.createDirectories(conf);
    Files.copy(Path.of("..", "conf", "indicators", "model.yaml"), conf.resolve("model.yaml"));
    Files.writeString(conf.resolve("bad.yaml"), """
        indicators:
          broken:
            name_zh: 坏
            name_en: Broken
            unit: "%"
            denominator: resident
            numerator: "no_such_column > 1"
        """);
    Catalog c = Catalog.load(conf);
    Catalog.CatalogException e = assertThrows(Catalog.CatalogException.class, () -> IndicatorEngine.validate(spark, c));
    assertTrue(e.getMessage().contains("bad.yaml: indicators.broken.numerator"), e.getMessage());
    assertTrue(e.getMessage().contains("no_such_column"), e.getMessage());
    Files.writeString(conf.resolve("bad.yaml"), """
        indicators:
          broken:
            name_zh: 坏
            name_en: Broken
            unit: "%"
            denominator: "age >= ${no_such_param}"
            numerator: resident
        """);
    e = assertThrows(Catalog.CatalogException.class, () -> Catalog.load(conf));
    assertTrue(e.getMessage().contains("bad.yaml: indicators.broken.denominator: unknown parameter"), e.getMessage());
    Files.writeString(conf.resolve("bad.yaml"), """
        indicators:
          broken:
            name_zh: 坏
            unit: "%"
            denominator: resident
            numerator: resident
        """);
    e = assertThrows(Catalog.CatalogException.class, () -> Catalog.load(conf));
    assertTrue(e.getMessage().contains("bad.yaml: indicators.broken.name_en: required"), e.getMessage());
  }

  private static IndicatorJob.Value find(List<IndicatorJob.Value> values, String id, String code) {
    return values.stream().filter(v -> v.indicator().id().equals(id) && v.divisionCode().equals(code)).findFirst()
        .orElseThrow(() -> new AssertionError("no value " + id + " " + code));
  }

  /** A copy of the catalog's folder (conf/indicators) under {@code dir}, for a test to add a file to. */
  private static Path catalogCopy(Path dir) throws IOException {
    Path conf = dir.resolve("indicators");
    Files.createDirectories(conf);
    try (var s = Files.list(Path.of("..", "conf", "indicators"))) {
      for (Path f : s.toList()) {
        Files.copy(f, conf.resolve(f.getFileName()));
      }
    }
    return conf;
  }

  // ---- fixture rows, shaped like the integrated tables ----

  private static void add(String table, Object... kv) {
    IntegratedRows.add(rows, table, kv);
  }

  private static void person(String key, String birth, String residentType, String status, String death,
      String moveOut, String county) {
    add("person", "person_key", key, "birth_date", birth, "resident_type_code", residentType, "person_status_code",
        status, "death_date", death, "move_out_date", moveOut, "county_code", county);
  }

  private static void record(String ehrNo, String person, String built, String basic, String status,
      String statusDate, String electronic, String orgCounty) {
    add("ehr_record", "ehr_no", ehrNo, "person_key", person, "build_date", built, "basic_form_complete", basic,
        "record_status_code", status, "record_status_date", statusDate, "is_electronic", electronic,
        "org_county_code", orgCounty);
  }

  private static String personOf(String ehrNo) {
    for (Row r : rows.get("ehr_record")) {
      if (r.getString(0).equals(ehrNo)) {
        return r.getString(1);
      }
    }
    throw new IllegalArgumentException(ehrNo);
  }

  private static void exam(String id, String ehrNo, String date, Integer sbp, Integer dbp, Double height,
      Double weight, Double fbg, Integer adl, String eval, List<String> guidance) {
    add("ehr_exam", "exam_id", id, "ehr_no", ehrNo, "person_key", personOf(ehrNo), "exam_date", date, "sbp", sbp,
        "dbp", dbp, "height_cm", height, "weight_kg", weight, "fbg_mmol_l", fbg, "adl_score", adl,
        "health_eval_code", eval, "guidance_codes", guidance);
  }

  private static void tcm(String id, String ehrNo, String date, String kind, Integer items,
      List<String> constitution, List<String> guidance) {
    add("ehr_tcm_service", "service_id", id, "ehr_no", ehrNo, "person_key", personOf(ehrNo), "service_date", date,
        "service_kind", kind, "item_count", items, "constitution_codes", constitution, "guidance_codes", guidance);
  }

  private static void contract(String id, String ehrNo, String sign, String start, String end, String status) {
    add("ehr_contract", "contract_id", id, "ehr_no", ehrNo, "person_key", personOf(ehrNo), "sign_date", sign,
        "start_date", start, "end_date", end, "status_code", status);
  }

  /** An enrolment as delivered: 结案 (status 2) with its close date, else 在管 (status 1). */
  private static void enrollment(String id, String ehrNo, String program, String enrolled, String closed) {
    enrollment(id, ehrNo, program, enrolled, closed == null ? "1" : "2", closed);
  }

  private static void enrollment(String id, String ehrNo, String program, String enrolled, String status,
      String closed) {
    add("ehr_enrollment", "enrollment_id", id, "ehr_no", ehrNo, "person_key", personOf(ehrNo), "program_code",
        program, "enroll_date", enrolled, "manage_status_code", status, "close_date", closed);
  }

  private static void followup(String id, String enrollment, String ehrNo, String date, String mode, Integer sbp,
      Integer dbp, Double fbg) {
    followup(id, enrollment, ehrNo, date, mode, sbp, dbp, fbg, null);
  }

  private static void followup(String id, String enrollment, String ehrNo, String date, String mode, Integer sbp,
      Integer dbp, Double fbg, String updatedAt) {
    add("ehr_followup", "followup_id", id, "enrollment_id", enrollment, "ehr_no", ehrNo, "person_key",
        personOf(ehrNo), "followup_date", date, "followup_mode_code", mode, "sbp", sbp, "dbp", dbp, "fbg_mmol_l", fbg,
        "src_updated_at", updatedAt == null ? null : java.sql.Timestamp.valueOf(updatedAt));
  }

  private static void visit(String id, String person, String orgCounty, String type, String date) {
    add("emr_visit", "visit_id", id, "person_key", person, "org_county_code", orgCounty, "visit_type_code", type,
        "visit_date", date);
  }

  private static void diagnosis(String visit, String person, String icd3, boolean uncertain) {
    add("emr_diagnosis", "visit_id", visit, "diag_seq", 1, "person_key", person, "diag_code", icd3, "icd3", icd3,
        "is_uncertain", uncertain);
  }
}
