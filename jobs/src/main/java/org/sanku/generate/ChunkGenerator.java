package org.sanku.generate;

import java.io.IOException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sanku.generate.Facts.Contract;
import org.sanku.generate.Facts.Diagnosis;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Enrollment;
import org.sanku.generate.Facts.Exam;
import org.sanku.generate.Facts.Followup;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Tcm;
import org.sanku.generate.Facts.Visit;
import org.sanku.generate.RegionSpec.County;
import org.sanku.generate.RegionSpec.Township;
import org.sanku.ids.IdNumbers;

/**
 * Generates one chunk of the region: a fixed range of person indexes, each person's whole story drawn from
 * random streams seeded by (seed, person index), so the output is the same at any thread count. Registry
 * facts come first for the whole chunk (mothers are needed by their babies' records), then each person's
 * services are generated, made dirty, emitted and tallied, and dropped before the next person.
 */
final class ChunkGenerator {

  private static final String[] OTHER_AREAS = {"511602", "511702", "500101", "510802", "500112", "511621"};
  private static final String[][] OTHER_DIAGNOSES = {
      {"J06.900", "急性上呼吸道感染"}, {"K29.700", "胃炎"}, {"M54.500", "腰痛"}, {"I25.100", "冠状动脉粥样硬化性心脏病"},
      {"J44.900", "慢性阻塞性肺疾病"}, {"I63.900", "脑梗死"}, {"E78.500", "高脂血症"}, {"N39.000", "泌尿道感染"},
      {"R51.x00", "头痛"}, {"J18.900", "肺炎"}, {"K80.200", "胆囊结石"}, {"M17.900", "膝关节骨性关节炎"},
      {"H25.900", "老年性白内障"}, {"J20.900", "急性支气管炎"}, {"A09.900", "感染性腹泻"}, {"S52.500", "桡骨远端骨折"}};
  private static final String[][] HTN_CODES = {
      {"I10.x00", "原发性高血压"}, {"I10.x00x002", "高血压"}, {"I10.X00", "原发性高血压"}, {"I10", "高血压病"},
      {"I10.x00x032", "高血压病3级（极高危）"}, {"I11.900", "高血压性心脏病"}, {"I10x00", "高血压"}};
  private static final String[][] DM_CODES = {
      {"E11.900", "2型糖尿病"}, {"E11.9", "2型糖尿病"}, {"E11.900x001", "2型糖尿病"},
      {"E11.200", "2型糖尿病性肾病"}, {"E11900", "2型糖尿病"}};

  private final GenContext ctx;
  private final int chunk;
  private final long from;
  private final long to;
  private final ChunkOutput out;
  final TruthRules.Tally tally;
  final Map<String, long[]> defects = new HashMap<>();
  final long[][][] linkEhr;   // [county][view][0 den, 1 num]
  final long[][][] linkEmr;
  long visitCount;
  /** Rows per part file, filled in when the chunk's output is closed. */
  Map<String, Long> partRows = Map.of();

  ChunkGenerator(GenContext ctx, int chunk, long from, long to, ChunkOutput out) {
    this.ctx = ctx;
    this.chunk = chunk;
    this.from = from;
    this.to = to;
    this.out = out;
    int n = ctx.spec.counties.size();
    this.tally = new TruthRules.Tally(n);
    this.linkEhr = new long[n][2][2];
    this.linkEmr = new long[n][2][2];
  }

  // ---------------------------------------------------------------------------------------------------
  // Registry: who lives where, born when, dies or leaves when.

  /** Builds the chunk's persons with their registry facts and the registry row's defects. */
  List<Person> registry() {
    SplittableRandom r = new SplittableRandom(GenContext.mix(ctx.seed, chunk, 0x5EED));
    List<Person> persons = new ArrayList<>((int) (to - from));
    seqUse.clear();
    long idx = from;
    while (idx < to) {
      int age = Demography.sampleAge(r);
      int sex = r.nextBoolean() ? 1 : 2;
      int county = pickCounty(r.nextDouble());
      County c = ctx.spec.counties.get(county);
      Township town = c.townships().get(r.nextInt(c.townships().size()));
      String village = town.code9() + village3(r, town);
      int rt = residentType(r.nextDouble());
      Person child = newPerson(idx++, age, sex, county, village, rt, r, seqUse);
      persons.add(child);
      if (age < 7 && idx < to && r.nextDouble() < 0.9) {
        Person mother = newPerson(idx++, age + 22 + r.nextInt(17), 2, county, village,
            rt == 2 ? 1 : rt, r, seqUse);
        persons.add(mother);
        child.motherIdx = mother.idx;
        child.motherId = mother.id18;
      }
    }
    for (Person p : persons) {
      lifeEvents(p);
    }
    return persons;
  }

  /** Sequence codes used per (area, birth date, sex) in this chunk, residents and visitors alike. */
  private final Map<String, Integer> seqUse = new HashMap<>();

  private Person newPerson(long idx, int age, int sex, int county, String village, int rt,
      SplittableRandom r, Map<String, Integer> seqUse) {
    Person p = new Person();
    p.idx = idx;
    p.sex = sex;
    p.county = county;
    p.residence12 = village;
    p.residentType = rt;
    LocalDate birth = ctx.asOf.minusYears(age).minusDays(r.nextInt(365));
    String area = idArea(county, birth, rt, r);
    // Sequence codes: chunk c owns the values v with v mod 200 ∈ {2s, 2s+1}, s = c mod 100, so chunks never
    // collide (there are at most 100 chunks); within a chunk a sixth person with the same area, birth date and
    // sex moves one day.
    while (true) {
      String k = area + birth + sex;
      int used = seqUse.getOrDefault(k, 0);
      if (used < 5) {
        seqUse.put(k, used + 1);
        int s = chunk % 100;
        int seq = 2 * s + 200 * used + (sex == 1 ? 1 : 0);
        p.id18 = IdNumbers.make(area, birth, seq);
        break;
      }
      birth = birth.minusDays(1);
    }
    p.birth = birth;
    p.name = Demography.name(r, sex, birth.getYear());
    return p;
  }

  private String idArea(int county, LocalDate birth, int rt, SplittableRandom r) {
    if (rt == 3) {
      return OTHER_AREAS[r.nextInt(OTHER_AREAS.length)];
    }
    String[] pred = ctx.predecessor.get(county);
    if (pred != null && !pred[1].isEmpty() && birth.isBefore(LocalDate.parse(pred[1]))) {
      return pred[0];
    }
    return ctx.spec.counties.get(county).code6();
  }

  private int pickCounty(double u) {
    for (int i = 0; i < ctx.countyCumWeight.length; i++) {
      if (u <= ctx.countyCumWeight[i]) {
        return i;
      }
    }
    return ctx.countyCumWeight.length - 1;
  }

