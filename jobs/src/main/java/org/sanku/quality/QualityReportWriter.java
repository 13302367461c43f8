package org.sanku.quality;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.sanku.indicators.report.TextTable;
import org.sanku.indicators.report.XlsxReport;
import org.sanku.quality.QualityReport.Line;
import org.sanku.quality.QualityReport.Report;

/**
 * Writes a data-quality report ({@link QualityReport}) as a terminal table, CSV or an Excel workbook. Failing
 * checks come first; each line has the violating rows, the rows looked at, the share, the threshold and the trend
 * against the 7 nights before; the recommendations of the failing checks follow. The workbook has a 说明 sheet and
 * one sheet per source with Chinese headers, in the indicator workbook's styles.
 */
public final class QualityReportWriter {

  public static final List<String> FORMATS = List.of("table", "csv", "xlsx");

  /** The CSV header. */
  public static final List<String> CSV_HEADER = List.of("status", "severity", "check_id", "description_zh",
      "kind", "source", "table_name", "level", "county", "org", "file", "group_name", "violated", "denominator",
      "share", "threshold", "score", "share_previous_nights", "share_7_night_mean", "trend", "recommendation");

  /** The column headers of a source's sheet. */
  public static final List<String> XLSX_COLUMNS = List.of("状态", "严重程度", "检查编码", "检查内容", "类别", "表",
      "代码", "名称", "违规数", "分母", "占比(%)", "阈值", "Z分数", "近7晚占比(%)", "7晚均值(%)", "趋势", "建议");

  /** Sheet names of the sources. */
  public static final Map<String, String> SOURCE_SHEETS = Map.of("population", "人口库", "ehr", "健康档案",
      "emr", "电子病历", "reference", "基础字典");

  private QualityReportWriter() {}

  /** Status of a line: FAIL, ACCEPTED (a failure accepted for the run) or ok. */
  static String status(Line l) {
    return l.passed() ? "ok" : l.accepted() ? "ACCEPTED" : "FAIL";
  }

  static String statusZh(Line l) {
    return l.passed() ? "通过" : l.accepted() ? "已接受" : "未通过";
  }

  private static String percent(Double share) {
    return share == null ? "—" : new BigDecimal(share * 100).setScale(2, RoundingMode.HALF_UP).toPlainString() + "%";
  }

  /** The share, or the volume ratio, as shown; thresholds of volume checks are z-scores. */
  private static String threshold(Line l) {
    return l.kind().equals("volume") ? "|z|≤" + plain(l.threshold()) : "≤" + percent(l.threshold());
  }

