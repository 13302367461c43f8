package org.sanku.indicators.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a period's indicator values in one of the published formats: the terminal table (exact values), CSV or
 * an Excel workbook (small cells suppressed). A new output format is one more case here and one class beside
 * {@link CsvReport} and {@link XlsxReport}.
 *
 * @param format     {@code table}, {@code csv} or {@code xlsx}
 * @param level      {@code county}, {@code city} or {@code province}, or null for every level
 * @param indicators the indicators to write, or null for all (the table shows {@code headline} then)
 * @param k          the suppression threshold of csv and xlsx
 * @param headline   the indicators the terminal table shows by default
 */
public record Reports(String format, String level, List<String> indicators, int k, List<String> headline) {

  public static final List<String> FORMATS = List.of("table", "csv", "xlsx");

  public Reports {
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException("--format: table, csv or xlsx (got '" + format + "')");
    }
  }

  /** Writes to {@code out}, or to {@code stdout} when it is null (table and csv). */
  public void write(List<Cell> all, Path out, PrintStream stdout) throws IOException {
    List<Cell> cells = all.stream()
        .filter(c -> indicators == null || indicators.contains(c.indicatorId()))
        .toList();
    if (cells.isEmpty()) {
      throw new IllegalStateException("no values for the period" + (indicators == null ? "" : " and indicators "
          + indicators));
    }
    switch (format) {
      case "table" -> {
        List<Cell> shown = level == null ? cells : cells.stream().filter(c -> c.divisionLevel().equals(level)).toList();
        List<String> ids = indicators != null ? indicators
            : headline.stream().filter(id -> shown.stream().anyMatch(c -> c.indicatorId().equals(id))).toList();
        String text = TextTable.render(shown, ids);
        if (out != null) {
          Files.writeString(out, text, StandardCharsets.UTF_8);
        } else {
          stdout.print(text);
        }
      }
      case "csv" -> {
        // Suppression looks at whole parent groups, so it runs before the level filter.
        List<Published> pub = Suppression.apply(cells, k).stream()
            .filter(x -> level == null || x.cell().divisionLevel().equals(level)).toList();
        if (out != null) {
          try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            CsvReport.write(pub, w);
          }
        } else {
          Writer w = new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8));
          CsvReport.write(pub, w);
          w.flush();
        }
      }
      default -> {
        if (out == null) {
          throw new IllegalArgumentException("--format xlsx needs --out FILE.xlsx");
        }
        List<Published> pub = Suppression.apply(cells, k).stream()
            .filter(x -> level == null || x.cell().divisionLevel().equals(level)).toList();
        Cell first = cells.get(0);
        String title = "三库 指标 " + first.periodStart() + " 至 " + first.periodEnd();
        try (OutputStream o = Files.newOutputStream(out)) {
          XlsxReport.write(pub, o, title);
        }
      }
    }
  }
}
