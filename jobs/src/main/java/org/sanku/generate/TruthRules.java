package org.sanku.generate;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sanku.generate.Facts.Contract;
import org.sanku.generate.Facts.Diagnosis;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Enrollment;
import org.sanku.generate.Facts.Exam;
import org.sanku.generate.Facts.Followup;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Tcm;
import org.sanku.generate.Facts.Visit;

/**
 * The indicator rules of shared/indicators.md applied to one person of the clean model, in two views: every
 * true fact, or only the facts the pipeline can recover from what was delivered. This is the generator's own
 * straightforward reading of the catalog (person by person, in plain Java); the pipeline computes the same
 * rates with Spark, and end-to-end tests compare the two.
 */
final class TruthRules {

  /** Indicator ids in output order (life expectancy is tallied separately from its life-table inputs). */
  static final String[] IDS = {
      "ehr_coverage", "ehr_electronic_coverage", "ehr_usage", "elderly_health_mgmt",
      "elderly80_health_mgmt", "elderly_tcm_mgmt", "elderly_fd_contract", "keypop_fd_contract",
      "htn_std_mgmt", "htn_bp_control", "t2dm_std_mgmt", "t2dm_glucose_control", "htn_unmanaged",
      "t2dm_unmanaged", "aging_60", "aging_65", "infant_mortality", "link_rate_ehr", "link_rate_emr"};
  static final int EHR_COV = 0, EHR_ELEC = 1, EHR_USAGE = 2, ELD = 3, ELD80 = 4, TCM = 5, ELD_FD = 6,
      KEY_FD = 7, HTN_STD = 8, HTN_BP = 9, DM_STD = 10, DM_GLU = 11, HTN_UN = 12, DM_UN = 13,
      AGING60 = 14, AGING65 = 15, IMR = 16, LINK_EHR = 17, LINK_EMR = 18;

  final String type;          // the pipeline's period type: year, ytd, quarter or month
  final LocalDate start;      // P.start
  final LocalDate end;        // P.end = R
  final LocalDate mid;        // mid-period date for the life table's population
  final LocalDate window365;  // first day of the 365 days ending R
  final int minFollowups;     // ⌈4 × days(P) / days(year)⌉
  final double years;         // length of P in years, for the life table

  /** A year-to-date period (a whole year when it ends on 31 December), as the nightly run computes. */
  TruthRules(LocalDate start, LocalDate end) {
    this(end.getDayOfYear() == end.lengthOfYear() && start.getDayOfYear() == 1 ? "year" : "ytd", start, end);
  }

  /**
   * The rules for period P = [start, end] of the given type. Days in the year are those of P's own calendar year
   * (366 in a leap year), as the pipeline's {@code year_days}: a "≥ 4 per year" rule needs ⌈4 × 90 / 365⌉ = 1
   * face-to-face follow-up in the 90 days of 2025-Q1 and ⌈4 × 92 / 365⌉ = 2 in the 92 days of 2025-Q3.
   */
  TruthRules(String type, LocalDate start, LocalDate end) {
    if (end.isBefore(start) || start.getYear() != end.getYear()) {
      throw new IllegalArgumentException("a period lies within one calendar year: " + start + " … " + end);
    }
    this.type = type;
    this.start = start;
    this.end = end;
    long days = ChronoUnit.DAYS.between(start, end) + 1;
    this.mid = start.plusDays((days - 1) / 2);
    this.window365 = end.minusDays(364);
    int daysInYear = start.lengthOfYear();
    this.minFollowups = (int) Math.ceil(4.0 * days / daysInYear - 1e-12);
    this.years = days / (double) daysInYear;
  }

  /**
   * The periods the truth is written for, as of a date: first the year to date (the whole year on 31 December),
   * then the previous closed year, each quarter of the as-of year that has ended by the as-of date, February of the
   * as-of year (28 or 29 days; its R is the eve of a 29 February birthday in a common year) and a year to date ending
   * on 14 August (an R that is no quarter's end). Every one ends on or before the as-of date.
   */
  static List<TruthRules> periods(LocalDate asOf) {
    List<TruthRules> out = new ArrayList<>();
    LocalDate jan1 = asOf.withDayOfYear(1);
    out.add(new TruthRules(jan1, asOf));
    out.add(new TruthRules("year", jan1.minusYears(1), jan1.minusDays(1)));
    for (int q = 0; q < 4; q++) {
      LocalDate s = jan1.plusMonths(3L * q);
      LocalDate e = s.plusMonths(3).minusDays(1);
      if (!e.isAfter(asOf)) {
        out.add(new TruthRules("quarter", s, e));
      }
    }
    LocalDate feb = jan1.withMonth(2);
    if (!feb.withDayOfMonth(feb.lengthOfMonth()).isAfter(asOf)) {
      out.add(new TruthRules("month", feb, feb.withDayOfMonth(feb.lengthOfMonth())));
    }
    LocalDate aug14 = jan1.withMonth(8).withDayOfMonth(14);
    if (aug14.isBefore(asOf)) {
      out.add(new TruthRules("ytd", jan1, aug14));
    }
    return out;
  }

