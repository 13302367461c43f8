package org.sanku.indicators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.ArrayList;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.indicators.report.Cell;
import org.junit.jupiter.api.Test;
import org.sanku.link.LinkedRegion;
import org.sanku.spark.TestSpark;

/**
 * End to end on generated data (3,000 persons, three nights of drops with dirty rows, ingested and linked): every
 * indicator at every level (each county, the city, the province) equals the generator's recoverable truth
 * (truth/indicators.csv, computed person by person in plain Java from the facts the pipeline can recover).
 */
public class IndicatorRegionTest {

  private static IndicatorJob.Result result;

  @BeforeAll
  static void run() {
    LinkedRegion.linked();
    result = new IndicatorJob(TestSpark.get(), LinkedRegion.warehouse(), org.sanku.spark.TestConfig.get().indicators(),
        org.sanku.spark.TestConfig.get().targets(), new PrintStream(System.out, true))
        .run(LinkedRegion.AS_OF_PUBLIC, List.of(Period.year(2025)));
  }

  @Test
  void everyIndicatorAtEveryLevelEqualsTheRecoverableTruth() throws Exception {
    assertEquals("", differences(result.values(), result.unassigned(), LinkedRegion.truth()));
    // The region has visits at clinics the later full reference drop no longer holds: compared above, and there.
    assertTrue(result.unassigned().stream().anyMatch(u -> u.indicator().id().equals("link_rate_emr")),
        result.unassigned().toString());
  }

