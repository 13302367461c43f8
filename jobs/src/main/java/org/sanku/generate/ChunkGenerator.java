package org.sanku.generate;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Visit;
import org.sanku.generate.RegionSpec.County;

/**
 * Generates one chunk of the region, a fixed range of person indexes. Registry facts come first for the whole
 * chunk (mothers are needed by their babies' records, and every registry ID by the linkage rules); then each
 * person's services are generated, delivered as rows, counted for the truth and dropped before the next person,
 * so a chunk holds one person's records at a time (two persons' when they share a health card number).
 */
final class ChunkGenerator {

  private final GenContext ctx;
  private final int chunk;
  private final ChunkOutput out;
  private final DefectInjector defects;
  private final RegistrySimulator registry;
  private final HospitalVisits hospital;
  private final HealthServices services;
  final ChunkCounts counts;
  /** Rows per part file, filled in when the chunk's output is closed. */
  Map<String, Long> partRows = Map.of();

  ChunkGenerator(GenContext ctx, int chunk, long from, long to, ChunkOutput out) {
    this.ctx = ctx;
    this.chunk = chunk;
    this.out = out;
    this.defects = new DefectInjector(ctx);
    this.registry = new RegistrySimulator(ctx, defects, chunk, from, to);
    this.hospital = new HospitalVisits(ctx);
    this.services = new HealthServices(ctx, registry, hospital);
    this.counts = new ChunkCounts(ctx);
  }

  /** Writes the chunk's rows and clean facts to its output, and counts its truth. */
  void generate() throws IOException {
    List<Person> persons = registry.persons();
    Map<Long, Person> byIdx = new HashMap<>();
    for (Person p : persons) {
      byIdx.put(p.idx, p);
    }
    LinkageRules linkage = new LinkageRules(ctx, persons);
    HealthRecordRows recordRows = new HealthRecordRows(ctx, out, defects, linkage, counts);
    VisitRows visitRows = new VisitRows(ctx, out, defects, linkage, counts);
    CleanFacts clean = new CleanFacts(ctx, out);
    shareHealthCards(persons);
    for (Person p : persons) {
      services.generate(p);
      registryRows(p);
      SplittableRandom d = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, 4));
      SplittableRandom r = new SplittableRandom(GenContext.mix(ctx.seed, p.idx, 5));
      for (Ehr e : p.ehrs) {
        recordRows.emit(p, e, d, r);
      }
      Person mother = byIdx.get(p.motherIdx);
      for (Visit v : p.visits) {
        visitRows.emit(p, mother, v, d, r);
      }
      Person partner = p.cardSharedWith;
      if (partner == null) {
        LinkageRules.linkThroughHealthCard(p, visitRows::carriesCard);
        finish(p, visitRows, clean);
      } else if (partner.idx > p.idx) {
        // The card's links depend on both persons' visits: the first of the two waits for the second.
        continue;
      } else {
        LinkageRules.linkThroughSharedCard(partner, p, visitRows::carriesCard);
        finish(partner, visitRows, clean);
        finish(p, visitRows, clean);
      }
    }
    visitors(visitRows, clean);
  }

  /** Counts a person whose visits' links are final, writes their clean facts and drops their records. */
  private void finish(Person p, VisitRows visitRows, CleanFacts clean) throws IOException {
    for (Visit v : p.visits) {
      visitRows.settle(v, p.cardSharedWith != null);
    }
    counts.person(p);
    clean.person(p);
    p.ehrs.clear();
    p.visits.clear();
  }

  /**
   * Health card numbers on two persons (a relative's card handed over at the hospital, a number issued twice): in
   * a dirty region, at the dirty rate, a card holder's visits carry the card number of the chunk's previous holder
   * not yet paired, when the two differ in birth date and name (so no record of one can pass for the other's).
   * Drawn from a stream of its own, after every registry fact of the chunk is made.
   */
  private void shareHealthCards(List<Person> persons) {
    if (ctx.dirtyRate <= 0) {
      return;
    }
    SplittableRandom s = new SplittableRandom(GenContext.mix(ctx.seed, chunk, 0xCA4D));
    Person previous = null;
    for (Person p : persons) {
      if (p.healthCard == null) {
        continue;
      }
      if (previous != null && s.nextDouble() < ctx.dirtyRate && !previous.birth.equals(p.birth)
          && !LinkageRules.normName(previous.name).equals(LinkageRules.normName(p.name))) {
        p.healthCard = previous.healthCard;
        p.cardSharedWith = previous;
        previous.cardSharedWith = p;
        previous = null;
      } else {
        previous = p;
      }
    }
  }

  private void registryRows(Person p) throws IOException {
    RegistryDelivery delivery = registry.delivery(p.idx);
    if (delivery.firstRow != null) {
      out.add(Tables.POP_PERSON, delivery.firstNight, delivery.firstRow);
    }
    if (delivery.defect != Defect.BAD_BIRTH_DATE && defects.nameWhitespace(delivery.finalRow, Tables.POP_PERSON)) {
      counts.defect(Defect.NAME_WHITESPACE, "pop_person", !p.registryLost);
    }
    out.addFinal(Tables.POP_PERSON, delivery.finalNight, delivery.finalRow, delivery.defect);
    if (delivery.defect != null) {
      // A death or move out without its date is not countable as it happened (the person is resident on no day).
      counts.defect(delivery.defect, "pop_person", !p.registryLost && !p.departureUndated);
    }
    if (delivery.firstDefective) {
      counts.defect(delivery.defect, "pop_person", false);
    }
  }

  /** Visits of persons from outside the region: real patients, never linkable to a registry resident. */
  private void visitors(VisitRows visitRows, CleanFacts clean) throws IOException {
    double share = ctx.spec.calibration.outOfRegionVisitShare();
    long n = Math.round(visitRows.emitted * share / (1 - share));
    SplittableRandom r = new SplittableRandom(GenContext.mix(ctx.seed, chunk, 0xF00D));
    for (long i = 0; i < n; i++) {
      Person v = registry.newPerson(ctx.persons + chunk * 1_000_000L + i, 20 + r.nextInt(65),
          r.nextBoolean() ? 1 : 2, r.nextInt(ctx.spec.counties.size()), "", 3, r);
      v.residence12 = RegistrySimulator.OTHER_AREAS[r.nextInt(RegistrySimulator.OTHER_AREAS.length)] + "100201";
      v.registryLost = true;
      County c = ctx.spec.counties.get(v.county);
      Visit visit = hospital.newVisit(v, r, TruthRules.age(v.birth, ctx.asOf),
          GenContext.between(r, ctx.windowStart, ctx.asOf), c, c.townships().get(0).code9(), 0);
      visit.id = String.format("MZW%02d%09d", chunk, i);
      visitRows.emit(v, null, visit, new SplittableRandom(GenContext.mix(ctx.seed, v.idx, 4)), r);
      // Out-of-region visits get defects like any other row; they are never countable for a resident.
      visitRows.settleVisitor(visit);
      clean.visitorVisit(visit);
      counts.visitorVisit(visit);
    }
  }
}
