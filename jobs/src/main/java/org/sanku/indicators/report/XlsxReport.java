package org.sanku.indicators.report;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.poi.ss.usermodel.BorderStyle;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.DataFormat;
import org.apache.poi.ss.usermodel.FillPatternType;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.usermodel.HorizontalAlignment;
import org.apache.poi.ss.usermodel.IndexedColors;
import org.apache.poi.ss.usermodel.PrintSetup;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.VerticalAlignment;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.ss.util.WorkbookUtil;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

/**
 * The workbook a health commission circulates: indicator results by county, city and province,
 * with the publication rule applied.
 *
 * <h2>Layout</h2>
 *
 * <ul>
 *   <li>Sheet {@code 说明} first: the title, the period, the generation time, the suppression rule
 *       and its markers, and the list of indicators (id, Chinese name, English name, unit).
 *   <li>One sheet per indicator, in the order the indicators first appear in the rows, named by
 *       the indicator id (cut to Excel's 31 characters). Row 1 is a title (the Chinese name and
 *       the period), row 2 the header {@link #COLUMNS}, frozen, with an auto filter. Then, for
 *       each city in division-code order, its counties in code order and the city subtotal (bold,
 *       地区 "…（市合计）"), and last the province total (bold, "…（全省合计）"). Counties whose
 *       city is not in the rows come first, in code order.
 *   <li>Counts are numeric cells formatted {@code #,##0}; values, interval ends, targets and gaps
 *       numeric cells rounded to 2 decimals (half up) and formatted {@code 0.00}. A gap that
 *       misses the target (value below target when higher is better, above it otherwise) is in
 *       red.
 *   <li>A suppressed cell shows {@code *} (small cell) or {@code **} (complementary) in place of
 *       numerator, denominator, value, interval and gap, and 备注 says 小数抑制 or 补充抑制. An
 *       empty denominator shows the value as {@code —} with 备注 无分母.
 *   <li>A sheet whose indicator counted over the official year-end population goes on with
 *       {@link #OFFICIAL_COLUMNS}: the registry's count of the denominator, the official figure,
 *       the year of the figures and the ratio registry ÷ official (4 decimals); 备注 says
 *       无官方人口数 where a county had no figure (its registry count is the denominator) and
 *       部分县区无官方数 on a total over such a county.
 * </ul>
 *
 * <p>The division code is a text cell so that its 12 digits are shown as they are.
 */
public final class XlsxReport {

  /** The column headers of an indicator sheet, in order. */
  public static final List<String> COLUMNS = List.of("区划代码", "地区", "层级", "分子", "分母", "值",
      "95%下限", "95%上限", "单位", "目标值", "目标年份", "差距", "规划", "备注");

  /** The columns that follow {@link #COLUMNS} on a sheet whose values counted over official figures. */
  public static final List<String> OFFICIAL_COLUMNS = List.of("户籍库分母", "官方常住人口", "官方数年份",
      "户籍库/官方");

  /** Name of the first sheet. */
  public static final String ABOUT_SHEET = "说明";

  /** Marker of a small cell. */
  public static final String SMALL_CELL_MARK = "*";

  /** Marker of a complementary suppression. */
  public static final String COMPLEMENTARY_MARK = "**";

  /** The value shown when there is no denominator. */
  public static final String NO_VALUE = "—";

  private static final String DEFAULT_TITLE = "基本公共卫生与健康管理指标";
  private static final DateTimeFormatter GENERATED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xxx");

  /** Column widths in characters, as {@link #COLUMNS}. */
  private static final int[] WIDTHS = {15, 26, 6, 12, 12, 10, 10, 10, 6, 9, 9, 10, 30, 10};

