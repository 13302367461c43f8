package org.sanku.indicators.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sanku.indicators.report.Cells.CITY;
import static org.sanku.indicators.report.Cells.city;
import static org.sanku.indicators.report.Cells.county;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class CsvReportTest {

  private static String csv(List<Published> rows) throws IOException {
    StringWriter w = new StringWriter();
    CsvReport.write(rows, w);
    return w.toString();
  }

  private static List<CSVRecord> parse(String text) throws IOException {
    try (CSVParser p = CSVParser.builder().setReader(new StringReader(text))
        .setFormat(CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())
        .get()) {
      assertEquals(CsvReport.HEADER, p.getHeaderNames());
      return p.getRecords();
    }
  }

  @Test
  void headerAndPublishedRow() throws IOException {
    // 20 / 30 × 100 = 66.666…, rounded half up to 2 decimals: 66.67.
    // gap = 66.666… − 90 = −23.333…: −23.33. Target 90.0 is written as the plan states it: 90.
    String text = csv(List.of(Published.open(county("511302000000", "顺庆区", 20, 30))));
    assertTrue(text.startsWith("indicator_id,period_type,period_start,period_end,division_code,"
        + "division_level,division_name,numerator,denominator,value,lower95,upper95,unit,target,"
        + "target_year,target_plan,gap,suppressed\r\n"), text);
    CSVRecord r = parse(text).get(0);
    assertEquals("elderly_health_mgmt", r.get("indicator_id"));
    assertEquals("year", r.get("period_type"));
    assertEquals("2024-01-01", r.get("period_start"));
    assertEquals("2024-12-31", r.get("period_end"));
    assertEquals("511302000000", r.get("division_code"));
    assertEquals("county", r.get("division_level"));
    assertEquals("顺庆区", r.get("division_name"));
    assertEquals("20", r.get("numerator"));
    assertEquals("30", r.get("denominator"));
    assertEquals("66.67", r.get("value"));
    assertEquals("", r.get("lower95"));
    assertEquals("", r.get("upper95"));
    assertEquals("%", r.get("unit"));
    assertEquals("90", r.get("target"));
    assertEquals("2025", r.get("target_year"));
    assertEquals("南充市“十四五”卫生健康规划", r.get("target_plan"));
    assertEquals("-23.33", r.get("gap"));
    assertEquals("", r.get("suppressed"));
  }

  @Test
  void aNameWithACommaIsQuoted() throws IOException {
    // RFC 4180: a field holding a comma is enclosed in double quotes, and a quote inside is
    // doubled; parsing gives the name back whole.
    String name = "新区,东片\"试点\"";
    String text = csv(List.of(Published.open(county("511399000000", name, 20, 30))));
    assertTrue(text.contains(",\"新区,东片\"\"试点\"\"\","), text);
    assertEquals(name, parse(text).get(0).get("division_name"));
  }

  @Test
  void suppressedRowsHaveNoNumbersAndNameTheReason() throws IOException {
    // Small counties are hidden as the rule has them: A 3/40 small cell, B 12/30 complementary,
    // C 20/50 and the city published.
    List<Published> rows = Suppression.apply(List.of(county("511302000000", "顺庆区", 3, 40),
        county("511303000000", "高坪区", 12, 30), county("511304000000", "嘉陵区", 20, 50),
        city(35, 120)), 5);
    List<CSVRecord> records = parse(csv(rows));
    assertEquals(4, records.size());
    String[] hidden = {"numerator", "denominator", "value", "lower95", "upper95", "gap"};
    for (int i = 0; i < 2; i++) {
      CSVRecord r = records.get(i);
      for (String column : hidden) {
        assertEquals("", r.get(column), column);
      }
      // What is not disclosive stays: the division, unit and target.
      assertEquals("90", r.get("target"));
      assertEquals("%", r.get("unit"));
    }
    assertEquals("SMALL_CELL", records.get(0).get("suppressed"));
    assertEquals("511302000000", records.get(0).get("division_code"));
    assertEquals("COMPLEMENTARY", records.get(1).get("suppressed"));
    // C: 20/50 = 40.00, gap 40 − 90 = −50.00. City: 35/120 = 29.1666… → 29.17.
    assertEquals("", records.get(2).get("suppressed"));
    assertEquals("40.00", records.get(2).get("value"));
    assertEquals("-50.00", records.get(2).get("gap"));
    assertEquals("29.17", records.get(3).get("value"));
    assertEquals(CITY, records.get(3).get("division_code"));
  }

  @Test
  void roundingIsHalfUpOnTheDecimalValueAndNullsAreEmpty() throws IOException {
    // 0.125 is exactly representable: half up gives 0.13 (half even would give 0.12).
    // 1234567.891 keeps no thousands separator: 1234567.89. A null value (denominator 0) and
    // its null gap are empty, the denominator 0 is written.
    Cell base = county("511302000000", "顺庆区", 0, 0);
    Cell small = new Cell(base.indicatorId(), base.nameZh(), base.nameEn(), "‰", "year",
        base.periodStart(), base.periodEnd(), "511302000000", "county", "顺庆区", CITY, 1, 8000,
        0.125, 0.005, 1234567.891, null, null, null, false, null);
    List<CSVRecord> r = parse(csv(List.of(Published.open(small), Published.open(base))));
    assertEquals("0.13", r.get(0).get("value"));
    assertEquals("0.01", r.get(0).get("lower95"));
    assertEquals("1234567.89", r.get(0).get("upper95"));
    assertEquals("", r.get(0).get("target"));
    assertEquals("", r.get(0).get("gap"));
    assertEquals("", r.get(1).get("value"));
    assertEquals("0", r.get(1).get("denominator"));
    assertEquals("", r.get(1).get("gap"));
  }
}
