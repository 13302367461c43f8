package org.sanku.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.cli.Sanku;
import org.sanku.storage.Warehouse;

/**
 * {@code ./sanku quality}'s report of the checked dirty region (night of 31 December, with the night of 30 December
 * before it): failing checks first with counts, shares, the trend and the recommendation; the CSV and the workbook
 * (one sheet per source, Chinese headers) read back; no value from the identity zone anywhere in them.
 */
class QualityReportTest {

  static SparkSession spark;
  static Warehouse wh;
  static QualityJob.Result run;
  static QualityReport.Report report;

  @BeforeAll
  static void read() {
    spark = CheckedRegion.spark();
    wh = CheckedRegion.warehouse();
    run = CheckedRegion.result();
    report = QualityReport.read(spark, wh, run.runId(), "source");
  }

  @Test
  void failingChecksComeFirstErrorsBeforeWarningsWithTheirCounts() {
    assertEquals(run.runId(), report.runId());
    List<QualityReport.Line> lines = report.lines();
    assertEquals(run.results().stream().filter(r -> r.level().equals("source")).count(), lines.size());
    int firstPassing = 0;
    while (!lines.get(firstPassing).passed()) {
      firstPassing++;
    }
    assertTrue(firstPassing > 10, "failing lines: " + firstPassing);
    for (int i = firstPassing; i < lines.size(); i++) {
      assertTrue(lines.get(i).passed(), "a failing line after a passing one at " + i);
    }
    for (int i = 1; i < firstPassing; i++) {
      assertTrue(QualityReport.severityRank(lines.get(i - 1).severity())
          >= QualityReport.severityRank(lines.get(i).severity()), "errors, then warnings, then information");
    }
    // The lines carry the run's counts: the registry's checksum failures (13 in this region's defects.csv).
    QualityReport.Line checksum = line("pop_id_checksum");
    CheckResult r = run.results().stream().filter(x -> x.checkId().equals("pop_id_checksum")
        && x.level().equals("source")).findFirst().orElseThrow();
    assertEquals(r.violated(), checksum.violated());
    assertEquals(r.denominator(), checksum.denominator());
    assertTrue(checksum.recommendation().contains("校验码"));
  }

