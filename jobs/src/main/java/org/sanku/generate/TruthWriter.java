package org.sanku.generate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.sanku.generate.RegionSpec.County;

/**
 * Writes the truth folder: clean per-person facts, the expected value of every indicator per county, city and
 * province (true, and recoverable from what was delivered), and the injected defects with their outcome.
 */
final class TruthWriter {

  private TruthWriter() {}

  /** Unit factor per indicator: rates in %, infant mortality in ‰. */
  static double factor(String id) {
    return id.equals("infant_mortality") ? 1000.0 : 100.0;
  }

  static final String[] HEADER = {"indicator_id", "period_type", "period_start", "period_end",
      "division_code", "division_level", "division_name", "numerator_true", "denominator_true", "value_true",
      "lower95_true", "upper95_true", "numerator_recoverable", "denominator_recoverable", "value_recoverable",
      "lower95_recoverable", "upper95_recoverable"};

  static List<String[]> write(Path truth, GenContext ctx, int chunks, List<ChunkCounts> chunkCounts,
      RegionGenerator.Options o) throws IOException {
    Files.createDirectories(truth);
    int nc = ctx.spec.counties.size();
    Map<String, long[]> defects = new TreeMap<>();
    for (ChunkCounts g : chunkCounts) {
      g.defects.forEach((k, v) -> {
        long[] acc = defects.computeIfAbsent(k, x -> new long[2]);
        acc[0] += v[0];
        acc[1] += v[1];
      });
    }
    // Divisions: each county, then the city and the province (sums of the counties).
    List<int[]> groups = new ArrayList<>();
    List<String[]> names = new ArrayList<>();
    for (int c = 0; c < nc; c++) {
      County k = ctx.spec.counties.get(c);
      groups.add(new int[] {c});
      names.add(new String[] {k.code6() + "000000", "county", k.name()});
    }
    int[] every = new int[nc];
    for (int c = 0; c < nc; c++) {
      every[c] = c;
    }
    groups.add(every);
    names.add(new String[] {ctx.spec.city.code(), "city", ctx.spec.city.name()});
    groups.add(every);
    names.add(new String[] {ctx.spec.province.code(), "province", ctx.spec.province.name()});
    List<String[]> rows = new ArrayList<>();
    for (int pi = 0; pi < ctx.periods.size(); pi++) {
      periodRows(rows, ctx, truth, ctx.periods.get(pi), pi, chunkCounts, nc, groups, names);
    }
    writeCsv(truth.resolve("indicators.csv"), HEADER, rows);

    List<String[]> drows = new ArrayList<>();
    for (Map.Entry<String, long[]> e : defects.entrySet()) {
      String[] k = e.getKey().split("\\|");
      Defect d = Defect.valueOf(k[0]);
      drows.add(new String[] {d.name(), k[1], String.valueOf(e.getValue()[0]), String.valueOf(e.getValue()[1]),
          d.recoverable ? "yes" : d.name().endsWith("_DATE_MISSING") ? "no: the date is unknown"
              : d == Defect.FOLLOWUP_AFTER_CLOSE ? "no: it counts for no enrolment"
              : "only where another key links it", d.expected, d.description});
    }
    if (o.dirtyRate() > 0) {
      drows.add(new String[] {"GBK_ENCODING", "emr (all files)", "1", "1", "yes",
          "decoded with the manifest's encoding", "the EMR source is delivered in GBK"});
      drows.add(new String[] {"CHINESE_HEADERS", "emr_visit (full drop)", "1", "1", "yes",
          "headers mapped through conf/aliases.yaml", "the file uses Chinese column names"});
      drows.add(new String[] {"GZIP_FILE", "emr_diagnosis (all drops)", "1", "1", "yes",
          "read as gzip", "delivered as emr_diagnosis.csv.gz"});
      if (o.nights() > 1) {
        drows.add(new String[] {"PIPE_DELIMITER", "emr (delta drops)", String.valueOf(o.nights() - 1),
            String.valueOf(o.nights() - 1), "yes", "read with the manifest's delimiter",
            "the EMR delta files are separated by '|'"});
        drows.add(new String[] {"CLOSED_CLINIC", "ref_org (later full drop)", String.valueOf(
            ctx.closedOrgRows.size()), "0", "no: the visits keep no county",
            "the full drop deletes the keys it lacks; their visits count in no county (unassigned)",
            "private clinics delivered in the first ref_org only"});
      }
    }
    writeCsv(truth.resolve("defects.csv"), new String[] {"defect", "table", "injected", "recoverable",
        "recoverable_by_design", "expected_handling", "description"}, drows);

    for (Map.Entry<String, String[]> e : CleanFacts.COLUMNS.entrySet()) {
      Path f = truth.resolve("clean").resolve(e.getKey() + ".csv");
      Files.createDirectories(f.getParent());
      try (OutputStream os = Files.newOutputStream(f)) {
        StringBuilder h = new StringBuilder();
        Rows.appendCsv(h, e.getValue());
        os.write(h.toString().getBytes(StandardCharsets.UTF_8));
        for (int c = 0; c < chunks; c++) {
          Path part = ctx.partsDir.resolve(String.format("c%03d", c)).resolve("truth").resolve(e.getKey() + ".csv");
          if (Files.exists(part)) {
            try (InputStream in = Files.newInputStream(part)) {
              in.transferTo(os);
            }
          }
        }
      }
    }
    Files.writeString(truth.resolve("README.md"), readme(o, ctx), StandardCharsets.UTF_8);

    // The county table printed after a run: headline indicators, true values.
    String[] headline = {"ehr_coverage", "elderly_health_mgmt", "elderly_tcm_mgmt", "elderly_fd_contract",
        "htn_std_mgmt", "htn_unmanaged"};
    List<String[]> table = new ArrayList<>();
    for (int gi = 0; gi < groups.size() - 1; gi++) {
      String[] line = new String[headline.length + 1];
      line[0] = names.get(gi)[2];
      for (int h = 0; h < headline.length; h++) {
        for (String[] r : rows) {
          if (r[0].equals(headline[h]) && r[4].equals(names.get(gi)[0]) && r[5].equals(names.get(gi)[1])
              && r[2].equals(ctx.rules.start.toString()) && r[3].equals(ctx.rules.end.toString())) {
            line[h + 1] = r[9].isEmpty() ? "—" : String.format(Locale.ROOT, "%.1f%%", Double.parseDouble(r[9]));
          }
        }
      }
      table.add(line);
    }
    return table;
  }