  private static String village3(SplittableRandom r, Township t) {
    int v = t.isStreet() ? 1 + r.nextInt(12) : 200 + 1 + r.nextInt(18);
    return String.format("%03d", v);
  }

  private int residentType(double u) {
    RegionSpec.Calibration k = ctx.spec.calibration;
    if (u < k.residentShare()) {
      return 1;
    }
    return u < k.residentShare() + k.awayShare() ? 2 : 3;
  }

  /** Deaths, moves out and cancellations, drawn from the person's own stream. */
  private void lifeEvents(Person p) {
    SplittableRandom r = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, 1));
    LocalDate pStart = ctx.rules.start;
    LocalDate exposureStart = p.birth.isAfter(pStart) ? p.birth : pStart;
    long days = ChronoUnit.DAYS.between(exposureStart, ctx.asOf) + 1;
    int ageAtStart = Math.max(0, TruthRules.age(p.birth, exposureStart));
    double h = Demography.hazard(ageAtStart);
    if (days > 0 && r.nextDouble() < 1 - Math.exp(-h * days / 365.0)) {
      p.deathDate = exposureStart.plusDays(r.nextLong(days));
      p.status = 2;
    } else if (p.birth.isBefore(pStart.minusDays(365)) && r.nextDouble() < 0.9 * h) {
      p.deathDate = pStart.minusDays(1 + r.nextInt(365));
      p.status = 2;
    } else if (r.nextDouble() < 0.008) {
      LocalDate earliest = p.birth.isAfter(pStart.minusDays(365)) ? p.birth.plusDays(1)
          : pStart.minusDays(365);
      long span = ChronoUnit.DAYS.between(earliest, ctx.asOf);
      if (span > 0) {
        p.moveOutDate = earliest.plusDays(r.nextLong(span) + 1);
        p.status = 3;
      }
    } else if (r.nextDouble() < 0.001) {
      p.status = 4;
    }
    // Babies get their resident health card only after the household registration.
    if (r.nextDouble() < ctx.spec.calibration.healthCard() && TruthRules.age(p.birth, ctx.asOf) >= 1) {
      p.healthCard = String.format("J%s%010d", ctx.spec.counties.get(p.county).code6(), p.idx);
    }
    RegistryPlan plan = registryPlan(p, r);
    p.registryLost = plan.defect == Defect.BAD_BIRTH_DATE;
    String delivered = plan.finalRow[Tables.POP_PERSON.col("id_no")];
    IdNumbers.Result id = IdNumbers.normalise(delivered, ctx.asOf);
    p.registryNormId = id.usable() ? id.normalised() : null;
    registryPlans.put(p.idx, plan);
  }

  /** The registry row versions a person is delivered as, and the defect on the final one. */
  static final class RegistryPlan {
    String[] firstRow;
    int firstNight;
    String[] finalRow;
    int finalNight;
    Defect defect;
    boolean duplicate;
    boolean firstDefective;
    String movedFrom12;
  }

  private final Map<Long, RegistryPlan> registryPlans = new HashMap<>();

  private RegistryPlan registryPlan(Person p, SplittableRandom r) {
    RegistryPlan plan = new RegistryPlan();
    int birthNight = ctx.nightOf(p.birth);
    plan.firstNight = birthNight;
    int eventNight = 0;
    if (p.deathDate != null) {
      eventNight = ctx.nightOf(p.deathDate);
    } else if (p.moveOutDate != null) {
      eventNight = ctx.nightOf(p.moveOutDate);
    }
    // Moves inside the region show up in delta drops as an update of the residence.
    if (ctx.nights > 1 && p.status == 1 && birthNight == 0 && r.nextDouble() < 0.004) {
      int n = 1 + r.nextInt(ctx.nights - 1);
      int other = (p.county + 1 + r.nextInt(ctx.spec.counties.size() - 1 > 0
          ? ctx.spec.counties.size() - 1 : 1)) % ctx.spec.counties.size();
      County oc = ctx.spec.counties.get(other);
      Township t = oc.townships().get(r.nextInt(oc.townships().size()));
      plan.movedFrom12 = t.code9() + village3(r, t);
      eventNight = n;
    }
    String[] fin = popRow(p, p.residence12, r);
    if (eventNight > birthNight) {
      String[] first = popRow(p, plan.movedFrom12 != null ? plan.movedFrom12 : p.residence12, r);
      int st = Tables.POP_PERSON.col("person_status_code");
      first[st] = "1";
      first[Tables.POP_PERSON.col("death_date")] = "";
      first[Tables.POP_PERSON.col("move_out_date")] = "";
      first[Tables.POP_PERSON.col("op_type")] = "I";
      first[Tables.POP_PERSON.col("src_updated_at")] = stamp("population", birthNight,
          p.birth.isAfter(ctx.nightDate(0)) ? p.birth : ctx.nightDate(0).minusDays(1 + r.nextInt(300)), r);
      plan.firstRow = first;
      fin[Tables.POP_PERSON.col("op_type")] = "U";
      if (plan.movedFrom12 != null) {
        fin[Tables.POP_PERSON.col("residence_since")] = Rows.date("population", ctx.nightDate(eventNight));
      }
      fin[Tables.POP_PERSON.col("src_updated_at")] = stamp("population", eventNight,
          ctx.nightDate(eventNight), r);
      plan.finalNight = eventNight;
    } else {
      fin[Tables.POP_PERSON.col("src_updated_at")] = stamp("population", birthNight,
          birthNight > 0 ? p.birth : ctx.nightDate(0).minusDays(r.nextInt(400)), r);
      plan.finalNight = birthNight;
    }
    plan.finalRow = fin;
    SplittableRandom d = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, 3));
    if (d.nextDouble() < ctx.dirtyRate) {
      Defect[] classes = {Defect.ID_WHITESPACE, Defect.ID_WHITESPACE, Defect.ID_FULLWIDTH,
          Defect.ID_LOWER_X, Defect.ID_15_DIGIT, Defect.ID_15_DIGIT, Defect.ID_EXCEL_QUOTE,
          Defect.ID_CHECKSUM, Defect.BAD_BIRTH_DATE, Defect.NULL_PLACEHOLDER, Defect.NULL_PLACEHOLDER,
          Defect.DUPLICATE_ROW, Defect.SIX_DIGIT_DIVISION, Defect.LOCAL_CODE};
      Defect chosen = classes[d.nextInt(classes.length)];
      plan.defect = applyIdentityDefect(chosen, fin, Tables.POP_PERSON, p, d);
      if (plan.defect == Defect.DUPLICATE_ROW) {
        plan.duplicate = true;
      }
      if (plan.defect == Defect.BAD_BIRTH_DATE && plan.firstRow != null) {
        // The source's error is in both versions it delivers: neither can be ingested, so the person is lost.
        // (Were the earlier version clean, ingest would keep it and the person would stay, as they were.)
        int b = Tables.POP_PERSON.col("birth_date");
        plan.firstRow[b] = fin[b];
        plan.firstDefective = true;
      }
    } else if (ctx.predecessor.containsKey(p.county) && d.nextDouble() < Math.min(1, 5 * ctx.dirtyRate)) {
      int col = Tables.POP_PERSON.col("residence_division_code");
      fin[col] = ctx.predecessor.get(p.county)[0] + fin[col].substring(6);
      plan.defect = Defect.RETIRED_DIVISION;
    }
    return plan;
  }

  private String[] popRow(Person p, String residence, SplittableRandom r) {
    String hukou = p.residentType == 3
        ? OTHER_AREAS[(int) (p.idx % OTHER_AREAS.length)] + "100201" : p.residence12;
    String status = String.valueOf(p.status);
    return new String[] {
        String.format("RK%s%09d", ctx.spec.city.code().substring(0, 4), p.idx), "01", p.id18, p.name,
        String.valueOf(p.sex), Rows.date("population", p.birth), p.idx % 23 == 0 ? "03" : "01", hukou,
        residence, "", String.valueOf(p.residentType), status, Rows.date("population", p.deathDate),
        Rows.date("population", p.moveOutDate), p.motherId == null ? "" : p.motherId,
        String.format("1%d%09d", 3 + (int) (p.idx % 7), p.idx % 1_000_000_000L), "I", ""};
  }

  /**
   * Applies a defect to a row holding identity columns (id_no, name, sex_code, birth_date, a division).
   * Returns the defect actually applied (a class that does not fit the value falls back to white space).
   */
  private Defect applyIdentityDefect(Defect chosen, String[] row, Tables t, Person p, SplittableRandom d) {
    int idCol = t.col("id_no");
    String id = row[idCol];
    switch (chosen) {
      case ID_LOWER_X:
        if (id.endsWith("X")) {
          row[idCol] = id.substring(0, 17) + "x";
          return chosen;
        }
        return applyIdentityDefect(Defect.ID_WHITESPACE, row, t, p, d);
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
        return applyIdentityDefect(Defect.ID_WHITESPACE, row, t, p, d);
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
          return applyIdentityDefect(Defect.ID_WHITESPACE, row, t, p, d);
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
        return applyIdentityDefect(Defect.ID_WHITESPACE, row, t, p, d);
      }
      case DUPLICATE_ROW:
        return chosen;
      default:
        throw new IllegalStateException("not an identity defect: " + chosen);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Services: health record, exams, TCM, chronic-disease programmes, contracts and hospital visits.

  void services(List<Person> persons) throws IOException {
    Map<Long, Person> byIdx = new HashMap<>();
    for (Person p : persons) {
      byIdx.put(p.idx, p);
    }
    motherCache = byIdx;
    indexRegistryIds(persons);
    for (Person p : persons) {
      generateServices(p, byIdx);
      emitRegistry(p);
      emitServices(p);
      ctx.rules.evaluate(p, false, tally);
      ctx.rules.evaluate(p, true, tally);
      tallyLinks(p);
      writeClean(p);
      p.ehrs.clear();
      p.visits.clear();
    }
    visitors();
  }

  private void generateServices(Person p, Map<Long, Person> byIdx) {
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
    RegistryPlan plan = registryPlans.get(p.idx);
    String recordDivision = plan.movedFrom12 != null ? plan.movedFrom12 : p.residence12;
    int recordCounty = plan.movedFrom12 != null ? ctx.countyOfDelivered(plan.movedFrom12) : p.county;
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
        services(p, e, r, age, svc, activeStart, activeEnd, town9);
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
    visits(p, r, age, activeStart, activeEnd, county, town9, byIdx);
  }

  private static String ehrNo(String division12, long idx, boolean second) {
    long seg = (idx / 100_000) % 99;
    return division12.substring(0, 9) + String.format("%03d%05d", (second ? 901 : 1) + seg, idx % 100_000);
  }

  private static LocalDate between(SplittableRandom r, LocalDate a, LocalDate b) {
    long span = ChronoUnit.DAYS.between(a, b);
    return span <= 0 ? a : a.plusDays(r.nextLong(span + 1));
  }

  private void services(Person p, Ehr e, SplittableRandom r, int age, double svc, LocalDate activeStart,
      LocalDate activeEnd, String town9) {
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
        x.date = between(r, from, activeEnd);
        x.type = elderly ? 2 : (p.htn || p.t2dm ? 3 : 1);
        x.complete = r.nextDouble() < k.examComplete();
        e.exams.add(x);
        lastExam = x;
      }
    }
    if (elderly) {
      double tcmRate = lastExam != null ? k.tcmGivenExam() : k.tcmWithoutExam();
      if (r.nextDouble() < Math.min(0.97, tcmRate * (1 + (svc - 1) * 1.5))) {
        Tcm t = new Tcm();
        t.id = String.format("ZY%010d", p.idx);
        t.kind = 1;
        t.date = lastExam != null ? lastExam.date : between(r, from, activeEnd);
        t.complete = r.nextDouble() < k.tcmComplete();
        e.tcms.add(t);
      }
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
    double contractRate = elderly ? k.elderlyContract() : (p.htn || p.t2dm) && age >= 35
        ? k.chronicContract() : k.youngContract();
    double u = r.nextDouble();
    Contract c = null;
    if (u < Math.min(0.97, contractRate * svc)) {
      c = new Contract();
      c.sign = between(r, from.isAfter(ctx.asOf.minusDays(364)) ? from : ctx.asOf.minusDays(364), activeEnd);
      c.start = c.sign;
      c.end = c.start.plusYears(1).minusDays(1);
      c.status = 1;
    } else if (u < Math.min(0.97, contractRate * svc) + 0.25 && e.build.isBefore(ctx.asOf.minusYears(1))) {
      c = new Contract();
      c.sign = between(r, e.build.isAfter(ctx.asOf.minusYears(3)) ? e.build : ctx.asOf.minusYears(3),
          ctx.asOf.minusYears(1).minusDays(1));
      c.start = c.sign;
      c.end = c.start.plusYears(1).minusDays(1);
      c.status = 3;
    } else if (u > 0.985) {
      c = new Contract();
      c.sign = between(r, from, activeEnd);
      c.start = c.sign;
      c.end = c.start.plusYears(1).minusDays(1);
      c.status = 2;
    }
    if (c != null) {
      c.id = String.format("QY%010d", p.idx);
      e.contracts.add(c);
    }
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
      LocalDate cd = between(r, en.enrollDate.isAfter(ctx.windowStart.minusDays(120)) ? en.enrollDate
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
    List<LocalDate> days = new ArrayList<>();
    total = (int) Math.min(total, span2 + 1);
    java.util.BitSet taken = new java.util.BitSet();
    for (int i = 0; i < total; i++) {
      // Spread follow-ups over the span like quarterly visits, with jitter; a taken day moves to the next
      // free one (there are at least as many days as follow-ups).
      long width = Math.max(1, (span2 + 1) / total);
      int off = (int) Math.min(span2, (span2 + 1) * i / total + r.nextLong(width));
      while (taken.get(off)) {
        off = (int) ((off + 1) % (span2 + 1));
      }
      taken.set(off);
      days.add(from.plusDays(off));
    }
    days.sort(null);
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
    return en;
  }

  private void visits(Person p, SplittableRandom r, int age, LocalDate activeStart, LocalDate activeEnd,
      County county, String town9, Map<Long, Person> byIdx) {
    RegionSpec.Calibration k = ctx.spec.calibration;
    double base = age < 5 ? 2.4 : age < 35 ? 0.8 : age < 65 ? 1.3 : 2.4;
    double lambda = base * k.emrVisitsPerYear() / 2.2 + (p.htn ? 1.4 : 0) + (p.t2dm ? 1.4 : 0);
    lambda *= (ChronoUnit.DAYS.between(activeStart, activeEnd) + 1) / 365.0;
    if (p.residentType == 2) {
      lambda *= 0.25; // registered here but living away: rarely treated at home
    }
    int n = poisson(r, lambda);
    Visit sameDaySource = null;
    for (int i = 0; i < n; i++) {
      Visit v = newVisit(p, r, age, between(r, activeStart, activeEnd), county, town9, i);
      p.visits.add(v);
      if (v.type == 1 && sameDaySource == null && hasCondition(v, "I1")) {
        sameDaySource = v;
      }
    }
    if (p.htn && sameDaySource != null && r.nextDouble() < 0.05) {
      Visit twin = newVisit(p, r, age, sameDaySource.date, county, town9, n);
      twin.type = 1;
      twin.diagnoses.clear();
      Diagnosis d = new Diagnosis();
      d.code = "I10.x00";
      d.name = "原发性高血压";
      d.icd3 = "I10";
      twin.diagnoses.add(d);
      p.visits.add(twin);
    }
  }

  private static boolean hasCondition(Visit v, String prefix) {
    for (Diagnosis d : v.diagnoses) {
      if (d.icd3 != null && d.icd3.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private Visit newVisit(Person p, SplittableRandom r, int age, LocalDate date, County county,
      String town9, int i) {
    Visit v = new Visit();
    v.id = String.format("MZ%011d%03d", p.idx, i);
    v.date = date;
    double u = r.nextDouble();
    v.type = u < (age >= 65 ? 0.14 : 0.06) ? 3 : u < (age >= 65 ? 0.19 : 0.11) ? 2 : 1;
    double o = r.nextDouble();
    String org = o < 0.55 ? GenContext.countyHospital(county) : o < 0.65 ? GenContext.tcmHospital(county)
        : o < 0.9 ? GenContext.centre(town9) : ctx.cityHospital();
    v.orgCounty = ctx.orgCounty.get(org);
    orgOfVisit.put(v, org);
    if (p.htn && r.nextDouble() < 0.65) {
      String[] c = HTN_CODES[r.nextInt(HTN_CODES.length)];
      boolean unsure = r.nextDouble() < 0.04;
      v.diagnoses.add(diag(c[0], unsure ? c[1] + "?" : c[1]));
    } else if (!p.htn && age >= 35 && r.nextDouble() < 0.03) {
      v.diagnoses.add(diag("I10.x00", r.nextBoolean() ? "高血压待查" : "疑似高血压"));
    }
    if (p.t2dm && r.nextDouble() < 0.65) {
      String[] c = DM_CODES[r.nextInt(DM_CODES.length)];
      boolean unsure = r.nextDouble() < 0.04;
      v.diagnoses.add(diag(c[0], unsure ? "疑似" + c[1] : c[1]));
    }
    int others = v.diagnoses.isEmpty() ? 1 + r.nextInt(2) : r.nextInt(2);
    int first = r.nextInt(OTHER_DIAGNOSES.length);
    for (int j = 0; j < others; j++) {
      String[] c = OTHER_DIAGNOSES[(first + j * 5) % OTHER_DIAGNOSES.length];
      v.diagnoses.add(diag(c[0], c[1]));
    }
    return v;
  }

  private final Map<Visit, String> orgOfVisit = new HashMap<>();

  private static Diagnosis diag(String code, String name) {
    Diagnosis d = new Diagnosis();
    d.code = code;
    d.name = name;
    String n = code.toUpperCase().replace(".", "");
    d.icd3 = n.substring(0, 3);
    d.uncertain = name.contains("疑似") || name.contains("待查") || name.contains("待排")
        || name.contains("?") || name.contains("？") || name.contains("可能");
    return d;
  }

  private static int poisson(SplittableRandom r, double lambda) {
    double l = Math.exp(-lambda);
    int k = 0;
    double prod = r.nextDouble();
    while (prod > l) {
      k++;
      prod *= r.nextDouble();
    }
    return k;
  }

  // ---------------------------------------------------------------------------------------------------
  // Emission: rows per night, defects, recoverability.

  private void count(Defect d, String table, boolean recoverable) {
    long[] c = defects.computeIfAbsent(d.name() + "|" + table, x -> new long[2]);
    c[0]++;
    if (recoverable) {
      c[1]++;
    }
  }

  private void emitRegistry(Person p) throws IOException {
    RegistryPlan plan = registryPlans.get(p.idx);
    if (plan.firstRow != null) {
      out.add(Tables.POP_PERSON, plan.firstNight, plan.firstRow);
    }
    out.add(Tables.POP_PERSON, plan.finalNight, plan.finalRow);
    if (plan.duplicate) {
      out.add(Tables.POP_PERSON, plan.finalNight, plan.finalRow);
    }
    if (plan.defect != null) {
      count(plan.defect, "pop_person", !p.registryLost);
    }
    if (plan.firstDefective) {
      count(plan.defect, "pop_person", false);
    }
  }

  private String stamp(String source, int night, LocalDate eventDate, SplittableRandom r) {
    LocalDate d = night == 0 ? (eventDate.isAfter(ctx.nightDate(0)) ? ctx.nightDate(0) : eventDate)
        : ctx.nightDate(night);
    LocalDateTime t = d.atTime(8, 0).plusSeconds(r.nextInt(14 * 3600));
    return Rows.dateTime(source, t);
  }

  /** Is an identity-bearing row (ehr_person or emr_visit) linkable to person p, the way linkage works? */
  private boolean linkable(Person p, String[] row, Tables t) {
    if (p == null || p.registryLost) {
      return false;
    }
    IdNumbers.Result id = IdNumbers.normalise(row[t.col("id_no")], ctx.asOf);
    LocalDate birth = parseDate(row[t.col("birth_date")]);
    String sex = mapSex(row[t.col("sex_code")]);
    String name = row[t.col("name")] == null ? "" : row[t.col("name")].trim();
    if (id.usable()) {
      if (id.normalised().equals(p.registryNormId)) {
        return p.birth.equals(birth) || (String.valueOf(p.sex).equals(sex) && p.name.equals(name));
      }
      if (registryIds.contains(id.normalised())) {
        return false; // someone else's registry ID: a conflict, never merged
      }
    }
    String div = row[t.col("current_division_code")];
    int county = ctx.countyOfDelivered(div);
    if (birth == null || county != p.county || !p.birth.equals(birth) || !String.valueOf(p.sex).equals(sex)
        || !p.name.equals(name)) {
      return false;
    }
    return Arrays.binarySearch(ctx.ambiguousK1, k1Hash(p.name, p.sex, p.birth, p.county)) < 0;
  }

  /** Registry IDs (normalised, usable) of this chunk, for the borrowed-ID check of babies' records. */
  private final java.util.Set<String> registryIds = new java.util.HashSet<>();

  void indexRegistryIds(List<Person> persons) {
    for (Person p : persons) {
      if (!p.registryLost && p.registryNormId != null) {
        registryIds.add(p.registryNormId);
      }
    }
  }

  static long k1Hash(String name, int sex, LocalDate birth, int county) {
    long h = 1125899906842597L;
    String s = name + "|" + sex + "|" + birth + "|" + county;
    for (int i = 0; i < s.length(); i++) {
      h = 31 * h + s.charAt(i);
    }
    return GenContext.mix(h, s.length(), 7);
  }

  private static String mapSex(String v) {
    if (v == null) {
      return null;
    }
    v = v.trim();
    return v.equals("男") ? "1" : v.equals("女") ? "2" : v;
  }

  private static final java.time.format.DateTimeFormatter STRICT_BASIC = java.time.format.DateTimeFormatter
      .ofPattern("uuuuMMdd").withResolverStyle(java.time.format.ResolverStyle.STRICT);
  private static final java.time.format.DateTimeFormatter STRICT_ISO = java.time.format.DateTimeFormatter
      .ofPattern("uuuu-MM-dd").withResolverStyle(java.time.format.ResolverStyle.STRICT);

  /** A delivered date as ingest reads it (yyyyMMdd or yyyy-MM-dd, impossible dates rejected), else null. */
  static LocalDate parseDate(String v) {
    if (v == null) {
      return null;
    }
    String s = v.trim();
    try {
      if (s.length() == 8) {
        return LocalDate.parse(s, STRICT_BASIC);
      }
      if (s.length() == 10) {
        return LocalDate.parse(s, STRICT_ISO);
      }
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
    return null;
  }

  private void emitServices(Person p) throws IOException {
    SplittableRandom d = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, 4));
    SplittableRandom r = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, 5));
    for (Ehr e : p.ehrs) {
      emitEhr(p, e, d, r);
    }
    for (Visit v : p.visits) {
      emitVisit(p, v, d, r);
    }
    // K4: a visit without its own link is tied through the health card another linked visit carries.
    if (p.healthCard != null) {
      boolean anchored = false;
      for (Visit v : p.visits) {
        anchored |= v.rec && cardOnVisit.getOrDefault(v, false);
      }
      if (anchored) {
        for (Visit v : p.visits) {
          if (!v.rec && v.accepted && cardOnVisit.getOrDefault(v, false) && !p.registryLost) {
            v.rec = true;
            recoveredByCard++;
          }
        }
      }
    }
    for (Visit v : p.visits) {
      Defect df = visitDefect.remove(v);
      if (df != null) {
        count(df, "emr_visit", v.rec);
      }
      cardOnVisit.remove(v);
    }
  }

  long recoveredByCard;
  private final Map<Visit, Boolean> cardOnVisit = new HashMap<>();
  private final Map<Visit, Defect> visitDefect = new HashMap<>();

  private void emitEhr(Person p, Ehr e, SplittableRandom d, SplittableRandom r) throws IOException {
    String src = "ehr";
    int buildNight = ctx.nightOf(e.build);
    String[] row = {e.ehrNo, "01", p.id18, p.name, String.valueOf(p.sex), Rows.date(src, p.birth),
        Rows.date(src, e.build), e.manageOrg, e.division12, p.residentType == 3 ? "2" : "1",
        e.electronic ? "1" : "0", e.basicComplete ? "1" : "0", "1", "", phone(p), "I",
        stamp(src, buildNight, e.build, r)};
    Defect defect = null;
    if (d.nextDouble() < ctx.dirtyRate) {
      Defect[] classes = {Defect.ID_WHITESPACE, Defect.ID_FULLWIDTH, Defect.ID_LOWER_X, Defect.ID_15_DIGIT,
          Defect.ID_15_DIGIT, Defect.ID_EXCEL_QUOTE, Defect.ID_CHECKSUM, Defect.ID_EXCEL_DAMAGED,
          Defect.ID_FAKE, Defect.ID_MISSING, Defect.ID_MISSING, Defect.BAD_BIRTH_DATE,
          Defect.NULL_PLACEHOLDER, Defect.LOCAL_CODE, Defect.DUPLICATE_ROW, Defect.UNKNOWN_CODE_WARN};
      Defect chosen = classes[d.nextInt(classes.length)];
      if (chosen == Defect.UNKNOWN_CODE_WARN) {
        row[7] = e.manageOrg + "X";
        defect = chosen;
      } else {
        defect = applyIdentityDefect(chosen, row, Tables.EHR_PERSON, p, d);
      }
    }
    e.accepted = defect != Defect.BAD_BIRTH_DATE;
    e.rec = e.accepted && linkable(p, row, Tables.EHR_PERSON);
    if (defect != null) {
      count(defect, "ehr_person", e.rec);
    }
    int finalNight = buildNight;
    if (e.status != 1) {
      int sn = ctx.nightOf(e.statusDate);
      String[] fin = row.clone();
      fin[12] = String.valueOf(e.status);
      fin[13] = Rows.date(src, e.statusDate);
      if (sn > buildNight) {
        String[] first = cleanIdentity(row, p);
        if (defect == Defect.BAD_BIRTH_DATE) {
          // The source's error is in both versions: neither can be ingested, so the record is lost. (A clean
          // earlier version would be kept by ingest, and the record would stay as it was.)
          first[5] = row[5];
          count(defect, "ehr_person", false);
        }
        out.add(Tables.EHR_PERSON, buildNight, first);
        fin[15] = "U";
        fin[16] = stamp(src, sn, e.statusDate, r);
        finalNight = sn;
      }
      row = fin;
    }
    writeFinal(Tables.EHR_PERSON, finalNight, row, defect);
    for (Exam x : e.exams) {
      emitExam(e, x, d, r);
    }
    for (Tcm t : e.tcms) {
      emitTcm(e, t, d, r);
    }
    for (Enrollment en : e.enrollments) {
      emitEnrollment(e, en, d, r);
    }
    for (Contract c : e.contracts) {
      emitContract(e, c, d, r);
    }
  }

  /** A superseded version carries the clean identity: only the final version of a row is made dirty. */
  private String[] cleanIdentity(String[] row, Person p) {
    String[] first = row.clone();
    first[2] = p.id18;
    first[3] = p.name;
    first[4] = String.valueOf(p.sex);
    first[5] = Rows.date("ehr", p.birth);
    return first;
  }

  private static String phone(Person p) {
    return String.format("1%d%09d", 3 + (int) (p.idx % 7), p.idx % 1_000_000_000L);
  }

  private static String f(Double v) {
    return v == null ? "" : String.format("%.1f", v);
  }

  private void emitExam(Ehr e, Exam x, SplittableRandom d, SplittableRandom r) throws IOException {
    String src = "ehr";
    int night = ctx.nightOf(x.date);
    int sbp = 118 + r.nextInt(45);
    int dbp = 68 + r.nextInt(25);
    String[] row = {x.id, e.ehrNo, Rows.date(src, x.date), e.manageOrg, String.valueOf(x.type),
        String.valueOf(sbp), String.valueOf(dbp), String.valueOf(148 + r.nextInt(30)),
        String.format("%.1f", 45 + r.nextInt(400) / 10.0), String.valueOf(70 + r.nextInt(30)),
        String.format("%.1f", 4.5 + r.nextInt(40) / 10.0), x.type == 2 ? String.valueOf(r.nextInt(12)) : "",
        r.nextDouble() < 0.8 ? (r.nextDouble() < 0.8 ? "1" : "2") : "", r.nextDouble() < 0.6 ? "2" : "1",
        r.nextDouble() < 0.5 ? "4" : "1;4", "I", stamp(src, night, x.date, r)};
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
      row[16] = stamp(src, later, ctx.nightDate(later), r);
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
      del[16] = stamp(src, later, ctx.nightDate(later), r);
      out.add(Tables.EHR_EXAM, later, del);
    }
    Defect defect = null;
    if (d.nextDouble() < ctx.dirtyRate) {
      Defect[] classes = {Defect.FUTURE_DATE, Defect.BAD_DATE, Defect.NULL_PLACEHOLDER,
          Defect.UNKNOWN_CODE_WARN, Defect.DUPLICATE_ROW, Defect.ORPHAN_LINK};
      defect = classes[d.nextInt(classes.length)];
      switch (defect) {
        case FUTURE_DATE -> row[2] = Rows.date(src, ctx.nightDate(night).plusDays(30 + d.nextInt(400)));
        case BAD_DATE -> row[2] = x.date.getYear() + "-02-30";
        case NULL_PLACEHOLDER -> row[12] = "不详";
        case UNKNOWN_CODE_WARN -> row[3] = "9999999999";
        case ORPHAN_LINK -> row[1] = e.ehrNo.substring(0, 16);
        default -> { }
      }
    }
    if (first != null) {
      if (defect != null && !defect.recoverable) {
        // The error is in both versions the source delivers: neither can be ingested, so the exam is lost.
        // (A clean earlier version would be kept by ingest, and the exam would count as it was.)
        first[1] = row[1];
        first[2] = row[2];
        count(defect, "ehr_physical_exam", false);
      }
      out.add(Tables.EHR_EXAM, firstNight, first);
    }
    x.rec = emitService(Tables.EHR_EXAM, night, row, defect, e.rec);
  }

  /** Writes the final version of a row, twice when its defect is a duplicate row. */
  private void writeFinal(Tables t, int night, String[] row, Defect defect) throws IOException {
    out.add(t, night, row);
    if (defect == Defect.DUPLICATE_ROW) {
      out.add(t, night, row);
    }
  }

  /** Writes a service row (twice for a duplicate), tallies its defect, and says whether it stays countable. */
  private boolean emitService(Tables t, int night, String[] row, Defect defect, boolean parentRec)
      throws IOException {
    boolean rec = parentRec && (defect == null || defect.recoverable);
    if (defect != null) {
      count(defect, t.table, rec);
    }
    writeFinal(t, night, row, defect);
    return rec;
  }

  private void emitTcm(Ehr e, Tcm t, SplittableRandom d, SplittableRandom r) throws IOException {
    String src = "ehr";
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
    String[] row = {t.id, e.ehrNo, String.valueOf(t.kind), Rows.date(src, t.date), e.manageOrg, items,
        constitution, guidance, months, "I", stamp(src, night, t.date, r)};
    Defect defect = null;
    if (d.nextDouble() < ctx.dirtyRate) {
      Defect[] classes = {Defect.FUTURE_DATE, Defect.DUPLICATE_ROW, Defect.ORPHAN_LINK};
      defect = classes[d.nextInt(classes.length)];
      switch (defect) {
        case FUTURE_DATE -> row[3] = Rows.date(src, ctx.nightDate(night).plusDays(30 + d.nextInt(400)));
        case ORPHAN_LINK -> row[1] = e.ehrNo + "0";
        default -> { }
      }
    }
    t.rec = emitService(Tables.EHR_TCM, night, row, defect, e.rec);
  }

  private void emitEnrollment(Ehr e, Enrollment en, SplittableRandom d, SplittableRandom r)
      throws IOException {
    String src = "ehr";
    int night = ctx.nightOf(en.enrollDate);
    boolean htn = en.program.equals("HTN");
    String[] row = {en.id, e.ehrNo, en.program, htn ? "I10.x00" : "E11.900", Rows.date(src, en.enrollDate),
        "1", "", "", "I", stamp(src, night, en.enrollDate, r)};
    Defect defect = null;
    if (d.nextDouble() < ctx.dirtyRate) {
      defect = d.nextBoolean() ? Defect.LOCAL_CODE : Defect.DUPLICATE_ROW;
      if (defect == Defect.LOCAL_CODE) {
        row[2] = htn ? "GXY" : "TNB";
      }
    }
    en.rec = e.rec;
    if (defect != null) {
      count(defect, "ehr_program_enrollment", en.rec);
    }
    int finalNight = night;
    if (en.status == 2) {
      String[] fin = row.clone();
      fin[5] = "2";
      fin[6] = Rows.date(src, en.closeDate);
      fin[7] = e.status == 2 || en.closeDate.equals(e.statusDate) ? "1" : String.valueOf(2 + r.nextInt(4));
      int cn = ctx.nightOf(en.closeDate);
      if (cn > night) {
        String[] first = row.clone();
        first[2] = en.program;
        out.add(Tables.EHR_ENROLLMENT, night, first);
        fin[8] = "U";
        fin[9] = stamp(src, cn, en.closeDate, r);
        finalNight = cn;
      }
      row = fin;
    }
    writeFinal(Tables.EHR_ENROLLMENT, finalNight, row, defect);
    for (Followup f : en.followups) {
      emitFollowup(e, en, f, d, r);
    }
  }

  private void emitFollowup(Ehr e, Enrollment en, Followup f, SplittableRandom d, SplittableRandom r)
      throws IOException {
    String src = "ehr";
    int night = ctx.nightOf(f.date);
    String org = f.mode == 2 ? GenContext.villageClinic(e.manageOrg.substring(0, 9)) : e.manageOrg;
    String[] row = {f.id, en.id, Rows.date(src, f.date), org, String.valueOf(f.mode), Rows.s(f.sbp),
        Rows.s(f.dbp), f(f.fbg), "I", stamp(src, night, f.date, r)};
    Defect defect = null;
    if (d.nextDouble() < ctx.dirtyRate) {
      Defect[] classes = {Defect.UNKNOWN_CODE_REJECT, Defect.LOCAL_CODE, Defect.DUPLICATE_ROW,
          Defect.ORPHAN_LINK};
      defect = classes[d.nextInt(classes.length)];
      switch (defect) {
        case UNKNOWN_CODE_REJECT -> row[4] = "7";
        case LOCAL_CODE -> row[4] = new String[] {"", "门诊", "家庭", "电话", "其他"}[f.mode];
        case ORPHAN_LINK -> row[1] = "ZA" + en.id.substring(4);
        default -> { }
      }
    }
    f.rec = emitService(Tables.EHR_FOLLOWUP, night, row, defect, en.rec);
  }

  private void emitContract(Ehr e, Contract c, SplittableRandom d, SplittableRandom r) throws IOException {
    String src = "ehr";
    int night = ctx.nightOf(c.sign.isAfter(ctx.asOf) ? ctx.asOf : c.sign);
    String[] row = {c.id, e.ehrNo, e.manageOrg, e.manageOrg + "-T" + (1 + r.nextInt(4)),
        Rows.date(src, c.sign), Rows.date(src, c.start), Rows.date(src, c.end), String.valueOf(c.status),
        "I", stamp(src, night, c.sign, r)};
    Defect defect = null;
    if (d.nextDouble() < ctx.dirtyRate) {
      defect = d.nextBoolean() ? Defect.BAD_DATE : Defect.DUPLICATE_ROW;
      if (defect == Defect.BAD_DATE) {
        row[6] = c.end.getYear() + "-13-01";
      }
    }
    c.rec = emitService(Tables.EHR_CONTRACT, night, row, defect, e.rec);
  }

  private void emitVisit(Person p, Visit v, SplittableRandom d, SplittableRandom r) throws IOException {
    String src = "emr";
    LocalDateTime admit = v.date.atTime(7, 30).plusMinutes(r.nextInt(12 * 60));
    LocalDateTime discharge = null;
    if (v.type == 3) {
      LocalDateTime dc = admit.plusDays(3 + r.nextInt(12)).withHour(9 + r.nextInt(6));
      if (!dc.toLocalDate().isAfter(ctx.asOf)) {
        discharge = dc;
      }
    }
    int night = ctx.nightOf(discharge != null ? discharge.toLocalDate() : v.date);
    String org = orgOfVisit.remove(v);
    boolean card = p.healthCard != null && r.nextDouble() < 0.6;
    boolean division = r.nextDouble() < 0.8;
    String[] row = {v.id, org, String.valueOf(v.type), Rows.dateTime(src, admit),
        Rows.dateTime(src, discharge), v.type == 3 ? "0301" : "03", "01", p.id18, p.name,
        String.valueOf(p.sex), Rows.date(src, p.birth), card ? p.healthCard : "",
        division ? p.residence12 : "", v.type == 3 && discharge != null ? "1" : "", "I",
        stamp(src, night, discharge != null ? discharge.toLocalDate() : v.date, r)};
    Defect defect = null;
    boolean baby = TruthRules.age(p.birth, v.date) < 1;
    if (baby && ctx.dirtyRate > 0 && p.motherId != null && d.nextDouble() < Math.min(1, 10 * ctx.dirtyRate)) {
      row[7] = p.motherId;
      row[8] = motherName(p) + (p.sex == 1 ? "之子" : "之女");
      defect = Defect.ID_BORROWED;
    } else if (d.nextDouble() < ctx.dirtyRate) {
      Defect[] classes = {Defect.ID_WHITESPACE, Defect.ID_FULLWIDTH, Defect.ID_LOWER_X,
          Defect.ID_15_DIGIT, Defect.ID_EXCEL_QUOTE, Defect.ID_CHECKSUM, Defect.ID_EXCEL_DAMAGED,
          Defect.ID_FAKE, Defect.ID_MISSING, Defect.ID_MISSING, Defect.BAD_BIRTH_DATE,
          Defect.LOCAL_CODE, Defect.DUPLICATE_ROW, Defect.SIX_DIGIT_DIVISION};
      defect = applyIdentityDefect(classes[d.nextInt(classes.length)], row, Tables.EMR_VISIT, p, d);
    }
    v.accepted = defect != Defect.BAD_BIRTH_DATE;
    v.rec = v.accepted && linkable(p, row, Tables.EMR_VISIT);
    cardOnVisit.put(v, card && defect != Defect.ID_BORROWED);
    if (defect != null) {
      visitDefect.put(v, defect);
    }
    writeFinal(Tables.EMR_VISIT, night, row, defect);
    for (int i = 0; i < v.diagnoses.size(); i++) {
      Diagnosis dg = v.diagnoses.get(i);
      String[] dr = {v.id, String.valueOf(i + 1), dg.code, dg.name, "I", row[15]};
      out.add(Tables.EMR_DIAGNOSIS, night, dr);
    }
    visitCount++;
  }

  private String motherName(Person p) {
    Person m = motherCache.get(p.motherIdx);
    return m != null ? m.name : p.name.substring(0, 1) + "某";
  }

  private Map<Long, Person> motherCache = Map.of();

  /** Visits of persons from outside the region: real patients, never linkable to a registry resident. */
  private void visitors() throws IOException {
    double share = ctx.spec.calibration.outOfRegionVisitShare();
    long n = Math.round(visitCount * share / (1 - share));
    SplittableRandom r = new SplittableRandom(GenContext.mix(ctx.seed, chunk, 0xF00D));
    for (long i = 0; i < n; i++) {
      Person v = newPerson(ctx.persons + chunk * 1_000_000L + i, 20 + r.nextInt(65), r.nextBoolean() ? 1 : 2,
          r.nextInt(ctx.spec.counties.size()), "", 3, r, seqUse);
      v.residence12 = OTHER_AREAS[r.nextInt(OTHER_AREAS.length)] + "100201";
      v.registryLost = true;
      County c = ctx.spec.counties.get(v.county);
      Visit visit = newVisit(v, r, TruthRules.age(v.birth, ctx.asOf),
          between(r, ctx.windowStart, ctx.asOf), c, c.townships().get(0).code9(), 0);
      visit.id = String.format("MZW%02d%09d", chunk, i);
      emitVisit(v, visit, new SplittableRandom(GenContext.mix(ctx.seed, v.idx, 4)), r);
      // Out-of-region visits get defects like any other row; they are never countable for a resident.
      Defect df = visitDefect.remove(visit);
      if (df != null) {
        count(df, "emr_visit", false);
      }
      cardOnVisit.remove(visit);
      out.clean("visit", new String[] {visit.id, "", String.valueOf(visit.type), Rows.ISO.format(visit.date),
          ctx.spec.counties.get(visit.orgCounty).code6(), visit.accepted ? "1" : "0", "0"});
      if (!visit.date.isBefore(ctx.rules.start)) {
        linkEmr[visit.orgCounty][0][0]++;
        if (visit.accepted) {
          linkEmr[visit.orgCounty][1][0]++;
        }
      }
    }
  }

  private void tallyLinks(Person p) {
    boolean resident = ctx.rules.residentOn(p, ctx.asOf);
    for (Ehr e : p.ehrs) {
      linkEhr[e.orgCounty][0][0]++;
      if (resident) {
        linkEhr[e.orgCounty][0][1]++;
      }
      if (e.accepted) {
        linkEhr[e.orgCounty][1][0]++;
        if (resident && e.rec) {
          linkEhr[e.orgCounty][1][1]++;
        }
      }
    }
    for (Visit v : p.visits) {
      if (v.date.isBefore(ctx.rules.start)) {
        continue;
      }
      linkEmr[v.orgCounty][0][0]++;
      if (resident) {
        linkEmr[v.orgCounty][0][1]++;
      }
      if (v.accepted) {
        linkEmr[v.orgCounty][1][0]++;
        if (resident && v.rec) {
          linkEmr[v.orgCounty][1][1]++;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Clean facts for the truth folder.

  private void writeClean(Person p) throws IOException {
    String pk = String.valueOf(p.idx);
    String[] pop = {pk, p.id18, p.name, String.valueOf(p.sex), Rows.ISO.format(p.birth),
        ctx.spec.counties.get(p.county).code6(), p.residence12, String.valueOf(p.residentType),
        String.valueOf(p.status), p.deathDate == null ? "" : Rows.ISO.format(p.deathDate),
        p.moveOutDate == null ? "" : Rows.ISO.format(p.moveOutDate), p.motherIdx < 0 ? "" : String.valueOf(p.motherIdx),
        p.htn ? "1" : "0", p.t2dm ? "1" : "0", p.registryLost ? "0" : "1"};
    out.clean("person", pop);
    for (Ehr e : p.ehrs) {
      out.clean("ehr_person", new String[] {e.ehrNo, pk, Rows.ISO.format(e.build), e.manageOrg,
          e.division12, e.electronic ? "1" : "0", e.basicComplete ? "1" : "0", String.valueOf(e.status),
          e.statusDate == null ? "" : Rows.ISO.format(e.statusDate), e.accepted ? "1" : "0",
          e.rec ? "1" : "0"});
      for (Exam x : e.exams) {
        out.clean("exam", new String[] {x.id, e.ehrNo, Rows.ISO.format(x.date), String.valueOf(x.type),
            x.complete ? "1" : "0", x.rec ? "1" : "0"});
      }
      for (Tcm t : e.tcms) {
        out.clean("tcm", new String[] {t.id, e.ehrNo, Rows.ISO.format(t.date), String.valueOf(t.kind),
            t.complete ? "1" : "0", t.rec ? "1" : "0"});
      }
      for (Enrollment en : e.enrollments) {
        out.clean("enrollment", new String[] {en.id, e.ehrNo, en.program, Rows.ISO.format(en.enrollDate),
            String.valueOf(en.status), en.closeDate == null ? "" : Rows.ISO.format(en.closeDate),
            en.rec ? "1" : "0"});
        for (Followup f : en.followups) {
          out.clean("followup", new String[] {f.id, en.id, Rows.ISO.format(f.date), String.valueOf(f.mode),
              Rows.s(f.sbp), Rows.s(f.dbp), f(f.fbg), f.rec ? "1" : "0"});
        }
      }
      for (Contract c : e.contracts) {
        out.clean("contract", new String[] {c.id, e.ehrNo, Rows.ISO.format(c.sign), Rows.ISO.format(c.start),
            Rows.ISO.format(c.end), String.valueOf(c.status), c.rec ? "1" : "0"});
      }
    }
    for (Visit v : p.visits) {
      out.clean("visit", new String[] {v.id, pk, String.valueOf(v.type), Rows.ISO.format(v.date),
          String.valueOf(ctx.spec.counties.get(v.orgCounty).code6()), v.accepted ? "1" : "0",
          v.rec ? "1" : "0"});
      for (Diagnosis dg : v.diagnoses) {
        out.clean("diagnosis", new String[] {v.id, dg.code, dg.name, dg.icd3, dg.uncertain ? "1" : "0"});
      }
    }
  }

  /** Clean-fact tables of the truth folder and their columns. */
  static final Map<String, String[]> CLEAN = new java.util.LinkedHashMap<>();

  static {
    CLEAN.put("person", new String[] {"person_idx", "id_no", "name", "sex_code", "birth_date", "county_code",
        "residence_division_code", "resident_type_code", "person_status_code", "death_date", "move_out_date",
        "mother_idx", "has_htn", "has_t2dm", "recoverable"});
    CLEAN.put("ehr_person", new String[] {"ehr_no", "person_idx", "build_date", "manage_org_code",
        "current_division_code", "is_electronic", "basic_form_complete", "record_status_code",
        "record_status_date", "accepted", "recoverable"});
    CLEAN.put("exam", new String[] {"exam_id", "ehr_no", "exam_date", "exam_type", "complete", "recoverable"});
    CLEAN.put("tcm", new String[] {"service_id", "ehr_no", "service_date", "service_kind", "complete",
        "recoverable"});
    CLEAN.put("enrollment", new String[] {"enrollment_id", "ehr_no", "program_code", "enroll_date",
        "manage_status_code", "close_date", "recoverable"});
    CLEAN.put("followup", new String[] {"followup_id", "enrollment_id", "followup_date", "followup_mode_code",
        "sbp", "dbp", "fbg_mmol_l", "recoverable"});
    CLEAN.put("contract", new String[] {"contract_id", "ehr_no", "sign_date", "start_date", "end_date",
        "status_code", "recoverable"});
    CLEAN.put("visit", new String[] {"visit_id", "person_idx", "visit_type_code", "visit_date",
        "org_county_code", "accepted", "recoverable"});
    CLEAN.put("diagnosis", new String[] {"visit_id", "diag_code", "diag_name", "icd3", "uncertain"});
  }
}
