package org.sanku.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Enrollment;
import org.sanku.generate.Facts.Followup;
import org.sanku.generate.Facts.Person;

/**
 * The truth's rules for periods other than a calendar year, worked out by hand: the partial-period threshold, ages
 * on a 29 February birthday, and a status change dated between two periods' reference dates. The same five persons
 * are counted by the pipeline in org.sanku.indicators.PeriodRulesTest, with the same expected counts.
 *
 * <pre>
 * person  born        notes
 * H1      1975-01-01  HTN since 2020; face-to-face follow-ups 2025-02-10 and 2025-08-10
 * H2      1970-01-01  HTN since 2020; face-to-face follow-ups 2025-07-05 and 2025-09-05 (home visit)
 * H3      1965-01-01  HTN since 2020; face-to-face follow-ups 2024-02-01 and 2024-05-01
 * L1      1960-02-29  born on a leap day: 64 on 2025-02-28, 65 on 2025-03-01
 * D1      1950-01-01  died 2025-05-10; record status 死亡 dated 2025-05-20
 * </pre>
 * Everyone is resident (type 1) in one county and has a valid health record built 2020-01-01.
 */
class TruthPeriodsTest {

  private static final LocalDate Q1_END = LocalDate.parse("2025-03-31");

  private static TruthRules rules(String type, String start, String end) {
    return new TruthRules(type, LocalDate.parse(start), LocalDate.parse(end));
  }

  /**
   * ⌈4 × days(P) / days(year)⌉ with the days of P's own calendar year: 2025-Q1 has 90 days → ⌈0.986⌉ = 1, 2025-Q2
   * 91 → ⌈0.997⌉ = 1, 2025-Q3 92 → ⌈1.008⌉ = 2, February 2025 28 → 1, the year 365 → 4. In leap 2024, Q1 has 91
   * days of 366 → ⌈0.995⌉ = 1, and 1 January to 1 July is 183 days → 4 × 183 / 366 = 2 exactly (with 365 days it
   * would be ⌈2.005⌉ = 3).
   */
  @Test
  void partialPeriodThresholdUsesTheDaysOfItsOwnYear() {
    assertEquals(1, rules("quarter", "2025-01-01", "2025-03-31").minFollowups);
    assertEquals(1, rules("quarter", "2025-04-01", "2025-06-30").minFollowups);
    assertEquals(2, rules("quarter", "2025-07-01", "2025-09-30").minFollowups);
    assertEquals(2, rules("quarter", "2025-10-01", "2025-12-31").minFollowups);
    assertEquals(1, rules("month", "2025-02-01", "2025-02-28").minFollowups);
    assertEquals(4, rules("year", "2025-01-01", "2025-12-31").minFollowups);
    assertEquals(1, rules("quarter", "2024-01-01", "2024-03-31").minFollowups);
    assertEquals(2, rules("ytd", "2024-01-01", "2024-07-01").minFollowups);
    // The 365 days ending R reach into the year before: for 2025-Q1 they start on 2024-04-01.
    assertEquals(LocalDate.parse("2024-04-01"), rules("quarter", "2025-01-01", "2025-03-31").window365);
  }

  /** Completed years: a 29 February birthday is reached on 1 March in a common year, on the day in a leap year. */
  @Test
  void aLeapDayBirthdayIsReachedOnTheFirstOfMarchInACommonYear() {
    LocalDate b = LocalDate.parse("1960-02-29");
    assertEquals(64, TruthRules.age(b, LocalDate.parse("2025-02-28")));
    assertEquals(65, TruthRules.age(b, LocalDate.parse("2025-03-01")));
    assertEquals(63, TruthRules.age(b, LocalDate.parse("2024-02-28")));
    assertEquals(64, TruthRules.age(b, LocalDate.parse("2024-02-29")));
    assertEquals(0, TruthRules.age(LocalDate.parse("2024-02-29"), LocalDate.parse("2025-02-28")));
    assertEquals(1, TruthRules.age(LocalDate.parse("2024-02-29"), LocalDate.parse("2025-03-01")));
  }

  /** The periods the truth is written for as of 31 December 2025, in order. */
  @Test
  void theTruthsPeriodsAsOfTheEndOfAYear() {
    List<String> got = TruthRules.periods(LocalDate.parse("2025-12-31")).stream()
        .map(p -> p.type + " " + p.start + " " + p.end).toList();
    assertEquals(List.of("year 2025-01-01 2025-12-31", "year 2024-01-01 2024-12-31",
        "quarter 2025-01-01 2025-03-31", "quarter 2025-04-01 2025-06-30", "quarter 2025-07-01 2025-09-30",
        "quarter 2025-10-01 2025-12-31", "month 2025-02-01 2025-02-28", "ytd 2025-01-01 2025-08-14"), got);
    // As of a mid-year date: the year to date, last year, the quarters ended by then and February.
    got = TruthRules.periods(LocalDate.parse("2025-07-15")).stream()
        .map(p -> p.type + " " + p.start + " " + p.end).toList();
    assertEquals(List.of("ytd 2025-01-01 2025-07-15", "year 2024-01-01 2024-12-31",
        "quarter 2025-01-01 2025-03-31", "quarter 2025-04-01 2025-06-30", "month 2025-02-01 2025-02-28"), got);
  }