  /**
   * Completed years (周岁) on a day. A 29 February birthday is reached on 1 March in a common year: born 2020-02-29,
   * one is 4 on 2025-02-28 and 5 on 2025-03-01 (java.time's period arithmetic, and the pipeline's month-and-day
   * comparison, agree on this).
   */
  static int age(LocalDate birth, LocalDate on) {
    return (int) ChronoUnit.YEARS.between(birth, on);
  }

  /**
   * Resident on day r (常住人口), as the truth reads shared/indicators.md: resident type 1 or 3, born on or before
   * r, not 注销, not dead and not moved out on or before r. In the recoverable view the registry is what the
   * pipeline kept: the earlier version when the final one was rejected, and a status 死亡 or 迁出 delivered without
   * its date is gone on a day nobody knows, so resident on no day.
   */
  boolean residentOn(Person p, LocalDate r, boolean rec) {
    if (p.residentType != 1 && p.residentType != 3) {
      return false;
    }
    if (rec && p.departureUndated) {
      return false;
    }
    if (p.birth.isAfter(r)) {
      return false;
    }
    if (status(p, rec) == 4) {
      return false;
    }
    LocalDate death = deathDate(p, rec);
    LocalDate moved = moveOutDate(p, rec);
    if (death != null && !death.isAfter(r)) {
      return false;
    }
    return moved == null || moved.isAfter(r);
  }

  /** The person's status as the view sees it (the recoverable view may hold the earlier version, status 1). */
  static int status(Person p, boolean rec) {
    return rec && p.keptEarlier ? 1 : p.status;
  }

  /** The death date the view knows (none in the earlier version, none when delivered without it). */
  static LocalDate deathDate(Person p, boolean rec) {
    return rec && (p.keptEarlier || p.departureUndated) ? null : p.deathDate;
  }

  static LocalDate moveOutDate(Person p, boolean rec) {
    return rec && (p.keptEarlier || p.departureUndated) ? null : p.moveOutDate;
  }

  private static boolean in(LocalDate d, LocalDate from, LocalDate to) {
    return d != null && !d.isBefore(from) && !d.isAfter(to);
  }

