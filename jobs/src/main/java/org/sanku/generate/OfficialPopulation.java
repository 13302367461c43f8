package org.sanku.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The official year-end resident population (统计年鉴 年末常住人口) a generated region's reference source delivers as
 * {@code ref_population.csv} when {@code --official-population} is asked for, and the truth's own reading of how the
 * indicators use it (README, "Official denominators").
 *
 * <p>A figure is the true count of residents of the age group on R (the as-of date; 31 December for a closed year)
 * times a factor between 0.9 and 1.1 drawn from the seed per year, county and age group, so that it differs from
 * every registry count and the pipeline's denominators can only match the truth when they really take the figure.
 * Figures are delivered for the year of the as-of date and the year before (with factors of its own), so a period
 * that took the wrong year would differ too; the last county gets none, so the fallback to the registry is covered.
 */
final class OfficialPopulation {

  static final String[] COLUMNS = {"year", "division_code", "min_age", "population", "publication"};

  /** The age groups the shipped catalog asks for, by their lower bound. */
  static final int[] AGES = {0, 60, 65, 80};

  /**
   * The truth's reading of the catalog's {@code official_denominator} marks: indicator index → the age group whose
   * residents its denominator is (ehr_coverage, ehr_electronic_coverage, aging_60, aging_65: every age; the elderly
   * services: 65+; elderly80_health_mgmt: 80+). The other indicators always count over the registry.
   */
  static final Map<Integer, Integer> MARKED = Map.of(TruthRules.EHR_COV, 0, TruthRules.EHR_ELEC, 0,
      TruthRules.AGING60, 0, TruthRules.AGING65, 0, TruthRules.ELD, 65, TruthRules.TCM, 65, TruthRules.ELD_FD, 65,
      TruthRules.ELD80, 80);

  static final String[] CHECK_HEADER = {"indicator_id", "period_start", "period_end", "division_code",
      "division_level", "official_year", "registry_denominator_true", "registry_denominator_recoverable", "official_denominator",
      "denominator_ratio_recoverable", "counties_without_figure"};

  /** What the truth's README says of the figures when the region has them. */
  static final String README = """

      Official denominators: the first full reference drop also holds `ref_population.csv`, the official year-end
      resident population of the year of the as-of date and of the year before, for the age groups 0, 60, 65 and 80
      and every county but the last. A figure is the true count of residents of the group on R times a factor
      between 0.9 and 1.1 drawn from the seed, so it differs from the registry's count. The indicators marked
      `official_denominator` in the catalog (ehr_coverage, ehr_electronic_coverage, aging_60, aging_65: every age;
      elderly_health_mgmt, elderly_tcm_mgmt, elderly_fd_contract: 65+; elderly80_health_mgmt: 80+) have in both
      views the figure of the latest year not after R's year as a county's denominator, the county's registry count
      where it has none, and the city and province the sum of their counties' denominators; the numerators are
      counted in the registry as always, so a value may exceed 100%. `official_denominators.csv` gives, per marked
      indicator and division, the year taken, the registry counts the figures replaced (true and recoverable), the
      official figures summed, the ratio registry ÷ official over the counties with a figure (recoverable view) and
      how many counties fell back to the registry.""";

  /** year → age group → county index → population; empty when the region has no official figures. */
  private final Map<Integer, Map<Integer, Map<Integer, Long>>> figures;
  private final GenContext ctx;

  private OfficialPopulation(GenContext ctx, Map<Integer, Map<Integer, Map<Integer, Long>>> figures) {
    this.ctx = ctx;
    this.figures = figures;
  }

  /**
   * The figures of the region, from the true view of the tallies of the period ending on the as-of date, summed
   * over the chunks (before any official denominator replaced a count); none unless the options ask for them.
   */
  static OfficialPopulation of(GenContext ctx, RegionGenerator.Options o, TruthRules.Tally all) {
    Map<Integer, Map<Integer, Map<Integer, Long>>> figures = new TreeMap<>();
    if (!o.officialPopulation()) {
      return new OfficialPopulation(ctx, figures);
    }
    int nc = ctx.spec.counties.size();
    int asOfYear = ctx.asOf.getYear();
    for (int year = asOfYear - 1; year <= asOfYear; year++) {
      for (int age : AGES) {
        for (int c = 0; c < nc - 1; c++) {
          // True residents of the group on R: every resident (the ageing rates' denominator), aged 60+ (aging_60's
          // numerator), 65+ and 80+ (the elderly services' denominators).
          long base = switch (age) {
            case 0 -> all.den[TruthRules.AGING60][c][0];
            case 60 -> all.num[TruthRules.AGING60][c][0];
            case 65 -> all.den[TruthRules.ELD][c][0];
            default -> all.den[TruthRules.ELD80][c][0];
          };
          double factor = 0.9 + 0.2 * new SplittableRandom(ctx.seed * 1_000_003L + year * 7919L + c * 101L + age)
              .nextDouble();
          figures.computeIfAbsent(year, k -> new TreeMap<>()).computeIfAbsent(age, k -> new TreeMap<>())
              .put(c, Math.max(1, Math.round(base * factor)));
        }
      }
    }
    return new OfficialPopulation(ctx, figures);
  }