  /** D1 dies on 2025-05-10, between the first quarter's R and the second's: resident on one, not the other. */
  @Test
  void aDeathBetweenTwoReferenceDates() {
    Person d1 = person(1, "1950-01-01");
    d1.status = 2;
    d1.deathDate = LocalDate.parse("2025-05-10");
    TruthRules q1 = rules("quarter", "2025-01-01", "2025-03-31");
    TruthRules q2 = rules("quarter", "2025-04-01", "2025-06-30");
    assertTrue(q1.residentOn(d1, Q1_END, false));
    assertFalse(q2.residentOn(d1, q2.end, false));
  }

  /**
   * The five persons counted for February, the four quarters of 2025 and the year to date 2024-01-01 … 2024-07-01:
   *
   * <ul>
   *   <li>February 2025 (R 2025-02-28): residents H1 H2 H3 L1 D1 = 5; aged 65+: D1 only (L1 is 64) → 1/5; aged
   *       60+: H3 (60), L1, D1 → 3/5; valid records 5/5 (D1's status date is after R); managed: H1, whose one
   *       face-to-face follow-up on 02-10 meets the threshold ⌈4 × 28 / 365⌉ = 1 → 1/1.</li>
   *   <li>2025-Q1 (R 03-31, threshold 1): residents 5; 65+: L1 (65 since 1 March) and D1 → 2/5; managed: H1 with
   *       one face-to-face follow-up → standard, 1/1.</li>
   *   <li>2025-Q2 (R 06-30): D1 died on 05-10 → residents 4; 65+: L1 → 1/4; 60+: H3, L1 → 2/4; valid records
   *       4/4; no follow-ups, so nobody is a managed patient → 0/0.</li>
   *   <li>2025-Q3 (threshold 2): residents 4 as in Q2; managed H1 (one follow-up: not standard) and H2 (two)
   *       → 1/2.</li>
   *   <li>2024-01-01 … 2024-07-01 (threshold 2 of a 366-day year): managed H3 with two → 1/1 (H1 and H2 have
   *       no follow-up in P); residents 5; aged 65+: D1 (74), not L1 (64) → 1/5; 60+: L1, D1 (H3 is 59) → 2/5.</li>
   * </ul>
   */
  @Test
  void theSamePersonsCountedForEachPeriod() {
    List<Person> ps = persons();
    assertEquals("1/5 3/5 5/5 1/1", count(ps, rules("month", "2025-02-01", "2025-02-28")));
    assertEquals("2/5 3/5 5/5 1/1", count(ps, rules("quarter", "2025-01-01", "2025-03-31")));
    assertEquals("1/4 2/4 4/4 0/0", count(ps, rules("quarter", "2025-04-01", "2025-06-30")));
    assertEquals("1/4 2/4 4/4 1/2", count(ps, rules("quarter", "2025-07-01", "2025-09-30")));
    assertEquals("1/5 2/5 5/5 1/1", count(ps, rules("ytd", "2024-01-01", "2024-07-01")));
  }

  /** aging_65, aging_60, ehr_coverage and htn_std_mgmt as "numerator/denominator", true view. */
  private static String count(List<Person> ps, TruthRules r) {
    TruthRules.Tally t = new TruthRules.Tally(1);
    for (Person p : ps) {
      r.evaluate(p, false, t);
    }
    StringBuilder sb = new StringBuilder();
    for (int i : new int[] {TruthRules.AGING65, TruthRules.AGING60, TruthRules.EHR_COV, TruthRules.HTN_STD}) {
      sb.append(sb.length() == 0 ? "" : " ").append(t.num[i][0][0]).append('/').append(t.den[i][0][0]);
    }
    return sb.toString();
  }

  static List<Person> persons() {
    Person h1 = person(1, "1975-01-01");
    htn(h1, "2025-02-10", 1, "2025-08-10", 1);
    Person h2 = person(2, "1970-01-01");
    htn(h2, "2025-07-05", 1, "2025-09-05", 2);
    Person h3 = person(3, "1965-01-01");
    htn(h3, "2024-02-01", 1, "2024-05-01", 1);
    Person l1 = person(4, "1960-02-29");
    Person d1 = person(5, "1950-01-01");
    d1.status = 2;
    d1.deathDate = LocalDate.parse("2025-05-10");
    d1.ehrs.get(0).status = 2;
    d1.ehrs.get(0).statusDate = LocalDate.parse("2025-05-20");
    return List.of(h1, h2, h3, l1, d1);
  }

  private static Person person(long idx, String birth) {
    Person p = new Person();
    p.idx = idx;
    p.county = 0;
    p.birth = LocalDate.parse(birth);
    p.residentType = 1;
    Ehr e = new Ehr();
    e.ehrNo = "R" + idx;
    e.build = LocalDate.parse("2020-01-01");
    e.basicComplete = true;
    p.ehrs.add(e);
    return p;
  }

  private static void htn(Person p, String d1, int mode1, String d2, int mode2) {
    Enrollment en = new Enrollment();
    en.id = "E" + p.idx;
    en.program = "HTN";
    en.enrollDate = LocalDate.parse("2020-01-01");
    for (Object[] f : new Object[][] {{d1, mode1}, {d2, mode2}}) {
      Followup x = new Followup();
      x.id = en.id + f[0];
      x.date = LocalDate.parse((String) f[0]);
      x.mode = (Integer) f[1];
      x.sbp = 120;
      x.dbp = 80;
      x.updatedAt = x.date.atTime(9, 0);
      en.followups.add(x);
    }
    p.ehrs.get(0).enrollments.add(en);
  }
}
