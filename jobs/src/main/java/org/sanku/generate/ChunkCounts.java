package org.sanku.generate;

import java.util.HashMap;
import java.util.Map;
import org.sanku.generate.Facts.Ehr;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Visit;

/**
 * What one chunk counted for the truth folder: the indicator tallies, the link-rate tallies and the injected
 * defects. Chunks count separately and are summed afterwards, so the totals do not depend on thread scheduling.
 */
final class ChunkCounts {

  private final GenContext ctx;
  /** The indicator tallies, one per period of {@link GenContext#periods}, in the same order. */
  final TruthRules.Tally[] tally;
  /** Per "DEFECT|table": rows injected, and those whose fact stays countable. */
  final Map<String, long[]> defects = new HashMap<>();
  /**
   * Link rates of health records and visits by the organisation's county: [period][county][view: 0 true,
   * 1 recoverable][0 denominator, 1 numerator]. The last county slot holds the records whose organisation has no
   * county at the end
   * (a closed clinic missing from the final ref_org).
   */
  final long[][][][] linkEhr;
  final long[][][][] linkEmr;

  ChunkCounts(GenContext ctx) {
    this.ctx = ctx;
    int n = ctx.spec.counties.size();
    int periods = ctx.periods.size();
    this.tally = new TruthRules.Tally[periods];
    for (int i = 0; i < periods; i++) {
      tally[i] = new TruthRules.Tally(n);
    }
    this.linkEhr = new long[periods][n + 1][2][2];
    this.linkEmr = new long[periods][n + 1][2][2];
  }

  void defect(Defect d, String table, boolean recoverable) {
    long[] c = defects.computeIfAbsent(d.name() + "|" + table, x -> new long[2]);
    c[0]++;
    if (recoverable) {
      c[1]++;
    }
  }

  /** Adds a person's indicator contributions, in both views, and their records' and visits' link outcomes. */
  void person(Person p) {
    for (int i = 0; i < tally.length; i++) {
      person(p, ctx.periods.get(i), tally[i], linkEhr[i], linkEmr[i]);
    }
  }

  private static void person(Person p, TruthRules rules, TruthRules.Tally tally, long[][][] linkEhr,
      long[][][] linkEmr) {
    rules.evaluate(p, false, tally);
    rules.evaluate(p, true, tally);
    // Resident on R as each view sees the registry (the recoverable view may hold an earlier version, or a
    // status without its date).
    boolean resident = rules.residentOn(p, rules.end, false);
    boolean residentRec = rules.residentOn(p, rules.end, true);
    for (Ehr e : p.ehrs) {
      // Records built by R.
      if (e.build.isAfter(rules.end)) {
        continue;
      }
      linkEhr[e.orgCounty][0][0]++;
      if (resident) {
        linkEhr[e.orgCounty][0][1]++;
      }
      if (e.accepted) {
        linkEhr[e.orgCounty][1][0]++;
        if (residentRec && e.rec) {
          linkEhr[e.orgCounty][1][1]++;
        }
      }
    }
    for (Visit v : p.visits) {
      // Visits in P.
      if (v.date.isBefore(rules.start) || v.date.isAfter(rules.end)) {
        continue;
      }
      int c = slot(v, linkEmr);
      linkEmr[c][0][0]++;
      if (resident) {
        linkEmr[c][0][1]++;
      }
      if (v.accepted) {
        linkEmr[c][1][0]++;
        if (residentRec && v.rec) {
          linkEmr[c][1][1]++;
        }
      }
    }
  }

  /** A visit by someone from outside the region: in the link rate's denominator of each period it falls in. */
  void visitorVisit(Visit visit) {
    for (int i = 0; i < tally.length; i++) {
      TruthRules rules = ctx.periods.get(i);
      if (!visit.date.isBefore(rules.start) && !visit.date.isAfter(rules.end)) {
        linkEmr[i][slot(visit, linkEmr[i])][0][0]++;
        if (visit.accepted) {
          linkEmr[i][slot(visit, linkEmr[i])][1][0]++;
        }
      }
    }
  }

  /** The visit's county slot: its organisation's county, or the last slot when that has none at the end. */
  private static int slot(Visit v, long[][][] linkEmr) {
    return v.orgCounty < 0 ? linkEmr.length - 1 : v.orgCounty;
  }
}
