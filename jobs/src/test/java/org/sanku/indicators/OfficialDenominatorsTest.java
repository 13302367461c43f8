package org.sanku.indicators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.indicators.report.Cell;
import org.sanku.indicators.report.CsvReport;
import org.sanku.indicators.report.Reports;
import org.sanku.ingest.IngestJob;
import org.sanku.ingest.IngestedRegion;
import org.sanku.link.IntegratedTables;
import org.sanku.pipeline.SankuConfig;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.Warehouse;

/**
 * Official denominators (shared/indicators.md, "Resident population on R": {@code ref_denominator}) from the
 * delivery of {@code ref_population} to the published values and every output, on a hand-made region of three
 * counties of 南充 (A = 511302 顺庆区, B = 511303 高坪区, C = 511304 嘉陵区). The integrated tables are written by
 * hand as Iceberg tables; the reference drops go through ingest as a platform would deliver them.
 *
 * <pre>
 * person  county  born        resident  age on 2025-12-31  age on 2024-12-31  family-doctor contract
 * a1      A       1950-01-01  yes       75                 74                 2025-01-01 … 2025-12-31
 * a2      A       1955-01-01  yes       70                 69                 2025-01-01 … 2025-12-31
 * a3      A       1960-01-01  yes       65                 64                 -
 * a4      A       1963-01-01  yes       62                 61                 -
 * a5…a8   A       1990-01-01  yes       35                 34                 -
 * a9      A       1950-01-01  no (户籍外出, type 2)                            -
 * b1      B       1950-01-01  yes       75                 74                 2025-01-01 … 2025-12-31
 * b2…b4   B       1990-01-01  yes       35                 34                 -
 * (nobody lives in C)
 * </pre>
 * Registry counts on 2025-12-31: residents A 8, B 4, C 0; residents 65+ A 3 (a1 a2 a3), B 1, C 0. On 2024-12-31:
 * 65+ A 2 (a3 is 64), B 1.
 *
 * <p>The official file (year, county, min_age → population), with the rows ingest or the indicators refuse:
 * <pre>
 * 2025 A 65 → 4      2025 A 0 → 10     2025 B 0 → 5     2025 C 65 → 2     2024 A 65 → 5
 * 2025 51130X 65 → 4        BAD_DIVISION, quarantined
 * 2025 A 70 → 4             min_age 70 is no age group: UNKNOWN_CODE, quarantined
 * 2025 B 65 → abc           BAD_NUMBER, quarantined: B has no 65+ figure
 * (no year) B 65 → 7        MISSING_REQUIRED, quarantined
 * 2025 511300 (the city) 65 → 9          ingested (a division code), not used: not a county
 * 2025 511303001 (a township of B) 0 → 3  ingested, not used: not a county
 * </pre>
 */
class OfficialDenominatorsTest {

  private static final String A = "511302000000";
  private static final String B = "511303000000";
  private static final String C = "511304000000";
  private static final String CITY = "511300000000";
  private static final String PROVINCE = "510000000000";
  private static final LocalDate R = LocalDate.parse("2025-12-31");
  private static final String FD = "elderly_fd_contract";
  private static final String AGING = "aging_65";

  private final SparkSession spark = TestSpark.get();
  private final SankuConfig config = TestConfig.get();

