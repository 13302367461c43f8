package org.sanku.generate;

import java.io.IOException;
import java.util.SplittableRandom;
import org.sanku.generate.Facts.Contract;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Enrollment;
import org.sanku.generate.Facts.Exam;
import org.sanku.generate.Facts.Followup;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Tcm;

/**
 * The EHR source's rows for one health record and its services, night by night: the versions a row is
 * delivered as, its defect, and whether its fact stays countable (the record's link, then the row's own fate).
 */
final class HealthRecordRows {

  private static final String SRC = "ehr";

  private final GenContext ctx;
  private final ChunkOutput out;
  private final DefectInjector defects;
  private final LinkageRules linkage;
  private final ChunkCounts counts;

  HealthRecordRows(GenContext ctx, ChunkOutput out, DefectInjector defects, LinkageRules linkage,
      ChunkCounts counts) {
    this.ctx = ctx;
    this.out = out;
    this.defects = defects;
    this.linkage = linkage;
    this.counts = counts;
  }

  /** Emits a record and its services; {@code d} draws defects and {@code r} values, both the person's. */
  void emit(Person p, Ehr e, SplittableRandom d, SplittableRandom r) throws IOException {
    int buildNight = ctx.nightOf(e.build);
    String[] row = {e.ehrNo, "01", p.id18, p.name, String.valueOf(p.sex), Rows.date(SRC, p.birth),
        Rows.date(SRC, e.build), e.manageOrg, e.division12, p.residentType == 3 ? "2" : "1",
        e.electronic ? "1" : "0", e.basicComplete ? "1" : "0", "1", "", Rows.phone(p.idx), "I",
        ctx.stamp(SRC, buildNight, e.build, r)};
    Defect defect = defects.healthRecord(row, p, d);
    // The night the status change is delivered: its own, or (often, for a change in P) a later one, the record
    // having been delivered 在册 first.
    int sn = e.status == 1 ? -1 : ctx.nightOf(e.statusDate);
    if (sn >= 0 && sn <= buildNight && buildNight == 0 && ctx.nights > 1
        && !e.statusDate.isBefore(ctx.rules.start) && r.nextDouble() < 0.6) {
      sn = 1 + r.nextInt(ctx.nights - 1);
    }
    if (defect == null && sn > buildNight && defects.brokenUpdate(d)) {
      // An update breaks more often than a first delivery.
      defect = defects.badBirthDate(row, Tables.EHR_PERSON, p, d);
    }
    boolean spacedName = defects.nameWhitespace(row, Tables.EHR_PERSON);
    e.accepted = defect != Defect.BAD_BIRTH_DATE;
    e.rec = e.accepted && linkage.linkable(p, row, Tables.EHR_PERSON);
    int finalNight = buildNight;
    if (e.status != 1) {
      String[] fin = row.clone();
      fin[12] = String.valueOf(e.status);
      fin[13] = Rows.date(SRC, e.statusDate);
      if (sn > buildNight) {
        String[] first = cleanIdentity(row, p);
        if (defect == Defect.BAD_BIRTH_DATE) {
          if (d.nextInt(3) > 0) {
            // Only the update is broken: ingest rejects it and keeps the earlier version (在册), which is what
            // the recoverable view counts.
            e.keptEarlier = true;
            e.accepted = true;
            e.rec = linkage.linkable(p, first, Tables.EHR_PERSON);
          } else {
            // The source's error is in both versions: neither can be ingested, so the record is lost.
            first[5] = row[5];
            counts.defect(defect, "ehr_person", false);
          }
        }
        out.add(Tables.EHR_PERSON, buildNight, first);
        fin[15] = "U";
        fin[16] = ctx.stamp(SRC, sn, ctx.nightDate(sn), r);
        finalNight = sn;
      }
      row = fin;
    }
    if (defect != null) {
      counts.defect(defect, "ehr_person", e.rec);
    }
    if (spacedName) {
      counts.defect(Defect.NAME_WHITESPACE, "ehr_person", e.rec);
    }
    out.addFinal(Tables.EHR_PERSON, finalNight, row, defect);
    for (Exam x : e.exams) {
      exam(e, x, d, r);
    }
    for (Tcm t : e.tcms) {
      tcm(e, t, d, r);
    }
    for (Enrollment en : e.enrollments) {
      enrollment(e, en, d, r);
    }
    for (Contract c : e.contracts) {
      contract(e, c, d, r);
    }
  }

  /** A superseded version carries the clean identity: only the final version of a row is made dirty. */
  private static String[] cleanIdentity(String[] row, Person p) {
    String[] first = row.clone();
    first[2] = p.id18;
    first[3] = p.name;
    first[4] = String.valueOf(p.sex);
    first[5] = Rows.date(SRC, p.birth);
    return first;
  }

