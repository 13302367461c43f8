package org.sanku.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Enrollment;
import org.sanku.generate.Facts.Exam;
import org.sanku.generate.Facts.Followup;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Visit;

/**
 * The truth's own reading of four rules, on hand-built persons (no files, no Spark): an exam without height or
 * weight, follow-ups after an enrolment's close, a health card on two persons, names with white space inside.
 */
class TruthCasesTest {

  private static final LocalDate S = LocalDate.parse("2025-01-01");
  private static final LocalDate R = LocalDate.parse("2025-12-31");
  private final TruthRules rules = new TruthRules(S, R);

  /** A resident of county 0, born on the day given, with one valid health record. */
  private static Person resident(String born) {
    Person p = new Person();
    p.idx = 1;
    p.county = 0;
    p.name = "张三";
    p.sex = 1;
    p.birth = LocalDate.parse(born);
    p.residentType = 1;
    p.healthCard = "J1";
    Ehr e = new Ehr();
    e.ehrNo = "1";
    e.build = LocalDate.parse("2020-01-01");
    e.basicComplete = true;
    p.ehrs.add(e);
    return p;
  }

  private static TruthRules.Tally tally(TruthRules rules, Person p, boolean rec) {
    TruthRules.Tally t = new TruthRules.Tally(1);
    rules.evaluate(p, rec, t);
    return t;
  }

  @Test
  void anExamDeliveredWithoutHeightOrWeightIsCompleteOnlyInTheTrueView() {
    // Aged 75 on R, one complete exam in P whose height was not delivered: elderly health management counts it
    // in the true view (1/1), not in the recoverable one (0/1); the exam is a service in both (ehr_usage 1/1).
    Person p = resident("1950-01-01");
    Exam x = new Exam();
    x.id = "X1";
    x.date = LocalDate.parse("2025-03-01");
    x.type = 2;
    x.complete = true;
    x.measureLost = true;
    p.ehrs.get(0).exams.add(x);
    TruthRules.Tally t = tally(rules, p, false);
    assertEquals(1, t.num[TruthRules.ELD][0][0]);
    t = tally(rules, p, true);
    assertEquals(0, t.num[TruthRules.ELD][0][1]);
    assertEquals(1, t.den[TruthRules.ELD][0][1]);
    assertEquals(1, t.num[TruthRules.EHR_USAGE][0][1]);
  }

  private static Followup followup(String id, String day, int mode, int sbp, int dbp) {
    Followup f = new Followup();
    f.id = id;
    f.date = LocalDate.parse(day);
    f.mode = mode;
    f.sbp = sbp;
    f.dbp = dbp;
    f.updatedAt = f.date.atTime(10, 0);
    return f;
  }

  @Test
  void followupsAfterTheCloseCountForNoEnrolment() {
    // Aged 55, HTN enrolment closed (结案) on 2025-06-30: three clinic follow-ups up to the close (the last on the
    // close date itself, 150/95) and two after it (120/70). Counted: three face-to-face (< 4, not standard), the
    // last counted one 150/95 (not controlled). Were the two counted, both would be 1.
    Person p = resident("1970-01-01");
    Enrollment en = new Enrollment();
    en.id = "E1";
    en.program = "HTN";
    en.enrollDate = LocalDate.parse("2023-01-01");
    en.status = 2;
    en.closeDate = LocalDate.parse("2025-06-30");
    en.followups.add(followup("F1", "2025-02-01", 1, 130, 80));
    en.followups.add(followup("F2", "2025-04-01", 1, 130, 80));
    en.followups.add(followup("F3", "2025-06-30", 2, 150, 95));
    en.followups.add(followup("F4", "2025-09-01", 1, 120, 70));
    en.followups.add(followup("F5", "2025-11-01", 1, 120, 70));
    p.ehrs.get(0).enrollments.add(en);
    assertFalse(en.afterClose(en.followups.get(2)), "the close date itself is not after the close");
    assertTrue(en.afterClose(en.followups.get(3)));
    for (boolean rec : new boolean[] {false, true}) {
      int v = rec ? 1 : 0;
      TruthRules.Tally t = tally(rules, p, rec);
      assertEquals(1, t.den[TruthRules.HTN_STD][0][v]);
      assertEquals(0, t.num[TruthRules.HTN_STD][0][v]);
      assertEquals(0, t.num[TruthRules.HTN_BP][0][v]);
      // Still services of the record: the record is dynamic.
      assertEquals(1, t.num[TruthRules.EHR_USAGE][0][v]);
    }
    // Closed on 2025-03-01 with its only follow-up in April: not managed at all (no denominator).
    en.closeDate = LocalDate.parse("2025-03-01");
    en.followups.clear();
    en.followups.add(followup("F6", "2025-04-01", 1, 120, 70));
    assertEquals(0, tally(rules, p, true).den[TruthRules.HTN_STD][0][1]);
  }

  private static Visit visit(String id, boolean linked) {
    Visit v = new Visit();
    v.id = id;
    v.date = LocalDate.parse("2025-05-01");
    v.rec = linked;
    return v;
  }

  @Test
  void aCardOnTwoPersonsTiesOnlyWhereJustOneOfThemCarriesIt() {
    Person a = resident("1950-03-01");
    Person b = resident("1980-06-06");
    b.idx = 2;
    b.name = "李梅";
    b.sex = 2;
    // Every visit below carries the card, but b2x (say, a visit without it).
    Visit a1 = visit("a1", true);
    Visit a2 = visit("a2", false);
    Visit b1 = visit("b1", false);
    Visit b2x = visit("b2x", false);
    Set<Visit> carrying = new java.util.HashSet<>(Set.of(a1, a2, b1));
    a.visits.add(a1);
    a.visits.add(a2);
    b.visits.add(b2x);
    // 1. Only a's visit a1 is linked, and b's only visit does not carry the card: a2 is tied to a.
    LinkageRules.linkThroughSharedCard(a, b, carrying::contains);
    assertTrue(a2.rec);
    // 2. b's unlinked b1 carries the card too (and disagrees with a): the card ties nothing.
    a2.rec = false;
    b.visits.add(b1);
    LinkageRules.linkThroughSharedCard(a, b, carrying::contains);
    assertFalse(a2.rec);
    assertFalse(b1.rec);
    // 3. b1 is linked (by its own ID): the card is on linked visits of both, and ties nothing either.
    b1.rec = true;
    LinkageRules.linkThroughSharedCard(a, b, carrying::contains);
    assertFalse(a2.rec);
  }

  @Test
  void namesCompareWithoutWhiteSpace() {
    assertEquals("张三", LinkageRules.normName("张 三"));
    assertEquals("张三", LinkageRules.normName(" 张\u3000三\t"));
    assertEquals("司马懿", LinkageRules.normName("司马\u00A0懿"));
    assertEquals("MARY·SMITH", LinkageRules.normName("Mary . Smith".replace(" . ", ".")));
    assertEquals("", LinkageRules.normName(null));
    // Removing the spaces does not make different names equal: 欧阳娜 is not 欧阳娜娜.
    assertFalse(LinkageRules.normName("欧阳 娜").equals(LinkageRules.normName("欧阳娜娜")));
  }
}
