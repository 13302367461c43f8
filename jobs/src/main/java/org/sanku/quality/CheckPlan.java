package org.sanku.quality;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sanku.quality.CheckCatalog.Check;
import org.sanku.quality.CheckCatalog.Form;
import org.sanku.quality.CheckCatalog.Table;

/**
 * All checks on one table compiled into one grouped aggregation (Deequ's design: many metrics, one scan): every
 * check contributes its aggregate columns (conditional counts, its own aggregates, daily counts), identical ones are
 * computed once, and GROUPING SETS give the source, county, organisation and file levels in the same pass. Built
 * lazily (nothing runs until the caller collects); {@link #results} turns the collected rows into check results.
 */
final class CheckPlan {

  /** One check's outcome for one group. {@code share} is null when the denominator is 0. */
  record Result(Check check, String source, String level, Map<String, String> keys, long violated,
      long denominator, Double share, Double score, boolean passed) {}

  private static final Pattern TABLE_REF = Pattern.compile("(?<![\\w.`])(std|model|link|ops)\\.([a-z_][a-z0-9_]*)");

  final Table table;
  final List<Check> checks;
  private final Night night;
  /** Aggregate SQL → its column alias, in order: a shared aggregate is computed once. */
  private final Map<String, String> aggs = new LinkedHashMap<>();
  /** Row condition SQL → its column in the rows ({@code _p0} …), counted by {@code count_if}. */
  private final Map<String, String> conditions = new LinkedHashMap<>();
  /** Per check, the aliases of its aggregates: violated, denominator[, applies] or the nights' counts. */
  private final Map<String, List<String>> columns = new LinkedHashMap<>();
  private final Set<String> levels = new LinkedHashSet<>();

  CheckPlan(Table table, List<Check> checks, Night night) {
    this.table = table;
    this.checks = List.copyOf(checks);
    this.night = night;
    levels.add("source");
    for (Check c : checks) {
      levels.addAll(c.groupBy());
      columns.put(c.id(), aggregates(c));
    }
  }

  /** The table's rows: its query with the placeholders rendered and table names resolved. */
  static Dataset<Row> rows(SparkSession spark, Table t, Night night, BiFunction<String, String, String> tables) {
    return spark.sql(resolve(night.render(t.sql(), t.source()), tables));
  }