  /**
   * The per-chunk tallies of the as-of period (the first of the truth's periods: its R is the as-of date) summed,
   * as the truth writer sums them.
   */
  static TruthRules.Tally sum(int counties, List<ChunkCounts> chunkCounts) {
    TruthRules.Tally all = new TruthRules.Tally(counties);
    chunkCounts.forEach(g -> all.addAll(g.tally[0]));
    return all;
  }

  boolean delivered() {
    return !figures.isEmpty();
  }

  /** Writes ref_population.csv (header and rows) to the stream, and closes it; returns the rows written. */
  long write(OutputStream os, char sep, Charset cs) throws IOException {
    List<String[]> rows = rows();
    StringBuilder sb = new StringBuilder();
    Rows.appendCsv(sb, COLUMNS, sep);
    for (String[] r : rows) {
      Rows.appendCsv(sb, r, sep);
    }
    try (os) {
      os.write(sb.toString().getBytes(cs));
    }
    return rows.size();
  }

  /** The rows of ref_population.csv, one per year, county and age group. */
  List<String[]> rows() {
    List<String[]> rows = new ArrayList<>();
    figures.forEach((year, ages) -> ages.forEach((age, counties) -> counties.forEach((c, pop) ->
        rows.add(new String[] {String.valueOf(year), ctx.spec.counties.get(c).code6() + "000000", String.valueOf(age),
            String.valueOf(pop), ctx.spec.city.name() + "统计年鉴" + (year + 1) + " 表3-" + (age == 0 ? 1 : 4)}))));
    return rows;
  }

  /** The year a period ending on R takes: the latest delivered that is not after R's year, or null. */
  Integer year(LocalDate r) {
    Integer y = null;
    for (int year : figures.keySet()) {
      if (year <= r.getYear()) {
        y = year;
      }
    }
    return y;
  }

  /** A county's figure for the age group in the year, or null. */
  Long figure(Integer year, int age, int county) {
    return year == null ? null : figures.get(year).getOrDefault(age, Map.of()).get(county);
  }

  /**
   * Puts the official figures into the tally's denominators of the marked indicators for the period ending on R, in
   * both views (a county without a figure keeps its registry count), so that the city and the province, summed
   * from their counties, sum the denominators as published. Writes beside the indicators the registry counts the
   * figures replaced ({@code official_denominators.csv}, both views), which the pipeline reports (recoverable view)
   * as its cross-check. Nothing changes when the region has no figures.
   */
  void replaceDenominators(TruthRules.Tally all, LocalDate start, LocalDate r, Path truth) throws IOException {
    Integer year = year(r);
    if (year == null) {
      return;
    }
    int nc = ctx.spec.counties.size();
    List<String[]> rows = new ArrayList<>();
    for (var e : new TreeMap<>(MARKED).entrySet()) {
      int ind = e.getKey();
      // Per county: registry count (true and recoverable views), official figure or -1.
      long[] registryTrue = new long[nc];
      long[] registry = new long[nc];
      long[] official = new long[nc];
      for (int c = 0; c < nc; c++) {
        registryTrue[c] = all.den[ind][c][0];
        registry[c] = all.den[ind][c][1];
        Long f = figure(year, e.getValue(), c);
        official[c] = f == null ? -1 : f;
        if (f != null) {
          all.den[ind][c][0] = f;
          all.den[ind][c][1] = f;
        }
      }
      for (int c = 0; c < nc; c++) {
        rows.add(checkRow(ind, start, r, ctx.spec.counties.get(c).code6() + "000000", "county", year,
            new long[] {registryTrue[c]}, new long[] {registry[c]}, new long[] {official[c]}));
      }
      rows.add(checkRow(ind, start, r, ctx.spec.city.code(), "city", year, registryTrue, registry, official));
      rows.add(checkRow(ind, start, r, ctx.spec.province.code(), "province", year, registryTrue, registry, official));
    }
    // A truth of several periods calls this once per period: the file gathers them all (the truth folder is new).
    Path file = truth.resolve("official_denominators.csv");
    if (!Files.exists(file)) {
      TruthWriter.writeCsv(file, CHECK_HEADER, rows);
    } else {
      StringBuilder sb = new StringBuilder();
      rows.forEach(row -> Rows.appendCsv(sb, row));
      Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
  }

  /**
   * One division's cross-check: the registry counts of its counties summed, the official figures of those that have
   * one summed, and the ratio over those counties only (registry ÷ official), as README "Official denominators" says.
   */
  private static String[] checkRow(int ind, LocalDate start, LocalDate r, String code, String level, int year,
      long[] registryTrue, long[] registry, long[] official) {
    long regTrue = 0;
    long reg = 0;
    long off = 0;
    long regWithFigure = 0;
    int without = 0;
    for (int i = 0; i < registry.length; i++) {
      regTrue += registryTrue[i];
      reg += registry[i];
      if (official[i] >= 0) {
        off += official[i];
        regWithFigure += registry[i];
      } else {
        without++;
      }
    }
    return new String[] {TruthRules.IDS[ind], start.toString(), r.toString(), code, level, String.valueOf(year),
        String.valueOf(regTrue), String.valueOf(reg), off > 0 ? String.valueOf(off) : "", off > 0 ? TruthWriter.fmt((double) regWithFigure / off)
        : "", String.valueOf(without)};
  }
}