  /** Adds person p's contributions to the tally; {@code rec} selects the recoverable view (slot 1). */
  void evaluate(Person p, boolean rec, Tally t) {
    int v = rec ? 1 : 0;
    boolean present = !rec || !p.registryLost;
    if (!present) {
      return;
    }
    int c = p.county;
    // Infant mortality counts every registry person, resident or not, by their last county.
    if (in(p.birth, start, end)) {
      t.add(IMR, c, v, false);
    }
    LocalDate death = deathDate(p, rec);
    LocalDate moved = moveOutDate(p, rec);
    if (in(death, start, end) && age(p.birth, death) < 1) {
      t.add(IMR, c, v, true);
    }
    // Life table: deaths in P and the population on the mid-period date, residents only.
    if ((p.residentType == 1 || p.residentType == 3) && status(p, rec) != 4) {
      if (in(death, start, end) && (moved == null || moved.isAfter(death))) {
        t.lifeDeaths[c][lifeGroup(age(p.birth, death))][v]++;
      }
      if (residentOn(p, mid, rec)) {
        t.lifePop[c][lifeGroup(age(p.birth, mid))][v]++;
      }
    }
    if (!residentOn(p, end, rec)) {
      return;
    }
    int age = age(p.birth, end);
    boolean validRecord = false;
    boolean electronic = false;
    boolean dynamic = false;
    boolean completeExam = false;
    boolean completeTcm = false;
    boolean contract = false;
    for (Ehr e : p.ehrs) {
      if (rec && !e.rec) {
        continue;
      }
      // The recoverable view of a record whose status change was rejected is its earlier version: 在册.
      int status = rec && e.keptEarlier ? 1 : e.status;
      LocalDate statusDate = rec && e.keptEarlier ? null : e.statusDate;
      boolean valid = !e.build.isAfter(end) && e.basicComplete
          && (status == 1 || (statusDate != null && statusDate.isAfter(end)));
      if (!valid) {
        continue;
      }
      validRecord = true;
      electronic |= e.electronic;
      for (Exam x : e.exams) {
        if (rec && !x.rec) {
          continue;
        }
        dynamic |= in(x.date, window365, end);
        completeExam |= x.complete(rec) && in(x.date, start, end);
      }
      for (Tcm x : e.tcms) {
        if (rec && !x.rec) {
          continue;
        }
        dynamic |= in(x.date, window365, end);
        completeTcm |= x.kind == 1 && x.complete && in(x.date, start, end);
      }
      for (Contract x : e.contracts) {
        if (rec && !x.rec) {
          continue;
        }
        dynamic |= in(x.sign, window365, end);
      }
      for (Enrollment en : e.enrollments) {
        if (rec && !en.rec) {
          continue;
        }
        for (Followup f : en.followups) {
          if (!rec || f.rec) {
            dynamic |= in(f.date, window365, end);
          }
        }
      }
    }
    // Contracts and enrolments count from any linked record (the record need not be "valid" for them).
    boolean htnActive = false;
    boolean dmActive = false;
    for (Ehr e : p.ehrs) {
      if (rec && !e.rec) {
        continue;
      }
      for (Contract x : e.contracts) {
        if ((!rec || x.rec) && !x.start.isAfter(end) && !x.end.isBefore(end) && x.status != 2) {
          contract = true;
        }
      }
      for (Enrollment en : e.enrollments) {
        if ((!rec || en.rec) && !en.enrollDate.isAfter(end) && !closedBy(en, rec, end)) {
          if (en.program.equals("HTN")) {
            htnActive = true;
          } else {
            dmActive = true;
          }
        }
      }
    }
    for (Visit x : p.visits) {
      if ((!rec || x.rec) && in(x.date, window365, end)) {
        dynamic = true;
      }
    }
    t.add(EHR_COV, c, v, false);
    t.add(EHR_ELEC, c, v, false);
    t.add(AGING60, c, v, false);
    t.add(AGING65, c, v, false);
    if (validRecord) {
      t.add(EHR_COV, c, v, true);
      t.add(EHR_USAGE, c, v, false);
      if (electronic) {
        t.add(EHR_ELEC, c, v, true);
      }
      if (dynamic) {
        t.add(EHR_USAGE, c, v, true);
      }
    }
    if (age >= 60) {
      t.add(AGING60, c, v, true);
    }
    if (age >= 65) {
      t.add(AGING65, c, v, true);
      t.add(ELD, c, v, false);
      t.add(TCM, c, v, false);
      t.add(ELD_FD, c, v, false);
      if (validRecord && completeExam) {
        t.add(ELD, c, v, true);
      }
      if (validRecord && completeTcm) {
        t.add(TCM, c, v, true);
      }
      if (contract) {
        t.add(ELD_FD, c, v, true);
      }
    }
    if (age >= 80) {
      t.add(ELD80, c, v, false);
      if (validRecord && completeExam) {
        t.add(ELD80, c, v, true);
      }
    }
    if (age >= 65 || htnActive || dmActive) {
      t.add(KEY_FD, c, v, false);
      if (contract) {
        t.add(KEY_FD, c, v, true);
      }
    }
    if (age >= 35) {
      managed(p, rec, "HTN", age, t, c, v);
      managed(p, rec, "T2DM", age, t, c, v);
      unmanaged(p, rec, "HTN", htnActive, t, c, v);
      unmanaged(p, rec, "T2DM", dmActive, t, c, v);
    }
  }

