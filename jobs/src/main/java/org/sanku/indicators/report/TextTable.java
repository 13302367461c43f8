package org.sanku.indicators.report;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A plain-text table of indicator values for the terminal ({@code sanku indicators --format
 * table} and the demo): exact values, no suppression, one row per division and one column per
 * indicator.
 *
 * <pre>
 * 区划代码      地区                elderly_health_mgmt  htn_unmanaged
 *               目标                            ≥90.00%        ≤10.00%
 * --------------------------------------------------------------------
 * 511302000000    顺庆区                          92.31           8.12
 * 511303000000    高坪区                              —           9.40
 * 511300000000  南充市（市合计）                  92.31           8.76
 * 510000000000  四川省（全省合计）                92.31           8.76
 * </pre>
 *
 * <p>Rows: counties (indented) grouped under their city and followed by the city subtotal, then
 * the province; counties whose city is not in the list first (the order of
 * {@link XlsxReport}). Columns are headed by the indicator id; the header's last line gives each
 * indicator's target with its direction and unit (the province's target, else that of the
 * highest-level division that has one; {@code —} for none). Values have 2 decimals (half up),
 * {@code —} where the value is null (no denominator); a division without a cell for an
 * indicator has a blank.
 *
 * <p>Widths are display columns: East Asian wide characters (CJK ideographs, CJK punctuation,
 * full-width forms, kana, hangul) count 2, so columns line up in a terminal with Chinese names,
 * and every line of a table has the same width. When the indicator columns do not fit in
 * {@link #DEFAULT_WIDTH} columns they are split over several tables, one under the other, each
 * repeating the division columns.
 *
 * <p>When some shown indicator counted over the official year-end population, a second table follows, in the same
 * layout, with the cross-check ratio registry count ÷ official figure of each division (4 decimals).
 */
public final class TextTable {

  /** The terminal width the tables are kept within. */
  public static final int DEFAULT_WIDTH = 120;

  /** Shown for a null value (no denominator) and for an indicator without target. */
  public static final String NO_VALUE = "—";

  private static final String GAP = "  ";

  private TextTable() {}

  /** {@link #render(List, List, int)} within {@link #DEFAULT_WIDTH} columns. */
  public static String render(List<Cell> cells, List<String> indicatorIds) {
    return render(cells, indicatorIds, DEFAULT_WIDTH);
  }

  /**
   * Renders the table.
   *
   * @param cells        indicator cells for one period, at county, city and province level
   * @param indicatorIds the indicators to show, as columns in this order; null or empty for all,
   *                     in the order they first appear in {@code cells}
   * @param maxWidth     the widest line wanted; a table is split by indicator columns to fit, but
   *                     always has at least one indicator column
   * @return the table, lines ended by {@code \n}
   * @throws IllegalArgumentException if a division appears twice for an indicator
   */
  public static String render(List<Cell> cells, List<String> indicatorIds, int maxWidth) {
    Objects.requireNonNull(cells, "cells");
    List<String> ids = new ArrayList<>();
    if (indicatorIds == null || indicatorIds.isEmpty()) {
      LinkedHashSet<String> seen = new LinkedHashSet<>();
      cells.forEach(c -> seen.add(c.indicatorId()));
      ids.addAll(seen);
    } else {
      ids.addAll(new LinkedHashSet<>(indicatorIds));
    }

    // Values by indicator and division, and one representative cell per division for the rows.
    Map<String, Map<String, Cell>> byIndicator = new HashMap<>();
    Map<String, Cell> divisions = new LinkedHashMap<>();
    for (Cell c : cells) {
      if (!ids.contains(c.indicatorId())) {
        continue;
      }
      Cell before = byIndicator.computeIfAbsent(c.indicatorId(), id -> new HashMap<>())
          .put(c.divisionCode(), c);
      if (before != null) {
        throw new IllegalArgumentException("division " + c.divisionCode() + " appears twice for "
            + c.indicatorId() + "; a table holds one period per indicator");
      }
      divisions.putIfAbsent(c.divisionCode(), c);
    }
    List<Cell> rows = ReportRows.hierarchyOrder(new ArrayList<>(divisions.values()), c -> c);

    List<String> codes = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (Cell d : rows) {
      codes.add(d.divisionCode());
      labels.add(("county".equals(d.divisionLevel()) ? "  " : "") + ReportRows.regionLabel(d));
    }
    Column code = new Column("区划代码", "", codes, false);
    Column region = new Column("地区", "目标", labels, false);
    List<Column> indicators = new ArrayList<>();
    for (String id : ids) {
      Map<String, Cell> values = byIndicator.getOrDefault(id, Map.of());
      List<String> texts = new ArrayList<>();
      for (Cell d : rows) {
        Cell c = values.get(d.divisionCode());
        texts.add(c == null ? "" : valueText(c.value()));
      }
      indicators.add(new Column(id, targetText(values.values()), texts, true));
    }

    // Indicator columns in blocks that fit maxWidth beside the division columns.
    int fixed = code.width + GAP.length() + region.width;
    List<List<Column>> blocks = new ArrayList<>();
    List<Column> block = new ArrayList<>();
    int width = fixed;
    for (Column c : indicators) {
      if (!block.isEmpty() && width + GAP.length() + c.width > maxWidth) {
        blocks.add(block);
        block = new ArrayList<>();
        width = fixed;
      }
      block.add(c);
      width += GAP.length() + c.width;
    }
    blocks.add(block);

    StringBuilder out = new StringBuilder();
    for (List<Column> b : blocks) {
      if (out.length() > 0) {
        out.append('\n');
      }
      List<Column> cols = new ArrayList<>(List.of(code, region));
      cols.addAll(b);
      appendTable(out, cols, rows.size());
    }
    appendChecks(out, ids, byIndicator, rows, code, region);
    return out.toString();
  }

  /**
   * Under the values, when some shown indicator counted over the official year-end population: the cross-check
   * ratio registry count ÷ official figure per division, in the same layout ({@code —}: no official figure there,
   * the registry count was the denominator; {@code *}: some county under the total had none).
   */
  private static void appendChecks(StringBuilder out, List<String> ids, Map<String, Map<String, Cell>> byIndicator,
      List<Cell> rows, Column code, Column region) {
    List<Column> cols = new ArrayList<>(List.of(code, region));
    Integer year = null;
    for (String id : ids) {
      Map<String, Cell> values = byIndicator.getOrDefault(id, Map.of());
      if (values.values().stream().noneMatch(c -> c.check() != null)) {
        continue;
      }
      List<String> texts = new ArrayList<>();
      for (Cell d : rows) {
        Cell c = values.get(d.divisionCode());
        DenominatorCheck k = c == null ? null : c.check();
        if (k != null) {
          year = k.officialYear();
        }
        texts.add(k == null ? "" : k.ratio() == null ? NO_VALUE
            : BigDecimal.valueOf(k.ratio()).setScale(4, java.math.RoundingMode.HALF_UP).toPlainString()
                + (k.partial() ? "*" : ""));
      }
      cols.add(new Column(id, "户籍库/官方", texts, true));
    }
    if (year == null) {
      return;
    }
    out.append('\n').append("分母为").append(year).append("年末官方常住人口（ref_population）；下表为户籍库人数与官方数之比"
        + "（— 无官方数，按户籍库计；* 部分县区无官方数）\n");
    appendTable(out, cols, rows.size());
  }

  private static void appendTable(StringBuilder out, List<Column> cols, int rows) {
    int width = GAP.length() * (cols.size() - 1);
    for (Column c : cols) {
      width += c.width;
    }
    appendLine(out, cols, c -> c.header);
    appendLine(out, cols, c -> c.subheader);
    out.append("-".repeat(width)).append('\n');
    for (int r = 0; r < rows; r++) {
      int row = r;
      appendLine(out, cols, c -> c.cells.get(row));
    }
  }

  private static void appendLine(StringBuilder out, List<Column> cols,
      Function<Column, String> text) {
    for (int i = 0; i < cols.size(); i++) {
      if (i > 0) {
        out.append(GAP);
      }
      Column c = cols.get(i);
      out.append(pad(text.apply(c), c.width, c.right));
    }
    out.append('\n');
  }

  private static String valueText(Double value) {
    BigDecimal v = ReportRows.round2(value);
    return v == null ? NO_VALUE : v.toPlainString();
  }

  /** The target of the highest-level division that has one, e.g. {@code ≥90.00%}. */
  private static String targetText(Collection<Cell> cells) {
    Cell best = null;
    for (Cell c : cells) {
      if (c.target() != null && (best == null || seniority(c) > seniority(best)
          || (seniority(c) == seniority(best)
              && c.divisionCode().compareTo(best.divisionCode()) < 0))) {
        best = c;
      }
    }
    if (best == null) {
      return NO_VALUE;
    }
    return ReportRows.targetText(best) + (best.unit() == null ? "" : best.unit());
  }

  /** Province 2, city 1, county 0, any other level -1. */
  private static int seniority(Cell c) {
    int rank = Suppression.levelRank(c.divisionLevel());
    return rank > 2 ? -1 : rank;
  }

  /** Pads to {@code width} display columns, on the left when {@code right}-aligned. */
  public static String pad(String s, int width, boolean right) {
    String spaces = " ".repeat(Math.max(0, width - displayWidth(s)));
    return right ? spaces + s : s + spaces;
  }

  /**
   * The number of terminal columns a string takes: 2 for each East Asian wide or full-width
   * character, 0 for control characters, 1 for the rest.
   */
  public static int displayWidth(String s) {
    int w = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      w += Character.isISOControl(cp) ? 0 : isWide(cp) ? 2 : 1;
    }
    return w;
  }

  /** Whether a code point is East Asian Wide or Fullwidth (the blocks Chinese text uses). */
  static boolean isWide(int cp) {
    return (cp >= 0x1100 && cp <= 0x115F)      // Hangul Jamo initials
        || (cp >= 0x2E80 && cp <= 0x303E)      // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
        || (cp >= 0x3041 && cp <= 0x33FF)      // kana, bopomofo, Hangul compatibility, enclosed CJK, CJK compatibility
        || (cp >= 0x3400 && cp <= 0x4DBF)      // CJK Unified Ideographs Extension A
        || (cp >= 0x4E00 && cp <= 0x9FFF)      // CJK Unified Ideographs
        || (cp >= 0xA000 && cp <= 0xA4CF)      // Yi
        || (cp >= 0xAC00 && cp <= 0xD7A3)      // Hangul syllables
        || (cp >= 0xF900 && cp <= 0xFAFF)      // CJK Compatibility Ideographs
        || (cp >= 0xFE10 && cp <= 0xFE19)      // vertical forms
        || (cp >= 0xFE30 && cp <= 0xFE6F)      // CJK compatibility forms, small form variants
        || (cp >= 0xFF00 && cp <= 0xFF60)      // full-width forms
        || (cp >= 0xFFE0 && cp <= 0xFFE6)      // full-width signs
        || (cp >= 0x20000 && cp <= 0x3FFFD);   // CJK Extensions B and beyond
  }

  /** One column: header, the header's last line, and the cells, all as text. */
  private static final class Column {
    final String header;
    final String subheader;
    final List<String> cells;
    final boolean right;
    final int width;

    Column(String header, String subheader, List<String> cells, boolean right) {
      this.header = header;
      this.subheader = subheader;
      this.cells = cells;
      this.right = right;
      int w = Math.max(displayWidth(header), displayWidth(subheader));
      for (String c : cells) {
        w = Math.max(w, displayWidth(c));
      }
      this.width = w;
    }
  }
}