  @Test
  void officialFiguresReplaceTheRegistryCountWhichStaysBesideThem(@TempDir Path dir) throws Exception {
    Warehouse wh = new Warehouse(spark, Files.createDirectories(dir.resolve("wh")).toUri().toString(), "od_a",
        "od_i");
    writeIntegratedTables(wh);
    Path landing = dir.resolve("landing");
    List<Period> periods = List.of(Period.year(2025), Period.year(2024), Period.yearToDate(LocalDate.parse(
        "2026-03-31")));

    // 1. No ref_population (and no reference drop yet: divisions roll up by their digits): everything counts over
    //    the registry, as before. (Every other test of the suite runs without the file too.)
    run(wh, List.of(Period.year(2025)));
    Map<String, Row> before = published(wh);
    // elderly_fd_contract 2025 over the registry: A 2/3 (a1 a2 of a1 a2 a3), B 1/1 (b1); city 3/4.
    assertRow(before, FD, 2025, A, 2, 3, null, null, null, null, null);
    assertRow(before, FD, 2025, B, 1, 1, null, null, null, null, null);
    assertRow(before, FD, 2025, CITY, 3, 4, null, null, null, null, null);
    assertEquals(null, before.get(key(FD, 2025, C)), "C has nobody: no row without official figures");
    // aging_65 2025: A 3/8, B 1/4, city 4/12.
    assertRow(before, AGING, 2025, CITY, 4, 12, null, null, null, null, null);
    List<Cell> cells2025 = cells(wh, Period.year(2025));
    String csvBefore = csv(cells2025, dir.resolve("before.csv"));
    assertEquals(String.join(",", CsvReport.HEADER), csvBefore.lines().findFirst().orElseThrow(),
        "without official figures the CSV is exactly as before");

    // 2. A full reference drop delivers ref_population; its bad rows are quarantined with their reasons.
    referenceDrop(landing, "20251231", List.of(
        "year,division_code,min_age,population,publication",
        "2025,511302,65,4,南充统计年鉴2026 表3-2",
        "2025,511302000000,0,10,南充统计年鉴2026 表3-1",
        "2025,511303000000,0,5,",
        "2025,511304000000,65,2,",
        "2024,511302000000,65,5,南充统计年鉴2025",
        "2025,51130X,65,4,",
        "2025,511302000000,70,4,",
        "2025,511303000000,65,abc,",
        ",511303000000,65,7,",
        "2025,511300000000,65,9,",
        "2025,511303001000,0,3,"));
    ingest(wh, landing);
    Map<String, String> quarantined = new TreeMap<>();
    for (Row r : spark.sql("SELECT line, column_name, reason FROM " + wh.ops("quarantine")
        + " WHERE file LIKE '%ref_population.csv'").collectAsList()) {
      quarantined.merge(String.valueOf(r.get(0)), r.getString(1) + ":" + r.getString(2), (x, y) -> x + " " + y);
    }
    // Lines counted with the header as line 1: the 7th to 10th lines are the four broken rows.
    assertEquals(Map.of("7", "division_code:BAD_DIVISION", "8", "min_age:UNKNOWN_CODE", "9",
        "population:BAD_NUMBER", "10", "year:MISSING_REQUIRED"), quarantined);
    assertEquals(7L, spark.table(wh.std("ref_population")).count(), "11 rows delivered, 4 quarantined");

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    run(wh, periods, new PrintStream(log, true, StandardCharsets.UTF_8));
    String said = log.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("2 row(s) of ref_population not used"), said);
    assertTrue(said.contains("2025 511300000000 min_age 65: not a county"), said);
    assertTrue(said.contains("2025 511303001000 min_age 0: not a county"), said);
    assertTrue(said.contains("WARNING 2025 elderly_fd_contract: no official figure for 511303"), said);
    Map<String, Row> after = published(wh);

