package org.sanku.indicators.report.html;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sanku.indicators.PublishedRun;
import org.sanku.indicators.report.Cell;
import org.sanku.indicators.report.Published;
import org.sanku.indicators.report.ReportRows;
import org.sanku.indicators.report.Suppression;
import org.sanku.ingest.schema.SchemaCatalog;

/**
 * The data-quality part of the report, read as the published run read the warehouse: what was delivered and
 * quarantined ({@code ops.ingest_ledger}, {@code ops.quarantine}), link rates by division and institution
 * ({@code link.link_rate}) and, where a data-quality stage has written them, the check results
 * ({@code dq.check_result}).
 */
final class QualityData {

  /** Institutions listed per source: those with the lowest link rates. */
  static final int ORGS_LISTED = 15;
  /** Rows of dq.check_result shown at most. */
  static final int CHECKS_SHOWN = 200;
  /** The columns of dq.check_result shown (schemas/dq/check_result.yaml). */
  static final List<String> CHECK_COLUMNS = List.of("night", "check_id", "severity", "level", "group_name",
      "violated", "denominator", "share");

  static final Map<String, String> SOURCES = Map.of("population", "全员人口", "ehr", "健康档案", "emr", "电子病历",
      "reference", "参考数据");

  /** The quarantine reasons of ingest (org.sanku.ingest.standardise.Reasons) in Chinese. */
  static final Map<String, String> REASONS = Map.ofEntries(Map.entry("MISSING_REQUIRED", "必填项缺失"),
      Map.entry("UNKNOWN_CODE", "代码不在值域内"), Map.entry("BAD_DATE", "日期无效"), Map.entry("FUTURE_DATE",
          "日期晚于抽取日"), Map.entry("BAD_NUMBER", "数值无效"), Map.entry("BAD_DIVISION", "区划代码无效"),
      Map.entry("TOO_LONG", "超出长度"), Map.entry("BAD_SHAPE", "字段串行（格式错乱）"), Map.entry("FIELD_COUNT",
          "字段数与表头不符"), Map.entry("ORPHAN", "所属记录不存在"));

  private QualityData() {}

  static View.Quality build(PublishedRun run, ReportScope scope, int k, SchemaCatalog schemas,
      Map<String, Object> charts) {
    List<View.LedgerRow> ledger = ledger(run);
    Links links = links(run, scope, k, schemas);
    String linkChart = null;
    if (!links.rows().isEmpty()) {
      linkChart = "link-rates";
      charts.put(linkChart, links.chart());
    }
    List<View.QuarantineRow> quarantine = new ArrayList<>();
    String quarantineChart = null;
    String total = "";
    Dataset<Row> q = run.read("ops", "quarantine");
    if (q != null) {
      // A row is one line of one delivered file; a row with two reasons counts once under each.
      Column rows1 = countDistinct(col("drop_id"), col("line")).as("n");
      for (Row r : q.groupBy("table_name", "reason").agg(rows1).orderBy(col("n").desc(), col("table_name"),
          col("reason")).collectAsList()) {
        String table = r.getString(0);
        String tableZh = schemas.get(table) == null ? table : schemas.get(table).description();
        quarantine.add(new View.QuarantineRow(table, tableZh, r.getString(1),
            REASONS.getOrDefault(r.getString(1), r.getString(1)), Format.count(r.getLong(2))));
      }
      List<String> reasons = new ArrayList<>();
      List<Long> rows = new ArrayList<>();
      for (Row r : q.groupBy("reason").agg(rows1).orderBy(col("n").desc(), col("reason")).collectAsList()) {
        reasons.add(REASONS.getOrDefault(r.getString(0), r.getString(0)));
        rows.add(r.getLong(1));
      }
      total = Format.count(q.agg(rows1).first().getLong(0));
      if (!reasons.isEmpty()) {
        quarantineChart = "quarantine";
        charts.put(quarantineChart, Charts.quarantine(reasons, rows));
      }
    }
    return new View.Quality(ledger, linkChart, links.rows(), links.orgs(), quarantineChart, quarantine, total,
        checks(run));
  }

