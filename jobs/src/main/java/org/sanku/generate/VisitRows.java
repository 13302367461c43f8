package org.sanku.generate;

import java.io.IOException;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.sanku.generate.Facts.Diagnosis;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Visit;

/**
 * The EMR source's rows for a visit and its diagnoses. A visit's defect is counted only once the visit's link
 * is final, after the health-card rule has been applied to all of the person's visits.
 */
final class VisitRows {

  private static final String SRC = "emr";

  private final GenContext ctx;
  private final ChunkOutput out;
  private final DefectInjector defects;
  private final LinkageRules linkage;
  private final ChunkCounts counts;
  /** Whether a visit's delivered row carries the person's own health card number. */
  private final Map<Visit, Boolean> cardOnVisit = new HashMap<>();
  private final Map<Visit, Defect> visitDefect = new HashMap<>();
  /** Visits delivered with white space inside the name (a defect on top of any other the row has). */
  private final java.util.Set<Visit> spacedName = new java.util.HashSet<>();
  /** Visits emitted so far, the base of the out-of-region visits' share. */
  long emitted;

  VisitRows(GenContext ctx, ChunkOutput out, DefectInjector defects, LinkageRules linkage, ChunkCounts counts) {
    this.ctx = ctx;
    this.out = out;
    this.defects = defects;
    this.linkage = linkage;
    this.counts = counts;
  }

  /** Emits a visit of person p ({@code mother} is p's mother when in this chunk, for a baby's borrowed ID). */
  void emit(Person p, Person mother, Visit v, SplittableRandom d, SplittableRandom r) throws IOException {
    LocalDateTime admit = v.date.atTime(7, 30).plusMinutes(r.nextInt(12 * 60));
    LocalDateTime discharge = null;
    if (v.type == 3) {
      LocalDateTime dc = admit.plusDays(3 + r.nextInt(12)).withHour(9 + r.nextInt(6));
      if (!dc.toLocalDate().isAfter(ctx.asOf)) {
        discharge = dc;
      }
    }
    int night = ctx.nightOf(discharge != null ? discharge.toLocalDate() : v.date);
    boolean card = p.healthCard != null && r.nextDouble() < 0.6;
    boolean division = r.nextDouble() < 0.8;
    String[] row = {v.id, v.org, String.valueOf(v.type), Rows.dateTime(SRC, admit),
        Rows.dateTime(SRC, discharge), v.type == 3 ? "0301" : "03", "01", p.id18, p.name,
        String.valueOf(p.sex), Rows.date(SRC, p.birth), card ? p.healthCard : "",
        division ? p.residence12 : "", v.type == 3 && discharge != null ? "1" : "", "I",
        ctx.stamp(SRC, night, discharge != null ? discharge.toLocalDate() : v.date, r)};
    Defect defect = defects.visit(row, p, mother, v.date, d);
    if (defect == null && card && p.cardSharedWith != null && p.idx > p.cardSharedWith.idx
        && defects.registeredByCardOnly(v.id)) {
      // A visit on the card of the person it was borrowed from: often registered by the card alone, so it has
      // no usable ID of its own (a missing ID, tallied as such) and only K1 or the card can tie it.
      row[Tables.EMR_VISIT.col("id_no")] = "";
      defect = Defect.ID_MISSING;
    }
    if (defect != Defect.ID_BORROWED && defects.nameWhitespace(row, Tables.EMR_VISIT)) {
      spacedName.add(v);
    }
    v.accepted = defect != Defect.BAD_BIRTH_DATE;
    v.rec = v.accepted && linkage.linkable(p, row, Tables.EMR_VISIT);
    cardOnVisit.put(v, card && defect != Defect.ID_BORROWED);
    if (defect != null) {
      visitDefect.put(v, defect);
    }
    out.addFinal(Tables.EMR_VISIT, night, row, defect);
    for (int i = 0; i < v.diagnoses.size(); i++) {
      Diagnosis dg = v.diagnoses.get(i);
      String[] dr = {v.id, String.valueOf(i + 1), dg.code, dg.name, "I", row[15]};
      out.add(Tables.EMR_DIAGNOSIS, night, dr);
    }
    emitted++;
  }

  boolean carriesCard(Visit v) {
    return cardOnVisit.getOrDefault(v, false);
  }

  /**
   * Counts the visit's defects with its final recoverability, and forgets the visit. {@code cardShared}: the
   * person's health card number is on another person's visits too.
   */
  void settle(Visit v, boolean cardShared) {
    settle(v, cardShared, v.rec);
  }

  /**
   * Counts an out-of-region visit's defect: such a visit is never linked, but where it is accepted it stays
   * countable (in the link rate's denominator), and a duplicate of it reaches the tables like any other.
   */
  void settleVisitor(Visit v) {
    settle(v, false, v.accepted);
  }

  private void settle(Visit v, boolean cardShared, boolean countable) {
    Defect df = visitDefect.remove(v);
    if (df != null) {
      counts.defect(df, "emr_visit", countable);
    }
    if (spacedName.remove(v)) {
      counts.defect(Defect.NAME_WHITESPACE, "emr_visit", countable);
    }
    if (cardShared && cardOnVisit.getOrDefault(v, false)) {
      counts.defect(Defect.HEALTH_CARD_SHARED, "emr_visit", countable);
    }
    cardOnVisit.remove(v);
  }
}