  /** Appends the rows of one period: every indicator per county, city and province, and the unassigned counts. */
  private static void periodRows(List<String[]> rows, GenContext ctx, Path truth, TruthRules rules, int pi,
      List<ChunkCounts> chunkCounts, int nc, List<int[]> groups, List<String[]> names) throws IOException {
    TruthRules.Tally all = new TruthRules.Tally(nc);
    long[][][] linkEhr = new long[nc + 1][2][2];
    long[][][] linkEmr = new long[nc + 1][2][2];
    for (ChunkCounts g : chunkCounts) {
      all.addAll(g.tally[pi]);
      for (int c = 0; c <= nc; c++) {
        for (int v = 0; v < 2; v++) {
          for (int k = 0; k < 2; k++) {
            linkEhr[c][v][k] += g.linkEhr[pi][c][v][k];
            linkEmr[c][v][k] += g.linkEmr[pi][c][v][k];
          }
        }
      }
    }
    for (int c = 0; c < nc; c++) {
      for (int v = 0; v < 2; v++) {
        all.den[TruthRules.LINK_EHR][c][v] = linkEhr[c][v][0];
        all.num[TruthRules.LINK_EHR][c][v] = linkEhr[c][v][1];
        all.den[TruthRules.LINK_EMR][c][v] = linkEmr[c][v][0];
        all.num[TruthRules.LINK_EMR][c][v] = linkEmr[c][v][1];
      }
    }
    // Official denominators, when the region delivers figures: the marked indicators' county denominators become
    // the figures of the period's year before the city and province are summed from them.
    ctx.officialPopulation.replaceDenominators(all, rules.start, rules.end, truth);
    String periodType = rules.type;
    for (int i = 0; i < TruthRules.IDS.length; i++) {
      String id = TruthRules.IDS[i];
      for (int gi = 0; gi < groups.size(); gi++) {
        long[] n = new long[2];
        long[] d = new long[2];
        for (int c : groups.get(gi)) {
          for (int v = 0; v < 2; v++) {
            n[v] += all.num[i][c][v];
            d[v] += all.den[i][c][v];
          }
        }
        String[] nm = names.get(gi);
        rows.add(new String[] {id, periodType, rules.start.toString(), rules.end.toString(), nm[0], nm[1], nm[2],
            String.valueOf(n[0]), String.valueOf(d[0]), rate(n[0], d[0], factor(id)), "", "",
            String.valueOf(n[1]), String.valueOf(d[1]), rate(n[1], d[1], factor(id)), "", ""});
      }
    }
    for (int gi = 0; gi < groups.size(); gi++) {
      String[] nm = names.get(gi);
      String[] row = {"life_expectancy", periodType, rules.start.toString(), rules.end.toString(), nm[0], nm[1],
          nm[2], "", "", "", "", "", "", "", "", "", ""};
      for (int v = 0; v < 2; v++) {
        long[] deaths = new long[LifeTable.GROUPS];
        long[] pop = new long[LifeTable.GROUPS];
        for (int c : groups.get(gi)) {
          for (int g = 0; g < LifeTable.GROUPS; g++) {
            deaths[g] += all.lifeDeaths[c][g][v];
            pop[g] += all.lifePop[c][g][v];
          }
        }
        long sd = 0;
        long sp = 0;
        for (int g = 0; g < LifeTable.GROUPS; g++) {
          sd += deaths[g];
          sp += pop[g];
        }
        int base = v == 0 ? 7 : 12;
        row[base] = String.valueOf(sd);
        row[base + 1] = String.valueOf(sp);
        // Too few deaths for a life table (e.g. none aged 85+) leaves the cells empty: a state, not a number.
        LifeTable.estimate(deaths, pop, rules.years).ifPresent(lt -> {
          row[base + 2] = fmt(lt.e0());
          row[base + 3] = fmt(lt.lower95());
          row[base + 4] = fmt(lt.upper95());
        });
      }
      rows.add(row);
    }
    // Records whose organisation has no county at the end (a closed clinic, missing from the final ref_org): in no
    // division's count, one "unassigned" row per indicator that has any (the pipeline reports them the same way).
    for (String[] u : new String[][] {{"link_rate_ehr", "0"}, {"link_rate_emr", "1"}}) {
      long[][] a = u[1].equals("0") ? linkEhr[nc] : linkEmr[nc];
      if (a[0][0] + a[1][0] > 0) {
        rows.add(new String[] {u[0], periodType, rules.start.toString(), rules.end.toString(), "", "unassigned",
            "未定位", String.valueOf(a[0][1]), String.valueOf(a[0][0]), rate(a[0][1], a[0][0], 100.0), "", "",
            String.valueOf(a[1][1]), String.valueOf(a[1][0]), rate(a[1][1], a[1][0], 100.0), "", ""});
      }
    }
  }