  private static List<View.LedgerRow> ledger(PublishedRun run) {
    Dataset<Row> l = run.read("ops", "ingest_ledger");
    List<View.LedgerRow> out = new ArrayList<>();
    if (l == null) {
      return out;
    }
    for (Row r : l.groupBy("source").agg(org.apache.spark.sql.functions.countDistinct("drop_id"),
        org.apache.spark.sql.functions.max("drop_date"), org.apache.spark.sql.functions.sum("rows_read"),
        org.apache.spark.sql.functions.sum("rows_accepted"), org.apache.spark.sql.functions.sum("rows_quarantined"),
        org.apache.spark.sql.functions.sum("rows_warned")).orderBy("source").collectAsList()) {
      out.add(new View.LedgerRow(SOURCES.getOrDefault(r.getString(0), r.getString(0)), Format.count(r.getLong(1)),
          String.valueOf(r.getDate(2)), Format.count(r.getLong(3)), Format.count(r.getLong(4)),
          Format.count(r.getLong(5)), Format.count(r.getLong(6))));
    }
    return out;
  }

  private record Links(List<View.LinkRow> rows, List<View.OrgTable> orgs, Map<String, Object> chart) {}

  /**
   * Link rates as published cells, so the publication rule applies to them as to the indicators: an institution
   * (or division) with fewer than k records or linked records is hidden, and where one institution of a county
   * is hidden another is, so the county total does not give it away.
   */
  private static Links links(PublishedRun run, ReportScope scope, int k, SchemaCatalog schemas) {
    Dataset<Row> lr = run.read("link", "link_rate");
    if (lr == null) {
      return new Links(List.of(), List.of(), null);
    }
    Map<String, String> parents = new HashMap<>();
    Map<String, String> names = new HashMap<>();
    for (Cell c : run.cells()) {
      parents.put(c.divisionCode(), c.parentCode());
      names.put(c.divisionCode(), c.divisionName());
    }
    Map<String, String[]> orgs = new HashMap<>();
    Dataset<Row> ro = run.read("std", "ref_org");
    if (ro != null) {
      for (Row r : ro.select("org_code", "org_name", "org_type_code").collectAsList()) {
        orgs.put(r.getString(0), new String[] {r.getString(1), r.getString(2)});
      }
    }
    Map<String, String> types = schemas.valueSetLabels("org_type");
    List<Cell> cells = new ArrayList<>();
    LocalDate end = run.period().end();
    for (Row r : lr.select(col("source"), col("level"), col("code"), col("county_code"), col("records"),
        col("linked_resident"), col("link_rate")).collectAsList()) {
      String level = r.getString(1);
      String code = r.getString(2);
      String parent = "org".equals(level) ? r.getString(3) + "000000" : parents.get(code);
      String name = "org".equals(level) ? orgs.getOrDefault(code, new String[] {code, null})[0] : names.get(code);
      Double rate = r.isNullAt(6) ? null : r.getDouble(6) * 100;
      cells.add(new Cell("link_" + r.getString(0), "关联率", null, "%", "link", end, end, code, level,
          name == null ? code : name, parent, r.getLong(5), r.getLong(4), rate, null, null, null, null, null,
          true, null));
    }
    Map<String, Map<String, Published>> bySource = new LinkedHashMap<>();
    for (Published p : Suppression.apply(cells, k)) {
      bySource.computeIfAbsent(p.cell().indicatorId(), s -> new LinkedHashMap<>()).put(p.cell().divisionCode(), p);
    }
    Map<String, Published> ehr = bySource.getOrDefault("link_ehr", Map.of());
    Map<String, Published> emr = bySource.getOrDefault("link_emr", Map.of());
    List<View.LinkRow> rows = new ArrayList<>();
    List<Published> divisions = new ArrayList<>();
    for (Map<String, Published> m : List.of(ehr, emr)) {
      for (Published p : m.values()) {
        if (!"org".equals(p.cell().divisionLevel()) && scope.contains(p.cell().divisionCode())
            && divisions.stream().noneMatch(x -> x.cell().divisionCode().equals(p.cell().divisionCode()))) {
          divisions.add(p);
        }
      }
    }
    for (Published d : ReportRows.hierarchyOrder(divisions, Published::cell)) {
      String code = d.cell().divisionCode();
      Published e = ehr.get(code);
      Published v = emr.get(code);
      rows.add(new View.LinkRow(ReportRows.regionLabel(d.cell()), !"county".equals(d.cell().divisionLevel()),
          e == null ? "" : Format.count(e, e.cell().denominator()), e == null ? "" : Format.value(e),
          v == null ? "" : Format.count(v, v.cell().denominator()), v == null ? "" : Format.value(v)));
    }
    List<String> chartNames = new ArrayList<>();
    List<Double> ehrRates = new ArrayList<>();
    List<Double> emrRates = new ArrayList<>();
    for (ReportScope.Division d : scope.compared) {
      chartNames.add(d.name());
      ehrRates.add(ehr.containsKey(d.code()) ? Format.chartValue(ehr.get(d.code())) : null);
      emrRates.add(emr.containsKey(d.code()) ? Format.chartValue(emr.get(d.code())) : null);
    }
    List<View.OrgTable> orgTables = new ArrayList<>();
    for (var e : bySource.entrySet()) {
      String source = e.getKey().substring("link_".length());
      List<Published> inScope = e.getValue().values().stream().filter(p -> "org".equals(p.cell().divisionLevel())
          && scope.contains(p.cell().parentCode())).toList();
      List<Published> open = inScope.stream().filter(p -> !p.suppressed() && p.cell().value() != null)
          .sorted(Comparator.comparing((Published p) -> p.cell().value()).thenComparing(p -> p.cell().divisionCode()))
          .toList();
      List<View.OrgRow> orgRows = new ArrayList<>();
      for (Published p : open.subList(0, Math.min(ORGS_LISTED, open.size()))) {
        Cell c = p.cell();
        String[] org = orgs.getOrDefault(c.divisionCode(), new String[] {c.divisionCode(), null});
        orgRows.add(new View.OrgRow(c.divisionCode(), org[0], org[1] == null ? "" : types.getOrDefault(org[1],
            org[1]), names.getOrDefault(c.parentCode(), c.parentCode()), Format.count(c.denominator()),
            Format.count(c.numerator()), Format.value(p)));
      }
      String caption = SOURCES.getOrDefault(source, source) + "：共 " + inScope.size() + " 家机构（"
          + (inScope.size() - open.size()) + " 家记录过少按规则不公布），列出关联率最低的 " + orgRows.size() + " 家";
      orgTables.add(new View.OrgTable(source, SOURCES.getOrDefault(source, source), caption, orgRows));
    }
    return new Links(rows, orgTables, Charts.linkRates(chartNames, ehrRates, emrRates));
  }

