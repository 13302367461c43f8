package org.sanku.indicators.report.html;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.sanku.indicators.report.Cell;

/**
 * The divisions a report is about: the scope (a city by default), the divisions it compares side by side (its
 * counties; for a province its cities; for a county the county itself) and the reference beside them (the scope,
 * or for a county its city).
 */
final class ReportScope {

  /** A division as the published values name it. */
  record Division(String code, String name, String level, String parent) {

    /** The 6-digit code a reader knows ({@code 511300}). */
    String shortCode() {
      return code.length() == 12 && code.endsWith("000000") ? code.substring(0, 6) : code;
    }
  }

  final Division top;
  /** Whose value the charts draw as a line beside the bars: the scope, or a county's city. */
  final Division reference;
  /** The divisions compared side by side, in code order. */
  final List<Division> compared;
  /** Every division shown in the tables: the reference, the scope and everything under it. */
  final Set<String> area;

  private ReportScope(Division top, Division reference, List<Division> compared, Set<String> area) {
    this.top = top;
    this.reference = reference;
    this.compared = compared;
    this.area = area;
  }

  /**
   * The scope among the divisions of {@code cells}.
   *
   * @param arg a 6- or 12-digit division code, or null: the only city, else the only province
   * @throws IllegalArgumentException when the code is malformed or has no published values, or no default exists
   */
  static ReportScope resolve(List<Cell> cells, String arg) {
    Map<String, Division> divisions = new TreeMap<>();
    for (Cell c : cells) {
      divisions.putIfAbsent(c.divisionCode(), new Division(c.divisionCode(),
          c.divisionName() == null ? c.divisionCode() : c.divisionName(), c.divisionLevel(), c.parentCode()));
    }
    Division top;
    if (arg == null) {
      top = only(divisions, "city");
      if (top == null) {
        top = only(divisions, "province");
      }
      if (top == null) {
        throw new IllegalArgumentException("the values cover several cities: choose one with --scope ("
            + list(divisions, "city") + ")");
      }
    } else {
      String a = arg.trim();
      if (!a.matches("\\d{6}|\\d{12}")) {
        throw new IllegalArgumentException("--scope: a 6- or 12-digit division code, e.g. 511300 (got '" + arg + "')");
      }
      String code = a.length() == 6 ? a + "000000" : a;
      top = divisions.get(code);
      if (top == null) {
        throw new IllegalArgumentException("--scope " + a + ": no published values for this division in the "
            + "period (divisions: " + list(divisions, null) + ")");
      }
    }
    List<Division> children = new ArrayList<>();
    for (Division d : divisions.values()) {
      if (top.code().equals(d.parent())) {
        children.add(d);
      }
    }
    Division reference = top;
    if (children.isEmpty()) {
      children.add(top);
      reference = top.parent() == null ? top : divisions.getOrDefault(top.parent(), top);
    }
    Set<String> area = new LinkedHashSet<>();
    area.add(reference.code());
    area.add(top.code());
    addBelow(top.code(), divisions, area);
    return new ReportScope(top, reference, List.copyOf(children), area);
  }

  private static void addBelow(String code, Map<String, Division> divisions, Set<String> area) {
    for (Division d : divisions.values()) {
      if (code.equals(d.parent()) && area.add(d.code())) {
        addBelow(d.code(), divisions, area);
      }
    }
  }

  private static Division only(Map<String, Division> divisions, String level) {
    List<Division> at = divisions.values().stream().filter(d -> level.equals(d.level())).toList();
    return at.size() == 1 ? at.get(0) : null;
  }

  private static String list(Map<String, Division> divisions, String level) {
    return String.join(", ", divisions.values().stream().filter(d -> level == null || level.equals(d.level()))
        .map(d -> d.shortCode() + " " + d.name()).toList());
  }

  boolean contains(String code) {
    return area.contains(code);
  }
}