    // elderly_fd_contract 2025 (65+, official year 2025):
    //   A: official 4 replaces the registry's 3; numerator a1 a2 = 2 → 2/4 = 50%; ratio 3/4 = 0.75.
    assertRow(after, FD, 2025, A, 2, 4, 50.0, 3L, 4L, 0.75, null);
    //   B: its 65+ row was quarantined: no figure, the registry's 1 stays the denominator, b1 → 1/1; no ratio.
    assertRow(after, FD, 2025, B, 1, 1, 100.0, 1L, null, null, "NO_OFFICIAL_DENOMINATOR");
    //   C: nobody in the registry, official 2: a county of its own, 0/2 = 0%; ratio 0/2 = 0.
    assertRow(after, FD, 2025, C, 0, 2, 0.0, 0L, 2L, 0.0, null);
    //   City = the sum of the counties as published: 3 / (4 + 1 + 2) = 3/7 = 42.857…%; registry 3 + 1 + 0 = 4;
    //   official 4 + 2 = 6 over A and C; ratio over the counties with a figure (3 + 0) / 6 = 0.5; B fell back.
    assertRow(after, FD, 2025, CITY, 3, 7, 300.0 / 7, 4L, 6L, 0.5, "OFFICIAL_PARTIAL");
    assertRow(after, FD, 2025, PROVINCE, 3, 7, 300.0 / 7, 4L, 6L, 0.5, "OFFICIAL_PARTIAL");
    // aging_65 2025 (every age, official year 2025): A 3/10 = 30%, ratio 8/10; B 1/5 = 20%, ratio 4/5 (the
    // township's 3 is not B's figure); C has no all-ages figure and nobody: no row. City 4/15, ratio 12/15.
    assertRow(after, AGING, 2025, A, 3, 10, 30.0, 8L, 10L, 0.8, null);
    assertRow(after, AGING, 2025, B, 1, 5, 20.0, 4L, 5L, 0.8, null);
    assertEquals(null, after.get(key(AGING, 2025, C)));
    assertRow(after, AGING, 2025, CITY, 4, 15, 400.0 / 15, 12L, 15L, 0.8, null);
    // 2024 takes 2024's figures (the latest year not after 2024): only A's 65+ = 5. On 2024-12-31 A's 65+ are
    // a1 a2 (a3 is 64), no contract had started: 0/5, ratio 2/5; B falls back (0/1); C has no 2024 figure and
    // nobody: no row. City 0/6, registry 3, official 5, ratio 2/5.
    assertRow(after, FD, 2024, A, 0, 5, 0.0, 2L, 5L, 0.4, null);
    assertRow(after, FD, 2024, B, 0, 1, 0.0, 1L, null, null, "NO_OFFICIAL_DENOMINATOR");
    assertEquals(null, after.get(key(FD, 2024, C)));
    assertRow(after, FD, 2024, CITY, 0, 6, 0.0, 3L, 5L, 0.4, "OFFICIAL_PARTIAL");
    // 2024 has no all-ages figure: aging_65 counts over the registry as without the file (A 2/8).
    assertRow(after, AGING, 2024, A, 2, 8, 25.0, null, null, null, null);
    // The year to 2026-03-31 takes 2025's figures (no 2026 yet): A 65+ official 4, registry 3, no contract valid.
    Row ytd = after.get(FD + "|2026-03-31|" + A);
    assertEquals(2025, ytd.<Integer>getAs("official_year"));
    assertEquals(4L, ytd.<Long>getAs("denominator"));
    assertEquals(3L, ytd.<Long>getAs("registry_denominator"));

    // The outputs carry the registry count and the ratio beside the official denominator.
    List<Cell> cells = cells(wh, Period.year(2025));
    String text = csv(cells, dir.resolve("after.csv"));
    List<String> header = new ArrayList<>(CsvReport.HEADER);
    header.addAll(CsvReport.OFFICIAL);
    assertEquals(String.join(",", header), text.lines().findFirst().orElseThrow());
    // indicator, …, numerator, denominator, value, …, suppressed, registry, official, year, ratio (k = 0: none
    // suppressed). The city: 3/7 = 42.857…% → 42.86.
    assertTrue(text.contains("elderly_fd_contract,year,2025-01-01,2025-12-31,511300000000,city,南充市,3,7,42.86,,,"
        + "%,"), text);
    assertTrue(text.lines().anyMatch(l -> l.startsWith("elderly_fd_contract,year,2025-01-01,2025-12-31,"
        + "511300000000,") && l.endsWith(",4,6,2025,0.5000")), text);
    assertTrue(text.lines().anyMatch(l -> l.startsWith("elderly_fd_contract,year,2025-01-01,2025-12-31,"
        + "511303000000,") && l.endsWith(",1,,2025,")), text);
    // An indicator without official figures has the columns empty.
    assertTrue(text.lines().anyMatch(l -> l.startsWith("htn_std_mgmt,") && l.endsWith(",,,,")), text);