  /**
   * The failed data-quality checks, when the data-quality stage had written {@code dq.check_result} before the
   * run: the latest first, errors before warnings. A night passes most of its checks and every night's results stay
   * in the table, so the failures are what a reader acts on; the columns are those that say what failed where
   * (the table's run and group keys are for queries, not for a printed page).
   */
  static View.Checks checks(PublishedRun run) {
    Dataset<Row> d = run.read("dq", "check_result");
    if (d == null) {
      return null;
    }
    long all = d.count();
    Dataset<Row> failed = d.where(col("passed").equalTo(false));
    long n = failed.count();
    Column severity = when(col("severity").equalTo("error"), 0).when(col("severity").equalTo("warn"), 1)
        .otherwise(2);
    List<List<String>> rows = new ArrayList<>();
    for (Row r : failed.orderBy(col("checked_at").desc(), severity, col("check_id"), col("group_name"))
        .select(CHECK_COLUMNS.stream().map(c -> col(c)).toArray(Column[]::new)).limit(CHECKS_SHOWN)
        .collectAsList()) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < CHECK_COLUMNS.size(); i++) {
        values.add(r.isNullAt(i) ? "" : CHECK_COLUMNS.get(i).equals("share")
            ? java.math.BigDecimal.valueOf(100 * r.getDouble(i)).setScale(1, java.math.RoundingMode.HALF_UP)
                .toPlainString() + "%"
            : String.valueOf(r.get(i)));
      }
      rows.add(values);
    }
    String caption = "数据质量检查结果（dq.check_result）：共 " + Format.count(all) + " 行，其中未通过 "
        + Format.count(n) + " 行" + (n > CHECKS_SHOWN ? "，显示最近的 " + CHECKS_SHOWN + " 行" : "");
    return new View.Checks(caption, CHECK_COLUMNS, rows);
  }
}