  /** Replaces each std.x, model.x, link.x and ops.x of the SQL by the name {@code tables} gives it. */
  static String resolve(String sql, BiFunction<String, String, String> tables) {
    Matcher m = TABLE_REF.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(tables.apply(m.group(1), m.group(2))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String render(String sql) {
    return night.render(sql, table.source());
  }

  private List<String> aggregates(Check c) {
    List<String> out = new ArrayList<>();
    String where = c.where() == null ? "true" : "coalesce((" + render(c.where()) + "), false)";
    switch (c.form()) {
      case ROWS -> {
        out.add(alias(countIf(where + " AND coalesce((" + render(c.predicate()) + "), false)")));
        out.add(alias(countIf(where)));
      }
      case AGGREGATE -> {
        out.add(alias("CAST((" + render(c.violated()) + ") AS BIGINT)"));
        out.add(alias("CAST((" + render(c.denominator()) + ") AS BIGINT)"));
        if (c.applies() != null) {
          out.add(alias("CAST((" + render(c.applies()) + ") AS BOOLEAN)"));
        }
      }
      case DAILY -> {
        for (int k = 0; k <= c.daily().nights(); k++) {
          out.add(alias(countIf(where + " AND (" + render(table.date()) + ") = DATE'" + night.date().minusDays(k)
              + "'")));
        }
      }
      default -> throw new IllegalStateException(c.form().name());
    }
    return out;
  }

  /**
   * Counts the rows where {@code condition} holds. The condition is a column of the rows computed before the
   * grouping, the aggregation only counts booleans: a condition Spark cannot compile (a lambda, such as
   * {@code exists(warnings, w -> ...)}) then costs its own projection instead of making the whole aggregation run
   * interpreted (in a 3,000,000-row table, most of its checks' time).
   */
  private String countIf(String condition) {
    return "count_if(" + conditions.computeIfAbsent(condition, s -> "_p" + conditions.size()) + ")";
  }

  private String alias(String sql) {
    return aggs.computeIfAbsent(sql, s -> "_a" + aggs.size());
  }

  /** The grouping column of a level in the aggregation ({@code _county}, {@code _org}, {@code _file}). */
  private List<String> groupColumns() {
    List<String> out = new ArrayList<>();
    for (String l : CheckCatalog.LEVELS) {
      boolean used = levels.contains(l) || l.equals("county") && levels.contains("org") && table.county() != null;
      if (used) {
        out.add(l);
      }
    }
    return out;
  }

  /** The one grouped aggregation over {@code view} (the table's rows registered as a temporary view). */
  String sql(String view) {
    List<String> groups = groupColumns();
    StringBuilder inner = new StringBuilder("SELECT ");
    inner.append(table.source() != null ? "'" + table.source() + "'" : "CAST(" + table.sourceColumn() + " AS STRING)")
        .append(" AS _src");
    for (String g : groups) {
      inner.append(", CAST((").append(render(table.group(g))).append(") AS STRING) AS _").append(g);
    }
    for (var e : conditions.entrySet()) {
      inner.append(", (").append(e.getKey()).append(") AS ").append(e.getValue());
    }
    inner.append(", * FROM ").append(view);
    List<String> sets = new ArrayList<>();
    sets.add("(_src)");
    for (String l : levels) {
      switch (l) {
        case "county" -> sets.add("(_src, _county)");
        case "org" -> sets.add(groups.contains("county") ? "(_src, _county, _org)" : "(_src, _org)");
        case "file" -> sets.add("(_src, _file)");
        default -> { }
      }
    }
    StringBuilder sql = new StringBuilder("SELECT _src");
    for (String g : groups) {
      sql.append(", _").append(g).append(", CAST(grouping(_").append(g).append(") AS INT) AS _g_").append(g);
    }
    for (var e : aggs.entrySet()) {
      sql.append(",\n  ").append(e.getKey()).append(" AS ").append(e.getValue());
    }
    sql.append("\nFROM (").append(inner).append(") _x\nGROUP BY GROUPING SETS (").append(String.join(", ", sets))
        .append(")");
    return sql.toString();
  }

  /** The results of the collected aggregation rows: every check at every level it asks for. */
  List<Result> results(List<Row> rows) {
    List<String> groups = groupColumns();
    List<Result> out = new ArrayList<>();
    for (Row r : rows) {
      String level = "source";
      Map<String, String> keys = new LinkedHashMap<>();
      for (String g : groups) {
        if (r.<Integer>getAs("_g_" + g) == 0) {
          keys.put(g, r.getAs("_" + g));
          // Levels nest in CheckCatalog.LEVELS order (an org row has its county too): the last one set is it.
          level = g;
        }
      }
      String source = r.getAs("_src");
      if (source == null) {
        continue;
      }
      for (Check c : checks) {
        if (!level.equals("source") && !c.groupBy().contains(level)) {
          continue;
        }
        Result res = evaluate(c, r, source, level, level.equals("source") ? Map.of() : keys);
        if (res != null) {
          out.add(res);
        }
      }
    }
    return out;
  }

  private Result evaluate(Check c, Row r, String source, String level, Map<String, String> keys) {
    List<String> a = columns.get(c.id());
    if (c.form() == Form.DAILY) {
      double[] prev = new double[a.size() - 1];
      for (int k = 1; k < a.size(); k++) {
        prev[k - 1] = r.<Long>getAs(a.get(k));
      }
      long tonight = r.<Long>getAs(a.get(0));
      return c.kind() == CheckCatalog.Kind.VOLUME ? volume(c, source, level, keys, tonight, prev)
          : silence(c, source, level, keys, tonight, prev);
    }
    Long v = r.getAs(a.get(0));
    Long d = r.getAs(a.get(1));
    if (a.size() > 2 && !Boolean.TRUE.equals(r.getAs(a.get(2)))) {
      return null;
    }
    long violated = v == null ? 0 : v;
    long den = d == null ? 0 : d;
    if (den < Math.max(1, c.minDenominator())) {
      return null;
    }
    double share = (double) violated / den;
    return new Result(c, source, level, keys, violated, den, share, null, share <= c.threshold() + 1e-12);
  }

  /** Volume: the night's rows against the previous nights' median, as a modified z-score. */
  private static Result volume(Check c, String source, String level, Map<String, String> keys, long tonight,
      double[] prev) {
    double median = ModifiedZ.median(prev);
    if (median < c.daily().minMedian()) {
      return null;
    }
    double z = ModifiedZ.score(tonight, prev);
    return new Result(c, source, level, keys, tonight, Math.round(median), tonight / median, z,
        Math.abs(z) <= c.threshold());
  }

  /**
   * Timeliness: a group with rows on most previous nights ({@code usually}), with a median of at least
   * {@code min_median} rows a night, and none the night.
   */
  private static Result silence(Check c, String source, String level, Map<String, String> keys, long tonight,
      double[] prev) {
    long withRows = java.util.Arrays.stream(prev).filter(x -> x > 0).count();
    if (withRows < c.daily().usually() * prev.length - 1e-9 || ModifiedZ.median(prev) < c.daily().minMedian()) {
      return null;
    }
    long silent = tonight == 0 ? 1 : 0;
    return new Result(c, source, level, keys, silent, 1, (double) silent, null, silent <= c.threshold());
  }
}