    ByteArrayOutputStream table = new ByteArrayOutputStream();
    new Reports("table", null, List.of(FD, AGING), 0, List.of()).write(cells, null,
        new PrintStream(table, true, StandardCharsets.UTF_8));
    String t = table.toString(StandardCharsets.UTF_8);
    assertTrue(t.contains("分母为2025年末官方常住人口"), t);
    // The ratio table: A 0.7500 and 0.8000, B — (no figure) and 0.8000, the city 0.5000* (partial) and 0.8000.
    assertTrue(t.lines().anyMatch(l -> l.startsWith(A) && l.contains("0.7500") && l.contains("0.8000")), t);
    assertTrue(t.lines().anyMatch(l -> l.startsWith(CITY) && l.contains("0.5000*") && l.contains("0.8000")), t);

    Path xlsx = dir.resolve("out.xlsx");
    new Reports("xlsx", null, List.of(FD), 0, List.of()).write(cells, xlsx, null);
    try (InputStream in = Files.newInputStream(xlsx); Workbook wb = new XSSFWorkbook(in)) {
      Sheet sh = wb.getSheet(FD);
      assertEquals("户籍库分母", sh.getRow(1).getCell(14).getStringCellValue());
      assertEquals("户籍库/官方", sh.getRow(1).getCell(17).getStringCellValue());
      Map<String, org.apache.poi.ss.usermodel.Row> rows = new HashMap<>();
      for (int i = 2; i <= sh.getLastRowNum(); i++) {
        rows.put(sh.getRow(i).getCell(0).getStringCellValue(), sh.getRow(i));
      }
      assertEquals(4.0, rows.get(A).getCell(4).getNumericCellValue());       // 分母: the official figure
      assertEquals(3.0, rows.get(A).getCell(14).getNumericCellValue());      // the registry's count
      assertEquals(0.75, rows.get(A).getCell(17).getNumericCellValue(), 1e-9);
      assertEquals("无官方人口数", rows.get(B).getCell(13).getStringCellValue());
      assertEquals("部分县区无官方数", rows.get(CITY).getCell(13).getStringCellValue());
    }

