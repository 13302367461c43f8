package org.sanku.generate;

import java.time.LocalDate;
import java.util.SplittableRandom;
import org.sanku.generate.Facts.Contract;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Enrollment;
import org.sanku.generate.Facts.Exam;
import org.sanku.generate.Facts.Followup;
import org.sanku.generate.Facts.Person;
import org.sanku.ids.IdNumbers;

/**
 * Makes delivered rows dirty: for each table, whether a row gets a defect (at the dirty rate), which of the
 * classes that fit the table, and how the row's values are damaged. Each method is given the clean row and
 * returns the defect it applied, or null. The classes a table can get are listed with repeats where a class
 * is more common than the others.
 */
final class DefectInjector {

  private static final Defect[] REGISTRY = {Defect.ID_WHITESPACE, Defect.ID_WHITESPACE, Defect.ID_FULLWIDTH,
      Defect.ID_LOWER_X, Defect.ID_15_DIGIT, Defect.ID_15_DIGIT, Defect.ID_EXCEL_QUOTE,
      Defect.ID_CHECKSUM, Defect.BAD_BIRTH_DATE, Defect.NULL_PLACEHOLDER, Defect.NULL_PLACEHOLDER,
      Defect.DUPLICATE_ROW, Defect.SIX_DIGIT_DIVISION, Defect.LOCAL_CODE};
  private static final Defect[] HEALTH_RECORD = {Defect.ID_WHITESPACE, Defect.ID_FULLWIDTH, Defect.ID_LOWER_X,
      Defect.ID_15_DIGIT, Defect.ID_15_DIGIT, Defect.ID_EXCEL_QUOTE, Defect.ID_CHECKSUM, Defect.ID_EXCEL_DAMAGED,
      Defect.ID_FAKE, Defect.ID_MISSING, Defect.ID_MISSING, Defect.BAD_BIRTH_DATE,
      Defect.NULL_PLACEHOLDER, Defect.LOCAL_CODE, Defect.DUPLICATE_ROW, Defect.UNKNOWN_CODE_WARN};
  private static final Defect[] EXAM = {Defect.FUTURE_DATE, Defect.BAD_DATE, Defect.NULL_PLACEHOLDER,
      Defect.UNKNOWN_CODE_WARN, Defect.DUPLICATE_ROW, Defect.ORPHAN_LINK};
  private static final Defect[] TCM = {Defect.FUTURE_DATE, Defect.DUPLICATE_ROW, Defect.ORPHAN_LINK};
  private static final Defect[] FOLLOWUP = {Defect.UNKNOWN_CODE_REJECT, Defect.LOCAL_CODE, Defect.DUPLICATE_ROW,
      Defect.ORPHAN_LINK};
  private static final Defect[] VISIT = {Defect.ID_WHITESPACE, Defect.ID_FULLWIDTH, Defect.ID_LOWER_X,
      Defect.ID_15_DIGIT, Defect.ID_EXCEL_QUOTE, Defect.ID_CHECKSUM, Defect.ID_EXCEL_DAMAGED,
      Defect.ID_FAKE, Defect.ID_MISSING, Defect.ID_MISSING, Defect.BAD_BIRTH_DATE,
      Defect.LOCAL_CODE, Defect.DUPLICATE_ROW, Defect.SIX_DIGIT_DIVISION};

  private final GenContext ctx;

  DefectInjector(GenContext ctx) {
    this.ctx = ctx;
  }

  private boolean dirty(SplittableRandom d) {
    return d.nextDouble() < ctx.dirtyRate;
  }

