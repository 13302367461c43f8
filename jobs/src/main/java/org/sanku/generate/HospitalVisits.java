package org.sanku.generate;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.sanku.generate.Facts.Diagnosis;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Visit;
import org.sanku.generate.RegionSpec.County;

/**
 * Hospital visits (outpatient, emergency, inpatient) with their ICD-10 diagnoses, in the spellings hospitals
 * really use for hypertension and type 2 diabetes, uncertain ones among them.
 */
final class HospitalVisits {

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

  HospitalVisits(GenContext ctx) {
    this.ctx = ctx;
  }

  /** A resident's visits while active in the region, at a rate by age and chronic disease. */
  void visits(Person p, SplittableRandom r, int age, LocalDate activeStart, LocalDate activeEnd, County county,
      String town9) {
    int n = visitCount(p, r, age, activeStart, activeEnd);
    Visit sameDaySource = null;
    for (int i = 0; i < n; i++) {
      Visit v = newVisit(p, r, age, GenContext.between(r, activeStart, activeEnd), county, town9, i);
      p.visits.add(v);
      if (v.type == 1 && sameDaySource == null && hasCondition(v, "I1")) {
        sameDaySource = v;
      }
    }
    // A same-day second outpatient visit for hypertension: two visits, but one day for the 漏管 rule.
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

  /** How many visits a person makes from {@code from} to {@code to}, at a rate by age and chronic disease. */
  int visitCount(Person p, SplittableRandom r, int age, LocalDate from, LocalDate to) {
    RegionSpec.Calibration k = ctx.spec.calibration;
    double base = age < 5 ? 2.4 : age < 35 ? 0.8 : age < 65 ? 1.3 : 2.4;
    double lambda = base * k.emrVisitsPerYear() / 2.2 + (p.htn ? 1.4 : 0) + (p.t2dm ? 1.4 : 0);
    lambda *= (ChronoUnit.DAYS.between(from, to) + 1) / 365.0;
    if (p.residentType == 2) {
      lambda *= 0.25; // registered here but living away: rarely treated at home
    }
    return poisson(r, lambda);
  }

  private static boolean hasCondition(Visit v, String prefix) {
    for (Diagnosis d : v.diagnoses) {
      if (d.icd3 != null && d.icd3.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** One visit on a given date, at a hospital of the county, the township's centre or the city hospital. */
  Visit newVisit(Person p, SplittableRandom r, int age, LocalDate date, County county, String town9, int i) {
    Visit v = new Visit();
    v.id = String.format("MZ%011d%03d", p.idx, i);
    v.date = date;
    double u = r.nextDouble();
    v.type = u < (age >= 65 ? 0.14 : 0.06) ? 3 : u < (age >= 65 ? 0.19 : 0.11) ? 2 : 1;
    double o = r.nextDouble();
    v.org = o < 0.55 ? GenContext.countyHospital(county) : o < 0.65 ? GenContext.tcmHospital(county)
        : o < 0.9 ? GenContext.centre(town9) : ctx.cityHospital();
    if (ctx.laterReferenceNight() > 0 && r.nextDouble() < 0.02) {
      // A private clinic that closed during the nights: the later full ref_org no longer holds it, so the visit's
      // organisation has no county at the end (counted in no county, reported as unassigned).
      v.org = GenContext.privateClinic(county);
    }
    v.orgCounty = ctx.orgCounty.get(v.org);
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

  /** A diagnosis with the clean facts the truth counts by: its ICD-10 category and whether it is uncertain. */
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

  /** A Poisson draw by Knuth's multiplication method (the rates here are small). */
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
}
