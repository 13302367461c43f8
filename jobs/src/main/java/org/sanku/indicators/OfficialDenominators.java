package org.sanku.indicators;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sanku.geo.Divisions;
import org.sanku.geo.Level;
import org.sanku.indicators.Catalog.Indicator;

/**
 * The official year-end resident population (统计年鉴 常住人口) per county and age group, as the reference source
 * delivers it in {@code std.ref_population}, and which of it each period of a run takes (shared/indicators.md,
 * "Resident population on R": official denominators may replace the registry's count, which is then reported beside
 * them).
 *
 * <p>A period takes the figures of one year for every county: the latest year delivered that is not after the year
 * of its reference date R (a closed year 2024 takes 2024's figures; the year to date of 2025 takes 2025's when they
 * are there, else 2024's, as a year's work is commonly measured against the last published year-end figure). An
 * indicator marked {@code official_denominator} in the catalog counts over that year's figures of its age group;
 * when the year has no figure of that age group for any county, the indicator counts over the registry as without
 * the file. A row that cannot be used (not a county, a county the region does not have, a population below 1) is
 * said in the run's output and left out: its county falls back to the registry.
 */
public final class OfficialDenominators {

  /** No official figures: every indicator counts over the registry. */
  public static final OfficialDenominators NONE = new OfficialDenominators(Map.of());

  /** One period's figures: the year, and per age group (min_age) the 6-digit county → population. */
  private record Year(int year, Map<Integer, Map<String, Long>> byAge) {}

  private final Map<Integer, Year> byPeriod;

  private OfficialDenominators(Map<Integer, Year> byPeriod) {
    this.byPeriod = byPeriod;
  }

  /**
   * The figures each period takes.
   *
   * @param rows    {@code std.ref_population} (year, division_code, min_age, population), or null when it has not
   *                been delivered
   * @param catalog the catalog: its parameter {@code official_denominators} (false: never used) and the age groups
   *                its indicators ask for
   * @param periods the run's periods, in their order
   * @param div     the region's divisions: a figure counts only for a current county
   * @param log     where unusable rows and missing age groups are said
   */
  public static OfficialDenominators of(Dataset<Row> rows, Catalog catalog, List<Period> periods, Divisions div,
      PrintStream log) {
    if (rows == null || "false".equals(String.valueOf(catalog.params.get("official_denominators")))) {
      return NONE;
    }
    Set<Integer> asked = new TreeSet<>();
    catalog.indicators.values().stream().map(Indicator::officialMinAge).filter(a -> a != null).forEach(asked::add);
    if (asked.isEmpty()) {
      return NONE;
    }
    Set<String> counties = div.currentCounties();
    // year → min_age → county → population
    Map<Integer, Map<Integer, Map<String, Long>>> all = new TreeMap<>();
    List<String> unusable = new ArrayList<>();
    for (Row r : rows.selectExpr("CAST(year AS INT)", "division_code", "CAST(min_age AS INT)",
        "CAST(population AS BIGINT)").collectAsList()) {
      if (r.isNullAt(0) || r.isNullAt(1) || r.isNullAt(2) || r.isNullAt(3)) {
        continue; // ingest quarantines such rows; nothing to use
      }
      int year = r.getInt(0);
      String code = r.getString(1);
      int age = r.getInt(2);
      long pop = r.getLong(3);
      String row = year + " " + code + " min_age " + age;
      String why = null;
      if (code.length() != 12 || !code.endsWith("000000") || Level.byDigits(code) != Level.COUNTY) {
        why = "not a county (县区) code";
      } else if (!counties.isEmpty() && !counties.contains(code.substring(0, 6))) {
        why = "not a current county of ref_division";
      } else if (pop < 1) {
        why = "population " + pop + " is not a count of residents";
      }
      if (why != null) {
        unusable.add(row + ": " + why);
        continue;
      }
      all.computeIfAbsent(year, k -> new TreeMap<>()).computeIfAbsent(age, k -> new TreeMap<>())
          .put(code.substring(0, 6), pop);
    }
    if (!unusable.isEmpty()) {
      log.printf("indicators: WARNING %,d row(s) of ref_population not used (their counties count over the "
          + "registry): %s%s%n", unusable.size(), String.join("; ", unusable.subList(0, Math.min(5,
          unusable.size()))), unusable.size() > 5 ? " …" : "");
    }
    Map<Integer, Year> byPeriod = new HashMap<>();
    for (int p = 0; p < periods.size(); p++) {
      Period period = periods.get(p);
      int latest = period.end().getYear();
      Integer year = all.keySet().stream().filter(y -> y <= latest).reduce((a, b) -> b).orElse(null);
      if (year == null) {
        if (!all.isEmpty()) {
          log.printf("indicators: %s: ref_population has no year up to %d: counted over the registry%n",
              period.label(), latest);
        }
        continue;
      }
      Map<Integer, Map<String, Long>> ages = all.get(year);
      byPeriod.put(p, new Year(year, ages));
      List<String> missing = asked.stream().filter(a -> !ages.containsKey(a)).map(String::valueOf).toList();
      log.printf("indicators: %s: denominators of residents from the official year-end population of %d "
          + "(ref_population), the registry's count beside them%s%n", period.label(), year, missing.isEmpty() ? ""
          : "; no figure for min_age " + String.join(", ", missing) + ": those indicators count over the registry");
    }
    return new OfficialDenominators(byPeriod);
  }

  /** Whether the indicator counts over official figures in the period (the period's year has its age group). */
  public boolean uses(Indicator ind, int period) {
    Year y = byPeriod.get(period);
    return y != null && ind.officialMinAge() != null && y.byAge().containsKey(ind.officialMinAge());
  }

  /** The year whose figures the period takes, or null. */
  public Integer year(int period) {
    Year y = byPeriod.get(period);
    return y == null ? null : y.year();
  }

  /** The official figure of a county (6 digits) for the indicator's age group, or null. */
  public Long figure(Indicator ind, int period, String county6) {
    if (!uses(ind, period)) {
      return null;
    }
    return byPeriod.get(period).byAge().get(ind.officialMinAge()).get(county6);
  }

  /** The 6-digit counties with a figure for the indicator's age group in the period. */
  public Set<String> counties(Indicator ind, int period) {
    return uses(ind, period) ? byPeriod.get(period).byAge().get(ind.officialMinAge()).keySet() : Set.of();
  }
}