  private static String plain(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private static String trendArrow(Line l) {
    String d = l.direction();
    return d == null ? "" : switch (d) {
      case "up" -> "↑";
      case "down" -> "↓";
      default -> "→";
    };
  }

  // ---- terminal table ----

  /** The report as a terminal table with the recommendations of the failing checks below it. */
  public static String table(Report r) {
    StringBuilder out = new StringBuilder();
    header(r, out::append);
    String[] head = {"状态", "严重度", "检查", "数据源", "组", "违规", "分母", "占比", "阈值", "7晚均值", "趋势"};
    boolean[] right = {false, false, false, false, false, true, true, true, true, true, false};
    List<String[]> rows = new ArrayList<>();
    for (Line l : r.lines()) {
      String group = l.level().equals("source") ? "—" : l.code() + (l.groupName() == null
          || l.groupName().equals(l.code()) ? "" : " " + l.groupName());
      String share = l.kind().equals("volume") && l.score() != null ? "z=" + new BigDecimal(l.score())
          .setScale(2, RoundingMode.HALF_UP).toPlainString() : percent(l.share());
      rows.add(new String[] {status(l), l.severity(), l.checkId(), l.source(), group, String.format("%,d",
          l.violated()), String.format("%,d", l.denominator()), share, threshold(l),
          l.trendMean() == null ? "—" : percent(l.trendMean()), trendArrow(l)});
    }
    int[] width = new int[head.length];
    for (int i = 0; i < head.length; i++) {
      width[i] = TextTable.displayWidth(head[i]);
      for (String[] row : rows) {
        width[i] = Math.max(width[i], TextTable.displayWidth(row[i]));
      }
    }
    line(out, head, width, right);
    out.append("-".repeat(java.util.Arrays.stream(width).sum() + 2 * (width.length - 1))).append('\n');
    for (String[] row : rows) {
      line(out, row, width, right);
    }
    out.append("(").append(rows.size()).append(" results at level ").append(r.level()).append(")\n");
    Map<String, Line> failing = new LinkedHashMap<>();
    r.lines().stream().filter(l -> !l.passed()).forEach(l -> failing.putIfAbsent(l.checkId(), l));
    if (!failing.isEmpty()) {
      out.append("\n建议 (recommendations):\n");
      failing.values().forEach(l -> out.append("  ").append(l.checkId()).append(" ").append(l.descriptionZh())
          .append("\n    ").append(l.recommendation()).append('\n'));
    }
    return out.toString();
  }

  private static void header(Report r, java.util.function.Consumer<String> out) {
    out.accept("三库 数据质量 / data quality: night of " + r.night() + ", run " + r.runId() + "\n");
    out.accept("drops of the night: " + (r.drops().isEmpty() ? "none" : String.join(", ", r.drops())) + "\n");
    if (!r.blockedIndicators().isEmpty()) {
      out.accept("held back (error checks " + String.join(", ", r.failingChecks()) + " on "
          + String.join(", ", r.blockedSources()) + "): " + String.join(", ", r.blockedIndicators()) + "\n");
    }
    if (!r.accepted().isEmpty()) {
      out.accept("accepted for the run (--accept-dq): " + String.join(", ", r.accepted()) + "\n");
    }
    out.accept("\n");
  }

  private static void line(StringBuilder out, String[] cells, int[] width, boolean[] right) {
    for (int i = 0; i < cells.length; i++) {
      out.append(i == 0 ? "" : "  ").append(TextTable.pad(cells[i], width[i], right[i]));
    }
    int end = out.length();
    while (end > 0 && out.charAt(end - 1) == ' ') {
      end--;
    }
    out.setLength(end);
    out.append('\n');
  }

  // ---- CSV ----

  /** The report as RFC 4180 CSV, one row per line, shares as fractions with 6 decimals. */
  public static void csv(Report r, Writer w) throws IOException {
    CSVPrinter p = new CSVPrinter(w, CSVFormat.RFC4180.builder().setHeader(CSV_HEADER.toArray(String[]::new)).get());
    for (Line l : r.lines()) {
      List<String> trend = new ArrayList<>();
      for (Double d : l.trend()) {
        trend.add(d == null ? "" : fraction(d));
      }
      p.printRecord(status(l), l.severity(), l.checkId(), l.descriptionZh(), l.kind(), l.source(), l.table(),
          l.level(), l.keys().get("county"), l.keys().get("org"), l.keys().get("file"), l.groupName(), l.violated(),
          l.denominator(), l.share() == null ? null : fraction(l.share()), plain(l.threshold()),
          l.score() == null ? null : fraction(l.score()), String.join(";", trend),
          l.trendMean() == null ? null : fraction(l.trendMean()), l.direction(), l.recommendation());
    }
    p.flush();
  }

  private static String fraction(double d) {
    return new BigDecimal(d).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }

  // ---- workbook ----

  /** The workbook: 说明, then one sheet per source with its lines. */
  public static void xlsx(Report r, OutputStream out) throws IOException {
    try (Workbook wb = new XSSFWorkbook()) {
      XlsxReport.Styles st = new XlsxReport.Styles(wb);
      about(wb, st, r);
      Map<String, List<Line>> bySource = new LinkedHashMap<>();
      for (String s : List.of("population", "ehr", "emr", "reference")) {
        bySource.put(s, new ArrayList<>());
      }
      r.lines().forEach(l -> bySource.computeIfAbsent(l.source(), k -> new ArrayList<>()).add(l));
      for (var e : bySource.entrySet()) {
        sheet(wb, st, SOURCE_SHEETS.getOrDefault(e.getKey(), e.getKey()), e.getValue(), r);
      }
      wb.write(out);
    }
    out.flush();
  }

  private static void about(Workbook wb, XlsxReport.Styles st, Report r) {
    Sheet sh = wb.createSheet(XlsxReport.ABOUT_SHEET);
    sh.setColumnWidth(0, 20 * 256);
    sh.setColumnWidth(1, 100 * 256);
    int i = 0;
    XlsxReport.text(sh.createRow(i++), 0, "三库 数据质量报告", st.title);
    i++;
    String[][] rows = {{"统计夜", r.night().toString()}, {"检查批次", r.runId()},
        {"层级", Map.of("source", "数据源", "county", "县区", "org", "机构", "file", "文件").get(r.level())},
        {"当晚交付", r.drops().isEmpty() ? "无" : String.join("，", r.drops())},
        {"未通过的错误级检查", r.failingChecks().isEmpty() ? "无" : String.join("，", r.failingChecks())},
        {"暂不发布的指标", r.blockedIndicators().isEmpty() ? "无" : String.join("，", r.blockedIndicators())},
        {"本次接受的检查", r.accepted().isEmpty() ? "无" : String.join("，", r.accepted())},
        {"说明", "每个数据源一页，未通过的检查在前；占比 = 违规数 / 分母；数量检查的分母为前28晚的中位数，"
            + "以修正Z分数判断；趋势与前7晚的平均占比相比（↑ 升高，↓ 降低，→ 持平）。报告只含计数和机构、区划代码，"
            + "不含任何个人信息。"}};
    for (String[] row : rows) {
      org.apache.poi.ss.usermodel.Row x = sh.createRow(i++);
      XlsxReport.text(x, 0, row[0], st.bold);
      XlsxReport.text(x, 1, row[1], st.text);
    }
  }

  private static void sheet(Workbook wb, XlsxReport.Styles st, String name, List<Line> lines, Report r) {
    Sheet sh = wb.createSheet(name);
    XlsxReport.text(sh.createRow(0), 0, name + " 数据质量（" + r.night() + "）", st.title);
    sh.addMergedRegion(new CellRangeAddress(0, 0, 0, XLSX_COLUMNS.size() - 1));
    org.apache.poi.ss.usermodel.Row head = sh.createRow(1);
    int[] widths = {8, 9, 30, 40, 8, 22, 16, 24, 10, 10, 10, 10, 8, 30, 10, 6, 60};
    for (int c = 0; c < XLSX_COLUMNS.size(); c++) {
      XlsxReport.text(head, c, XLSX_COLUMNS.get(c), st.header);
      sh.setColumnWidth(c, widths[c] * 256);
    }
    int i = 2;
    for (Line l : lines) {
      XlsxReport.Styles.RowStyles s = l.passed() ? st.plain : st.totals;
      org.apache.poi.ss.usermodel.Row x = sh.createRow(i++);
      XlsxReport.text(x, 0, statusZh(l), s.center);
      XlsxReport.text(x, 1, Map.of("error", "错误", "warn", "警告", "info", "提示").getOrDefault(l.severity(),
          l.severity()), s.center);
      XlsxReport.text(x, 2, l.checkId(), s.text);
      XlsxReport.text(x, 3, l.descriptionZh(), s.text);
      XlsxReport.text(x, 4, l.kind(), s.text);
      XlsxReport.text(x, 5, l.table(), s.text);
      XlsxReport.text(x, 6, l.code(), s.text);
      XlsxReport.text(x, 7, l.level().equals("source") ? "（全部）" : l.groupName(), s.text);
      count(x, 8, l.violated(), s.count);
      count(x, 9, l.denominator(), s.count);
      CellStyle share = l.passed() ? s.decimal : s.decimalMissed;
      XlsxReport.number(x, 10, pct(l.share()), share);
      XlsxReport.number(x, 11, l.kind().equals("volume") ? BigDecimal.valueOf(l.threshold()) : pct(l.threshold()),
          s.decimal);
      XlsxReport.number(x, 12, l.score() == null ? null : new BigDecimal(l.score()).setScale(2, RoundingMode.HALF_UP),
          s.decimal);
      List<String> t = new ArrayList<>();
      for (Double d : l.trend()) {
        t.add(d == null ? "—" : pct(d).toPlainString());
      }
      XlsxReport.text(x, 13, String.join(" ", t), s.text);
      XlsxReport.number(x, 14, pct(l.trendMean()), s.decimal);
      XlsxReport.text(x, 15, trendArrow(l), s.center);
      XlsxReport.text(x, 16, l.passed() ? null : l.recommendation(), s.text);
    }
    sh.createFreezePane(0, 2);
    sh.setAutoFilter(new CellRangeAddress(1, Math.max(1, i - 1), 0, XLSX_COLUMNS.size() - 1));
    XlsxReport.fitWidth(sh);
  }

  private static void count(org.apache.poi.ss.usermodel.Row x, int col, long v, CellStyle style) {
    x.createCell(col).setCellValue(v);
    x.getCell(col).setCellStyle(style);
  }

  private static BigDecimal pct(Double share) {
    return share == null ? null : new BigDecimal(share * 100).setScale(2, RoundingMode.HALF_UP);
  }
}
