package org.sanku.generate;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Enrollment;
import org.sanku.generate.Facts.Exam;
import org.sanku.generate.Facts.Followup;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Tcm;
import org.sanku.generate.RegionSpec.County;

/**
 * The services of the 365 days before the as-of date's window ({@link GenContext#servicesStart} to the day before
 * {@link GenContext#windowStart}): exams, elderly TCM services, follow-ups of the programmes a person was already
 * enrolled in, and hospital visits, at the same rates as in the window. With them the previous year is a closed
 * period with services of its own, and the 365 days ending a quarter's R reach back into it (a visit last year
 * makes this year's first quarter's record "dynamic"). They come from a random stream of their own, so the
 * services of the window are drawn as before.
 */
final class EarlierServices {

  private final GenContext ctx;
  private final HospitalVisits hospital;

  EarlierServices(GenContext ctx, HospitalVisits hospital) {
    this.ctx = ctx;
    this.hospital = hospital;
  }

  /** The first and last day the person was served in the earlier window, or null when not at all. */
  private LocalDate[] span(Person p, LocalDate from, LocalDate activeEnd) {
    LocalDate a = from.isAfter(ctx.servicesStart) ? from : ctx.servicesStart;
    LocalDate last = ctx.windowStart.minusDays(1);
    LocalDate b = activeEnd.isBefore(last) ? activeEnd : last;
    if (p.birth.isAfter(a)) {
      a = p.birth;
    }
    return a.isAfter(b) ? null : new LocalDate[] {a, b};
  }

  /** Exams, elderly TCM and follow-ups on the record in the earlier window (after the record was built). */
  void record(Person p, Ehr e, double svc, LocalDate activeEnd) {
    LocalDate[] s = span(p, e.build, activeEnd);
    if (s == null) {
      return;
    }
    SplittableRandom r = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, 7));
    RegionSpec.Calibration k = ctx.spec.calibration;
    int age = TruthRules.age(p.birth, s[1]);
    boolean elderly = age >= 65;
    Exam lastExam = null;
    double examRate = elderly ? Math.min(0.97, k.elderlyExam() * svc) : age >= 35 ? k.youngExam() : 0;
    if (r.nextDouble() < examRate) {
      Exam x = new Exam();
      // Ids 10 and up: the window's exams are 00 and 01.
      x.id = String.format("TJ%010d%02d", p.idx, 10);
      x.date = GenContext.between(r, s[0], s[1]);
      x.type = elderly ? 2 : (p.htn || p.t2dm ? 3 : 1);
      x.complete = r.nextDouble() < k.examComplete();
      e.exams.add(x);
      lastExam = x;
    }
    if (elderly) {
      HealthServices.elderlyTcm(e, String.format("ZY%010dE", p.idx), lastExam, svc, k, r, s[0], s[1]);
    }
    for (Enrollment en : e.enrollments) {
      followups(p, en, r, age, svc, s);
    }
  }

  /**
   * Follow-ups of an enrolment made before the window, from the enrolment (or the start of the earlier window) to
   * its close (or the end of the earlier window): regular (four to six face to face), irregular or none, as in the
   * window. They are added after the window's follow-ups, which keeps a same-day pair right after its first.
   */
  private void followups(Person p, Enrollment en, SplittableRandom r, int age, double svc, LocalDate[] s) {
    LocalDate from = en.enrollDate.isAfter(s[0]) ? en.enrollDate : s[0];
    LocalDate stop = s[1];
    if (en.status == 2 && en.closeDate != null && en.closeDate.isBefore(stop)) {
      stop = en.closeDate;
    }
    long span = ChronoUnit.DAYS.between(from, stop);
    if (span < 0) {
      return;
    }
    RegionSpec.Calibration k = ctx.spec.calibration;
    boolean htn = en.program.equals("HTN");
    double u = r.nextDouble();
    int f2f;
    int phone = 0;
    if (u < k.followupLost() / svc) {
      f2f = 0;
    } else if (u < k.followupLost() / svc + Math.min(0.9, k.followupRegular() * svc)) {
      f2f = 4 + r.nextInt(3);
      phone = r.nextDouble() < k.phoneShare() * 2 ? 1 : 0;
    } else {
      int n = 1 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        phone += r.nextDouble() < k.phoneShare() * 2 ? 1 : 0;
      }
      f2f = n - phone;
    }
    int total = (int) Math.min(f2f + phone, span + 1);
    boolean controlled = r.nextDouble() < (htn ? k.htnControlled() : k.t2dmControlled());
    // Distinct days spread over the span, as quarterly visits with jitter.
    List<LocalDate> days = HealthServices.spreadDays(from, span, total, r);
    for (int i = 0; i < days.size(); i++) {
      Followup f = new Followup();
      // Ids 50 and up: the window's follow-ups are numbered from 00.
      f.id = String.format("SF%010d%s%02d", p.idx, htn ? "1" : "2", 50 + i);
      f.date = days.get(i);
      f.mode = i >= f2f ? 3 : (r.nextDouble() < 0.8 ? 1 : 2);
      boolean ok = r.nextDouble() < 0.85 ? controlled : !controlled;
      if (htn) {
        if (f.mode != 3 || r.nextDouble() < 0.3) {
          int limit = age >= 65 ? 150 : 140;
          f.sbp = ok ? 112 + r.nextInt(limit - 112) : 140 + r.nextInt(38);
          f.dbp = ok ? 66 + r.nextInt(24) : 80 + r.nextInt(25);
        }
      } else if (f.mode != 3 || r.nextDouble() < 0.3) {
        f.fbg = ok ? (50 + r.nextInt(20)) / 10.0 : (70 + r.nextInt(56)) / 10.0;
      }
      en.followups.add(f);
    }
  }

  /** Hospital visits in the earlier window, at the window's rate; numbered from 500 (the window's from 000). */
  void visits(Person p, LocalDate activeEnd, County county, String town9) {
    LocalDate[] s = span(p, p.birth, activeEnd);
    if (s == null) {
      return;
    }
    SplittableRandom r = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, 8));
    int age = TruthRules.age(p.birth, s[1]);
    int n = hospital.visitCount(p, r, age, s[0], s[1]);
    for (int i = 0; i < n; i++) {
      p.visits.add(hospital.newVisit(p, r, age, GenContext.between(r, s[0], s[1]), county, town9, 500 + i));
    }
  }
}
