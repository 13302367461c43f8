package org.sanku.indicators.report;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The machine-readable publication of indicator results: one CSV row per {@link Published} cell.
 *
 * <p>Format: RFC 4180 (comma separated, CRLF line ends, fields quoted when they hold a comma,
 * quote or line break, quotes doubled), a header line of {@link #HEADER}. Numbers are plain
 * decimals without thousands separators: numerator and denominator as integers; value, lower95,
 * upper95 and gap rounded to 2 decimals half up (SQL {@code ROUND(x, 2)}); the target as the plan
 * states it. Dates are ISO ({@code 2024-06-30}). An absent value (null, e.g. no denominator) is
 * an empty field.
 *
 * <p>A suppressed row keeps its division, period, unit and target, leaves numerator,
 * denominator, value, lower95, upper95 and gap empty, and names the reason in
 * {@code suppressed} ({@code SMALL_CELL} or {@code COMPLEMENTARY}); a published row has
 * {@code suppressed} empty.
 *
 * <p>When some value counted over the official year-end population (its cell has a {@link DenominatorCheck}), the
 * header goes on with {@link #OFFICIAL}: the registry's count of the denominator, the official figure, the year of
 * the figures and the ratio registry ÷ official (4 decimals); these are empty on rows counted over the registry
 * alone, and on suppressed rows. Without official figures the file is exactly as above.
 */
public final class CsvReport {

  /** The header line's column names, in order. */
  public static final List<String> HEADER = List.of("indicator_id", "period_type",
      "period_start", "period_end", "division_code", "division_level", "division_name",
      "numerator", "denominator", "value", "lower95", "upper95", "unit", "target",
      "target_year", "target_plan", "gap", "suppressed");

  /** The columns that follow {@link #HEADER} when some row counted over official figures. */
  public static final List<String> OFFICIAL = List.of("registry_denominator", "official_denominator",
      "official_year", "denominator_ratio");

  private CsvReport() {}

  /**
   * Writes the header and one line per row, in the order given, then flushes.
   *
   * @param rows the cells with their suppression, e.g. from {@link Suppression#apply(List, int)}
   * @param out  where to write; the caller picks the encoding and should use UTF-8 (e.g.
   *             {@code Files.newBufferedWriter(path, StandardCharsets.UTF_8)}); it is flushed,
   *             not closed
   * @throws IOException if writing fails
   */
  public static void write(List<Published> rows, Writer out) throws IOException {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(out, "out");
    boolean official = rows.stream().anyMatch(r -> r.cell().check() != null);
    List<String> header = new ArrayList<>(HEADER);
    if (official) {
      header.addAll(OFFICIAL);
    }
    CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new))
        .get());
    for (Published row : rows) {
      List<Object> f = fields(row);
      if (official) {
        DenominatorCheck k = row.suppressed() ? null : row.cell().check();
        f.add(k == null ? null : k.registryDenominator());
        f.add(k == null ? null : k.officialDenominator());
        f.add(k == null ? null : k.officialYear());
        f.add(k == null || k.ratio() == null ? null
            : plain(BigDecimal.valueOf(k.ratio()).setScale(4, java.math.RoundingMode.HALF_UP)));
      }
      printer.printRecord(f);
    }
    printer.flush();
  }

  /** The fields of one row, in {@link #HEADER} order; null prints as an empty field. */
  private static List<Object> fields(Published row) {
    Cell c = row.cell();
    boolean open = !row.suppressed();
    List<Object> f = new ArrayList<>(HEADER.size());
    f.add(c.indicatorId());
    f.add(c.periodType());
    f.add(c.periodStart());
    f.add(c.periodEnd());
    f.add(c.divisionCode());
    f.add(c.divisionLevel());
    f.add(c.divisionName());
    f.add(open ? c.numerator() : null);
    f.add(open ? c.denominator() : null);
    f.add(open ? plain(ReportRows.round2(c.value())) : null);
    f.add(open ? plain(ReportRows.round2(c.lower95())) : null);
    f.add(open ? plain(ReportRows.round2(c.upper95())) : null);
    f.add(c.unit());
    f.add(c.target() == null ? null : plain(BigDecimal.valueOf(c.target()).stripTrailingZeros()));
    f.add(c.targetYear());
    f.add(c.targetPlan());
    f.add(open ? plain(ReportRows.round2(c.gap())) : null);
    f.add(row.suppression());
    return f;
  }

  private static String plain(BigDecimal d) {
    return d == null ? null : d.toPlainString();
  }
}
