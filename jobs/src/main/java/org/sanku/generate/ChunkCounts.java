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
  final TruthRules.Tally tally;
  /** Per "DEFECT|table": rows injected, and those whose fact stays countable. */
  final Map<String, long[]> defects = new HashMap<>();
  /**
   * Link rates of health records and visits by the organisation's county: [county][view: 0 true, 1 recoverable]
   * [0 denominator, 1 numerator]. The last county slot holds the records whose organisation has no county at the end
   * (a closed clinic missing from the final ref_org).
   */
  final long[][][] linkEhr;
  final long[][][] linkEmr;

  ChunkCounts(GenContext ctx) {
    this.ctx = ctx;
    int n = ctx.spec.counties.size();
    this.tally = new TruthRules.Tally(n);
    this.linkEhr = new long[n + 1][2][2];
    this.linkEmr = new long[n + 1][2][2];
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
    ctx.rules.evaluate(p, false, tally);
    ctx.rules.evaluate(p, true, tally);
    // Resident on R as each view sees the registry (the recoverable view may hold an earlier version, or a
    // status without its date).
    boolean resident = ctx.rules.residentOn(p, ctx.asOf, false);
    boolean residentRec = ctx.rules.residentOn(p, ctx.asOf, true);
    for (Ehr e : p.ehrs) {
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
      if (v.date.isBefore(ctx.rules.start)) {
        continue;
      }
      int c = slot(v);
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

  /** A visit by someone from outside the region: in the link rate's denominator, never linked. */
  void visitorVisit(Visit visit) {
    if (!visit.date.isBefore(ctx.rules.start)) {
      linkEmr[slot(visit)][0][0]++;
      if (visit.accepted) {
        linkEmr[slot(visit)][1][0]++;
      }
    }
  }

  /** The visit's county slot: its organisation's county, or the last slot when that has none at the end. */
  private int slot(Visit v) {
    return v.orgCounty < 0 ? linkEmr.length - 1 : v.orgCounty;
  }
}
