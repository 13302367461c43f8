package org.sanku.indicators.report.html;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's charts as Apache ECharts options (plain maps, serialised into the page's JSON island). Every chart
 * is drawn by the SVG renderer without animation, so it prints sharply and its drawing is in the DOM at once.
 * Numbers arrive already rounded and suppressed; a hidden value is "-", which ECharts leaves empty.
 */
final class Charts {

  static final String GREEN = "#2e7d32";
  static final String AMBER = "#f9a825";
  static final String RED = "#c62828";
  static final String GREY = "#90a4ae";
  static final String BLUE = "#1565c0";
  static final String TEAL = "#00838f";
  static final String FONT = "\"Microsoft YaHei\", \"PingFang SC\", \"Noto Sans CJK SC\", \"WenQuanYi Micro Hei\", "
      + "sans-serif";

  private Charts() {}

  /** A map from alternating keys and values, in order. */
  static Map<String, Object> obj(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static String color(Format.Light light) {
    return switch (light) {
      case GREEN -> GREEN;
      case AMBER -> AMBER;
      case RED -> RED;
      default -> GREY;
    };
  }

  private static Map<String, Object> base() {
    return obj("animation", false, "textStyle", obj("fontFamily", FONT), "color", List.of(BLUE, TEAL, AMBER, RED));
  }

  /** A horizontal line across a chart with its label at the right end. */
  private static Map<String, Object> line(double y, String label, String color, boolean dashed) {
    return obj("yAxis", y, "lineStyle", obj("color", color, "type", dashed ? "dashed" : "solid", "width", 1.5),
        "label", obj("formatter", label, "position", "end", "color", color));
  }

  /**
   * One indicator across the compared divisions: a bar each (coloured by its light, empty when hidden), the
   * target as a dashed red line and the reference division's value as a blue line.
   */
  static Map<String, Object> bars(String unit, List<String> names, List<Double> values, List<String> labels,
      List<String> colors, Double target, String targetLabel, Double reference, String referenceLabel) {
    List<Object> data = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      // Each bar is labelled with the text of the tables (2 decimals), not with ECharts' shortest number.
      data.add(obj("value", values.get(i) == null ? "-" : values.get(i), "itemStyle", obj("color", colors.get(i)),
          "label", obj("formatter", labels.get(i))));
    }
    List<Object> lines = new ArrayList<>();
    if (target != null) {
      lines.add(line(target, targetLabel, RED, true));
    }
    if (reference != null) {
      lines.add(line(reference, referenceLabel, BLUE, false));
    }
    List<Double> all = new ArrayList<>(values);
    all.add(target);
    all.add(reference);
    Map<String, Object> series = obj("type", "bar", "name", "数值", "barMaxWidth", 34, "data", data,
        "label", obj("show", true, "position", "top", "fontSize", 10));
    if (!lines.isEmpty()) {
      series.put("markLine", obj("symbol", List.of("none", "none"), "silent", true, "animation", false,
          "data", lines));
    }
    Map<String, Object> o = base();
    o.put("grid", obj("left", 8, "right", 96, "top", 28, "bottom", 4, "containLabel", true));
    o.put("tooltip", obj("trigger", "axis", "axisPointer", obj("type", "shadow")));
    o.put("xAxis", obj("type", "category", "data", names, "axisLabel", obj("interval", 0, "fontSize", 11)));
    o.put("yAxis", valueAxis(unit, all));
    o.put("series", List.of(series));
    return o;
  }

  /**
   * The reference division's value over the published periods: closed years and the year-to-date value of each
   * night, with the target line.
   */
  static Map<String, Object> trend(String unit, List<Point> years, List<Point> ytd, Double target,
      String targetLabel) {
    List<Double> all = new ArrayList<>();
    for (List<Point> s : List.of(years, ytd)) {
      for (Point p : s) {
        all.add(p.value());
      }
    }
    all.add(target);
    Map<String, Object> closed = obj("type", "line", "name", "年度", "data", points(years), "symbolSize", 8,
        "lineStyle", obj("width", 2), "label", obj("show", true, "fontSize", 10));
    if (target != null) {
      closed.put("markLine", obj("symbol", List.of("none", "none"), "silent", true, "animation", false,
          "data", List.of(line(target, targetLabel, RED, true))));
    }
    List<Object> series = List.of(closed, obj("type", "line", "name", "年内累计", "data", points(ytd),
        "symbolSize", 4, "lineStyle", obj("width", 1.5, "type", "dotted")));
    Map<String, Object> o = base();
    o.put("legend", obj("top", 0, "data", List.of("年度", "年内累计")));
    o.put("grid", obj("left", 8, "right", 96, "top", 30, "bottom", 4, "containLabel", true));
    o.put("tooltip", obj("trigger", "axis"));
    o.put("xAxis", obj("type", "time", "axisLabel", obj("fontSize", 11)));
    o.put("yAxis", valueAxis(unit, all));
    o.put("series", series);
    return o;
  }