    // 3. The same inputs again (a night on which nothing was delivered): the stored county counts are read, not
    //    computed again, and the same values are published; the official figures are applied to them afresh.
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    run(wh, periods, new PrintStream(again, true, StandardCharsets.UTF_8));
    String said2 = again.toString(StandardCharsets.UTF_8);
    assertTrue(said2.contains("read, not computed again"), said2);
    Map<String, Row> same = published(wh);
    assertEquals(after.keySet(), same.keySet());
    assertRow(same, FD, 2025, A, 2, 4, 50.0, 3L, 4L, 0.75, null);
    assertRow(same, FD, 2025, CITY, 3, 7, 300.0 / 7, 4L, 6L, 0.5, "OFFICIAL_PARTIAL");
    assertRow(same, FD, 2024, A, 0, 5, 0.0, 2L, 5L, 0.4, null);
    assertRow(same, AGING, 2024, A, 2, 8, 25.0, null, null, null, null);
    // The upkeep compacts model.person (the same rows in a new file): still the same inputs.
    spark.sql("CALL " + wh.model("person").substring(0, wh.model("person").indexOf('.'))
        + ".system.rewrite_data_files(table => '" + wh.model("person").substring(wh.model("person").indexOf('.') + 1)
        + "', options => map('rewrite-all', 'true'))");
    ByteArrayOutputStream compacted = new ByteArrayOutputStream();
    run(wh, periods, new PrintStream(compacted, true, StandardCharsets.UTF_8));
    assertTrue(compacted.toString(StandardCharsets.UTF_8).contains("read, not computed again"),
        compacted.toString(StandardCharsets.UTF_8));
    // b1's contract is withdrawn: counted again. elderly_fd_contract 2025: B 0/1 (the registry's, no figure); the
    // city 2 / (4 + 1 + 2) = 28.571…%, registry and official as before.
    spark.sql("DELETE FROM " + wh.model("ehr_contract") + " WHERE person_key = 'b1'");
    ByteArrayOutputStream changed = new ByteArrayOutputStream();
    run(wh, periods, new PrintStream(changed, true, StandardCharsets.UTF_8));
    String said3 = changed.toString(StandardCharsets.UTF_8);
    assertTrue(said3.contains("counting (the stored counts do not apply: " + wh.model("ehr_contract")
        + " changed since)"), said3);
    Map<String, Row> counted = published(wh);
    assertRow(counted, FD, 2025, B, 0, 1, 0.0, 1L, null, null, "NO_OFFICIAL_DENOMINATOR");
    assertRow(counted, FD, 2025, CITY, 2, 7, 200.0 / 7, 4L, 6L, 0.5, "OFFICIAL_PARTIAL");
    assertRow(counted, FD, 2025, A, 2, 4, 50.0, 3L, 4L, 0.75, null);
    // The same inputs over other periods (a nightly's year to date moves with each night): counted again, and the
    // run says it is the periods that differ, not the catalog or the code.
    ByteArrayOutputStream other = new ByteArrayOutputStream();
    run(wh, List.of(Period.year(2025)), new PrintStream(other, true, StandardCharsets.UTF_8));
    String said4 = other.toString(StandardCharsets.UTF_8);
    assertTrue(said4.contains("counting (the stored counts do not apply: its periods differ: year 2025-01-01.."
        + "2025-12-31, year 2024-01-01..2024-12-31, ytd 2026-01-01..2026-03-31 then, year 2025-01-01..2025-12-31 "
        + "now)"), said4);
  }

  /**
   * The catalog decides which indicators may take official figures, and checks the key like every other; the
   * parameter official_denominators: false ignores a delivered file.
   */
  @Test
  void theCatalogSaysWhichIndicatorsTakeThemAndASwitchTurnsThemOff(@TempDir Path dir) throws Exception {
    Catalog shipped = config.indicators();
    Map<String, Integer> marked = new TreeMap<>();
    shipped.indicators.values().stream().filter(i -> i.officialMinAge() != null)
        .forEach(i -> marked.put(i.id(), i.officialMinAge()));
    // Denominators that are exactly the residents of an age group (shared/indicators.md): every age for record
    // coverage and ageing, 65+ for the elderly rates, 80+ for elderly80.
    assertEquals(Map.of("ehr_coverage", 0, "ehr_electronic_coverage", 0, "aging_60", 0, "aging_65", 0,
        "elderly_health_mgmt", 65, "elderly_tcm_mgmt", 65, "elderly_fd_contract", 65, "elderly80_health_mgmt", 80),
        marked);

    // One figure for A's 65+ in 2025: used by the shipped catalog, ignored once the switch is off.
    Dataset<Row> rows = spark.sql("SELECT 2025 AS year, '511302000000' AS division_code, '65' AS min_age, "
        + "4 AS population");
    org.sanku.geo.Divisions div = new org.sanku.geo.Divisions((Dataset<Row>) null);
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Catalog.Indicator fd = shipped.indicators.get(FD);
    OfficialDenominators on = OfficialDenominators.of(rows, shipped, List.of(Period.year(2025)), div, quiet);
    assertEquals(4L, on.figure(fd, 0, "511302"));
    assertEquals(null, on.figure(shipped.indicators.get(AGING), 0, "511302"), "no all-ages figure");

    Path conf = dir.resolve("indicators");
    Files.createDirectories(conf);
    try (var s = Files.list(Path.of("..", "conf", "indicators"))) {
      for (Path f : s.toList()) {
        Files.copy(f, conf.resolve(f.getFileName()));
      }
    }
    Path model = conf.resolve("model.yaml");
    Files.writeString(model, Files.readString(model).replace("official_denominators: true",
        "official_denominators: false"));
    Catalog off = Catalog.load(conf);
    OfficialDenominators none = OfficialDenominators.of(rows, off, List.of(Period.year(2025)), div, quiet);
    assertEquals(null, none.figure(off.indicators.get(FD), 0, "511302"));

    // A mistake in the key is refused naming the file and field.
    Files.writeString(conf.resolve("local.yaml"), """
        indicators:
          le_official:
            name_zh: 寿命
            name_en: Life
            kind: life_table
            unit: 岁
            deaths: "death_date IS NOT NULL"
            death_age: age_at_death
            population: resident_mid
            population_age: age_at_mid
            official_denominator: {min_age: 0}
        """);
    Catalog.CatalogException e = org.junit.jupiter.api.Assertions.assertThrows(Catalog.CatalogException.class,
        () -> Catalog.load(conf));
    assertTrue(e.getMessage().contains("local.yaml: indicators.le_official.official_denominator: only a rate or "
        + "ratio"), e.getMessage());
    Files.writeString(conf.resolve("local.yaml"), """
        indicators:
          aging_old:
            name_zh: 老龄
            name_en: Old
            unit: "%"
            denominator: resident
            numerator: "age >= 70"
            official_denominator: {min_age: seventy}
        """);
    e = org.junit.jupiter.api.Assertions.assertThrows(Catalog.CatalogException.class, () -> Catalog.load(conf));
    assertTrue(e.getMessage().contains("local.yaml: indicators.aging_old.official_denominator.min_age: 'seventy' "
        + "is not an age"), e.getMessage());
  }

  // ---- the region ----

  private static void writeIntegratedTables(Warehouse wh) {
    Map<String, List<Row>> rows = new HashMap<>();
    person(rows, "a1", "1950-01-01", "1", A);
    person(rows, "a2", "1955-01-01", "1", A);
    person(rows, "a3", "1960-01-01", "1", A);
    person(rows, "a4", "1963-01-01", "1", A);
    for (String a : List.of("a5", "a6", "a7", "a8")) {
      person(rows, a, "1990-01-01", "1", A);
    }
    person(rows, "a9", "1950-01-01", "2", A);
    person(rows, "b1", "1950-01-01", "1", B);
    for (String b : List.of("b2", "b3", "b4")) {
      person(rows, b, "1990-01-01", "1", B);
    }
    for (String p : List.of("a1", "a2", "b1")) {
      add(rows, "ehr_record", "ehr_no", "R" + p, "person_key", p, "build_date", "2020-01-01", "basic_form_complete",
          "1", "record_status_code", "1", "is_electronic", "1", "org_county_code", p.startsWith("a") ? "511302"
          : "511303");
      add(rows, "ehr_contract", "contract_id", "C" + p, "ehr_no", "R" + p, "person_key", p, "sign_date",
          "2024-12-20", "start_date", "2025-01-01", "end_date", "2025-12-31", "status_code", "1");
    }
    IcebergWriter writer = new IcebergWriter(TestSpark.get());
    for (IntegratedTables.Spec s : IntegratedTables.all()) {
      writer.replace(wh.analytics(s.namespace(), s.table()), IntegratedRows.frame(rows, s));
    }
  }

  private static void person(Map<String, List<Row>> rows, String key, String birth, String type, String county) {
    add(rows, "person", "person_key", key, "birth_date", birth, "resident_type_code", type, "person_status_code", "1",
        "county_code", county.substring(0, 6), "residence_division_code", county.substring(0, 6) + "001001");
  }

  private static void add(Map<String, List<Row>> rows, String table, Object... kv) {
    IntegratedRows.add(rows, table, kv);
  }

  /** A full reference drop: the region's divisions and {@code population} as ref_population.csv. */
  private static void referenceDrop(Path landing, String date, List<String> population) throws Exception {
    Path drop = landing.resolve("reference").resolve(date);
    Files.createDirectories(drop);
    Map<String, List<String>> files = new TreeMap<>();
    files.put("ref_division.csv", List.of("division_code,name,level,parent_code,valid_from,valid_to,successor_code",
        "510000000000,四川省,1,,,,", "511300000000,南充市,2,510000000000,,,",
        "511302000000,顺庆区,3,511300000000,,,", "511303000000,高坪区,3,511300000000,,,",
        "511304000000,嘉陵区,3,511300000000,,,", "511303001000,某街道,4,511303000000,,,"));
    files.put("ref_population.csv", population);
    StringBuilder manifest = new StringBuilder("{\"source\": \"reference\", \"extract_date\": \"" + LocalDate.parse(
        date, java.time.format.DateTimeFormatter.BASIC_ISO_DATE) + "\", \"kind\": \"full\", \"encoding\": "
        + "\"UTF-8\", \"delimiter\": \",\", \"files\": {");
    String sep = "";
    for (var e : files.entrySet()) {
      byte[] bytes = (String.join("\n", e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8);
      Files.write(drop.resolve(e.getKey()), bytes);
      manifest.append(sep).append('"').append(e.getKey()).append("\": {\"rows\": ").append(e.getValue().size() - 1)
          .append(", \"sha256\": \"").append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(bytes))).append("\"}");
      sep = ", ";
    }
    Files.writeString(drop.resolve("manifest.json"), manifest.append("}}").toString());
  }

  private void ingest(Warehouse wh, Path landing) {
    IngestJob.Result r = new IngestJob(spark, wh, landing, config.schemas(), config.aliases(), config.settings(),
        IngestedRegion.KEY, new PrintStream(System.out, true)).run();
    assertEquals(List.of(), r.refusals());
  }

  private void run(Warehouse wh, List<Period> periods) {
    run(wh, periods, new PrintStream(System.out, true));
  }

  private void run(Warehouse wh, List<Period> periods, PrintStream log) {
    new IndicatorJob(spark, wh, config.indicators(), Targets.none(), log).run(R, periods);
  }

  /** The published rows by indicator, period end and division. */
  private Map<String, Row> published(Warehouse wh) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : spark.table(wh.ind("indicator_value")).collectAsList()) {
      out.put(r.<String>getAs("indicator_id") + "|" + r.getAs("period_end") + "|" + r.<String>getAs("division_code"),
          r);
    }
    return out;
  }

  private static String key(String id, int year, String division) {
    return id + "|" + year + "-12-31|" + division;
  }

  private static void assertRow(Map<String, Row> rows, String id, int year, String division, long n, long d,
      Double value, Long registry, Long official, Double ratio, String note) {
    Row r = rows.get(key(id, year, division));
    String what = id + " " + year + " " + division;
    assertEquals(n, r.<Long>getAs("numerator"), what + " numerator");
    assertEquals(d, r.<Long>getAs("denominator"), what + " denominator");
    if (value != null) {
      assertEquals(value, r.<Double>getAs("value"), 1e-9, what + " value");
    }
    assertEquals(registry, r.getAs("registry_denominator"), what + " registry_denominator");
    assertEquals(official, r.getAs("official_denominator"), what + " official_denominator");
    if (ratio == null) {
      assertNull(r.getAs("denominator_ratio"), what + " ratio");
    } else {
      assertEquals(ratio, r.<Double>getAs("denominator_ratio"), 1e-12, what + " ratio");
    }
    assertEquals(registry == null ? null : (Integer) year, r.getAs("official_year"), what + " official_year");
    assertEquals(note, r.getAs("note"), what + " note");
  }

  private List<Cell> cells(Warehouse wh, Period p) {
    List<Cell> out = new ArrayList<>();
    for (Row r : IndicatorJob.read(spark, wh, p)) {
      out.add(PublishedRun.cell(r, config.indicators()));
    }
    return out;
  }

  private static String csv(List<Cell> cells, Path out) throws IOException {
    new Reports("csv", null, null, 0, List.of()).write(cells, out, null);
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
