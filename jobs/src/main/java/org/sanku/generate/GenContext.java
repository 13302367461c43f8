package org.sanku.generate;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sanku.generate.RegionSpec.County;
import org.sanku.generate.RegionSpec.Division;

/** Everything a chunk needs that is shared and read-only: the region, the options and derived dates. */
final class GenContext {
  final RegionSpec spec;
  final long persons;
  final long seed;
  final LocalDate asOf;
  final int nights;
  final double dirtyRate;
  final Path partsDir;
  final LocalDate firstNight;    // extract date of the full drop
  final LocalDate windowStart;   // first day of the 365 days ending the as-of date
  /**
   * First day of the services generated: the 365 days before {@link #windowStart} are served too, so that the
   * previous year is a closed period with its own services and a quarter's 365-day window reaches into it.
   */
  final LocalDate servicesStart;
  /** The periods the truth is written for (see {@link TruthRules#periods}); the first is the year to date. */
  final List<TruthRules> periods;
  final TruthRules rules;
  final double[] countyCumWeight;
  /** For counties with a retired predecessor: the retired code and the last day it was valid. */
  final Map<Integer, String[]> predecessor = new HashMap<>();
  final List<String> orgRows = new ArrayList<>();
  /** Private clinics in the first reference drop only (closed before the later full one): no county at the end. */
  final List<String> closedOrgRows = new ArrayList<>();
  final Map<String, Integer> orgCounty = new HashMap<>();
  /** Sorted 64-bit hashes of the name+sex+birth+county keys shared by two or more registry persons. */
  long[] ambiguousK1 = new long[0];
  /** Encoding of each source's files. */
  Map<String, java.nio.charset.Charset> charsets = Map.of();
  /** The official population figures the reference source delivers (none unless asked for), set once generated. */
  OfficialPopulation officialPopulation;

  boolean unicode(String source) {
    java.nio.charset.Charset cs = charsets.get(source);
    return cs == null || cs.name().startsWith("UTF") || cs.name().equals("GB18030");
  }

  GenContext(RegionSpec spec, long persons, long seed, LocalDate asOf, int nights, double dirtyRate,
      Path partsDir) {
    this.spec = spec;
    this.persons = persons;
    this.seed = seed;
    this.asOf = asOf;
    this.nights = nights;
    this.dirtyRate = dirtyRate;
    this.partsDir = partsDir;
    this.firstNight = asOf.minusDays(nights - 1L);
    this.windowStart = asOf.minusDays(364);
    this.servicesStart = windowStart.minusDays(365);
    this.periods = TruthRules.periods(asOf);
    this.rules = periods.get(0);
    double total = 0;
    for (County c : spec.counties) {
      total += c.weight();
    }
    countyCumWeight = new double[spec.counties.size()];
    double acc = 0;
    for (int i = 0; i < spec.counties.size(); i++) {
      acc += spec.counties.get(i).weight() / total;
      countyCumWeight[i] = acc;
    }
    for (Division d : spec.divisionRows) {
      if (d.level() == 3 && !d.successorCode().isEmpty()) {
        int ci = countyIndex(d.successorCode().substring(0, 6));
        if (ci >= 0) {
          predecessor.put(ci, new String[] {d.code().substring(0, 6), d.validTo()});
        }
      }
    }
  }

  int countyIndex(String code6) {
    for (int i = 0; i < spec.counties.size(); i++) {
      if (spec.counties.get(i).code6().equals(code6)) {
        return i;
      }
    }
    return -1;
  }

  /** The county a delivered division code resolves to, the way ingest maps it (retired → successor). */
  int countyOfDelivered(String division) {
    if (division == null || division.length() < 6) {
      return -1;
    }
    String c6 = division.substring(0, 6);
    String succ = spec.retiredToSuccessor.get(c6);
    return countyIndex(succ != null ? succ : c6);
  }

  int nightOf(LocalDate d) {
    if (!d.isAfter(firstNight)) {
      return 0;
    }
    return (int) Math.min(nights - 1L, ChronoUnit.DAYS.between(firstNight, d));
  }

  LocalDate nightDate(int night) {
    return firstNight.plusDays(night);
  }