  /**
   * The comparison above covers exams delivered without height or weight (seen, but not complete) and follow-ups
   * dated after their enrolment's close date: some of those are in P, of an enrolment the pipeline can see that was
   * closed in P (truth/clean: enrollment.csv and followup.csv, recoverable rows).
   */
  @Test
  void theRegionHoldsExamsWithoutAMeasureAndFollowupsAfterTheClose() throws Exception {
    Map<String, long[]> defects = new TreeMap<>();
    List<String> lines = Files.readAllLines(LinkedRegion.truth().resolve("defects.csv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      defects.put(f[0] + "|" + f[1], new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
    }
    assertTrue(defects.getOrDefault("EXAM_MEASURE_MISSING|ehr_physical_exam", new long[2])[1] > 0,
        "exams without height or weight that the pipeline sees");
    assertTrue(defects.getOrDefault("FOLLOWUP_AFTER_CLOSE|ehr_followup", new long[2])[0] > 0,
        "follow-ups after the close");
    Path clean = LinkedRegion.truth().resolve("clean");
    Map<String, String> closedInP = new TreeMap<>();
    List<String> en = Files.readAllLines(clean.resolve("enrollment.csv"));
    List<String> eh = List.of(en.get(0).split(",", -1));
    for (String line : en.subList(1, en.size())) {
      String[] f = line.split(",", -1);
      String close = f[eh.indexOf("rec_close_date")];
      if (f[eh.indexOf("recoverable")].equals("1") && f[eh.indexOf("manage_status_code")].equals("2")
          && close.startsWith("2025")) {
        closedInP.put(f[eh.indexOf("enrollment_id")], close);
      }
    }
    long after = 0;
    List<String> fu = Files.readAllLines(clean.resolve("followup.csv"));
    List<String> fh = List.of(fu.get(0).split(",", -1));
    for (String line : fu.subList(1, fu.size())) {
      String[] f = line.split(",", -1);
      String close = closedInP.get(f[fh.indexOf("enrollment_id")]);
      String day = f[fh.indexOf("followup_date")];
      if (close != null && f[fh.indexOf("recoverable")].equals("1") && day.startsWith("2025")
          && day.compareTo(close) > 0) {
        after++;
      }
    }
    assertTrue(after > 0, "follow-ups in P after a close in P, seen by the pipeline: " + after);
  }

  /**
   * The region's reference source delivers the official year-end population (ref_population.csv in the first full
   * reference drop, 2025-12-29) for 2024 and 2025, every age group the catalog asks for, and every county but one.
   * The comparison above therefore covers official denominators: the year 2025 takes 2025's figures, and the
   * county without one counts over the registry. Checked here from the delivered file itself: every value of a
   * marked indicator in a county with a figure has that figure (of 2025, its age group) as its denominator, the
   * county without one has its registry count and the note NO_OFFICIAL_DENOMINATOR, and the cross-check the run
   * reports beside the values (registry count, official figure, year, ratio) equals the truth's
   * (truth/official_denominators.csv), whose figures lie within 0.9 to 1.1 times the true count of residents
   * (rounded).
   */
  @Test
  void officialDenominatorsAreUsedWhereDeliveredAndTheRegistryElsewhere() throws Exception {
    Path drop = LinkedRegion.landing().resolve("reference").resolve("20251229");
    // year → min_age → county (12 digits) → population, as delivered.
    Map<String, Map<String, Map<String, Long>>> delivered = new TreeMap<>();
    try (var r = Files.newBufferedReader(drop.resolve("ref_population.csv"))) {
      for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
        delivered.computeIfAbsent(rec.get("year"), k -> new TreeMap<>()).computeIfAbsent(rec.get("min_age"),
            k -> new TreeMap<>()).put(rec.get("division_code"), Long.parseLong(rec.get("population")));
      }
    }
    // The manifest lists it with its row count: 2 years × 4 age groups × 8 counties.
    var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(drop.resolve("manifest.json").toFile());
    assertEquals(2 * 4 * 8, manifest.path("files").path("ref_population.csv").path("rows").asLong());
    // The later full reference drop does not repeat it (what the first delivered stands).
    assertTrue(!Files.exists(LinkedRegion.landing().resolve("reference/20251231/ref_population.csv")));
    assertEquals(java.util.Set.of("2024", "2025"), delivered.keySet());
    List<String> counties = result.values().stream().filter(v -> v.level().equals("county")
        && v.indicator().id().equals("ehr_coverage")).map(IndicatorJob.Value::divisionCode).sorted().toList();
    assertEquals(9, counties.size(), counties.toString());
    String missing = null;
    for (var year : delivered.values()) {
      assertEquals(java.util.Set.of("0", "60", "65", "80"), year.keySet());
      for (var byCounty : year.values()) {
        List<String> without = counties.stream().filter(c -> !byCounty.containsKey(c)).toList();
        assertEquals(1, without.size(), "one county without a figure: " + without);
        assertEquals(8, byCounty.size());
        missing = missing == null ? without.get(0) : missing;
        assertEquals(missing, without.get(0), "the same county lacks every figure");
      }
    }
    int official = 0;
    int fellBack = 0;
    int differ = 0;
    for (IndicatorJob.Value v : result.values()) {
      Integer age = v.indicator().officialMinAge();
      if (age == null || !v.level().equals("county")) {
        assertTrue(age != null || v.check() == null, v.toString());
        continue;
      }
      assertEquals(2025, v.check().officialYear(), v.toString());
      if (v.divisionCode().equals(missing)) {
        assertEquals("NO_OFFICIAL_DENOMINATOR", v.note(), v.toString());
        assertEquals(v.check().registryDenominator(), v.denominator(), v.toString());
        assertNull(v.check().officialDenominator(), v.toString());
        fellBack++;
      } else {
        long figure = delivered.get("2025").get(String.valueOf(age)).get(v.divisionCode());
        assertEquals(figure, v.denominator(), v.toString());
        assertEquals(figure, (long) v.check().officialDenominator(), v.toString());
        official++;
        differ += figure != v.check().registryDenominator() ? 1 : 0;
      }
    }
    // 8 marked indicators: over the figure in 8 counties each, over the registry in one.
    assertEquals(8 * 8, official);
    assertEquals(8, fellBack);
    assertTrue(differ > 0, "figures that differ from the registry count");
    assertEquals("", officialDifferences(result.values(), LinkedRegion.truth()));
  }

