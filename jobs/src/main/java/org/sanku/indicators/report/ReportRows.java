package org.sanku.indicators.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/** Row order, rounding and labels shared by the report writers (CSV, workbook, terminal table and HTML). */
public final class ReportRows {

  private ReportRows() {}

  /**
   * A value rounded to 2 decimals, half up on its decimal form (as SQL {@code ROUND(x, 2)}
   * does: 0.125 → 0.13, 2/3 → 0.67); null for null, NaN or an infinity.
   */
  public static BigDecimal round2(Double value) {
    if (value == null || value.isNaN() || value.isInfinite()) {
      return null;
    }
    return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP);
  }

  /** Whether the value misses its target: below it when higher is better, above it otherwise. */
  public static boolean targetMissed(Cell c) {
    BigDecimal value = round2(c.value());
    BigDecimal target = c.target() == null ? null : BigDecimal.valueOf(c.target());
    if (value == null || target == null) {
      return false;
    }
    int cmp = value.compareTo(target);
    return c.higherIsBetter() ? cmp < 0 : cmp > 0;
  }

  /** The target with its direction, e.g. {@code ≥90.00} or {@code ≤5.00}; "" without target. */
  public static String targetText(Cell c) {
    BigDecimal target = round2(c.target());
    if (target == null) {
      return "";
    }
    return (c.higherIsBetter() ? "≥" : "≤") + target.toPlainString();
  }

  /**
   * Orders the rows of one indicator table as a report reads: counties whose city is not in the
   * list (and rows of any other level) first, in code order; then for each city in code order
   * its counties in code order followed by the city itself; then the provinces in code order.
   *
   * @throws IllegalArgumentException if a division code appears twice
   */
  public static <T> List<T> hierarchyOrder(List<T> rows, Function<T, Cell> cellOf) {
    Set<String> seen = new HashSet<>();
    TreeMap<String, T> cities = new TreeMap<>();
    TreeMap<String, T> provinces = new TreeMap<>();
    List<T> lower = new ArrayList<>();
    for (T row : rows) {
      Cell c = cellOf.apply(row);
      if (!seen.add(c.divisionCode())) {
        throw new IllegalArgumentException("division " + c.divisionCode() + " appears twice for "
            + c.indicatorId() + "; a report holds one period per indicator");
      }
      switch (String.valueOf(c.divisionLevel())) {
        case "city" -> cities.put(c.divisionCode(), row);
        case "province" -> provinces.put(c.divisionCode(), row);
        default -> lower.add(row);
      }
    }
    Comparator<T> byCode = Comparator.comparing(r -> cellOf.apply(r).divisionCode());
    lower.sort(byCode);
    Map<String, List<T>> underCity = new LinkedHashMap<>();
    List<T> out = new ArrayList<>(rows.size());
    for (T row : lower) {
      String parent = cellOf.apply(row).parentCode();
      if (parent != null && cities.containsKey(parent)) {
        underCity.computeIfAbsent(parent, p -> new ArrayList<>()).add(row);
      } else {
        out.add(row);
      }
    }
    for (Map.Entry<String, T> city : cities.entrySet()) {
      out.addAll(underCity.getOrDefault(city.getKey(), List.of()));
      out.add(city.getValue());
    }
    out.addAll(provinces.values());
    return out;
  }

  /** The label of a row in the 地区 column: a county's name, or a subtotal's name and kind. */
  public static String regionLabel(Cell c) {
    String name = c.divisionName() == null ? c.divisionCode() : c.divisionName();
    return switch (String.valueOf(c.divisionLevel())) {
      case "city" -> name + "（市合计）";
      case "province" -> name + "（全省合计）";
      default -> name;
    };
  }

  /** The Chinese name of a division level: 县区, 市 or 省. */
  public static String levelZh(String level) {
    return switch (String.valueOf(level)) {
      case "county" -> "县区";
      case "city" -> "市";
      case "province" -> "省";
      default -> level == null ? "" : level;
    };
  }

  /**
   * A period in Chinese: {@code 2024年}, {@code 2024年第2季度}, {@code 2024年3月} or
   * {@code 2024年1月1日至6月30日累计}; any other shape as {@code 2024-01-01至2024-06-30}.
   */
  public static String periodLabel(String periodType, LocalDate start, LocalDate end) {
    if (start == null || end == null) {
      return start == null && end == null ? "" : start + "至" + end;
    }
    boolean sameYear = start.getYear() == end.getYear();
    boolean monthStart = start.getDayOfMonth() == 1;
    boolean monthEnd = end.getDayOfMonth() == end.lengthOfMonth();
    int y = start.getYear();
    switch (String.valueOf(periodType)) {
      case "year" -> {
        if (sameYear && start.getDayOfYear() == 1 && end.getMonthValue() == 12 && monthEnd) {
          return y + "年";
        }
      }
      case "quarter" -> {
        int m = start.getMonthValue();
        if (sameYear && monthStart && monthEnd && (m - 1) % 3 == 0
            && end.getMonthValue() == m + 2) {
          return y + "年第" + ((m - 1) / 3 + 1) + "季度";
        }
      }
      case "month" -> {
        if (sameYear && monthStart && monthEnd && start.getMonth() == end.getMonth()) {
          return y + "年" + start.getMonthValue() + "月";
        }
      }
      case "ytd" -> {
        if (sameYear && start.getDayOfYear() == 1) {
          return y + "年1月1日至" + end.getMonthValue() + "月" + end.getDayOfMonth() + "日累计";
        }
      }
      default -> { }
    }
    return start + "至" + end;
  }

  /** {@link #periodLabel(String, LocalDate, LocalDate)} of a cell's period. */
  public static String periodLabel(Cell c) {
    return periodLabel(c.periodType(), c.periodStart(), c.periodEnd());
  }
}