  private static QualityReport.Line line(String id) {
    return report.lines().stream().filter(l -> l.checkId().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void theTrendComparesWithTheNightsBefore() throws Exception {
    // The registry checks read the current state, the same on both nights: the share of the night before is the
    // night's own, the 7-night mean equals it, the trend is flat. Nights without a run are empty.
    QualityReport.Line l = line("pop_id_checksum");
    assertEquals(QualityReport.TREND_NIGHTS, l.trend().size());
    assertEquals(l.share(), l.trend().get(QualityReport.TREND_NIGHTS - 1), 1e-12);
    assertEquals(null, l.trend().get(0));
    assertEquals(l.share(), l.trendMean(), 1e-12);
    assertEquals("flat", l.direction());
    // A check on the night's deliveries: 30 December saw the first two nights' files, 31 December the last. Each
    // night's share is worked out here from the registry's delivered files alone: the records with a date that is no
    // calendar day (e.g. 30 February; an update breaks more often than a first delivery, so the small delta of the
    // 31st has a larger share than the full drop) over all records of the files. The trend of the 31st holds the
    // 30th's share, and the direction follows from the two shares (one night before: its share is the mean).
    QualityReport.Line q = report.lines().stream().filter(x -> x.checkId().equals("quarantine_bad_date")
        && x.source().equals("population")).findFirst().orElseThrow();
    Row before = spark.sql("SELECT share FROM " + wh.dq("check_result") + " WHERE run_id = '"
        + CheckedRegion.first().runId() + "' AND check_id = 'quarantine_bad_date' AND source = 'population' AND "
        + "level = 'source'").first();
    assertEquals(before.getDouble(0), q.trend().get(QualityReport.TREND_NIGHTS - 1), 1e-12);
    long[] first = badRegistryDates("20251229", "20251230");
    long[] last = badRegistryDates("20251231");
    assertTrue(first[0] > 0 && first[1] > 1000 && last[0] > 0 && last[1] > 0, first[0] + "/" + first[1] + ", "
        + last[0] + "/" + last[1]);
    double shareBefore = (double) first[0] / first[1];
    double share = (double) last[0] / last[1];
    assertEquals(shareBefore, before.getDouble(0), 1e-12);
    assertEquals(share, q.share(), 1e-12);
    assertEquals(share > shareBefore + 0.001 ? "up" : share < shareBefore - 0.001 ? "down" : "flat", q.direction());
    assertFalse(q.direction().equals("flat"), "the shares of the two nights differ: " + shareBefore + ", " + share);
  }

  /**
   * {bad, all}: the records of the registry's pop_person files delivered on the given nights (read with each
   * manifest's encoding and delimiter) and, of those, the ones with a date field (schemas/pop_person.yaml: birth,
   * residence since, death, move out) that is neither a null placeholder of the contract (§2: empty, -, 无, 不详,
   * NULL, null) nor a real calendar day written yyyyMMdd or yyyy-MM-dd. Ingest quarantines each such record once
   * as BAD_DATE, whichever of its dates are broken.
   */
  private static long[] badRegistryDates(String... nights) throws Exception {
    Set<String> nulls = Set.of("", "-", "无", "不详", "NULL", "null");
    List<java.time.format.DateTimeFormatter> formats = List.of(
        java.time.format.DateTimeFormatter.ofPattern("uuuuMMdd").withResolverStyle(
            java.time.format.ResolverStyle.STRICT),
        java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(
            java.time.format.ResolverStyle.STRICT));
    long bad = 0;
    long all = 0;
    for (String night : nights) {
      Path drop = org.sanku.link.LinkedRegion.landing().resolve("population").resolve(night);
      var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(drop.resolve("manifest.json")
          .toFile());
      CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
          .setDelimiter(manifest.path("delimiter").asText(",")).get();
      try (var reader = java.nio.file.Files.newBufferedReader(drop.resolve("pop_person.csv"),
          java.nio.charset.Charset.forName(manifest.path("encoding").asText("UTF-8")))) {
        for (CSVRecord rec : format.parse(reader)) {
          all++;
          boolean broken = false;
          for (String column : List.of("birth_date", "residence_since", "death_date", "move_out_date")) {
            String v = rec.get(column).strip();
            if (!nulls.contains(v) && formats.stream().noneMatch(f -> parses(f, v))) {
              broken = true;
            }
          }
          bad += broken ? 1 : 0;
        }
      }
    }
    return new long[] {bad, all};
  }

  private static boolean parses(java.time.format.DateTimeFormatter f, String v) {
    try {
      java.time.LocalDate.parse(v, f);
      return true;
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }

  @Test
  void tableCsvAndWorkbookCarryTheSameLinesAndNoIdentityValue(@TempDir Path dir) throws Exception {
    Set<String> secrets = identityValues();
    String table = QualityReportWriter.table(report);
    assertTrue(table.contains("pop_id_checksum") && table.contains("建议"), table);
    // Every line of the table has one row, after the header and the rule.
    assertTrue(table.lines().filter(t -> t.startsWith("FAIL ") || t.startsWith("ok ") || t.startsWith("ACCEPTED "))
        .count() == report.lines().size(), table);
    for (String token : table.split("\\s+")) {
      assertFalse(secrets.contains(token), "the table shows an identity value");
    }

    StringWriter csv = new StringWriter();
    QualityReportWriter.csv(report, csv);
    List<CSVRecord> recs = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
        .parse(new StringReader(csv.toString())).getRecords();
    assertEquals(report.lines().size(), recs.size());
    assertEquals(QualityReportWriter.CSV_HEADER, recs.get(0).getParser().getHeaderNames());
    CSVRecord c = recs.stream().filter(x -> x.get("check_id").equals("pop_id_checksum")).findFirst().orElseThrow();
    assertEquals(String.valueOf(line("pop_id_checksum").violated()), c.get("violated"));
    assertEquals("FAIL", c.get("status"));
    for (CSVRecord x : recs) {
      for (String v : x.values()) {
        assertFalse(secrets.contains(v), "the csv shows an identity value");
      }
    }

    Path xlsx = dir.resolve("dq.xlsx");
    try (var o = java.nio.file.Files.newOutputStream(xlsx)) {
      QualityReportWriter.xlsx(QualityReport.read(spark, wh, run.runId(), "org"), o);
    }
    try (XSSFWorkbook wb = new XSSFWorkbook(new FileInputStream(xlsx.toFile()))) {
      List<String> sheets = new ArrayList<>();
      wb.forEach(s -> sheets.add(s.getSheetName()));
      assertEquals(List.of("说明", "人口库", "健康档案", "电子病历", "基础字典"), sheets);
      Sheet emr = wb.getSheet("电子病历");
      List<String> header = new ArrayList<>();
      emr.getRow(1).forEach(x -> header.add(x.getStringCellValue()));
      assertEquals(QualityReportWriter.XLSX_COLUMNS, header);
      long emrLines = QualityReport.read(spark, wh, run.runId(), "org").lines().stream()
          .filter(l -> l.source().equals("emr")).count();
      assertEquals(emrLines, emr.getLastRowNum() - 1);
      assertEquals("未通过", emr.getRow(2).getCell(0).getStringCellValue());
      DataFormatter f = new DataFormatter();
      int cells = 0;
      for (Sheet s : wb) {
        for (org.apache.poi.ss.usermodel.Row row : s) {
          for (Cell cell : row) {
            assertFalse(secrets.contains(f.formatCellValue(cell)), "the workbook shows an identity value");
            cells++;
          }
        }
      }
      assertTrue(cells > 1000, "cells: " + cells);
    }
  }

  /** Every name, ID number and phone of the region's identity zone. */
  private static Set<String> identityValues() {
    Set<String> out = new HashSet<>();
    for (String t : List.of("pop_person", "ehr_person", "emr_visit")) {
      for (String c : List.of("name", "id_no", "phone")) {
        if (!List.of(spark.table(wh.id(t)).columns()).contains(c)) {
          continue;
        }
        for (Row r : spark.table(wh.id(t)).select(c).where(c + " IS NOT NULL").distinct().collectAsList()) {
          if (r.getString(0).length() >= 2) {
            out.add(r.getString(0));
          }
        }
      }
    }
    assertTrue(out.size() > 3000, "identity values: " + out.size());
    return out;
  }

  @Test
  void theOrgLevelNamesTheOrganisationsAndTheirCounty() {
    QualityReport.Report org = QualityReport.read(spark, wh, run.runId(), "org");
    QualityReport.Line l = org.lines().stream().filter(x -> x.checkId().equals("emr_id_unusable") && !x.passed())
        .findFirst().orElseThrow();
    assertTrue(l.keys().containsKey("org") && l.keys().containsKey("county"), l.keys().toString());
    String name = spark.sql("SELECT org_name FROM " + wh.std("ref_org") + " WHERE org_code = '" + l.keys().get("org")
        + "'").first().getString(0);
    assertEquals(name, l.groupName());
  }

  @Test
  void theCommandSaysWhatIsWrongWithItsOptions() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = Sanku.run("quality", "--warehouse", "nowhere", "--format", "pdf");
    } finally {
      System.setErr(old);
    }
    assertEquals(1, code);
    String said = err.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("sanku quality: --format: table, csv or xlsx (got 'pdf')"), said);
    assertEquals(0, Sanku.run("quality", "--help"));
  }
}
