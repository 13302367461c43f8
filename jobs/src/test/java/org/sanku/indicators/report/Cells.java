package org.sanku.indicators.report;

import java.time.LocalDate;

/** Small builders of {@link Cell}s for the report tests: a rate in %, year 2024. */
final class Cells {

  static final LocalDate START = LocalDate.of(2024, 1, 1);
  static final LocalDate END = LocalDate.of(2024, 12, 31);

  static final String PROVINCE = "510000000000";
  static final String CITY = "511300000000";

  private Cells() {}

  /**
   * A rate cell of {@code elderly_health_mgmt} (higher is better, target 90% for 2025): value =
   * numerator / denominator × 100, null when the denominator is 0; gap = value − 90.
   */
  static Cell rate(String code, String level, String name, String parent, long num, long den) {
    return rate("elderly_health_mgmt", code, level, name, parent, num, den);
  }

  /** As {@link #rate(String, String, String, String, long, long)} for another indicator id. */
  static Cell rate(String indicator, String code, String level, String name, String parent,
      long num, long den) {
    Double value = den == 0 ? null : num * 100.0 / den;
    Double gap = value == null ? null : value - 90.0;
    return new Cell(indicator, "65岁及以上老年人健康管理率", "Health management rate, aged 65+", "%",
        "year", START, END, code, level, name, parent, num, den, value, null, null, 90.0, 2025,
        "南充市“十四五”卫生健康规划", true, gap);
  }

  /** A county of the city {@link #CITY}. */
  static Cell county(String code, String name, long num, long den) {
    return rate(code, "county", name, CITY, num, den);
  }

  /** The city {@link #CITY} in province {@link #PROVINCE}. */
  static Cell city(long num, long den) {
    return rate(CITY, "city", "南充市", PROVINCE, num, den);
  }
}
