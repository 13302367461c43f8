package org.sanku.generate;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.RegionSpec.County;
import org.sanku.generate.RegionSpec.Township;
import org.sanku.ids.IdNumbers;

/**
 * The population registry of one chunk: who lives where, born when, dies or leaves when, and the registry rows
 * each person is delivered as. One instance serves one chunk in one pass, because the sequence codes it hands
 * out must stay unique among all the persons it makes, out-of-region visitors included.
 */
final class RegistrySimulator {

  /** Areas outside the region: the ID and household registration of incomers and visitors. */
  static final String[] OTHER_AREAS = {"511602", "511702", "500101", "510802", "500112", "511621"};

  private final GenContext ctx;
  private final DefectInjector defects;
  private final int chunk;
  private final long from;
  private final long to;
  /** Sequence codes used per (area, birth date, sex) in this chunk, residents and visitors alike. */
  private final Map<String, Integer> seqUse = new HashMap<>();
  private final Map<Long, RegistryDelivery> deliveries = new HashMap<>();

  RegistrySimulator(GenContext ctx, DefectInjector defects, int chunk, long from, long to) {
    this.ctx = ctx;
    this.defects = defects;
    this.chunk = chunk;
    this.from = from;
    this.to = to;
  }

  /** Builds the chunk's persons with their registry facts and the registry rows they are delivered as. */
  List<Person> persons() {
    SplittableRandom r = new SplittableRandom(GenContext.mix(ctx.seed, chunk, 0x5EED));
    List<Person> persons = new ArrayList<>((int) (to - from));
    long idx = from;
    while (idx < to) {
      int age = Demography.sampleAge(r);
      int sex = r.nextBoolean() ? 1 : 2;
      int county = pickCounty(r.nextDouble());
      County c = ctx.spec.counties.get(county);
      Township town = c.townships().get(r.nextInt(c.townships().size()));
      String village = town.code9() + village3(r, town);
      int rt = residentType(r.nextDouble());
      Person child = newPerson(idx++, age, sex, county, village, rt, r);
      persons.add(child);
      if (age < 7 && idx < to && r.nextDouble() < 0.9) {
        Person mother = newPerson(idx++, age + 22 + r.nextInt(17), 2, county, village, rt == 2 ? 1 : rt, r);
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

  /** The registry rows of a person of this chunk. */
  RegistryDelivery delivery(long personIdx) {
    return deliveries.get(personIdx);
  }

  /** A person with an ID, a birth date and a name; the ID's sequence code is unique in the region. */
  Person newPerson(long idx, int age, int sex, int county, String village, int rt, SplittableRandom r) {
    Person p = new Person();
    p.idx = idx;
    p.sex = sex;
    p.county = county;
    p.residence12 = village;
    p.residentType = rt;
    LocalDate birth = leapDayBirth(idx, ctx.asOf.minusYears(age).minusDays(r.nextInt(365)));
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

  /**
   * Two persons in a thousand are born on 29 February, the edge case of "completed years on R" (reached on 1 March
   * in a common year): person 229 of each thousand on the 29 February at or before the drawn birth date, person 729
   * of each thousand on the last 29 February at least 65 years before the as-of year (1960-02-29 for 2025: 64 on
   * 2025-02-28, 65 on 2025-03-01, so elderly in the first quarter but not in February). Visitors are left alone.
   */
  private LocalDate leapDayBirth(long idx, LocalDate drawn) {
    if (idx >= ctx.persons || (idx % 1000 != 229 && idx % 1000 != 729)) {
      return drawn;
    }
    int y = idx % 1000 == 229 ? drawn.getYear() : ctx.asOf.getYear() - 65;
    while (!java.time.Year.isLeap(y) || LocalDate.of(y, 2, 29).isAfter(ctx.asOf)) {
      y--;
    }
    return LocalDate.of(y, 2, 29);
  }

  /** Persons born before their county's code changed carry the retired code in their ID, as real IDs do. */
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

  /** A village (201–218) of a township, or a community (001–012) of a street. */
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
    RegistryDelivery delivery = delivery(p, r);
    // A registry row with an impossible birth date is rejected; the person is lost unless an earlier, clean version
    // of the row was accepted (then the pipeline keeps that one).
    p.registryLost = delivery.defect == Defect.BAD_BIRTH_DATE && !p.keptEarlier;
    String delivered = delivery.finalRow[Tables.POP_PERSON.col("id_no")];
    IdNumbers.Result id = IdNumbers.normalise(delivered, ctx.asOf);
    p.registryNormId = id.usable() ? id.normalised() : null;
    deliveries.put(p.idx, delivery);
  }

  private RegistryDelivery delivery(Person p, SplittableRandom r) {
    RegistryDelivery plan = new RegistryDelivery();
    int birthNight = ctx.nightOf(p.birth);
    plan.firstNight = birthNight;
    int eventNight = 0;
    if (p.deathDate != null) {
      eventNight = ctx.nightOf(p.deathDate);
    } else if (p.moveOutDate != null) {
      eventNight = ctx.nightOf(p.moveOutDate);
    }
    // Moves inside the region show up in delta drops as an update of the residence.
    // A death or a move out in P is often registered late: the person is delivered alive in the full drop and
    // the registration arrives as an update on a later night.
    LocalDate gone = p.deathDate != null ? p.deathDate : p.moveOutDate;
    if (ctx.nights > 1 && gone != null && !gone.isBefore(ctx.rules.start) && eventNight <= birthNight
        && birthNight == 0 && r.nextDouble() < 0.6) {
      eventNight = 1 + r.nextInt(ctx.nights - 1);
    }
    if (ctx.nights > 1 && p.status == 1 && birthNight == 0 && r.nextDouble() < 0.004) {
      int n = 1 + r.nextInt(ctx.nights - 1);
      int other = (p.county + 1 + r.nextInt(ctx.spec.counties.size() - 1 > 0
          ? ctx.spec.counties.size() - 1 : 1)) % ctx.spec.counties.size();
      County oc = ctx.spec.counties.get(other);
      Township t = oc.townships().get(r.nextInt(oc.townships().size()));
      plan.movedFrom12 = t.code9() + village3(r, t);
      eventNight = n;
    }
    String[] fin = popRow(p, p.residence12);
    if (eventNight > birthNight) {
      String[] first = popRow(p, plan.movedFrom12 != null ? plan.movedFrom12 : p.residence12);
      int st = Tables.POP_PERSON.col("person_status_code");
      first[st] = "1";
      first[Tables.POP_PERSON.col("death_date")] = "";
      first[Tables.POP_PERSON.col("move_out_date")] = "";
      first[Tables.POP_PERSON.col("op_type")] = "I";
      first[Tables.POP_PERSON.col("src_updated_at")] = ctx.stamp("population", birthNight,
          p.birth.isAfter(ctx.nightDate(0)) ? p.birth : ctx.nightDate(0).minusDays(1 + r.nextInt(300)), r);
      plan.firstRow = first;
      fin[Tables.POP_PERSON.col("op_type")] = "U";
      if (plan.movedFrom12 != null) {
        fin[Tables.POP_PERSON.col("residence_since")] = Rows.date("population", ctx.nightDate(eventNight));
      }
      fin[Tables.POP_PERSON.col("src_updated_at")] = ctx.stamp("population", eventNight,
          ctx.nightDate(eventNight), r);
      plan.finalNight = eventNight;
    } else {
      fin[Tables.POP_PERSON.col("src_updated_at")] = ctx.stamp("population", birthNight,
          birthNight > 0 ? p.birth : ctx.nightDate(0).minusDays(r.nextInt(400)), r);
      plan.finalNight = birthNight;
    }
    plan.finalRow = fin;
    defects.registry(p, plan);
    return plan;
  }

  private String[] popRow(Person p, String residence) {
    String hukou = p.residentType == 3
        ? OTHER_AREAS[(int) (p.idx % OTHER_AREAS.length)] + "100201" : p.residence12;
    String status = String.valueOf(p.status);
    return new String[] {
        String.format("RK%s%09d", ctx.spec.city.code().substring(0, 4), p.idx), "01", p.id18, p.name,
        String.valueOf(p.sex), Rows.date("population", p.birth), p.idx % 23 == 0 ? "03" : "01", hukou,
        residence, "", String.valueOf(p.residentType), status, Rows.date("population", p.deathDate),
        Rows.date("population", p.moveOutDate), p.motherId == null ? "" : p.motherId, Rows.phone(p.idx), "I", ""};
  }
}