  static String rate(long n, long d, double factor) {
    return d == 0 ? "" : fmt(factor * n / d);
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6f", v);
  }

  static void writeCsv(Path f, String[] header, List<String[]> rows) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
      StringBuilder sb = new StringBuilder();
      Rows.appendCsv(sb, header);
      for (String[] r : rows) {
        Rows.appendCsv(sb, r);
      }
      w.write(sb.toString());
    }
  }

  /** The periods after the first, for the README: "2024-01-01 … 2024-12-31 (year), …". */
  private static String otherPeriods(GenContext ctx) {
    List<String> out = new ArrayList<>();
    for (TruthRules p : ctx.periods.subList(1, ctx.periods.size())) {
      out.add(p.start + " … " + p.end + " (" + p.type + ")");
    }
    // One a line, indented under the README's list item.
    return String.join(",\n  ", out);
  }

  private static String readme(RegionGenerator.Options o, GenContext ctx) {
    StringBuilder classes = new StringBuilder();
    for (Defect d : Defect.values()) {
      classes.append("- `").append(d.name()).append("`: ").append(d.description).append(" → ").append(d.expected)
          .append(d.recoverable ? " (the fact stays countable)" : "").append('\n');
    }
    if (o.dirtyRate() > 0) {
      classes.append("- `GBK_ENCODING`, `CHINESE_HEADERS`, `GZIP_FILE`, `PIPE_DELIMITER`: whole-file traits of the "
          + "EMR source (see defects.csv)\n");
      classes.append("- `CLOSED_CLINIC`: a private clinic in the first ref_org only; the later full reference drop "
          + "deletes it, and its visits count in no county\n");
    }
    return """
        # Ground truth of a generated region (never read by the pipeline)

        Region %s, %d persons, seed %d, as of %s, %d night(s), dirty rate %s.

        - `indicators.csv`: every indicator of shared/indicators.md for the period %s … %s, per county, city and
          province, and the same for the periods
          %s
          (`period_type`, `period_start`, `period_end` name each). `*_true` counts every fact of the clean model; `*_recoverable` counts only what the pipeline
          can still see and tie to its person after the injected defects (a quarantined row, or a record whose
          only link to its person was destroyed, cannot count). Values are in %% (‰ for infant_mortality, years for
          life_expectancy, whose numerator and denominator are deaths and mid-period population). An empty value
          is an empty denominator. Rows with `division_level` = `unassigned` count records whose organisation has
          no county at the end (a clinic missing from the final ref_org): they are in no county, city or province.
        - `defects.csv`: each injected defect class per table, how many rows got it, how many of those facts stay
          countable, and the handling expected of the pipeline.
        - `clean/*.csv`: the clean facts (final state after every night, deleted rows gone) keyed by `person_idx`,
          with `recoverable` per row, and `rec_*` columns where what the pipeline can recover differs from the
          truth (an earlier version kept, a date left empty): the inputs from which every number above can be
          recounted.

        Drops: one full drop per source on the first night, then deltas.%s%s

        Recoverability rules (the linkage the pipeline is expected to apply):
        1. A record links to a registry person on its normalised ID (VALID_18 or UPGRADED_15) when the registry
           row's normalised ID is the same and the birth date, or the sex and name, agree. Names are compared
           without white space of any kind (张 三 is 张三), here and in rule 3.
        2. A usable ID that belongs to another registry person (a baby under the mother's ID) is a conflict:
           never linked.
        3. Otherwise (no usable ID, or an ID no registry row carries) the record links on name + sex + birth date
           + county (of its own division code, retired codes mapped to successors) when exactly one registry
           person has that key.
        4. An EMR visit that still has no link is tied through its health-card number when another visit of the
           same person carrying that card is linked. A card number on two persons' visits ties nothing when both
           have visits carrying it that are linked, or when one has and the other's unlinked visits carry it too
           (they disagree with the card's person on birth date and name): never merged.
        5. A registry row with an impossible birth date is quarantined: that person is absent from every
           recoverable count. Services hang on their record (ehr_no, enrollment_id) and are lost with it, or on
           their own when they are quarantined (future or impossible dates, codes outside the value set, mangled
           links).
        6. A later version that fails: when the final version of a row is quarantined but an earlier version was
           accepted, the pipeline keeps the earlier version (the last good one) and the recoverable view counts
           it: a person still 正常 and resident, a record still 在册, an exam without its later glucose value
           (done, not complete). When the source's error is in every version, the row is lost.

        Counting rules where shared/indicators.md leaves a choice (the pipeline's catalog decides the same):
        - A registry status 死亡 or 迁出 without its date: resident on no day; no death counted.
        - An enrolment is closed when 结案 (status 2), on its close date; 结案 without a close date is closed before
          every period.
        - The last follow-up in P: latest date, then latest src_updated_at, then greatest followup_id (same-day
          follow-ups are generated).
        - A follow-up dated after its enrolment's close date counts for no enrolment (neither as a follow-up in P
          nor as the last one); it is still a service for the dynamic record.
        - An exam without its height or weight is not complete (no elderly health management); still a service.
        - Records without a county are counted in no division (the `unassigned` rows above).
        - Days in the year are those of P's own calendar year (366 in a leap year): "≥ 4 follow-ups a year" needs
          ⌈4 × 90 / 365⌉ = 1 in a 90-day quarter and ⌈4 × 92 / 365⌉ = 2 in a 92-day one.
        - Age is completed years on R; a 29 February birthday is reached on 1 March in a common year (born
          1960-02-29: 64 on 2025-02-28, 65 on 2025-03-01).
        - Every period is counted from the same final facts with its own R, P and 365 days ending R: a death,
          move out or record status change dated between two periods' reference dates leaves the person resident
          (the record valid) on the earlier R only.

        Defect classes:
        %s""".formatted(o.region(), o.persons(), o.seed(), o.asOf(), o.nights(), o.dirtyRate(), ctx.rules.start,
        ctx.rules.end, otherPeriods(ctx),
        ctx.laterReferenceNight() > 0 ? " The reference source delivers a second full drop on "
            + ctx.nightDate(ctx.laterReferenceNight()) + " without the private clinics closed meanwhile (their "
            + "keys are deleted). The EMR deltas use the delimiter '|' (their manifests say so)." : "",
        o.officialPopulation() ? OfficialPopulation.README : "", classes);
  }
}