  /** The final registry row's defect, drawn from the person's own defect stream; sets it on the delivery. */
  void registry(Person p, RegistryDelivery delivery) {
    SplittableRandom d = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, 3));
    String[] fin = delivery.finalRow;
    boolean dirtyRow = dirty(d);
    if (dirtyRow || delivery.firstRow != null && brokenUpdate(d)) {
      // An update (a second version of the row) fails more often than a first delivery: the form was edited.
      Defect chosen = dirtyRow ? REGISTRY[d.nextInt(REGISTRY.length)] : Defect.BAD_BIRTH_DATE;
      delivery.defect = identity(chosen, fin, Tables.POP_PERSON, p, d);
      if (delivery.defect == Defect.BAD_BIRTH_DATE && delivery.firstRow != null) {
        if (delivery.movedFrom12 == null && d.nextInt(3) > 0) {
          // Only the update (a death, a move out) is broken: ingest rejects it and keeps the earlier version, so
          // the pipeline has the person as they were, 正常 and resident; the recoverable view follows.
          p.keptEarlier = true;
        } else {
          // The source's error is in both versions it delivers: neither can be ingested, so the person is lost.
          int b = Tables.POP_PERSON.col("birth_date");
          delivery.firstRow[b] = fin[b];
          delivery.firstDefective = true;
        }
      }
    } else if ((p.status == 2 || p.status == 3) && d.nextDouble() < Math.min(1, 5 * ctx.dirtyRate)) {
      // 死亡 or 迁出 delivered without its date (a conditional column left empty): warned at ingest, and the
      // person is resident on no day in the recoverable view.
      fin[Tables.POP_PERSON.col(p.status == 2 ? "death_date" : "move_out_date")] = "";
      p.departureUndated = true;
      delivery.defect = Defect.EVENT_DATE_MISSING;
    } else if (ctx.predecessor.containsKey(p.county) && d.nextDouble() < Math.min(1, 5 * ctx.dirtyRate)) {
      int col = Tables.POP_PERSON.col("residence_division_code");
      fin[col] = ctx.predecessor.get(p.county)[0] + fin[col].substring(6);
      delivery.defect = Defect.RETIRED_DIVISION;
    }
  }

  /**
   * Whether a row delivered a second time (an update) breaks: more often than a first delivery (three times the
   * dirty rate), yet rarely enough that a realistic night's delta file stays under delivery.yaml's 10% quarantine
   * gate (at ten times, a 2% dirty region's large delta files were a fifth quarantined and held every source back).
   */
  boolean brokenUpdate(SplittableRandom d) {
    return d.nextDouble() < Math.min(1, 3 * ctx.dirtyRate);
  }

  /** The identity rows' fatal defect: an impossible birth date (the row is quarantined). */
  Defect badBirthDate(String[] row, Tables t, Person p, SplittableRandom d) {
    return identity(Defect.BAD_BIRTH_DATE, row, t, p, d);
  }

  /** An exam update's fatal defect: an impossible exam date (the row is quarantined). */
  Defect badExamDate(String[] row, Exam x) {
    row[2] = x.date.getYear() + "-02-30";
    return Defect.BAD_DATE;
  }

  /**
   * A name typed with white space inside it (张 三, or the ideographic space of a full-width keyboard), at half the
   * dirty rate. The draw comes from a stream of the row's own key (its first column), so the other defects of the
   * person's stream are drawn as before. Returns whether the name was changed.
   */
  boolean nameWhitespace(String[] row, Tables t) {
    if (ctx.dirtyRate <= 0) {
      return false;
    }
    SplittableRandom n = new SplittableRandom(GenContext.mix(ctx.seed, row[0].hashCode(), 0x5A4E));
    int col = t.col("name");
    String name = row[col];
    if (n.nextDouble() >= ctx.dirtyRate / 2 || name == null || name.length() < 2) {
      return false;
    }
    int at = 1 + n.nextInt(name.length() - 1);
    // The ideographic space is in GBK too, so every export encoding can carry both.
    row[col] = name.substring(0, at) + (n.nextBoolean() ? " " : "\u3000") + name.substring(at);
    return true;
  }

  /**
   * Whether a visit made on someone else's health card is registered by the card alone, its ID column left empty
   * (half of them, from a stream of the visit's own key).
   */
  boolean registeredByCardOnly(String visitId) {
    return new SplittableRandom(GenContext.mix(ctx.seed, visitId.hashCode(), 0xCA4E)).nextBoolean();
  }

  /**
   * A complete exam delivered without its height or its weight (the measurement was taken but not entered), at
   * half the dirty rate, from a stream of the exam's own key. Returns whether a value was left out.
   */
  boolean examMeasureMissing(String[] row, Exam x) {
    if (ctx.dirtyRate <= 0 || !x.complete) {
      return false;
    }
    SplittableRandom m = new SplittableRandom(GenContext.mix(ctx.seed, x.id.hashCode(), 0xE1A5));
    if (m.nextDouble() >= ctx.dirtyRate / 2) {
      return false;
    }
    row[Tables.EHR_EXAM.col(m.nextBoolean() ? "height_cm" : "weight_kg")] = "";
    return true;
  }

  Defect healthRecord(String[] row, Person p, SplittableRandom d) {
    if (!dirty(d)) {
      return null;
    }
    Defect chosen = HEALTH_RECORD[d.nextInt(HEALTH_RECORD.length)];
    if (chosen == Defect.UNKNOWN_CODE_WARN) {
      int org = Tables.EHR_PERSON.col("manage_org_code");
      row[org] = row[org] + "X";
      return chosen;
    }
    return identity(chosen, row, Tables.EHR_PERSON, p, d);
  }

  Defect exam(String[] row, Exam x, Ehr e, int night, SplittableRandom d) {
    if (!dirty(d)) {
      return null;
    }
    Defect defect = EXAM[d.nextInt(EXAM.length)];
    switch (defect) {
      case FUTURE_DATE -> row[2] = Rows.date("ehr", ctx.nightDate(night).plusDays(30 + d.nextInt(400)));
      case BAD_DATE -> row[2] = x.date.getYear() + "-02-30";
      case NULL_PLACEHOLDER -> row[12] = "不详";
      case UNKNOWN_CODE_WARN -> row[3] = "9999999999";
      case ORPHAN_LINK -> row[1] = e.ehrNo.substring(0, 16);
      default -> { }
    }
    return defect;
  }

  Defect tcm(String[] row, Ehr e, int night, SplittableRandom d) {
    if (!dirty(d)) {
      return null;
    }
    Defect defect = TCM[d.nextInt(TCM.length)];
    switch (defect) {
      case FUTURE_DATE -> row[3] = Rows.date("ehr", ctx.nightDate(night).plusDays(30 + d.nextInt(400)));
      case ORPHAN_LINK -> row[1] = e.ehrNo + "0";
      default -> { }
    }
    return defect;
  }

  Defect enrollment(String[] row, Enrollment en, SplittableRandom d) {
    if (!dirty(d)) {
      return null;
    }
    Defect defect = d.nextBoolean() ? Defect.LOCAL_CODE : Defect.DUPLICATE_ROW;
    if (defect == Defect.LOCAL_CODE) {
      row[2] = en.program.equals("HTN") ? "GXY" : "TNB";
    }
    return defect;
  }

  Defect followup(String[] row, Enrollment en, Followup f, SplittableRandom d) {
    if (!dirty(d)) {
      return null;
    }
    Defect defect = FOLLOWUP[d.nextInt(FOLLOWUP.length)];
    switch (defect) {
      case UNKNOWN_CODE_REJECT -> row[4] = "7";
      case LOCAL_CODE -> row[4] = new String[] {"", "门诊", "家庭", "电话", "其他"}[f.mode];
      case ORPHAN_LINK -> row[1] = "ZA" + en.id.substring(4);
      default -> { }
    }
    return defect;
  }

  Defect contract(String[] row, Contract c, SplittableRandom d) {
    if (!dirty(d)) {
      return null;
    }
    Defect defect = d.nextBoolean() ? Defect.BAD_DATE : Defect.DUPLICATE_ROW;
    if (defect == Defect.BAD_DATE) {
      row[6] = c.end.getYear() + "-13-01";
    }
    return defect;
  }

  /**
   * A hospital visit's defect. A baby's visit before the first birthday is often recorded under the mother's
   * ID and name, far more often than any other defect; {@code mother} is null when she is not in this chunk.
   */
  Defect visit(String[] row, Person p, Person mother, LocalDate visitDate, SplittableRandom d) {
    boolean baby = TruthRules.age(p.birth, visitDate) < 1;
    if (baby && ctx.dirtyRate > 0 && p.motherId != null && d.nextDouble() < Math.min(1, 10 * ctx.dirtyRate)) {
      row[7] = p.motherId;
      row[8] = (mother != null ? mother.name : p.name.substring(0, 1) + "某") + (p.sex == 1 ? "之子" : "之女");
      return Defect.ID_BORROWED;
    }
    if (!dirty(d)) {
      return null;
    }
    return identity(VISIT[d.nextInt(VISIT.length)], row, Tables.EMR_VISIT, p, d);
  }

  /**
   * Applies a defect to a row holding identity columns (id_no, name, sex_code, birth_date, a division).
   * Returns the defect actually applied (a class that does not fit the value falls back to white space).
   */
  private Defect identity(Defect chosen, String[] row, Tables t, Person p, SplittableRandom d) {
    int idCol = t.col("id_no");
    String id = row[idCol];
    switch (chosen) {
      case ID_LOWER_X:
        if (id.endsWith("X")) {
          row[idCol] = id.substring(0, 17) + "x";
          return chosen;
        }
        return identity(Defect.ID_WHITESPACE, row, t, p, d);
      case ID_WHITESPACE: {
        // NBSP and zero-width space exist only in Unicode files; GBK exports carry ASCII and ideographic spaces.
        String[] ws = ctx.unicode(t.source) ? new String[] {" ", "\t", "\u00A0", "\u3000", "\u200B", " "}
            : new String[] {" ", "\t", "\u3000"};
        int at = d.nextInt(id.length() + 1);
        String w = ws[d.nextInt(ws.length)];
        row[idCol] = at == id.length() ? id + w + w : id.substring(0, at) + w + id.substring(at);
        return chosen;
      }
      case ID_FULLWIDTH: {
        StringBuilder sb = new StringBuilder();
        for (char ch : id.toCharArray()) {
          sb.append(ch >= '0' && ch <= '9' ? (char) ('０' + (ch - '0')) : ch == 'X' ? 'Ｘ' : ch);
        }
        row[idCol] = sb.toString();
        return chosen;
      }
      case ID_15_DIGIT: {
        int year = Integer.parseInt(id.substring(6, 10));
        int seq = Integer.parseInt(id.substring(14, 17));
        if (year >= 1900 && year <= 1999 && seq < 996) {
          row[idCol] = IdNumbers.to15(id);
          return chosen;
        }
        return identity(Defect.ID_WHITESPACE, row, t, p, d);
      }
      case ID_EXCEL_QUOTE:
        row[idCol] = "'" + id;
        return chosen;
      case ID_CHECKSUM: {
        // A sequence digit: the birth date stays valid, and MOD 11-2 catches every single-digit error.
        int pos = 14 + d.nextInt(3);
        char old = id.charAt(pos);
        char neu = (char) ('0' + ((old - '0' + 1 + d.nextInt(8)) % 10));
        String changed = id.substring(0, pos) + neu + id.substring(pos + 1);
        IdNumbers.Result res = IdNumbers.normalise(changed, ctx.asOf);
        if (res.usable() || changed.endsWith("0000")) {
          return identity(Defect.ID_WHITESPACE, row, t, p, d);
        }
        row[idCol] = changed;
        return chosen;
      }
      case ID_EXCEL_DAMAGED:
        row[idCol] = id.charAt(0) + "." + id.substring(1, 6) + "E+17";
        return chosen;
      case ID_FAKE: {
        char digit = (char) ('1' + d.nextInt(9));
        row[idCol] = String.valueOf(digit).repeat(18);
        return chosen;
      }
      case ID_MISSING: {
        String[] blanks = {"", "", "-", "无", "不详", "NULL"};
        row[idCol] = blanks[d.nextInt(blanks.length)];
        return chosen;
      }
      case BAD_BIRTH_DATE: {
        int col = t.col("birth_date");
        String y = String.valueOf(p.birth.getYear());
        String[] bad = {y + "0230", y + "1332", y + "-02-30", y + "0431", "00000000"};
        row[col] = bad[d.nextInt(bad.length)];
        return chosen;
      }
      case NULL_PLACEHOLDER: {
        String[] ph = {"-", "无", "不详", "NULL", "null"};
        row[t.col("phone")] = ph[d.nextInt(ph.length)];
        return chosen;
      }
      case LOCAL_CODE:
        row[t.col("sex_code")] = p.sex == 1 ? "男" : "女";
        return chosen;
      case SIX_DIGIT_DIVISION: {
        String colName = t == Tables.POP_PERSON ? "residence_division_code" : "current_division_code";
        int col = t.col(colName);
        if (row[col].length() == 12) {
          row[col] = row[col].substring(0, 6);
          return chosen;
        }
        return identity(Defect.ID_WHITESPACE, row, t, p, d);
      }
      case DUPLICATE_ROW:
        return chosen;
      default:
        throw new IllegalStateException("not an identity defect: " + chosen);
    }
  }
}