  /** Writes a service row (twice for a duplicate), tallies its defect, and says whether it stays countable. */
  private boolean service(Tables t, int night, String[] row, Defect defect, boolean parentRec)
      throws IOException {
    return service(t, night, row, defect, parentRec, false);
  }

  /** As above; {@code keptEarlier}: the row is a rejected update whose earlier version stays countable. */
  private boolean service(Tables t, int night, String[] row, Defect defect, boolean parentRec,
      boolean keptEarlier) throws IOException {
    boolean rec = parentRec && (defect == null || defect.recoverable || keptEarlier);
    if (defect != null) {
      counts.defect(defect, t.table, rec);
    }
    out.addFinal(t, night, row, defect);
    return rec;
  }

  private void exam(Ehr e, Exam x, SplittableRandom d, SplittableRandom r) throws IOException {
    int night = ctx.nightOf(x.date);
    int sbp = 118 + r.nextInt(45);
    int dbp = 68 + r.nextInt(25);
    String[] row = {x.id, e.ehrNo, Rows.date(SRC, x.date), e.manageOrg, String.valueOf(x.type),
        String.valueOf(sbp), String.valueOf(dbp), String.valueOf(148 + r.nextInt(30)),
        String.format("%.1f", 45 + r.nextInt(400) / 10.0), String.valueOf(70 + r.nextInt(30)),
        String.format("%.1f", 4.5 + r.nextInt(40) / 10.0), x.type == 2 ? String.valueOf(r.nextInt(12)) : "",
        r.nextDouble() < 0.8 ? (r.nextDouble() < 0.8 ? "1" : "2") : "", r.nextDouble() < 0.6 ? "2" : "1",
        r.nextDouble() < 0.5 ? "4" : "1;4", "I", ctx.stamp(SRC, night, x.date, r)};
    if (x.type != 2) {
      row[11] = String.valueOf(r.nextInt(4));
    }
    if (!x.complete) {
      int[] blankable = {5, 10, 11, 13, 14};
      int col = blankable[r.nextInt(blankable.length)];
      row[col] = "";
      if (col == 5) {
        row[6] = "";
      }
    }
    // A later night completes a form first delivered without its glucose result.
    boolean updated = ctx.nights > 1 && x.complete && night < ctx.nights - 1 && r.nextDouble() < 0.08;
    String[] first = null;
    int firstNight = night;
    if (updated) {
      first = row.clone();
      first[10] = "";
      int later = night + 1 + r.nextInt(ctx.nights - 1 - night);
      row[15] = "U";
      row[16] = ctx.stamp(SRC, later, ctx.nightDate(later), r);
      night = later;
    }
    // A mistaken second entry, deleted on a later night, must not count.
    if (ctx.nights > 1 && night < ctx.nights - 1 && r.nextDouble() < 0.03) {
      String[] spurious = row.clone();
      spurious[0] = x.id + "D";
      spurious[15] = "I";
      out.add(Tables.EHR_EXAM, night, spurious);
      String[] del = spurious.clone();
      int later = night + 1 + r.nextInt(ctx.nights - 1 - night);
      del[15] = "D";
      del[16] = ctx.stamp(SRC, later, ctx.nightDate(later), r);
      out.add(Tables.EHR_EXAM, later, del);
    }
    Defect defect = defects.exam(row, x, e, night, d);
    if (defect == null && first != null && defects.brokenUpdate(d)) {
      // An update breaks more often than a first delivery.
      defect = defects.badExamDate(row, x);
    }
    if (first != null) {
      if (defect != null && !defect.recoverable) {
        if (d.nextInt(3) > 0) {
          // Only the completing update is broken: ingest rejects it and keeps the earlier version, which lacks
          // its glucose value, so the exam counts as done but not complete.
          x.keptEarlier = true;
        } else {
          // The error is in both versions the source delivers: neither can be ingested, so the exam is lost.
          first[1] = row[1];
          first[2] = row[2];
          counts.defect(defect, "ehr_physical_exam", false);
        }
      }
      out.add(Tables.EHR_EXAM, firstNight, first);
    }
    // A rejected update's missing measure would never be seen (the earlier version stays): not drawn for it.
    x.measureLost = !x.keptEarlier && defects.examMeasureMissing(row, x);
    x.rec = service(Tables.EHR_EXAM, night, row, defect, e.rec, x.keptEarlier);
    if (x.measureLost) {
      counts.defect(Defect.EXAM_MEASURE_MISSING, "ehr_physical_exam", x.rec);
    }
  }