  private static final int COL_CODE = 0;
  private static final int COL_REGION = 1;
  private static final int COL_LEVEL = 2;
  private static final int COL_NUM = 3;
  private static final int COL_DEN = 4;
  private static final int COL_VALUE = 5;
  private static final int COL_LOWER = 6;
  private static final int COL_UPPER = 7;
  private static final int COL_UNIT = 8;
  private static final int COL_TARGET = 9;
  private static final int COL_TARGET_YEAR = 10;
  private static final int COL_GAP = 11;
  private static final int COL_PLAN = 12;
  private static final int COL_NOTE = 13;

  private XlsxReport() {}

  /**
   * Writes the workbook, generated now, stating the catalog's k of {@link Suppression#DEFAULT_K}.
   *
   * @see #write(List, OutputStream, String, int, ZonedDateTime)
   */
  public static void write(List<Published> rows, OutputStream out, String title)
      throws IOException {
    write(rows, out, title, Suppression.DEFAULT_K, ZonedDateTime.now());
  }

  /**
   * Writes the workbook.
   *
   * @param rows        the cells with their suppression, e.g. from {@link Suppression#apply}; per
   *                    indicator one period, so each division once
   * @param out         where the {@code .xlsx} bytes go; flushed, not closed
   * @param title       the workbook's title, e.g. {@code 南充市2024年基本公共卫生服务指标}; null for a
   *                    generic one
   * @param k           the threshold the rows were suppressed with, stated in the rule text
   * @param generatedAt the generation time shown on the 说明 sheet
   * @throws IOException              if writing fails
   * @throws IllegalArgumentException if a division appears twice for an indicator
   */
  public static void write(List<Published> rows, OutputStream out, String title, int k,
      ZonedDateTime generatedAt) throws IOException {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(generatedAt, "generatedAt");
    Map<String, List<Published>> byIndicator = new LinkedHashMap<>();
    for (Published row : rows) {
      byIndicator.computeIfAbsent(row.cell().indicatorId(), id -> new ArrayList<>()).add(row);
    }
    Map<String, List<Published>> ordered = new LinkedHashMap<>();
    byIndicator.forEach((id, list) -> ordered.put(id, ReportRows.hierarchyOrder(list,
        Published::cell)));

    try (Workbook wb = new XSSFWorkbook()) {
      Styles styles = new Styles(wb);
      writeAbout(wb, styles, title == null ? DEFAULT_TITLE : title, k, generatedAt, ordered);
      Set<String> usedNames = new HashSet<>();
      usedNames.add(ABOUT_SHEET);
      for (Map.Entry<String, List<Published>> e : ordered.entrySet()) {
        writeIndicator(wb, styles, sheetName(e.getKey(), usedNames), e.getValue());
      }
      wb.write(out);
    }
    out.flush();
  }

  /** The 说明 sheet. */
  private static void writeAbout(Workbook wb, Styles st, String title, int k,
      ZonedDateTime generatedAt, Map<String, List<Published>> byIndicator) {
    Sheet sh = wb.createSheet(ABOUT_SHEET);
    sh.setColumnWidth(0, 30 * 256);
    sh.setColumnWidth(1, 44 * 256);
    sh.setColumnWidth(2, 60 * 256);
    sh.setColumnWidth(3, 8 * 256);
    fitWidth(sh);
    int r = 0;
    text(sh.createRow(r++), 0, title, st.title);
    r++;
    Set<String> periods = new LinkedHashSet<>();
    for (List<Published> list : byIndicator.values()) {
      for (Published p : list) {
        Cell c = p.cell();
        periods.add(ReportRows.periodLabel(c) + "（" + c.periodStart() + " 至 " + c.periodEnd()
            + "）");
      }
    }
    r = aboutLine(sh, st, r, "统计期", String.join("；", periods));
    r = aboutLine(sh, st, r, "生成时间", GENERATED.format(generatedAt));
    r = aboutLine(sh, st, r, "公布规则", "分子或分母小于" + k + "的单元格不予公布（" + SMALL_CELL_MARK
        + "），并对可由上级合计反推的单元格作补充抑制（" + COMPLEMENTARY_MARK + "）");
    r = aboutLine(sh, st, r, "标记", SMALL_CELL_MARK + " 小数抑制；" + COMPLEMENTARY_MARK + " 补充抑制；"
        + NO_VALUE + " 无分母（无统计对象）");
    r = aboutLine(sh, st, r, "数值", "值、95%置信区间和差距按四舍五入保留两位小数；差距 = 值 − 目标值，未达目标者以红色显示");
    r++;
    Row head = sh.createRow(r++);
    String[] cols = {"指标编码", "中文名称", "英文名称", "单位"};
    for (int i = 0; i < cols.length; i++) {
      text(head, i, cols[i], st.header);
    }
    for (List<Published> list : byIndicator.values()) {
      Cell c = list.get(0).cell();
      Row row = sh.createRow(r++);
      text(row, 0, c.indicatorId(), st.text);
      text(row, 1, c.nameZh(), st.text);
      text(row, 2, c.nameEn(), st.text);
      text(row, 3, c.unit(), st.text);
    }
  }

