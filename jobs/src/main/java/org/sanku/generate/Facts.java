package org.sanku.generate;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The clean per-person facts of the generator's model. Each record carries {@code rec}: whether the pipeline
 * can still see it and tie it to its person after the injected defects (the "recoverable" view of the truth).
 */
final class Facts {

  private Facts() {}

  /** One resident of the model (registry row plus everything the other databases hold about them). */
  static final class Person {
    long idx;
    int county;            // index into RegionSpec.counties (final residence)
    String residence12;    // final residence, 12 digits
    String id18;
    String name;
    int sex;               // 1 male, 2 female
    LocalDate birth;
    int residentType;      // 1, 2, 3
    int status = 1;        // 1 normal, 2 dead, 3 moved out, 4 cancelled
    LocalDate deathDate;
    LocalDate moveOutDate;
    long motherIdx = -1;
    String motherId;
    String healthCard;
    /** The person whose health card number this person's visits carry too (each shares with one at most). */
    Person cardSharedWith;
    boolean htn;
    boolean t2dm;
    /** The registry row was delivered in a state the pipeline must quarantine (person absent). */
    boolean registryLost;
    /** Normalised ID the pipeline derives from the delivered registry row, or null when unusable. */
    String registryNormId;
    /**
     * The final registry version (a death, a move out) was rejected at ingest while the earlier one was accepted:
     * the pipeline keeps the earlier version, status 1 without a date (the recoverable view follows it).
     */
    boolean keptEarlier;
    /** Status 2 or 3 delivered without its date: resident on no day in the recoverable view. */
    boolean departureUndated;
    final List<Ehr> ehrs = new ArrayList<>(2);
    final List<Visit> visits = new ArrayList<>();
  }

  static final class Ehr {
    String ehrNo;
    LocalDate build;
    boolean basicComplete;
    boolean electronic;
    int status = 1;
    LocalDate statusDate;
    String manageOrg;
    int orgCounty;
    String division12;     // current_division_code as delivered (before any defect)
    /** The row passes ingest (no defect that quarantines it). */
    boolean accepted = true;
    /** Accepted and tied to its registry person by the linkage rules. */
    boolean rec = true;
    /** The status change was rejected at ingest: the pipeline keeps the earlier version (在册, no date). */
    boolean keptEarlier;
    final List<Exam> exams = new ArrayList<>();
    final List<Tcm> tcms = new ArrayList<>();
    final List<Enrollment> enrollments = new ArrayList<>();
    final List<Contract> contracts = new ArrayList<>();
  }

  static final class Exam {
    String id;
    LocalDate date;
    int type;
    boolean complete;
    boolean rec = true;
    /** The completing update was rejected at ingest: the pipeline keeps the earlier, incomplete version. */
    boolean keptEarlier;
    /** Delivered without its height or weight: incomplete as the pipeline sees it. */
    boolean measureLost;

    /**
     * Complete as the view sees it: the recoverable view has only the earlier version of a rejected update, and
     * an exam delivered without its height or weight is not complete there.
     */
    boolean complete(boolean recView) {
      return complete && !(recView && (keptEarlier || measureLost));
    }
  }

  static final class Tcm {
    String id;
    LocalDate date;
    int kind;
    int months;            // children's service: month of age (6, 12 … 36)
    boolean complete;
    boolean rec = true;
  }

  static final class Enrollment {
    String id;
    String program;        // HTN or T2DM
    LocalDate enrollDate;
    int status = 1;
    LocalDate closeDate;
    boolean rec = true;
    /** 结案 delivered without its close date: closed before every period in the recoverable view. */
    boolean closeDateLost;
    final List<Followup> followups = new ArrayList<>();

    /** Whether a follow-up is dated after the enrolment's close date: it does not count for the enrolment. */
    boolean afterClose(Followup f) {
      return status == 2 && closeDate != null && f.date.isAfter(closeDate);
    }
  }

  static final class Followup {
    String id;
    LocalDate date;
    int mode;              // 1 clinic, 2 home, 3 phone, 4 other
    Integer sbp;
    Integer dbp;
    Double fbg;
    boolean rec = true;
    /** src_updated_at as delivered: the tie-break between same-day follow-ups. */
    java.time.LocalDateTime updatedAt;
    /** A second follow-up on the same day as {@code tieWith}, changed this many minutes after it (or before). */
    Followup tieWith;
    int tieMinutes;

    /**
     * Whether this follow-up comes after {@code o} as "the last follow-up in P": a later date; on the same day a
     * later src_updated_at; at the same moment the greater followup_id.
     */
    boolean after(Followup o) {
      int c = date.compareTo(o.date);
      if (c == 0) {
        c = updatedAt.compareTo(o.updatedAt);
      }
      if (c == 0) {
        c = id.compareTo(o.id);
      }
      return c > 0;
    }
  }

  static final class Contract {
    String id;
    LocalDate sign;
    LocalDate start;
    LocalDate end;
    int status;
    boolean rec = true;
  }

  static final class Visit {
    String id;
    int type;              // 1 outpatient, 2 emergency, 3 inpatient
    LocalDate date;
    String org;            // organisation code
    int orgCounty;         // index into RegionSpec.counties; -1: the organisation is not in the final ref_org
    boolean accepted = true;
    boolean rec = true;
    final List<Diagnosis> diagnoses = new ArrayList<>(3);
  }

  static final class Diagnosis {
    String code;
    String name;
    String icd3;
    boolean uncertain;
  }
}