  private void managed(Person p, boolean rec, String program, int age, Tally t, int c, int v) {
    boolean enrolled = false;
    Set<LocalDate> f2fDays = new HashSet<>();
    int f2f = 0;
    Followup last = null;
    for (Ehr e : p.ehrs) {
      if (rec && !e.rec) {
        continue;
      }
      for (Enrollment en : e.enrollments) {
        if ((rec && !en.rec) || !en.program.equals(program) || en.enrollDate.isAfter(end)
            || closedBy(en, rec, start.minusDays(1))) {
          continue;
        }
        enrolled = true;
        for (Followup f : en.followups) {
          // A follow-up dated after the enrolment's close date is no management of it (nor its last follow-up).
          if ((rec && !f.rec) || !in(f.date, start, end) || en.afterClose(f)) {
            continue;
          }
          if (f.mode == 1 || f.mode == 2) {
            f2f++;
            f2fDays.add(f.date);
          }
          // The last follow-up in P: latest date, then latest src_updated_at, then greatest id.
          if (last == null || f.after(last)) {
            last = f;
          }
        }
      }
    }
    if (!enrolled || last == null) {
      return;
    }
    boolean htn = program.equals("HTN");
    t.add(htn ? HTN_STD : DM_STD, c, v, false);
    t.add(htn ? HTN_BP : DM_GLU, c, v, false);
    if (f2f >= minFollowups) {
      t.add(htn ? HTN_STD : DM_STD, c, v, true);
    }
    boolean controlled;
    if (htn) {
      int sbpLimit = age >= 65 ? 150 : 140;
      controlled = last.sbp != null && last.dbp != null && last.sbp < sbpLimit && last.dbp < 90;
    } else {
      controlled = last.fbg != null && last.fbg < 7.0;
    }
    if (controlled) {
      t.add(htn ? HTN_BP : DM_GLU, c, v, true);
    }
  }

  private void unmanaged(Person p, boolean rec, String program, boolean active, Tally t, int c, int v) {
    boolean htn = program.equals("HTN");
    boolean inpatient = false;
    Set<LocalDate> outpatientDays = new HashSet<>();
    for (Visit x : p.visits) {
      if ((rec && !x.rec) || !in(x.date, window365, end)) {
        continue;
      }
      boolean hit = false;
      for (Diagnosis d : x.diagnoses) {
        if (d.uncertain || d.icd3 == null) {
          continue;
        }
        if (htn ? d.icd3.compareTo("I10") >= 0 && d.icd3.compareTo("I15") <= 0 : d.icd3.equals("E11")) {
          hit = true;
        }
      }
      if (!hit) {
        continue;
      }
      if (x.type == 3) {
        inpatient = true;
      } else {
        outpatientDays.add(x.date);
      }
    }
    if (inpatient || outpatientDays.size() >= 2) {
      t.add(htn ? HTN_UN : DM_UN, c, v, false);
      if (!active) {
        t.add(htn ? HTN_UN : DM_UN, c, v, true);
      }
    }
  }

  /**
   * Whether the enrolment is closed on or before {@code day}: 结案 on its close date; in the recoverable view a
   * 结案 delivered without its close date is closed before every day.
   */
  private static boolean closedBy(Enrollment en, boolean rec, LocalDate day) {
    if (en.status != 2) {
      return false;
    }
    if (rec && en.closeDateLost) {
      return true;
    }
    return en.closeDate != null && !en.closeDate.isAfter(day);
  }

  static int lifeGroup(int age) {
    if (age < 1) {
      return 0;
    }
    if (age < 5) {
      return 1;
    }
    return Math.min(18, age / 5 + 1);
  }

  /** Numerators and denominators per indicator, county and view; life-table inputs per county and view. */
  static final class Tally {
    final long[][][] num;
    final long[][][] den;
    final long[][][] lifeDeaths;
    final long[][][] lifePop;

    Tally(int counties) {
      num = new long[IDS.length][counties][2];
      den = new long[IDS.length][counties][2];
      lifeDeaths = new long[counties][LifeTable.GROUPS][2];
      lifePop = new long[counties][LifeTable.GROUPS][2];
    }

    void add(int ind, int county, int view, boolean numerator) {
      (numerator ? num : den)[ind][county][view]++;
    }

    void addAll(Tally o) {
      for (int i = 0; i < num.length; i++) {
        for (int c = 0; c < num[i].length; c++) {
          for (int v = 0; v < 2; v++) {
            num[i][c][v] += o.num[i][c][v];
            den[i][c][v] += o.den[i][c][v];
          }
        }
      }
      for (int c = 0; c < lifeDeaths.length; c++) {
        for (int g = 0; g < LifeTable.GROUPS; g++) {
          for (int v = 0; v < 2; v++) {
            lifeDeaths[c][g][v] += o.lifeDeaths[c][g][v];
            lifePop[c][g][v] += o.lifePop[c][g][v];
          }
        }
      }
    }
  }
}
