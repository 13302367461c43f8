package org.sanku.indicators.report.html;

import java.util.List;

/**
 * What the report template ({@code report.mustache}) shows, as plain text: every number is already formatted and
 * suppressed here, and the template escapes every value it prints. Chart data travel separately, as the JSON
 * island that {@code report.js} draws from.
 */
final class View {

  private View() {}

  /** The whole page. */
  record Page(String title, String generator, String css, String echarts, String app, String json,
      Facts facts, Front front, List<Section> indicators, ThreeDb threeDb, Quality quality, Methods methods) {}

  /** The cover's facts. */
  record Facts(String scope, String period, String refDate, String asOf, String runId, String publishedAt,
      String generatedAt, String echartsVersion) {}

  /** The front page: the scope's headline indicators as cards, then every compared division in a matrix. */
  record Front(String lead, List<Card> cards, List<Column> columns, List<MatrixRow> rows) {}

  record Card(String id, String nameZh, String nameEn, String division, String value, String unit, String target,
      String gap, String light, String lightZh) {}

  record Column(String code, String name, boolean reference) {}

  record MatrixRow(String id, String nameZh, String nameEn, String unit, String target, List<MatrixCell> cells) {}

  record MatrixCell(String indicator, String division, String value, String gap, String light, String title) {}

  /** One indicator: its charts (ids into the JSON island), its table and what it measures. */
  record Section(String id, String anchor, String nameZh, String nameEn, String unit, String direction,
      String target, String plan, String reference, String rule, String barChart, String trendChart,
      String trendNote, boolean hasInterval, List<Row> rows) {}

  record Row(String code, String name, boolean subtotal, String numerator, String denominator, String value,
      String interval, String target, String gap, String light, String lightZh, String note) {}

  /** The three databases side by side: EMR-confirmed patients, managed and not (漏管), per division. */
  record ThreeDb(String lead, List<Disease> diseases) {}

  record Disease(String id, String nameZh, String chart, String summary, List<DiseaseRow> rows) {}

  record DiseaseRow(String name, boolean subtotal, String confirmed, String managed, String unmanaged,
      String share) {}

  /** Data quality: deliveries, link rates, quarantine and (when present) the data-quality checks. */
  record Quality(List<LedgerRow> ledger, String linkChart, List<LinkRow> linkRows, List<OrgTable> orgs,
      String quarantineChart, List<QuarantineRow> quarantine, String quarantineTotal, Checks checks) {}

  record LedgerRow(String source, String drops, String lastDrop, String read, String accepted, String quarantined,
      String warned) {}

  record LinkRow(String name, boolean subtotal, String ehrRecords, String ehrRate, String emrRecords,
      String emrRate) {}

  record OrgTable(String source, String sourceZh, String caption, List<OrgRow> rows) {}

  record OrgRow(String code, String name, String type, String county, String records, String linked,
      String rate) {}

  record QuarantineRow(String table, String tableZh, String reason, String reasonZh, String rows) {}

  /** Rows of {@code dq.check_result} as stored: column names and text values. */
  record Checks(String caption, List<String> columns, List<List<String>> rows) {}

  /** Methods: the period, the run, the rules, the parameters and the plans. */
  record Methods(List<Fact> facts, List<RuleRow> rules, List<Fact> params, List<Fact> model, List<PlanRow> plans,
      List<Fact> snapshots) {}

  record Fact(String name, String value) {}

  record RuleRow(String id, String nameZh, String nameEn, String unit, String kind, String direction,
      String description, String denominator, String numerator, String params) {}

  record PlanRow(String name, String division, String years, List<Fact> targets) {}
}