  private static int aboutLine(Sheet sh, Styles st, int r, String label, String value) {
    Row row = sh.createRow(r);
    text(row, 0, label, st.bold);
    text(row, 1, value, st.text);
    sh.addMergedRegion(new CellRangeAddress(r, r, 1, 3));
    return r + 1;
  }

  /** One indicator's sheet; {@code rows} are already in report order. */
  private static void writeIndicator(Workbook wb, Styles st, String name, List<Published> rows) {
    Sheet sh = wb.createSheet(name);
    Cell first = rows.get(0).cell();
    String heading = (first.nameZh() == null ? first.indicatorId() : first.nameZh()) + "（"
        + ReportRows.periodLabel(first) + "）";
    text(sh.createRow(0), 0, heading, st.title);
    boolean official = rows.stream().anyMatch(p -> p.cell().check() != null);
    int columns = COLUMNS.size() + (official ? OFFICIAL_COLUMNS.size() : 0);
    sh.addMergedRegion(new CellRangeAddress(0, 0, 0, columns - 1));
    Row head = sh.createRow(1);
    for (int i = 0; i < columns; i++) {
      text(head, i, i < COLUMNS.size() ? COLUMNS.get(i) : OFFICIAL_COLUMNS.get(i - COLUMNS.size()), st.header);
      sh.setColumnWidth(i, (i < WIDTHS.length ? WIDTHS[i] : 12) * 256);
    }
    int r = 2;
    for (Published p : rows) {
      Row row = sh.createRow(r++);
      writeRow(row, st, p);
      if (official) {
        writeOfficial(row, st, p);
      }
    }
    sh.createFreezePane(0, 2);
    sh.setAutoFilter(new CellRangeAddress(1, Math.max(1, r - 1), 0, columns - 1));
    sh.setRepeatingRows(new CellRangeAddress(0, 1, -1, -1));
    fitWidth(sh);
  }

  /** Prints a sheet on landscape A4, one page wide. */
  public static void fitWidth(Sheet sh) {
    PrintSetup print = sh.getPrintSetup();
    print.setLandscape(true);
    print.setPaperSize(PrintSetup.A4_PAPERSIZE);
    print.setFitWidth((short) 1);
    print.setFitHeight((short) 0);
    sh.setFitToPage(true);
  }

