package org.sanku.generate;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.sanku.generate.Facts.Contract;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Enrollment;
import org.sanku.generate.Facts.Exam;
import org.sanku.generate.Facts.Followup;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Tcm;
import org.sanku.generate.RegionSpec.County;

/**
 * What the health system does for a person while they are active in the region: the health record with its
 * exams, TCM services, chronic-disease programmes with follow-ups and family-doctor contracts, then the
 * hospital visits. Rates come from the region's calibration, scaled by the county's service level.
 */
final class HealthServices {

  private final GenContext ctx;
  private final RegistrySimulator registry;
  private final HospitalVisits hospital;
  private final EarlierServices earlier;

  HealthServices(GenContext ctx, RegistrySimulator registry, HospitalVisits hospital) {
    this.ctx = ctx;
    this.registry = registry;
    this.hospital = hospital;
    this.earlier = new EarlierServices(ctx, hospital);
  }

  /** Draws the person's chronic diseases, health record, services and visits from the person's own stream. */
  void generate(Person p) {
    SplittableRandom r = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, 2));
    RegionSpec.Calibration k = ctx.spec.calibration;
    County county = ctx.spec.counties.get(p.county);
    double svc = county.service();
    LocalDate activeEnd = ctx.asOf;
    if (p.deathDate != null && p.deathDate.isBefore(activeEnd)) {
      activeEnd = p.deathDate.minusDays(1);
    }
    if (p.moveOutDate != null && p.moveOutDate.isBefore(activeEnd)) {
      activeEnd = p.moveOutDate.minusDays(1);
    }
    LocalDate activeStart = p.birth.isAfter(ctx.windowStart) ? p.birth : ctx.windowStart;
    if (p.status == 4 || activeEnd.isBefore(activeStart)) {
      return;
    }
    int age = TruthRules.age(p.birth, ctx.asOf);
    p.htn = age >= 30 && r.nextDouble() < Demography.htnPrevalence(age);
    p.t2dm = age >= 30 && r.nextDouble() < Demography.t2dmPrevalence(age);
    // A person who moved inside the region keeps the record made where they lived before.
    RegistryDelivery delivery = registry.delivery(p.idx);
    String recordDivision = delivery.movedFrom12 != null ? delivery.movedFrom12 : p.residence12;
    int recordCounty = delivery.movedFrom12 != null ? ctx.countyOfDelivered(delivery.movedFrom12) : p.county;
    String town9 = recordDivision.substring(0, 9);

    double coverage = p.residentType == 2 ? k.ehrCoverageAway()
        : Math.min(0.985, k.ehrCoverage() * (1 + (svc - 1) * 0.35));
    if (r.nextDouble() < coverage) {
      Ehr e = new Ehr();
      e.ehrNo = ehrNo(recordDivision, p.idx, false);
      long span = Math.min(ChronoUnit.DAYS.between(p.birth, ctx.asOf), 3650);
      if (age == 0) {
        e.build = p.birth.plusDays(7 + r.nextInt(50));
      } else {
        e.build = ctx.asOf.minusDays((long) (span * Math.sqrt(r.nextDouble())));
      }
      if (!e.build.isAfter(activeEnd)) {
        e.basicComplete = r.nextDouble() < k.basicFormComplete();
        e.electronic = r.nextDouble() < k.electronic();
        e.manageOrg = GenContext.centre(town9);
        e.orgCounty = recordCounty;
        e.division12 = recordDivision;
        LocalDate gone = p.deathDate != null ? p.deathDate : p.moveOutDate;
        if (gone != null) {
          LocalDate sd = gone.plusDays(r.nextInt(60));
          if (!sd.isAfter(ctx.asOf)) {
            e.status = p.deathDate != null ? 2 : 3;
            e.statusDate = sd;
          }
        }
        p.ehrs.add(e);
        recordServices(p, e, r, age, svc, activeStart, activeEnd);
        earlier.record(p, e, svc, activeEnd);
        // A second record for the same person, made by the village clinic: the person still counts once.
        if (r.nextDouble() < 0.01 && age > 0) {
          Ehr dup = new Ehr();
          dup.ehrNo = ehrNo(recordDivision, p.idx, true);
          dup.build = e.build.plusDays(r.nextInt(200));
          if (!dup.build.isAfter(activeEnd)) {
            dup.basicComplete = true;
            dup.electronic = true;
            dup.manageOrg = GenContext.villageClinic(town9);
            dup.orgCounty = recordCounty;
            dup.division12 = recordDivision;
            p.ehrs.add(dup);
          }
        }
      }
    }
    hospital.visits(p, r, age, activeStart, activeEnd, county, town9);
    earlier.visits(p, activeEnd, county, town9);
  }

  /**
   * The elderly TCM service of one year, window {@code from}..{@code to}: more likely with an exam, and then given
   * on the exam's day.
   */
  static void elderlyTcm(Ehr e, String id, Exam lastExam, double svc, RegionSpec.Calibration k, SplittableRandom r,
      LocalDate from, LocalDate to) {
    double tcmRate = lastExam != null ? k.tcmGivenExam() : k.tcmWithoutExam();
    if (r.nextDouble() < Math.min(0.97, tcmRate * (1 + (svc - 1) * 1.5))) {
      Tcm t = new Tcm();
      t.id = id;
      t.kind = 1;
      t.date = lastExam != null ? lastExam.date : GenContext.between(r, from, to);
      t.complete = r.nextDouble() < k.tcmComplete();
      e.tcms.add(t);
    }
  }

  private static String ehrNo(String division12, long idx, boolean second) {
    long seg = (idx / 100_000) % 99;
    return division12.substring(0, 9) + String.format("%03d%05d", (second ? 901 : 1) + seg, idx % 100_000);
  }

  private void recordServices(Person p, Ehr e, SplittableRandom r, int age, double svc, LocalDate activeStart,
      LocalDate activeEnd) {
    RegionSpec.Calibration k = ctx.spec.calibration;
    LocalDate from = e.build.isAfter(activeStart) ? e.build : activeStart;
    if (from.isAfter(activeEnd)) {
      return;
    }
    boolean elderly = age >= 65;
    Exam lastExam = null;
    double examRate = elderly ? Math.min(0.97, k.elderlyExam() * svc) : age >= 35 ? k.youngExam() : 0;
    if (r.nextDouble() < examRate) {
      int n = r.nextDouble() < 0.1 ? 2 : 1;
      for (int i = 0; i < n; i++) {
        Exam x = new Exam();
        x.id = String.format("TJ%010d%02d", p.idx, i);
        x.date = GenContext.between(r, from, activeEnd);
        x.type = elderly ? 2 : (p.htn || p.t2dm ? 3 : 1);
        x.complete = r.nextDouble() < k.examComplete();
        e.exams.add(x);
        lastExam = x;
      }
    }
    if (elderly) {
      elderlyTcm(e, String.format("ZY%010d", p.idx), lastExam, svc, k, r, from, activeEnd);
    } else if (age <= 3) {
      for (int months = 6; months <= 36; months += 6) {
        LocalDate due = p.birth.plusMonths(months);
        if (!due.isBefore(from) && !due.isAfter(activeEnd) && r.nextDouble() < 0.55) {
          Tcm t = new Tcm();
          t.id = String.format("ZY%010d%02d", p.idx, months);
          t.kind = 2;
          t.months = months;
          t.date = due.plusDays(r.nextInt(10));
          if (t.date.isAfter(activeEnd)) {
            t.date = due;
          }
          t.complete = true;
          e.tcms.add(t);
        }
      }
    }
    if (age >= 35) {
      if (p.htn && r.nextDouble() < Math.min(0.97, k.htnEnrolled() * svc)) {
        e.enrollments.add(enrollment(p, e, r, "HTN", age, svc, activeStart, activeEnd));
      }
      if (p.t2dm && r.nextDouble() < Math.min(0.97, k.t2dmEnrolled() * svc)) {
        e.enrollments.add(enrollment(p, e, r, "T2DM", age, svc, activeStart, activeEnd));
      }
    }
    Contract c = contract(p, e, r, age, svc, from, activeEnd);
    if (c != null) {
      c.id = String.format("QY%010d", p.idx);
      e.contracts.add(c);
    }
  }

  /** A family-doctor contract valid on the as-of date, one that expired earlier, one terminated, or none. */
  private Contract contract(Person p, Ehr e, SplittableRandom r, int age, double svc, LocalDate from,
      LocalDate activeEnd) {
    RegionSpec.Calibration k = ctx.spec.calibration;
    boolean elderly = age >= 65;
    double contractRate = elderly ? k.elderlyContract() : (p.htn || p.t2dm) && age >= 35
        ? k.chronicContract() : k.youngContract();
    double u = r.nextDouble();
    Contract c = null;
    if (u < Math.min(0.97, contractRate * svc)) {
      c = new Contract();
      c.sign = GenContext.between(r, from.isAfter(ctx.asOf.minusDays(364)) ? from : ctx.asOf.minusDays(364),
          activeEnd);
      c.start = c.sign;
      c.end = c.start.plusYears(1).minusDays(1);
      c.status = 1;
    } else if (u < Math.min(0.97, contractRate * svc) + 0.25 && e.build.isBefore(ctx.asOf.minusYears(1))) {
      c = new Contract();
      c.sign = GenContext.between(r, e.build.isAfter(ctx.asOf.minusYears(3)) ? e.build : ctx.asOf.minusYears(3),
          ctx.asOf.minusYears(1).minusDays(1));
      c.start = c.sign;
      c.end = c.start.plusYears(1).minusDays(1);
      c.status = 3;
    } else if (u > 0.985) {
      c = new Contract();
      c.sign = GenContext.between(r, from, activeEnd);
      c.start = c.sign;
      c.end = c.start.plusYears(1).minusDays(1);
      c.status = 2;
    }
    return c;
  }

  /**
   * A doctor who keeps following a patient up after the enrolment was closed (结案) during P: in a dirty region, at
   * ten times the dirty rate among such enrolments, one or two face-to-face follow-ups dated after the close date
   * and by the end of the person's activity. They are real rows of the source, yet count for no enrolment. Drawn
   * from a stream of their own, so the other values of the person are drawn as before.
   */
  private void followupsAfterClose(Person p, Enrollment en, int age, LocalDate activeEnd) {
    boolean htn = en.program.equals("HTN");
    SplittableRandom a = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, htn ? 0xAF1 : 0xAF2));
    if (ctx.dirtyRate <= 0 || en.closeDate.isBefore(ctx.rules.start) || !en.closeDate.isBefore(activeEnd)
        || a.nextDouble() >= Math.min(1, 10 * ctx.dirtyRate)) {
      return;
    }
    int n = 1 + a.nextInt(2);
    for (int i = 0; i < n; i++) {
      Followup f = new Followup();
      f.id = String.format("SF%010d%s%02d", p.idx, htn ? "1" : "2", 90 + i);
      f.date = GenContext.between(a, en.closeDate.plusDays(1), activeEnd);
      f.mode = a.nextDouble() < 0.8 ? 1 : 2;
      // Controlled values: were they counted, the last follow-up would turn the patient controlled.
      if (htn) {
        f.sbp = 112 + a.nextInt(age >= 65 ? 38 : 28);
        f.dbp = 66 + a.nextInt(24);
      } else {
        f.fbg = (50 + a.nextInt(20)) / 10.0;
      }
      en.followups.add(f);
    }
    en.followups.sort((x, y) -> x.date.compareTo(y.date));
  }

  private Enrollment enrollment(Person p, Ehr e, SplittableRandom r, String program, int age, double svc,
      LocalDate activeStart, LocalDate activeEnd) {
    RegionSpec.Calibration k = ctx.spec.calibration;
    Enrollment en = new Enrollment();
    en.id = String.format("ZA%010d%s", p.idx, program.equals("HTN") ? "1" : "2");
    en.program = program;
    LocalDate earliest = p.birth.plusYears(35).isAfter(e.build) ? p.birth.plusYears(35) : e.build;
    long span = ChronoUnit.DAYS.between(earliest, activeEnd);
    en.enrollDate = span <= 0 ? earliest : activeEnd.minusDays((long) (span * Math.sqrt(r.nextDouble())));
    if (en.enrollDate.isAfter(activeEnd)) {
      en.enrollDate = activeEnd;
    }
    LocalDate stop = activeEnd;
    if (p.deathDate != null && !p.deathDate.isAfter(ctx.asOf)) {
      en.status = 2;
      en.closeDate = p.deathDate.isBefore(en.enrollDate) ? en.enrollDate : p.deathDate;
    } else if (r.nextDouble() < 0.05) {
      LocalDate cd = GenContext.between(r, en.enrollDate.isAfter(ctx.windowStart.minusDays(120)) ? en.enrollDate
          : ctx.windowStart.minusDays(120), activeEnd);
      en.status = 2;
      en.closeDate = cd;
      stop = cd.isBefore(stop) ? cd : stop;
    }
    LocalDate from = en.enrollDate.isAfter(activeStart) ? en.enrollDate : activeStart;
    boolean htn = program.equals("HTN");
    double u = r.nextDouble();
    int f2f;
    int phone;
    if (u < k.followupLost() / svc) {
      f2f = 0;
      phone = 0;
    } else if (u < k.followupLost() / svc + Math.min(0.9, k.followupRegular() * svc)) {
      f2f = 4 + r.nextInt(3);
      phone = r.nextDouble() < k.phoneShare() * 2 ? 1 : 0;
    } else {
      int n = 1 + r.nextInt(3);
      phone = 0;
      for (int i = 0; i < n; i++) {
        phone += r.nextDouble() < k.phoneShare() * 2 ? 1 : 0;
      }
      f2f = n - phone;
    }
    boolean controlled = r.nextDouble() < (htn ? k.htnControlled() : k.t2dmControlled());
    long span2 = ChronoUnit.DAYS.between(from, stop);
    int total = f2f + phone;
    if (span2 < 0) {
      total = 0;
    }
    total = (int) Math.min(total, span2 + 1);
    List<LocalDate> days = spreadDays(from, span2, total, r);
    for (int i = 0; i < days.size(); i++) {
      Followup f = new Followup();
      f.id = String.format("SF%010d%s%02d", p.idx, htn ? "1" : "2", i);
      f.date = days.get(i);
      f.mode = (i >= f2f) ? 3 : (r.nextDouble() < 0.8 ? 1 : 2);
      boolean isPhone = f.mode == 3;
      boolean ok = r.nextDouble() < 0.85 ? controlled : !controlled;
      if (htn) {
        if (!isPhone || r.nextDouble() < 0.3) {
          int limit = age >= 65 ? 150 : 140;
          f.sbp = ok ? 112 + r.nextInt(limit - 112) : 140 + r.nextInt(38);
          f.dbp = ok ? 66 + r.nextInt(24) : 80 + r.nextInt(25);
        }
      } else if (!isPhone || r.nextDouble() < 0.3) {
        f.fbg = ok ? (50 + r.nextInt(20)) / 10.0 : (70 + r.nextInt(56)) / 10.0;
      }
      en.followups.add(f);
    }
    en.followups.sort((a, b) -> a.date.compareTo(b.date));
    // A second follow-up on the day of the last one (a phone call entered apart from the visit): which of the two
    // is "the last follow-up" is decided by src_updated_at (45 minutes before, after, or at the same second), and
    // at the same second by followup_id (the twin's is the greater).
    if (!en.followups.isEmpty() && r.nextDouble() < 0.12) {
      Followup last = en.followups.get(en.followups.size() - 1);
      Followup twin = new Followup();
      twin.id = last.id + "T";
      twin.date = last.date;
      twin.mode = 3;
      boolean ok = r.nextBoolean();
      if (htn) {
        twin.sbp = ok ? 112 + r.nextInt(26) : 150 + r.nextInt(30);
        twin.dbp = ok ? 66 + r.nextInt(20) : 80 + r.nextInt(25);
      } else {
        twin.fbg = ok ? (50 + r.nextInt(19)) / 10.0 : (70 + r.nextInt(56)) / 10.0;
      }
      twin.tieWith = last;
      twin.tieMinutes = 45 * (r.nextInt(3) - 1);
      en.followups.add(twin);
    }
    if (en.status == 2 && stop.equals(en.closeDate)) {
      followupsAfterClose(p, en, age, activeEnd);
    }
    return en;
  }

  /**
   * {@code total} distinct days from {@code from} to {@code from + span}, in order, spread like quarterly visits
   * with jitter; a taken day moves to the next free one (total is at most span + 1).
   */
  static List<LocalDate> spreadDays(LocalDate from, long span, int total, SplittableRandom r) {
    List<LocalDate> days = new ArrayList<>();
    BitSet taken = new BitSet();
    for (int i = 0; i < total; i++) {
      long width = Math.max(1, (span + 1) / total);
      int off = (int) Math.min(span, (span + 1) * i / total + r.nextLong(width));
      while (taken.get(off)) {
        off = (int) ((off + 1) % (span + 1));
      }
      taken.set(off);
      days.add(from.plusDays(off));
    }
    days.sort(null);
    return days;
  }
}