  /**
   * The differences between the cross-check the run reports beside the values of the indicators counted over
   * official figures and the truth's (truth/official_denominators.csv, recoverable view): year, registry count,
   * official figure and ratio (6 decimals), and whether some county fell back; empty when they agree. The truth's
   * figures are also held to the generator's rule: within 0.9 to 1.1 times the true count of residents, rounded.
   */
  static String officialDifferences(List<IndicatorJob.Value> values, Path truthDir) throws Exception {
    // The truth holds every period it computes; the run is compared over the periods it computed.
    java.util.Set<String> periods = new java.util.TreeSet<>();
    values.forEach(v -> periods.add(v.period().start() + "|" + v.period().end()));
    Map<String, String> want = new TreeMap<>();
    try (var r = Files.newBufferedReader(truthDir.resolve("official_denominators.csv"))) {
      for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
        if (!periods.contains(rec.get("period_start") + "|" + rec.get("period_end"))) {
          continue;
        }
        want.put(rec.get("indicator_id") + "|" + rec.get("period_start") + "|" + rec.get("period_end") + "|"
            + rec.get("division_level") + "|" + rec.get("division_code"), rec.get("official_year") + " "
            + rec.get("registry_denominator_recoverable") + " " + rec.get("official_denominator") + " "
            + rec.get("denominator_ratio_recoverable") + " " + !rec.get("counties_without_figure").equals("0"));
        if (rec.get("division_level").equals("county") && !rec.get("official_denominator").isEmpty()
            && rec.get("period_end").equals("2025-12-31") && rec.get("official_year").equals("2025")) {
          // A figure is the true count on the as-of date times a factor in [0.9, 1.1), rounded to a whole resident
          // (at least 1): 7 residents give 6 to 8. (Only there: 2024's figures come from the same count with a
          // factor of their own, and another period's count is on its own R.)
          long figure = Long.parseLong(rec.get("official_denominator"));
          long count = Long.parseLong(rec.get("registry_denominator_true"));
          if (figure < Math.max(1, 0.9 * count - 0.5 - 1e-9) || figure > Math.max(1, 1.1 * count + 0.5 + 1e-9)) {
            throw new AssertionError("a figure outside 0.9–1.1 times the true count: " + rec);
          }
        }
      }
    }
    Map<String, String> got = new TreeMap<>();
    for (IndicatorJob.Value v : values) {
      var c = v.check();
      if (c != null) {
        got.put(v.indicator().id() + "|" + v.period().start() + "|" + v.period().end() + "|" + v.level() + "|"
            + v.divisionCode(), c.officialYear() + " " + c.registryDenominator() + " "
            + (c.officialDenominator() == null ? "" : c.officialDenominator()) + " " + (c.ratio() == null ? ""
            : String.format(java.util.Locale.ROOT, "%.6f", c.ratio())) + " " + c.partial());
      }
    }
    StringBuilder diff = new StringBuilder();
    for (String k : new java.util.TreeSet<>(java.util.Set.copyOf(want.keySet()))) {
      if (!want.get(k).equals(got.get(k))) {
        diff.append(k).append(": truth ").append(want.get(k)).append(", Sanku ").append(got.get(k)).append('\n');
      }
    }
    for (String k : got.keySet()) {
      if (!want.containsKey(k)) {
        diff.append(k).append(": not in the truth, Sanku ").append(got.get(k)).append('\n');
      }
    }
    // 8 marked indicators × (9 counties + city + province) in each period compared.
    if (want.size() != 8 * 11 * periods.size()) {
      diff.append("the truth has ").append(want.size()).append(" cross-checks, not ").append(8 * 11 * periods.size())
          .append('\n');
    }
    return diff.toString();
  }

  /** As {@link #differences(List, List, Path)} for a run that found nothing without a county. */
  public static String differences(List<IndicatorJob.Value> values, Path truthDir) throws Exception {
    return differences(values, List.of(), truthDir);
  }

  /**
   * The differences between computed values and truth/indicators.csv (recoverable view): numerator/denominator and
   * the value to 6 decimals, for every indicator and period the run computed at every level, and the counts without
   * a county (the truth's {@code unassigned} rows) against the run's; empty when they agree. Cells are keyed by
   * indicator, period (type, start and end), level and division, so that no period's value can stand in for
   * another's.
   */
  public static String differences(List<IndicatorJob.Value> values, List<IndicatorJob.Unassigned> unassigned,
      Path truthDir) throws Exception {
    List<String> lines = Files.readAllLines(truthDir.resolve("indicators.csv"));
    List<String> head = List.of(lines.get(0).split(",", -1));
    // The truth holds several periods; the run is compared on those it computed (each of which the truth must hold:
    // a value for a period not in the truth is reported below).
    java.util.Set<String> computed = new java.util.HashSet<>();
    for (IndicatorJob.Value v : values) {
      computed.add(v.period().type() + "|" + v.period().start() + "|" + v.period().end());
    }
    Map<String, String> want = new TreeMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      String id = f[head.indexOf("indicator_id")];
      String period = f[head.indexOf("period_type")] + "|" + f[head.indexOf("period_start")] + "|"
          + f[head.indexOf("period_end")];
      if (!computed.contains(period)) {
        continue;
      }
      String key = id + "|" + period + "|" + f[head.indexOf("division_level")] + "|"
          + f[head.indexOf("division_code")];
      // Life expectancy also by its 95% limits (the truth's own life table, not the pipeline's).
      String limits = f[head.indexOf("lower95_recoverable")].isEmpty() ? ""
          : " [" + f[head.indexOf("lower95_recoverable")] + ", " + f[head.indexOf("upper95_recoverable")] + "]";
      String was = want.put(key, f[head.indexOf("numerator_recoverable")] + "/"
          + f[head.indexOf("denominator_recoverable")] + " " + f[head.indexOf("value_recoverable")] + limits);
      if (was != null) {
        throw new AssertionError("the truth has two rows for " + key);
      }
    }
    Map<String, String> got = new TreeMap<>();
    for (IndicatorJob.Value v : values) {
      String key = v.indicator().id() + "|" + v.period().type() + "|" + v.period().start() + "|" + v.period().end()
          + "|" + v.level() + "|" + v.divisionCode();
      String limits = v.lower95() == null ? "" : String.format(java.util.Locale.ROOT, " [%.6f, %.6f]", v.lower95(),
          v.upper95());
      String was = got.put(key, v.numerator() + "/" + v.denominator()
          + " " + (v.value() == null ? "" : String.format(java.util.Locale.ROOT, "%.6f", v.value())) + limits);
      if (was != null) {
        throw new AssertionError("Sanku computed two values for " + key);
      }
    }
    for (IndicatorJob.Unassigned u : unassigned) {
      // The truth states a rate for its unassigned rows (the pipeline reports counts only).
      got.put(u.indicator().id() + "|" + u.period().type() + "|" + u.period().start() + "|" + u.period().end()
          + "|unassigned|", u.numerator() + "/" + u.denominator() + " " + (u.denominator() == 0 ? ""
          : String.format(java.util.Locale.ROOT, "%.6f", u.indicator().factor() * u.numerator() / u.denominator())));
    }
    // Indicators × (9 counties + city + province); rows with nothing to count are absent from one side only.
    want.entrySet().removeIf(e -> e.getValue().startsWith("0/0") && !got.containsKey(e.getKey()));
    StringBuilder diff = new StringBuilder();
    for (var e : want.entrySet()) {
      if (!e.getValue().equals(got.get(e.getKey()))) {
        diff.append(e.getKey()).append(": truth ").append(e.getValue()).append(", Sanku ").append(got.get(e.getKey()))
            .append('\n');
      }
    }
    for (String k : got.keySet()) {
      if (!want.containsKey(k)) {
        diff.append(k).append(": not in the truth, Sanku ").append(got.get(k)).append('\n');
      }
    }
    if (want.keySet().stream().filter(k -> !k.contains("|unassigned|")).count() < 20 * 11) {
      diff.append("only ").append(want.size()).append(" cells compared\n");
    }
    return diff.toString();
  }

  /** The published table holds exactly the values computed, with targets and gaps from conf/targets.yaml. */
  @Test
  void publishedValuesCarryTargetsAndGaps() {
    SparkSession spark = TestSpark.get();
    String t = LinkedRegion.warehouse().analytics + ".ind.indicator_value";
    Row city = spark.table(t).filter("indicator_id = 'elderly_health_mgmt' AND division_level = 'city' "
        + "AND period_start = DATE'2025-01-01' AND period_end = DATE'2025-12-31'").first();
    long n = city.getAs("numerator");
    long d = city.getAs("denominator");
    // 南充's plan: ≥ 90% by 2025; the gap is value − target, exact.
    assertEquals(100.0 * n / d, (double) city.getAs("value"), 1e-12);
    assertEquals(90.0, (double) city.getAs("target"));
    assertEquals(2025, (int) city.getAs("target_year"));
    assertEquals(100.0 * n / d - 90.0, (double) city.getAs("gap"), 1e-12);
    assertEquals(51.5, (double) city.getAs("baseline"));
    // 20 indicators × (9 counties + city + province) for the period.
    assertEquals(220, spark.table(t).filter("period_end = DATE'2025-12-31'").count());
    // No target for the province (the plan is the city's).
    assertNull(spark.table(t).filter("indicator_id = 'elderly_health_mgmt' AND division_level = 'province'")
        .first().getAs("target"));
  }

  /**
   * The CSV for circulation: every cell with a numerator or denominator under k is suppressed, and where a city
   * has exactly one such county one more county is suppressed (the one with the smallest denominator); the other
   * values are the published ones rounded to 2 decimals. Checked at the default k = 5, and at a k chosen from the
   * data so that some indicator has exactly one small county (so the complementary rule must act).
   */
  @Test
  void csvAndWorkbookApplyTheSuppressionRule(@TempDir Path dir) throws Exception {
    SparkSession spark = TestSpark.get();
    List<Cell> cells = new org.sanku.pipeline.Pipeline(org.sanku.pipeline.RunContext.reading(spark,
        LinkedRegion.warehouse(), org.sanku.spark.TestConfig.get(), System.err)).values(Period.year(2025), false);
    checkCsv(cells, 5, dir.resolve("k5.csv"));
    // The smallest min(numerator, denominator) among the counties of one indicator, when the next is larger:
    // k = smallest + 1 makes exactly that county small.
    int k = -1;
    for (String id : cells.stream().map(Cell::indicatorId).distinct().toList()) {
      List<Long> mins = cells.stream().filter(c -> c.indicatorId().equals(id) && c.divisionLevel().equals("county"))
          .map(c -> Math.min(c.numerator(), c.denominator())).sorted().toList();
      if (mins.size() > 2 && mins.get(1) > mins.get(0) + 1 && mins.get(0) < 50) {
        k = (int) (mins.get(0) + 1);
        break;
      }
    }
    assertTrue(k > 0, "an indicator with one smallest county");
    assertTrue(checkCsv(cells, k, dir.resolve("k.csv")) > 0, "complementary cells at k = " + k);
    Path xlsx = dir.resolve("i.xlsx");
    new org.sanku.indicators.report.Reports("xlsx", null, null, 5, List.of()).write(cells, xlsx, System.out);
    try (var wb = new org.apache.poi.xssf.usermodel.XSSFWorkbook(Files.newInputStream(xlsx))) {
      // The about sheet and one sheet per indicator.
      assertEquals(21, wb.getNumberOfSheets());
      assertTrue(wb.getSheet("elderly_health_mgmt") != null);
      // Every indicator's sheet shows the same cells as the CSV at the same k: 11 data rows (9 counties, the city,
      // the province), the published numerator, denominator and value (2 decimals), or the marker of the same
      // suppression (* small cell, ** complementary).
      Map<String, CSVRecord> csv = new TreeMap<>();
      try (var r = Files.newBufferedReader(dir.resolve("k5.csv"))) {
        for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
          csv.put(rec.get("indicator_id") + "|" + rec.get("division_code"), rec);
        }
      }
      int compared = 0;
      for (String id : cells.stream().map(Cell::indicatorId).distinct().toList()) {
        var sheet = wb.getSheet(id.length() > 31 ? id.substring(0, 31) : id);
        assertTrue(sheet != null, id);
        assertEquals(2 + 11, sheet.getLastRowNum() + 1, id + ": title, header and 11 divisions");
        for (int row = 2; row <= sheet.getLastRowNum(); row++) {
          var x = sheet.getRow(row);
          CSVRecord want = csv.get(id + "|" + text(x.getCell(0)));
          assertTrue(want != null, id + " row " + row + ": " + text(x.getCell(0)));
          String mark = switch (want.get("suppressed")) {
            case "SMALL_CELL" -> "*";
            case "COMPLEMENTARY" -> "**";
            default -> null;
          };
          if (mark != null) {
            assertEquals(mark, text(x.getCell(3)), id + " " + want);
            assertEquals(mark, text(x.getCell(5)), id + " " + want);
          } else {
            assertEquals(want.get("numerator"), text(x.getCell(3)), id + " " + want);
            assertEquals(want.get("denominator"), text(x.getCell(4)), id + " " + want);
            if (!want.get("value").isEmpty()) {
              assertEquals(Double.parseDouble(want.get("value")), x.getCell(5).getNumericCellValue(), 1e-9,
                  id + " " + want);
            }
          }
          compared++;
        }
      }
      assertEquals(20 * 11, compared);
    }
  }

  /** A workbook cell as text: a string as it is, a number without a fraction as an integer. */
  private static String text(org.apache.poi.ss.usermodel.Cell c) {
    if (c == null) {
      return null;
    }
    if (c.getCellType() == org.apache.poi.ss.usermodel.CellType.NUMERIC) {
      double v = c.getNumericCellValue();
      return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
    return c.getStringCellValue();
  }

  /** Writes the CSV at threshold k, checks every row against the rule, returns the complementary cells. */
  private static int checkCsv(List<Cell> cells, int k, Path csv) throws Exception {
    new org.sanku.indicators.report.Reports("csv", null, null, k, List.of()).write(cells, csv, System.out);
    List<CSVRecord> recs;
    try (var r = Files.newBufferedReader(csv)) {
      recs = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
    }
    assertEquals(220, recs.size());
    Map<String, List<CSVRecord>> countiesByIndicator = new TreeMap<>();
    for (CSVRecord r : recs) {
      Cell c = cells.stream().filter(x -> x.indicatorId().equals(r.get("indicator_id"))
          && x.divisionCode().equals(r.get("division_code"))).findFirst().orElseThrow();
      boolean small = c.numerator() < k || c.denominator() < k;
      if (small) {
        assertEquals("SMALL_CELL", r.get("suppressed"), r.toString());
        assertEquals("", r.get("value"));
        assertEquals("", r.get("numerator"));
      } else if (r.get("suppressed").isEmpty()) {
        assertEquals(String.valueOf(c.numerator()), r.get("numerator"));
        if (c.value() != null) {
          assertEquals(new java.math.BigDecimal(c.value()).setScale(2, java.math.RoundingMode.HALF_UP).doubleValue(),
              Double.parseDouble(r.get("value")), 1e-9, r.toString());
        }
      }
      if (r.get("division_level").equals("county")) {
        countiesByIndicator.computeIfAbsent(r.get("indicator_id"), x -> new ArrayList<>()).add(r);
      }
    }
    int complementary = 0;
    for (var e : countiesByIndicator.entrySet()) {
      long small = e.getValue().stream().filter(r -> r.get("suppressed").equals("SMALL_CELL")).count();
      List<CSVRecord> comp = e.getValue().stream().filter(r -> r.get("suppressed").equals("COMPLEMENTARY")).toList();
      assertEquals(small == 1 ? 1 : 0, comp.size(), e.getKey() + ": complementary cells at k = " + k);
      if (comp.size() == 1) {
        // The complementary county has the smallest denominator of the unsuppressed ones.
        String code = comp.get(0).get("division_code");
        long d = cells.stream().filter(c -> c.indicatorId().equals(e.getKey()) && c.divisionCode().equals(code))
            .findFirst().orElseThrow().denominator();
        for (CSVRecord r : e.getValue()) {
          if (r.get("suppressed").isEmpty()) {
            assertTrue(Long.parseLong(r.get("denominator")) >= d, e.getKey() + " " + r);
          }
        }
      }
      complementary += comp.size();
    }
    return complementary;
  }

  @Test
  void theSqlCommandSeesThePublishedTable() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int rc = org.sanku.cli.SqlAccess.run(TestSpark.get(), LinkedRegion.warehouse().analytics,
        "SELECT count(*) AS n FROM ind.indicator_value WHERE division_level = 'city' AND period_end = DATE'2025-12-31'",
        new PrintStream(out, true));
    assertEquals(0, rc);
    // One city row per indicator: 20.
    assertTrue(out.toString().lines().anyMatch(l -> l.trim().equals("20")), out.toString());
  }

  /**
   * Life expectancy has its interval, and its value and limits at every level where a life table can be formed
   * are those of the truth's own life table (compared to 6 decimals with everything else above).
   */
  @Test
  void lifeExpectancyHasItsInterval() throws Exception {
    IndicatorJob.Value city = result.values().stream()
        .filter(v -> v.indicator().id().equals("life_expectancy") && v.level().equals("city")).findFirst().orElseThrow();
    assertNotNull(city.value());
    assertTrue(city.lower95() < city.value() && city.value() < city.upper95());
    List<String> truth = Files.readAllLines(LinkedRegion.truth().resolve("indicators.csv"));
    // The run is of the year 2025 (the truth holds other periods too: PeriodsRegionTest compares them).
    long withLimits = truth.stream().filter(l -> l.startsWith("life_expectancy,year,2025-01-01,2025-12-31,")
        && !l.split(",", -1)[15].isEmpty()).count();
    // The city, the province and the counties with deaths at 85+ (at least one).
    assertTrue(withLimits >= 3, "life tables with limits in the truth: " + withLimits);
    assertEquals(withLimits, result.values().stream().filter(v -> v.indicator().id().equals("life_expectancy")
        && v.lower95() != null).count());
  }
}
