package org.sanku.indicators.report.html;

import java.math.BigDecimal;
import java.util.Locale;
import org.sanku.indicators.report.Cell;
import org.sanku.indicators.report.Published;
import org.sanku.indicators.report.ReportRows;
import org.sanku.indicators.report.Suppression;

/** How the report writes numbers and judges a value against its target (the traffic light). */
final class Format {

  private Format() {}

  /** Traffic lights: the CSS class and the Chinese word for each. */
  enum Light {
    GREEN("green", "达标"), AMBER("amber", "接近目标"), RED("red", "未达标"), NONE("none", "无目标"),
    HIDDEN("hidden", "不公布");

    final String css;
    final String zh;

    Light(String css, String zh) {
      this.css = css;
      this.zh = zh;
    }
  }

  /**
   * The light of a published value: green when it meets its target (compared at 2 decimals, as the CSV and the
   * workbook mark a missed target), amber when it misses by at most {@code amberWithin} of the target (0.1: a
   * value within 10% of it), red when it misses by more; no light without a target or a value, and none for a
   * suppressed cell (its position against the target would tell its value).
   */
  static Light light(Published p, double amberWithin) {
    Cell c = p.cell();
    if (p.suppressed()) {
      return Light.HIDDEN;
    }
    BigDecimal v = ReportRows.round2(c.value());
    if (v == null || c.target() == null) {
      return Light.NONE;
    }
    if (!ReportRows.targetMissed(c)) {
      return Light.GREEN;
    }
    double miss = Math.abs(v.doubleValue() - c.target());
    return miss <= amberWithin * Math.abs(c.target()) ? Light.AMBER : Light.RED;
  }

  /** A value at 2 decimals ({@code 52.13}), the suppression mark ({@code *}, {@code **}) or a dash when empty. */
  static String value(Published p) {
    if (p.suppressed()) {
      return mark(p);
    }
    BigDecimal v = ReportRows.round2(p.cell().value());
    return v == null ? "—" : v.toPlainString();
  }

  /** {@code *} for a small cell, {@code **} for a complementary one, "" for a published one. */
  static String mark(Published p) {
    if (!p.suppressed()) {
      return "";
    }
    return Suppression.SMALL_CELL.equals(p.suppression()) ? "*" : "**";
  }

  /** A count with thousands separators, or the suppression mark. */
  static String count(Published p, long n) {
    return p.suppressed() ? mark(p) : count(n);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** The gap to target at 2 decimals with its sign ({@code +1.20}, {@code −37.87}); "" when none or hidden. */
  static String gap(Published p) {
    if (p.suppressed() || p.cell().gap() == null) {
      return "";
    }
    BigDecimal g = ReportRows.round2(p.cell().gap());
    if (g == null) {
      return "";
    }
    return (g.signum() < 0 ? "−" + g.negate().toPlainString() : "+" + g.toPlainString());
  }

  /** The target with its direction, e.g. {@code ≥90.00}; "" without one. */
  static String target(Cell c) {
    return ReportRows.targetText(c);
  }

  /** The 95% interval of a life expectancy ({@code 77.10–79.30}); "" for other values or when hidden. */
  static String interval(Published p) {
    Cell c = p.cell();
    if (p.suppressed() || c.lower95() == null || c.upper95() == null) {
      return "";
    }
    return ReportRows.round2(c.lower95()).toPlainString() + "–" + ReportRows.round2(c.upper95()).toPlainString();
  }

  /** A value at 2 decimals as a number for a chart, or null when hidden or empty. */
  static Double chartValue(Published p) {
    if (p.suppressed()) {
      return null;
    }
    BigDecimal v = ReportRows.round2(p.cell().value());
    return v == null ? null : v.doubleValue();
  }

  /** The unit as a reader sees it after a number ({@code %}, {@code ‰}, {@code 岁}). */
  static String unit(String unit) {
    return unit == null ? "" : unit.equals("years") ? "岁" : unit;
  }

  /** The direction of an indicator in words. */
  static String direction(boolean higherIsBetter) {
    return higherIsBetter ? "越高越好" : "越低越好";
  }

  /** A share 0–1 as a percentage at 1 decimal ({@code 47.9%}). */
  static String percent(long part, long whole) {
    if (whole == 0) {
      return "—";
    }
    return BigDecimal.valueOf(100.0 * part / whole).setScale(1, java.math.RoundingMode.HALF_UP).toPlainString() + "%";
  }
}