  /**
   * Managed and unmanaged (漏管) patients per division, stacked: the green part is under management, the red part
   * is not, labelled with its count and share.
   */
  static Map<String, Object> managed(List<String> names, List<Long> managed, List<Long> unmanaged,
      List<String> shares) {
    List<Object> m = new ArrayList<>();
    List<Object> u = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      m.add(managed.get(i) == null ? "-" : managed.get(i));
      u.add(unmanaged.get(i) == null ? "-" : obj("value", unmanaged.get(i),
          "label", obj("formatter", unmanaged.get(i) + "（" + shares.get(i) + "）")));
    }
    Map<String, Object> o = base();
    o.put("legend", obj("top", 0, "data", List.of("已纳入管理", "漏管")));
    o.put("grid", obj("left", 8, "right", 96, "top", 28, "bottom", 4, "containLabel", true));
    o.put("tooltip", obj("trigger", "axis", "axisPointer", obj("type", "shadow")));
    o.put("yAxis", obj("type", "category", "data", names, "inverse", true, "axisLabel", obj("fontSize", 11)));
    o.put("xAxis", obj("type", "value", "name", "人", "minInterval", 1));
    o.put("series", List.of(
        obj("type", "bar", "name", "已纳入管理", "stack", "p", "barMaxWidth", 22, "data", m,
            "itemStyle", obj("color", GREEN), "label", obj("show", true, "position", "inside", "color", "#fff",
                "fontSize", 10)),
        obj("type", "bar", "name", "漏管", "stack", "p", "barMaxWidth", 22, "data", u,
            "itemStyle", obj("color", RED), "label", obj("show", true, "position", "right", "fontSize", 10))));
    return o;
  }

  /** Link rates (%) of health records and hospital visits per division, side by side. */
  static Map<String, Object> linkRates(List<String> names, List<Double> ehr, List<Double> emr) {
    Map<String, Object> o = base();
    o.put("legend", obj("top", 0, "data", List.of("健康档案", "电子病历")));
    o.put("grid", obj("left", 8, "right", 16, "top", 28, "bottom", 4, "containLabel", true));
    o.put("tooltip", obj("trigger", "axis", "axisPointer", obj("type", "shadow")));
    o.put("xAxis", obj("type", "category", "data", names, "axisLabel", obj("interval", 0, "fontSize", 11)));
    o.put("yAxis", obj("type", "value", "name", "%", "min", 0, "max", 100));
    o.put("series", List.of(
        obj("type", "bar", "name", "健康档案", "barMaxWidth", 18, "data", dashes(ehr), "itemStyle", obj("color", BLUE)),
        obj("type", "bar", "name", "电子病历", "barMaxWidth", 18, "data", dashes(emr), "itemStyle", obj("color", TEAL))));
    return o;
  }

  /** Quarantined rows per reason, largest first. */
  static Map<String, Object> quarantine(List<String> reasons, List<Long> rows) {
    Map<String, Object> o = base();
    o.put("grid", obj("left", 8, "right", 48, "top", 8, "bottom", 4, "containLabel", true));
    o.put("tooltip", obj("trigger", "axis", "axisPointer", obj("type", "shadow")));
    o.put("yAxis", obj("type", "category", "data", reasons, "inverse", true, "axisLabel", obj("fontSize", 11)));
    o.put("xAxis", obj("type", "value", "name", "行", "minInterval", 1));
    o.put("series", List.of(obj("type", "bar", "name", "隔离行数", "barMaxWidth", 18, "data", rows,
        "itemStyle", obj("color", AMBER), "label", obj("show", true, "position", "right", "fontSize", 10))));
    return o;
  }

  /** A point of a trend: the period's last day, its value and the value as the tables write it. */
  record Point(String date, double value, String label) {}

  private static List<Object> points(List<Point> ps) {
    List<Object> out = new ArrayList<>();
    for (Point p : ps) {
      out.add(obj("value", List.of(p.date(), p.value()), "label", obj("formatter", p.label())));
    }
    return out;
  }

  private static List<Object> dashes(List<Double> values) {
    List<Object> out = new ArrayList<>();
    for (Double v : values) {
      out.add(v == null ? "-" : v);
    }
    return out;
  }

  /**
   * A value axis that shows every bar and line: from 0 for rates (to 100 at most for a percentage that stays
   * under it), around the values for years of life, where a zero base would flatten every difference.
   */
  static Map<String, Object> valueAxis(String unit, List<Double> values) {
    Map<String, Object> axis = obj("type", "value", "name", Format.unit(unit));
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    for (Double v : values) {
      if (v != null) {
        max = Math.max(max, v);
        min = Math.min(min, v);
      }
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return axis;
    }
    if ("岁".equals(Format.unit(unit))) {
      axis.put("min", Math.floor(min - 1));
      axis.put("max", Math.ceil(max + 1));
      return axis;
    }
    axis.put("min", 0);
    double top = Math.ceil(max * 1.12 / 5.0) * 5.0;
    if ("%".equals(unit) && max <= 100) {
      top = Math.min(100, top);
    }
    axis.put("max", Math.max(top, 1));
    return axis;
  }
}
