package org.sanku.generate;

import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sanku.generate.Facts.Contract;
import org.sanku.generate.Facts.Diagnosis;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Enrollment;
import org.sanku.generate.Facts.Exam;
import org.sanku.generate.Facts.Followup;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Tcm;
import org.sanku.generate.Facts.Visit;

/** The truth folder's clean facts (clean/*.csv): their tables and columns, and the rows of a person. */
final class CleanFacts {

  /**
   * Clean-fact tables of the truth folder and their columns. The {@code rec_} columns are the values as the
   * pipeline can recover them, where they differ from the true ones: the earlier version of a row whose update was
   * rejected, and a date the delivered row left empty.
   */
  static final Map<String, String[]> COLUMNS = new LinkedHashMap<>();

  static {
    COLUMNS.put("person", new String[] {"person_idx", "id_no", "name", "sex_code", "birth_date", "county_code",
        "residence_division_code", "resident_type_code", "person_status_code", "death_date", "move_out_date",
        "mother_idx", "has_htn", "has_t2dm", "recoverable", "rec_person_status_code", "rec_death_date",
        "rec_move_out_date"});
    COLUMNS.put("ehr_person", new String[] {"ehr_no", "person_idx", "build_date", "manage_org_code",
        "current_division_code", "is_electronic", "basic_form_complete", "record_status_code",
        "record_status_date", "accepted", "recoverable", "rec_record_status_code", "rec_record_status_date"});
    COLUMNS.put("exam", new String[] {"exam_id", "ehr_no", "exam_date", "exam_type", "complete", "recoverable",
        "rec_complete", "measure_delivered"});
    COLUMNS.put("tcm", new String[] {"service_id", "ehr_no", "service_date", "service_kind", "complete",
        "recoverable"});
    COLUMNS.put("enrollment", new String[] {"enrollment_id", "ehr_no", "program_code", "enroll_date",
        "manage_status_code", "close_date", "recoverable", "rec_close_date"});
    COLUMNS.put("followup", new String[] {"followup_id", "enrollment_id", "followup_date", "followup_mode_code",
        "sbp", "dbp", "fbg_mmol_l", "recoverable", "src_updated_at"});
    COLUMNS.put("contract", new String[] {"contract_id", "ehr_no", "sign_date", "start_date", "end_date",
        "status_code", "recoverable"});
    COLUMNS.put("visit", new String[] {"visit_id", "person_idx", "visit_type_code", "visit_date",
        "org_county_code", "accepted", "recoverable"});
    COLUMNS.put("diagnosis", new String[] {"visit_id", "diag_code", "diag_name", "icd3", "uncertain"});
  }

  private final GenContext ctx;
  private final ChunkOutput out;

  CleanFacts(GenContext ctx, ChunkOutput out) {
    this.ctx = ctx;
    this.out = out;
  }

  private static String flag(boolean b) {
    return b ? "1" : "0";
  }

  private static String iso(LocalDate d) {
    return d == null ? "" : Rows.ISO.format(d);
  }

  /** Writes a person with every record, service and visit they have in their final state. */
  void person(Person p) throws IOException {
    String pk = String.valueOf(p.idx);
    out.clean("person", new String[] {pk, p.id18, p.name, String.valueOf(p.sex), iso(p.birth),
        ctx.spec.counties.get(p.county).code6(), p.residence12, String.valueOf(p.residentType),
        String.valueOf(p.status), iso(p.deathDate), iso(p.moveOutDate),
        p.motherIdx < 0 ? "" : String.valueOf(p.motherIdx), flag(p.htn), flag(p.t2dm), flag(!p.registryLost),
        String.valueOf(TruthRules.status(p, true)), iso(TruthRules.deathDate(p, true)),
        iso(TruthRules.moveOutDate(p, true))});
    for (Ehr e : p.ehrs) {
      out.clean("ehr_person", new String[] {e.ehrNo, pk, iso(e.build), e.manageOrg, e.division12,
          flag(e.electronic), flag(e.basicComplete), String.valueOf(e.status), iso(e.statusDate),
          flag(e.accepted), flag(e.rec), e.keptEarlier ? "1" : String.valueOf(e.status),
          e.keptEarlier ? "" : iso(e.statusDate)});
      for (Exam x : e.exams) {
        out.clean("exam", new String[] {x.id, e.ehrNo, iso(x.date), String.valueOf(x.type), flag(x.complete),
            flag(x.rec), flag(x.complete(true)), flag(!x.measureLost)});
      }
      for (Tcm t : e.tcms) {
        out.clean("tcm", new String[] {t.id, e.ehrNo, iso(t.date), String.valueOf(t.kind), flag(t.complete),
            flag(t.rec)});
      }
      for (Enrollment en : e.enrollments) {
        out.clean("enrollment", new String[] {en.id, e.ehrNo, en.program, iso(en.enrollDate),
            String.valueOf(en.status), iso(en.closeDate), flag(en.rec), en.closeDateLost ? "" : iso(en.closeDate)});
        for (Followup f : en.followups) {
          out.clean("followup", new String[] {f.id, en.id, iso(f.date), String.valueOf(f.mode), Rows.s(f.sbp),
              Rows.s(f.dbp), Rows.oneDecimal(f.fbg), flag(f.rec), Rows.ISO_TIME.format(f.updatedAt)});
        }
      }
      for (Contract c : e.contracts) {
        out.clean("contract", new String[] {c.id, e.ehrNo, iso(c.sign), iso(c.start), iso(c.end),
            String.valueOf(c.status), flag(c.rec)});
      }
    }
    for (Visit v : p.visits) {
      visit(v, pk, v.rec);
      for (Diagnosis dg : v.diagnoses) {
        out.clean("diagnosis", new String[] {v.id, dg.code, dg.name, dg.icd3, flag(dg.uncertain)});
      }
    }
  }

  /** A visit by someone from outside the region: no registry person, never recoverable. */
  void visitorVisit(Visit v) throws IOException {
    visit(v, "", false);
  }

  private void visit(Visit v, String personIdx, boolean rec) throws IOException {
    out.clean("visit", new String[] {v.id, personIdx, String.valueOf(v.type), iso(v.date),
        v.orgCounty < 0 ? "" : ctx.spec.counties.get(v.orgCounty).code6(), flag(v.accepted), flag(rec)});
  }
}
