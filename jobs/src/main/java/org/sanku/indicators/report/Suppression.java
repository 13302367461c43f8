package org.sanku.indicators.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The publication rule of the region's indicator catalog: small-cell suppression with
 * complementary suppression.
 *
 * <blockquote>A cell whose numerator or denominator is below k is suppressed (k = 5), and one
 * more cell is suppressed where a single suppressed county could be derived from its city total
 * (complementary suppression). Internal analytics tables keep exact values.</blockquote>
 *
 * <h2>Rule</h2>
 *
 * <ol>
 *   <li><b>Small cell</b> ({@link #SMALL_CELL}): {@code numerator < k} or {@code denominator < k}.
 *       For life expectancy (unit {@code 岁}) the numerator is the deaths and the denominator the
 *       population, so the same test applies. A numerator of 0 is below k and is suppressed too:
 *       "nobody in this small group" is as disclosive as "one person".
 *   <li><b>Complementary</b> ({@link #COMPLEMENTARY}), separately for each indicator and period,
 *       for each parent present in the list (a city over its counties, a province over its
 *       cities; children are the cells whose {@link Cell#parentCode()} is the parent's code):
 *       <ul>
 *         <li>if the parent has two or more children and exactly one of them is suppressed, the
 *             unsuppressed child with the smallest denominator (ties: smallest division code) is
 *             suppressed too, so that the parent total minus the published children no longer
 *             gives the hidden one;
 *         <li>if the parent has exactly one child and it is suppressed, the parent is suppressed,
 *             since its total equals the child.
 *       </ul>
 *       The rule is applied to every parent, cities before provinces, until nothing changes: a
 *       city hidden because its only county is hidden can leave it the only hidden city of its
 *       province, which then needs a second hidden city. A cell keeps the first reason it gets,
 *       so a parent that is itself a small cell stays {@link #SMALL_CELL}. Children of a parent
 *       that is not in the list are not linked to any published total and only get the
 *       small-cell test.
 * </ol>
 *
 * <p>This is a published-output rule only; {@link Published#cell()} still carries the exact
 * numbers. Pure Java and stateless.
 */
public final class Suppression {

  /** The catalog's threshold: counts below 5 are not published. */
  public static final int DEFAULT_K = 5;

  /** Reason for a cell whose numerator or denominator is below k. */
  public static final String SMALL_CELL = "SMALL_CELL";

  /** Reason for a cell hidden so that a small cell cannot be derived from a total. */
  public static final String COMPLEMENTARY = "COMPLEMENTARY";

  private Suppression() {}

  /** {@link #apply(List, int)} with the catalog's {@link #DEFAULT_K}. */
  public static List<Published> apply(List<Cell> cells) {
    return apply(cells, DEFAULT_K);
  }

  /**
   * Marks the cells to suppress.
   *
   * @param cells indicator cells at county, city and province level, for one or more indicators
   *              and periods
   * @param k     the threshold: a numerator or denominator below k is suppressed; 0 suppresses
   *              nothing on size (and so nothing at all)
   * @return one {@link Published} per input cell, in the input order
   * @throws IllegalArgumentException if k is negative, or if a division appears twice for the
   *                                  same indicator and period
   */
  public static List<Published> apply(List<Cell> cells, int k) {
    Objects.requireNonNull(cells, "cells");
    if (k < 0) {
      throw new IllegalArgumentException("k must not be negative: " + k);
    }
    String[] reasons = new String[cells.size()];
    for (int i = 0; i < cells.size(); i++) {
      Cell c = Objects.requireNonNull(cells.get(i), "cell " + i);
      if (c.numerator() < k || c.denominator() < k) {
        reasons[i] = SMALL_CELL;
      }
    }

    // One table per indicator and period; each is complemented on its own.
    Map<TableKey, List<Integer>> tables = new LinkedHashMap<>();
    for (int i = 0; i < cells.size(); i++) {
      tables.computeIfAbsent(TableKey.of(cells.get(i)), t -> new ArrayList<>()).add(i);
    }
    for (Map.Entry<TableKey, List<Integer>> table : tables.entrySet()) {
      complement(cells, table.getKey(), table.getValue(), reasons);
    }

    List<Published> out = new ArrayList<>(cells.size());
    for (int i = 0; i < cells.size(); i++) {
      out.add(new Published(cells.get(i), reasons[i]));
    }
    return out;
  }

  /** Applies the complementary rule to one indicator-period table until nothing changes. */
  private static void complement(List<Cell> cells, TableKey key, List<Integer> rows,
      String[] reasons) {
    Map<String, Integer> byCode = new HashMap<>();
    for (int i : rows) {
      Integer before = byCode.put(cells.get(i).divisionCode(), i);
      if (before != null) {
        throw new IllegalArgumentException("division " + cells.get(i).divisionCode()
            + " appears twice for " + key);
      }
    }
    // Parents present in the table, with their children sorted by code.
    Map<Integer, List<Integer>> children = new HashMap<>();
    for (int i : rows) {
      Integer parent = cells.get(i).parentCode() == null
          ? null : byCode.get(cells.get(i).parentCode());
      if (parent != null) {
        children.computeIfAbsent(parent, p -> new ArrayList<>()).add(i);
      }
    }
    Comparator<Integer> byDivisionCode = Comparator.comparing(i -> cells.get(i).divisionCode());
    children.values().forEach(list -> list.sort(byDivisionCode));
    // Lower levels first (counties roll into cities before cities into provinces), then by code.
    List<Integer> parents = new ArrayList<>(children.keySet());
    parents.sort(Comparator.<Integer>comparingInt(i -> levelRank(cells.get(i).divisionLevel()))
        .thenComparing(byDivisionCode));

    boolean changed = true;
    while (changed) {
      changed = false;
      for (int parent : parents) {
        List<Integer> kids = children.get(parent);
        List<Integer> open = new ArrayList<>();
        int hidden = 0;
        for (int kid : kids) {
          if (reasons[kid] != null) {
            hidden++;
          } else {
            open.add(kid);
          }
        }
        if (hidden != 1) {
          continue;
        }
        if (kids.size() == 1) {
          if (reasons[parent] == null) {
            reasons[parent] = COMPLEMENTARY;
            changed = true;
          }
        } else {
          int pick = open.stream()
              .min(Comparator.<Integer>comparingLong(i -> cells.get(i).denominator())
                  .thenComparing(byDivisionCode))
              .orElseThrow();
          reasons[pick] = COMPLEMENTARY;
          changed = true;
        }
      }
    }
  }

  /** Sort rank of a division level: county 0, city 1, province 2, anything else last. */
  static int levelRank(String level) {
    if (level == null) {
      return 3;
    }
    return switch (level) {
      case "county" -> 0;
      case "city" -> 1;
      case "province" -> 2;
      default -> 3;
    };
  }

  /** One indicator for one period. */
  private record TableKey(String indicatorId, String periodType, LocalDate periodStart,
      LocalDate periodEnd) {
    static TableKey of(Cell c) {
      return new TableKey(c.indicatorId(), c.periodType(), c.periodStart(), c.periodEnd());
    }
  }
}