  private void tcm(Ehr e, Tcm t, SplittableRandom d, SplittableRandom r) throws IOException {
    int night = ctx.nightOf(t.date);
    String items = t.kind == 1 ? "33" : "";
    String constitution = t.kind == 1 ? (r.nextDouble() < 0.5 ? "1" : (2 + r.nextInt(8)) + "") : "";
    String guidance = r.nextDouble() < 0.5 ? "1;2;3;4;5" : "2;4";
    if (t.kind == 1 && !t.complete) {
      switch (r.nextInt(3)) {
        case 0 -> items = String.valueOf(18 + r.nextInt(15));
        case 1 -> constitution = "";
        default -> guidance = "";
      }
    }
    String months = t.kind == 2 ? String.valueOf(t.months) : "";
    String[] row = {t.id, e.ehrNo, String.valueOf(t.kind), Rows.date(SRC, t.date), e.manageOrg, items,
        constitution, guidance, months, "I", ctx.stamp(SRC, night, t.date, r)};
    Defect defect = defects.tcm(row, e, night, d);
    t.rec = service(Tables.EHR_TCM, night, row, defect, e.rec);
  }

  private void enrollment(Ehr e, Enrollment en, SplittableRandom d, SplittableRandom r) throws IOException {
    int night = ctx.nightOf(en.enrollDate);
    boolean htn = en.program.equals("HTN");
    String[] row = {en.id, e.ehrNo, en.program, htn ? "I10.x00" : "E11.900", Rows.date(SRC, en.enrollDate),
        "1", "", "", "I", ctx.stamp(SRC, night, en.enrollDate, r)};
    Defect defect = defects.enrollment(row, en, d);
    en.rec = e.rec;
    if (defect != null) {
      counts.defect(defect, "ehr_program_enrollment", en.rec);
    }
    int finalNight = night;
    if (en.status == 2) {
      String[] fin = row.clone();
      fin[5] = "2";
      fin[6] = Rows.date(SRC, en.closeDate);
      fin[7] = e.status == 2 || en.closeDate.equals(e.statusDate) ? "1" : String.valueOf(2 + r.nextInt(4));
      if (defect == null && ctx.dirtyRate > 0 && d.nextDouble() < Math.min(1, 5 * ctx.dirtyRate)) {
        // 结案 without its close date: the recoverable view has it closed before every period.
        fin[6] = "";
        en.closeDateLost = true;
        counts.defect(Defect.CLOSE_DATE_MISSING, "ehr_program_enrollment", false);
      }
      int cn = ctx.nightOf(en.closeDate);
      if (cn > night) {
        String[] first = row.clone();
        first[2] = en.program;
        out.add(Tables.EHR_ENROLLMENT, night, first);
        fin[8] = "U";
        fin[9] = ctx.stamp(SRC, cn, en.closeDate, r);
        finalNight = cn;
      }
      row = fin;
    }
    out.addFinal(Tables.EHR_ENROLLMENT, finalNight, row, defect);
    for (Followup f : en.followups) {
      followup(e, en, f, d, r);
    }
  }

  private void followup(Ehr e, Enrollment en, Followup f, SplittableRandom d, SplittableRandom r)
      throws IOException {
    if (en.afterClose(f)) {
      // A follow-up after the close draws from a stream of its own, so the person's other rows stay as they were.
      d = new SplittableRandom(GenContext.mix(ctx.seed, f.id.hashCode(), 0xAF3));
      r = d;
    }
    int night = ctx.nightOf(f.date);
    String org = f.mode == 2 ? GenContext.villageClinic(e.manageOrg.substring(0, 9)) : e.manageOrg;
    // A same-day second follow-up is changed at the source a set time after (or before) the one it shares the
    // day with (emitted just before it).
    f.updatedAt = f.tieWith != null ? f.tieWith.updatedAt.plusMinutes(f.tieMinutes)
        : ctx.stampTime(night, f.date, r);
    String[] row = {f.id, en.id, Rows.date(SRC, f.date), org, String.valueOf(f.mode), Rows.s(f.sbp),
        Rows.s(f.dbp), Rows.oneDecimal(f.fbg), "I", Rows.dateTime(SRC, f.updatedAt)};
    Defect defect = defects.followup(row, en, f, d);
    f.rec = service(Tables.EHR_FOLLOWUP, night, row, defect, en.rec);
    if (en.afterClose(f)) {
      // Ingested like any follow-up, but never countable for its enrolment's management.
      counts.defect(Defect.FOLLOWUP_AFTER_CLOSE, "ehr_followup", false);
    }
  }

  private void contract(Ehr e, Contract c, SplittableRandom d, SplittableRandom r) throws IOException {
    int night = ctx.nightOf(c.sign.isAfter(ctx.asOf) ? ctx.asOf : c.sign);
    String[] row = {c.id, e.ehrNo, e.manageOrg, e.manageOrg + "-T" + (1 + r.nextInt(4)),
        Rows.date(SRC, c.sign), Rows.date(SRC, c.start), Rows.date(SRC, c.end), String.valueOf(c.status),
        "I", ctx.stamp(SRC, night, c.sign, r)};
    Defect defect = defects.contract(row, c, d);
    c.rec = service(Tables.EHR_CONTRACT, night, row, defect, e.rec);
  }
}