  private static void writeRow(Row row, Styles st, Published p) {
    Cell c = p.cell();
    boolean total = !"county".equals(c.divisionLevel());
    Styles.RowStyles s = total ? st.totals : st.plain;
    text(row, COL_CODE, c.divisionCode(), s.text);
    text(row, COL_REGION, ReportRows.regionLabel(c), s.text);
    text(row, COL_LEVEL, ReportRows.levelZh(c.divisionLevel()), s.center);
    text(row, COL_UNIT, c.unit(), s.center);
    number(row, COL_TARGET, ReportRows.round2(c.target()), s.decimal);
    if (c.targetYear() != null) {
      row.createCell(COL_TARGET_YEAR).setCellValue(c.targetYear());
      row.getCell(COL_TARGET_YEAR).setCellStyle(s.year);
    } else {
      text(row, COL_TARGET_YEAR, null, s.text);
    }
    text(row, COL_PLAN, c.targetPlan(), s.text);

    if (p.suppressed()) {
      boolean small = Suppression.SMALL_CELL.equals(p.suppression());
      String mark = small ? SMALL_CELL_MARK : COMPLEMENTARY_MARK;
      for (int col : new int[] {COL_NUM, COL_DEN, COL_VALUE, COL_LOWER, COL_UPPER, COL_GAP}) {
        text(row, col, mark, s.mark);
      }
      text(row, COL_NOTE, small ? "小数抑制" : "补充抑制", s.text);
      return;
    }
    row.createCell(COL_NUM).setCellValue(c.numerator());
    row.getCell(COL_NUM).setCellStyle(s.count);
    row.createCell(COL_DEN).setCellValue(c.denominator());
    row.getCell(COL_DEN).setCellStyle(s.count);
    BigDecimal value = ReportRows.round2(c.value());
    if (value == null) {
      text(row, COL_VALUE, NO_VALUE, s.mark);
      text(row, COL_NOTE, "无分母", s.text);
    } else {
      number(row, COL_VALUE, value, s.decimal);
      text(row, COL_NOTE, null, s.text);
    }
    number(row, COL_LOWER, ReportRows.round2(c.lower95()), s.decimal);
    number(row, COL_UPPER, ReportRows.round2(c.upper95()), s.decimal);
    number(row, COL_GAP, ReportRows.round2(c.gap()),
        ReportRows.targetMissed(c) ? s.decimalMissed : s.decimal);
  }

  /** The registry count beside an official denominator (empty when suppressed or counted over the registry). */
  private static void writeOfficial(Row row, Styles st, Published p) {
    Cell c = p.cell();
    Styles.RowStyles s = "county".equals(c.divisionLevel()) ? st.plain : st.totals;
    DenominatorCheck k = p.suppressed() ? null : c.check();
    int col = COLUMNS.size();
    number(row, col, k == null ? null : BigDecimal.valueOf(k.registryDenominator()), s.count);
    number(row, col + 1, k == null || k.officialDenominator() == null ? null
        : BigDecimal.valueOf(k.officialDenominator()), s.count);
    if (k != null) {
      row.createCell(col + 2).setCellValue(k.officialYear());
      row.getCell(col + 2).setCellStyle(s.year);
    } else {
      text(row, col + 2, null, s.text);
    }
    number(row, col + 3, k == null || k.ratio() == null ? null
        : BigDecimal.valueOf(k.ratio()).setScale(4, java.math.RoundingMode.HALF_UP), s.ratio);
    if (k != null && k.partial() && c.value() != null) {
      text(row, COL_NOTE, k.officialDenominator() == null ? "无官方人口数" : "部分县区无官方数", s.text);
    }
  }

  /** A text cell (left empty for null). */
  public static void text(Row row, int col, String value, CellStyle style) {
    org.apache.poi.ss.usermodel.Cell cell = row.createCell(col);
    if (value != null) {
      cell.setCellValue(value);
    }
    cell.setCellStyle(style);
  }

  /** A numeric cell (left empty for null). */
  public static void number(Row row, int col, BigDecimal value, CellStyle style) {
    org.apache.poi.ss.usermodel.Cell cell = row.createCell(col);
    if (value != null) {
      cell.setCellValue(value.doubleValue());
    }
    cell.setCellStyle(style);
  }

  /** A valid, unique sheet name from an indicator id: Excel's characters, at most 31 long. */
  static String sheetName(String id, Set<String> used) {
    String base = WorkbookUtil.createSafeSheetName(id == null || id.isBlank() ? "indicator" : id);
    String name = base;
    for (int n = 2; !used.add(name.toLowerCase(java.util.Locale.ROOT)); n++) {
      String suffix = "~" + n;
      name = base.substring(0, Math.min(base.length(), 31 - suffix.length())) + suffix;
    }
    return name;
  }

