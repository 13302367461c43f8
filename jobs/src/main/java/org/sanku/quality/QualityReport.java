package org.sanku.quality;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sanku.storage.Warehouse;

/**
 * One check run's results as a report reads them from {@code dq.check_result}: at one level (source, county,
 * organisation or file), failing checks first (errors, then warnings, then information; larger shares first), each
 * with its descriptions and recommendation ({@code dq.check}) and its shares on the 7 nights before (the latest run of
 * each night). Only the dq tables are read: counts, codes and the names of counties and organisations, never a value
 * of a row, let alone one from the identity zone.
 */
public final class QualityReport {

  /** The nights a line's trend looks back. */
  public static final int TREND_NIGHTS = 7;

  /** One result line. {@code trend} holds the shares of the 7 nights before, oldest first, null where absent. */
  public record Line(String checkId, String descriptionZh, String descriptionEn, String kind, String severity,
      String source, String table, String level, Map<String, String> keys, String groupName, long violated,
      long denominator, Double share, Double score, double threshold, boolean passed, boolean accepted,
      List<Double> trend, String recommendation) {

    /** The mean share of the nights before that have one, or null. */
    public Double trendMean() {
      double sum = 0;
      int n = 0;
      for (Double d : trend) {
        if (d != null) {
          sum += d;
          n++;
        }
      }
      return n == 0 ? null : sum / n;
    }

    /** up, down or flat against the nights before (a tenth of a percentage point either way is flat); null without. */
    public String direction() {
      Double m = trendMean();
      if (m == null || share == null) {
        return null;
      }
      return share > m + 0.001 ? "up" : share < m - 0.001 ? "down" : "flat";
    }

    /**
     * The group's code as shown: the organisation, else the county, else the file; empty at source level, and
     * {@code (none)} for rows without one (a visit at an organisation that is in no county of ref_org).
     */
    public String code() {
      for (String level : List.of("org", "county", "file")) {
        if (keys.containsKey(level)) {
          return keys.get(level) == null ? "(none)" : keys.get(level);
        }
      }
      return "";
    }
  }

  /** A run's header and its lines at one level. */
  public record Report(String runId, LocalDate night, List<String> drops, List<String> failingChecks,
      List<String> blockedSources, List<String> blockedIndicators, List<String> accepted, String level,
      List<Line> lines) {}

  public static final List<String> LEVELS = List.of("source", "county", "org", "file");

  private QualityReport() {}

  /**
   * Reads a run.
   *
   * @param run   {@code latest} or a run id
   * @param level source, county, org or file
   */
  public static Report read(SparkSession spark, Warehouse wh, String run, String level) {
    if (!LEVELS.contains(level)) {
      throw new IllegalArgumentException("--level: source, county, org or file (got '" + level + "')");
    }
    String runs = wh.dq("check_run");
    if (!spark.catalog().tableExists(runs)) {
      throw new IllegalStateException("no data-quality results in this warehouse (the nightly writes them)");
    }
    List<Row> head = spark.sql("SELECT run_id, night, drops, failing_checks, blocked_sources, blocked_indicators, "
        + "accepted FROM " + runs + (run.equals("latest") ? "" : " WHERE run_id = '" + run.replace("'", "''") + "'")
        + " ORDER BY finished_at DESC LIMIT 1").collectAsList();
    if (head.isEmpty()) {
      throw new IllegalArgumentException("--run: no check run '" + run + "' (./sanku sql: SELECT run_id, night "
          + "FROM dq.check_run)");
    }
    Row h = head.get(0);
    String runId = h.getString(0);
    LocalDate night = h.getDate(1).toLocalDate();
    Map<String, String[]> catalog = new HashMap<>();
    for (Row r : spark.sql("SELECT check_id, description_zh, description_en, recommendation FROM "
        + wh.dq("check")).collectAsList()) {
      catalog.put(r.getString(0), new String[] {r.getString(1), r.getString(2), r.getString(3)});
    }
    String results = wh.dq("check_result");
    String key = "concat_ws('|', check_id, source, coalesce(group_keys['county'], ''), coalesce(group_keys['org'], "
        + "''), coalesce(group_keys['file'], ''))";
    // The latest run of each of the 7 nights before, per check and group: their shares, oldest night first.
    Map<String, Double[]> trends = new HashMap<>();
    for (Row r : spark.sql("SELECT k, night, share FROM (SELECT " + key + " AS k, night, share, "
        + "row_number() OVER (PARTITION BY check_id, source, group_keys['county'], group_keys['org'], "
        + "group_keys['file'], night "
        + "ORDER BY checked_at DESC) AS rn FROM " + results + " WHERE level = '" + level + "' AND night >= DATE'"
        + night.minusDays(TREND_NIGHTS) + "' AND night < DATE'" + night + "') WHERE rn = 1").collectAsList()) {
      int slot = (int) (r.getDate(1).toLocalDate().toEpochDay() - night.minusDays(TREND_NIGHTS).toEpochDay());
      trends.computeIfAbsent(r.getString(0), k -> new Double[TREND_NIGHTS])[slot] = r.isNullAt(2) ? null
          : r.getDouble(2);
    }
    List<Line> lines = new ArrayList<>();
    for (Row r : spark.sql("SELECT " + key + " AS k, check_id, kind, severity, source, table_name, level, group_keys, "
        + "group_name, violated, denominator, share, score, threshold, passed, accepted FROM " + results
        + " WHERE run_id = '" + runId + "' AND level = '" + level + "'").collectAsList()) {
      String id = r.getString(1);
      String[] c = catalog.getOrDefault(id, new String[3]);
      Map<String, String> keys = new java.util.LinkedHashMap<>();
      if (!r.isNullAt(7)) {
        keys.putAll(r.getJavaMap(7));
      }
      Double[] t = trends.getOrDefault(r.getString(0), new Double[TREND_NIGHTS]);
      lines.add(new Line(id, c[0], c[1], r.getString(2), r.getString(3), r.getString(4), r.getString(5),
          r.getString(6), keys, r.getString(8), r.getLong(9), r.getLong(10), r.isNullAt(11) ? null : r.getDouble(11),
          r.isNullAt(12) ? null : r.getDouble(12), r.getDouble(13), r.getBoolean(14), r.getBoolean(15),
          java.util.Arrays.asList(t), c[2]));
    }
    lines.sort(ORDER);
    return new Report(runId, night, list(h, 2), list(h, 3), list(h, 4), list(h, 5), list(h, 6), level,
        List.copyOf(lines));
  }

  /** Failing first (not accepted before accepted), by severity (error first), larger share first, then by id. */
  static final Comparator<Line> ORDER = Comparator.comparing((Line l) -> l.passed() ? 2 : l.accepted() ? 1 : 0)
      .thenComparing(l -> -severityRank(l.severity()))
      .thenComparing(l -> l.share() == null ? 0 : -l.share())
      .thenComparing(Line::checkId).thenComparing(Line::code);

  static int severityRank(String s) {
    return switch (s) {
      case "error" -> 2;
      case "warn" -> 1;
      default -> 0;
    };
  }

  private static List<String> list(Row r, int i) {
    return r.isNullAt(i) ? List.of() : List.copyOf(r.getList(i));
  }
}
