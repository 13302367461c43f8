package org.sanku.indicators.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sanku.indicators.report.Cells.CITY;
import static org.sanku.indicators.report.Cells.PROVINCE;
import static org.sanku.indicators.report.Cells.rate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.IndexedColors;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFCell;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class XlsxReportTest {

  private static final String DAZHOU = "511700000000";
  private static final String LONG_ID = "keypop_family_doctor_contract_rate_with_long_id";

  private static XSSFWorkbook book;

  /**
   * One region, two indicators. elderly_health_mgmt goes through the publication rule:
   *
   * <pre>
   *   511902 巴州区   40/50   county whose city (巴中市) is not in the rows: first
   *   511302 顺庆区 1234/1500  82.27 (gap −7.73, below target 90: red)
   *   511303 高坪区    3/40    small cell *
   *   511304 嘉陵区   19/20    complementary ** (smaller denominator than 顺庆区's 1500)
   *   511300 南充市 1256/1560  80.51, subtotal (bold)
   *   511702 通川区   95/100   95.00 (gap +5.00, target met: not red)
   *   511700 达州市   95/100   subtotal
   *   510000 四川省 1391/1710  81.35, total (bold)
   * </pre>
   *
   * The second indicator, with an id longer than Excel's 31 characters, is published as it is
   * and has a county with an empty denominator.
   */
  @BeforeAll
  static void write() throws IOException {
    List<Cell> cells = new ArrayList<>();
    // Deliberately out of report order.
    cells.add(rate(PROVINCE, "province", "四川省", null, 1391, 1710));
    cells.add(rate("511302000000", "county", "顺庆区", CITY, 1234, 1500));
    cells.add(rate(DAZHOU, "city", "达州市", PROVINCE, 95, 100));
    cells.add(rate("511304000000", "county", "嘉陵区", CITY, 19, 20));
    cells.add(rate("511702000000", "county", "通川区", DAZHOU, 95, 100));
    cells.add(rate(CITY, "city", "南充市", PROVINCE, 1256, 1560));
    cells.add(rate("511303000000", "county", "高坪区", CITY, 3, 40));
    cells.add(rate("511902000000", "county", "巴州区", "511900000000", 40, 50));
    List<Published> rows = new ArrayList<>(Suppression.apply(cells, 5));
    rows.add(Published.open(rate(LONG_ID, "511302000000", "county", "顺庆区", CITY, 0, 0)));
    rows.add(Published.open(rate(LONG_ID, CITY, "city", "南充市", PROVINCE, 60, 80)));

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    XlsxReport.write(rows, bytes, "南充市2024年健康管理指标", 5,
        ZonedDateTime.of(2025, 1, 15, 9, 30, 0, 0, ZoneId.of("Asia/Shanghai")));
    book = new XSSFWorkbook(new ByteArrayInputStream(bytes.toByteArray()));
  }

  private static String text(Row row, int col) {
    XSSFCell c = (XSSFCell) row.getCell(col);
    return c == null ? null : c.getCellType() == CellType.STRING ? c.getStringCellValue()
        : c.getRawValue();
  }

  private static double number(Row row, int col) {
    assertEquals(CellType.NUMERIC, row.getCell(col).getCellType(), "column " + col);
    return row.getCell(col).getNumericCellValue();
  }

  private static boolean bold(Row row, int col) {
    return book.getFontAt(row.getCell(col).getCellStyle().getFontIndex()).getBold();
  }

  @Test
  void sheetsAreTheAboutSheetThenOnePerIndicator() {
    assertEquals(3, book.getNumberOfSheets());
    assertEquals("说明", book.getSheetName(0));
    assertEquals("elderly_health_mgmt", book.getSheetName(1));
    // Cut to 31 characters.
    assertEquals(LONG_ID.substring(0, 31), book.getSheetName(2));
  }

  @Test
  void aboutSheetStatesTitleRuleAndIndicators() {
    Sheet about = book.getSheet("说明");
    StringBuilder all = new StringBuilder();
    for (Row row : about) {
      for (org.apache.poi.ss.usermodel.Cell c : row) {
        all.append(c.getStringCellValue()).append('|');
      }
      all.append('\n');
    }
    String s = all.toString();
    assertEquals("南充市2024年健康管理指标", about.getRow(0).getCell(0).getStringCellValue());
    assertTrue(s.contains("2024年（2024-01-01 至 2024-12-31）"), s);
    assertTrue(s.contains("2025-01-15 09:30:00 +08:00"), s);
    assertTrue(s.contains("分子或分母小于5的单元格不予公布（*），并对可由上级合计反推的单元格作补充抑制（**）"), s);
    assertTrue(s.contains("elderly_health_mgmt|65岁及以上老年人健康管理率|Health management rate, aged 65+|%|"),
        s);
    assertTrue(s.contains(LONG_ID + "|"), s);
  }

  @Test
  void indicatorSheetHasTitleAndChineseHeader() {
    Sheet sh = book.getSheet("elderly_health_mgmt");
    assertEquals("65岁及以上老年人健康管理率（2024年）", sh.getRow(0).getCell(0).getStringCellValue());
    List<String> header = new ArrayList<>();
    sh.getRow(1).forEach(c -> header.add(c.getStringCellValue()));
    assertEquals(List.of("区划代码", "地区", "层级", "分子", "分母", "值", "95%下限", "95%上限", "单位",
        "目标值", "目标年份", "差距", "规划", "备注"), header);
    // Header frozen (rows 1–2 stay), auto filter over the header and the 8 data rows.
    assertEquals(2, sh.getPaneInformation().getHorizontalSplitPosition());
    assertEquals("A2:N10", ((XSSFSheet) sh).getCTWorksheet().getAutoFilter().getRef());
  }

  @Test
  void rowsAreCountiesThenCitySubtotalThenProvinceTotal() {
    Sheet sh = book.getSheet("elderly_health_mgmt");
    List<String> order = new ArrayList<>();
    for (int r = 2; r <= sh.getLastRowNum(); r++) {
      order.add(text(sh.getRow(r), 0) + " " + text(sh.getRow(r), 1) + " "
          + text(sh.getRow(r), 2));
    }
    assertEquals(List.of(
        "511902000000 巴州区 县区",
        "511302000000 顺庆区 县区",
        "511303000000 高坪区 县区",
        "511304000000 嘉陵区 县区",
        "511300000000 南充市（市合计） 市",
        "511702000000 通川区 县区",
        "511700000000 达州市（市合计） 市",
        "510000000000 四川省（全省合计） 省"), order);
  }

  @Test
  void publishedRowsHoldNumbersWithFormats() {
    Row shunqing = book.getSheet("elderly_health_mgmt").getRow(3);
    assertEquals(1234, number(shunqing, 3));
    assertEquals("#,##0", shunqing.getCell(3).getCellStyle().getDataFormatString());
    assertEquals(1500, number(shunqing, 4));
    // 1234 / 1500 × 100 = 82.2666… → 82.27; gap 82.2666… − 90 = −7.7333… → −7.73.
    assertEquals(82.27, number(shunqing, 5), 0);
    assertEquals("0.00", shunqing.getCell(5).getCellStyle().getDataFormatString());
    assertEquals(90.0, number(shunqing, 9), 0);
    assertEquals(2025, number(shunqing, 10), 0);
    assertEquals(-7.73, number(shunqing, 11), 0);
    assertEquals("南充市“十四五”卫生健康规划", text(shunqing, 12));
    assertEquals("%", text(shunqing, 8));
    // No interval for a rate: blank.
    assertEquals(CellType.BLANK, shunqing.getCell(6).getCellType());
    // Province: 1391 / 1710 × 100 = 81.345… → 81.35 (the 5 in the third decimal is followed by
    // more digits, 81.3450292…).
    Row province = book.getSheet("elderly_health_mgmt").getRow(9);
    assertEquals(81.35, number(province, 5), 0);
    assertEquals(1391, number(province, 3), 0);
  }

  @Test
  void suppressedCellsShowMarkersAndARemark() {
    Sheet sh = book.getSheet("elderly_health_mgmt");
    Row gaoping = sh.getRow(4);   // 3/40: small cell
    Row jialing = sh.getRow(5);   // 19/20: complementary
    for (int col : new int[] {3, 4, 5, 6, 7, 11}) {
      assertEquals("*", text(gaoping, col), "column " + col);
      assertEquals("**", text(jialing, col), "column " + col);
    }
    assertEquals("小数抑制", text(gaoping, 13));
    assertEquals("补充抑制", text(jialing, 13));
    // The target is not disclosive and stays.
    assertEquals(90.0, number(gaoping, 9), 0);
    // The published county has no remark.
    assertEquals(CellType.BLANK, sh.getRow(3).getCell(13).getCellType());
  }

  @Test
  void subtotalRowsAreBoldAndCountyRowsAreNot() {
    Sheet sh = book.getSheet("elderly_health_mgmt");
    assertFalse(bold(sh.getRow(3), 1));
    assertTrue(bold(sh.getRow(6), 1));   // 南充市（市合计）
    assertTrue(bold(sh.getRow(6), 5));
    assertTrue(bold(sh.getRow(8), 1));   // 达州市（市合计）
    assertTrue(bold(sh.getRow(9), 1));   // 四川省（全省合计）
    assertTrue(bold(sh.getRow(1), 0));   // header
  }

  @Test
  void missedTargetsHaveARedGap() {
    Sheet sh = book.getSheet("elderly_health_mgmt");
    // 顺庆区 82.27 < 90 (higher is better): red. 通川区 95.00 ≥ 90: default colour.
    short red = IndexedColors.RED.getIndex();
    assertEquals(red, book.getFontAt(sh.getRow(3).getCell(11).getCellStyle().getFontIndex())
        .getColor());
    assertEquals(5.0, number(sh.getRow(7), 11), 0);
    assertTrue(red != book.getFontAt(sh.getRow(7).getCell(11).getCellStyle().getFontIndex())
        .getColor());
  }

  @Test
  void anEmptyDenominatorShowsADash() {
    Sheet sh = book.getSheet(LONG_ID.substring(0, 31));
    assertNotNull(sh);
    Row shunqing = sh.getRow(2);
    assertEquals("511302000000", text(shunqing, 0));
    assertEquals(0, number(shunqing, 4), 0);
    assertEquals("—", text(shunqing, 5));
    assertEquals("无分母", text(shunqing, 13));
    // 60 / 80 = 75.00 for the city.
    assertEquals(75.0, number(sh.getRow(3), 5), 0);
  }
}