  /**
   * The workbook's cell styles, created once (a workbook holds at most 64 000): the title, the grey bordered header,
   * bold and wrapped text, and per kind of row (plain, bold totals) text, centred, count, decimal, missed-target
   * (red), year and marker styles. Other workbooks of Sanku (the data-quality report) use the same.
   */
  public static final class Styles {
    public final CellStyle title;
    public final CellStyle header;
    public final CellStyle bold;
    public final CellStyle text;
    public final RowStyles plain;
    public final RowStyles totals;

    public Styles(Workbook wb) {
      Font titleFont = wb.createFont();
      titleFont.setBold(true);
      titleFont.setFontHeightInPoints((short) 14);
      title = wb.createCellStyle();
      title.setFont(titleFont);

      Font boldFont = wb.createFont();
      boldFont.setBold(true);
      bold = wb.createCellStyle();
      bold.setFont(boldFont);
      bold.setVerticalAlignment(VerticalAlignment.TOP);
      text = wb.createCellStyle();
      text.setWrapText(true);
      text.setVerticalAlignment(VerticalAlignment.TOP);

      header = wb.createCellStyle();
      header.setFont(boldFont);
      header.setAlignment(HorizontalAlignment.CENTER);
      header.setVerticalAlignment(VerticalAlignment.CENTER);
      header.setFillForegroundColor(IndexedColors.GREY_25_PERCENT.getIndex());
      header.setFillPattern(FillPatternType.SOLID_FOREGROUND);
      header.setWrapText(true);
      borders(header);

      Font plainFont = wb.createFont();
      Font redFont = wb.createFont();
      redFont.setColor(IndexedColors.RED.getIndex());
      Font boldRedFont = wb.createFont();
      boldRedFont.setBold(true);
      boldRedFont.setColor(IndexedColors.RED.getIndex());
      DataFormat fmt = wb.createDataFormat();
      plain = new RowStyles(wb, fmt, plainFont, redFont);
      totals = new RowStyles(wb, fmt, boldFont, boldRedFont);
    }

    private static void borders(CellStyle s) {
      s.setBorderTop(BorderStyle.THIN);
      s.setBorderBottom(BorderStyle.THIN);
      s.setBorderLeft(BorderStyle.THIN);
      s.setBorderRight(BorderStyle.THIN);
    }

    /** The styles of one kind of data row (county rows, or bold subtotal rows). */
    public static final class RowStyles {
      public final CellStyle text;
      public final CellStyle center;
      public final CellStyle count;
      public final CellStyle decimal;
      public final CellStyle decimalMissed;
      public final CellStyle year;
      public final CellStyle mark;
      public final CellStyle ratio;

      RowStyles(Workbook wb, DataFormat fmt, Font font, Font missedFont) {
        text = style(wb, font);
        center = style(wb, font);
        center.setAlignment(HorizontalAlignment.CENTER);
        count = style(wb, font);
        count.setDataFormat(fmt.getFormat("#,##0"));
        decimal = style(wb, font);
        decimal.setDataFormat(fmt.getFormat("0.00"));
        decimalMissed = style(wb, missedFont);
        decimalMissed.setDataFormat(fmt.getFormat("0.00"));
        year = style(wb, font);
        year.setDataFormat(fmt.getFormat("0"));
        year.setAlignment(HorizontalAlignment.CENTER);
        mark = style(wb, font);
        mark.setAlignment(HorizontalAlignment.RIGHT);
        ratio = style(wb, font);
        ratio.setDataFormat(fmt.getFormat("0.0000"));
      }

      private static CellStyle style(Workbook wb, Font font) {
        CellStyle s = wb.createCellStyle();
        s.setFont(font);
        borders(s);
        return s;
      }
    }
  }
}