  /**
   * The src_updated_at of a row delivered on a night: a time of the working day of the event, or of the night's
   * extract date when the row comes in a delta (the full drop dates its rows no later than its own extract date).
   */
  String stamp(String source, int night, LocalDate eventDate, SplittableRandom r) {
    return Rows.dateTime(source, stampTime(night, eventDate, r));
  }

  /** {@link #stamp} as a time. */
  LocalDateTime stampTime(int night, LocalDate eventDate, SplittableRandom r) {
    LocalDate d = night == 0 ? (eventDate.isAfter(nightDate(0)) ? nightDate(0) : eventDate) : nightDate(night);
    return d.atTime(8, 0).plusSeconds(r.nextInt(14 * 3600));
  }

  /** The night of the later full reference drop (which no longer holds the closed clinics), or -1: none. */
  int laterReferenceNight() {
    return dirtyRate > 0 && nights > 1 ? nights - 1 : -1;
  }

  /**
   * The field delimiter of a source's drop: the EMR platform's delta exports use '|' when dirty data is asked for
   * (the manifest says so), everything else ','.
   */
  char delimiter(String source, int night) {
    return source.equals("emr") && night > 0 && dirtyRate > 0 ? '|' : ',';
  }

  /** A day drawn uniformly from a … b, both included (a when b is not after a). */
  static LocalDate between(SplittableRandom r, LocalDate a, LocalDate b) {
    long span = ChronoUnit.DAYS.between(a, b);
    return span <= 0 ? a : a.plusDays(r.nextLong(span + 1));
  }

  static long mix(long a, long b, long c) {
    long z = a * 0x9E3779B97F4A7C15L + b;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z += c * 0x94D049BB133111EBL + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Organisation codes: county hospital, TCM hospital, one centre per township, one village clinic. */
  static String countyHospital(County c) {
    return c.code6() + "A01";
  }

  static String tcmHospital(County c) {
    return c.code6() + "A02";
  }

  static String centre(String town9) {
    return town9 + "C";
  }

  static String villageClinic(String town9) {
    return town9 + "D";
  }

  /** A county's private clinic (民营诊所), closed during the nights: delivered in the first ref_org only. */
  static String privateClinic(County c) {
    return c.code6() + "P01";
  }

  String cityHospital() {
    return spec.city.code().substring(0, 4) + "00A03";
  }

  void buildOrgs() {
    County first = spec.counties.get(0);
    addOrg(cityHospital(), spec.city.name() + "中心医院", "A", "0", "3",
        first.townships().get(0).code9() + "000", 0);
    for (int ci = 0; ci < spec.counties.size(); ci++) {
      County c = spec.counties.get(ci);
      String seat = c.townships().get(0).code9() + "000";
      String shortName = c.name();
      addOrg(countyHospital(c), shortName + "人民医院", "A", "0", "2", seat, ci);
      addOrg(tcmHospital(c), shortName + "中医医院", "A", "1", "2", seat, ci);
      for (RegionSpec.Township t : c.townships()) {
        String tn = t.name();
        boolean street = t.isStreet();
        addOrg(centre(t.code9()), tn + (street ? "社区卫生服务中心" : "卫生院"), street ? "B" : "C", "0",
            street ? "" : "1", t.code9() + "000", ci);
        addOrg(villageClinic(t.code9()), tn + (street ? "社区卫生服务站" : "中心村卫生室"),
            street ? "B" : "D", "0", "", t.code9() + (street ? "001" : "201"), ci);
      }
      if (laterReferenceNight() > 0) {
        StringBuilder sb = new StringBuilder();
        Rows.appendCsv(sb, new String[] {privateClinic(c), shortName + "康宁诊所", "D", "0", "", seat});
        closedOrgRows.add(sb.toString());
        orgCounty.put(privateClinic(c), -1);
      }
    }
  }

  private void addOrg(String code, String name, String type, String tcm, String level, String div12,
      int county) {
    StringBuilder sb = new StringBuilder();
    Rows.appendCsv(sb, new String[] {code, name, type, tcm, level, div12});
    orgRows.add(sb.toString());
    orgCounty.put(code, county);
  }
}
