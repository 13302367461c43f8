package org.sanku.indicators.report.html;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sanku.indicators.Catalog;
import org.sanku.indicators.PublishedRun;
import org.sanku.indicators.report.Cell;
import org.sanku.indicators.report.Published;
import org.sanku.indicators.report.ReportRows;
import org.sanku.indicators.report.Suppression;

/**
 * The indicator parts of the report, built from the published values after suppression: the front page, one
 * section per indicator and the three-database view. Charts are added to {@link #charts} under the ids the view
 * refers to.
 */
final class ReportModel {

  /** The 漏管 indicators of the catalog that the three-database view shows, with their disease names. */
  static final Map<String, String> UNMANAGED = Map.of("htn_unmanaged", "高血压", "t2dm_unmanaged", "2型糖尿病");

  private final PublishedRun run;
  private final HtmlReport.Options options;
  final ReportScope scope;
  /** Indicator id → division code → the period's published cell (every level, suppression applied). */
  private final Map<String, Map<String, Published>> values = new LinkedHashMap<>();
  final Map<String, Object> charts = new LinkedHashMap<>();

  ReportModel(PublishedRun run, HtmlReport.Options options) {
    this.run = run;
    this.options = options;
    // Suppression looks at whole parent groups, so it runs on every division before the scope is cut out.
    for (Published p : Suppression.apply(run.cells(), options.k())) {
      values.computeIfAbsent(p.cell().indicatorId(), k -> new LinkedHashMap<>()).put(p.cell().divisionCode(), p);
    }
    this.scope = ReportScope.resolve(run.cells(), options.scope());
  }

  private Published at(String indicator, String division) {
    return values.getOrDefault(indicator, Map.of()).get(division);
  }

  /** The catalog's indicators that have values in the period, in catalog order. */
  List<Catalog.Indicator> indicators() {
    return run.catalog().indicators.values().stream().filter(i -> values.containsKey(i.id())).toList();
  }

  List<String> headline() {
    List<String> ids = options.headline().stream().filter(values::containsKey).toList();
    return ids.isEmpty() ? indicators().stream().map(Catalog.Indicator::id).limit(8).toList() : ids;
  }

  private List<ReportScope.Division> columns() {
    List<ReportScope.Division> cols = new ArrayList<>();
    cols.add(scope.reference);
    for (ReportScope.Division d : scope.compared) {
      if (!d.code().equals(scope.reference.code())) {
        cols.add(d);
      }
    }
    return cols;
  }

  View.Front front() {
    List<View.Card> cards = new ArrayList<>();
    List<View.MatrixRow> rows = new ArrayList<>();
    List<ReportScope.Division> cols = columns();
    for (String id : headline()) {
      Published top = at(id, scope.top.code());
      if (top != null) {
        Format.Light light = Format.light(top, options.amberWithin());
        cards.add(new View.Card(id, top.cell().nameZh(), top.cell().nameEn(), scope.top.code(), Format.value(top),
            top.suppressed() ? "" : Format.unit(top.cell().unit()), Format.target(top.cell()), Format.gap(top),
            light.css, light.zh));
      }
      List<View.MatrixCell> cells = new ArrayList<>();
      Cell any = null;
      for (ReportScope.Division d : cols) {
        Published p = at(id, d.code());
        if (p == null) {
          cells.add(new View.MatrixCell(id, d.code(), "", "", Format.Light.NONE.css, d.name() + "：无数据"));
          continue;
        }
        any = any == null || any.target() == null ? p.cell() : any;
        Format.Light light = Format.light(p, options.amberWithin());
        String title = d.name() + " " + p.cell().nameZh() + "：" + Format.value(p) + (p.suppressed() ? "（不公布）"
            : Format.unit(p.cell().unit()) + (Format.gap(p).isEmpty() ? "" : "，差距 " + Format.gap(p)));
        cells.add(new View.MatrixCell(id, d.code(), Format.value(p), Format.gap(p), light.css, title));
      }
      if (any != null) {
        rows.add(new View.MatrixRow(id, any.nameZh(), any.nameEn(), Format.unit(any.unit()), Format.target(any),
            cells));
      }
    }
    String lead = scope.top.name() + " " + ReportRows.periodLabel(run.period().type(), run.period().start(),
        run.period().end()) + "：核心指标对照规划目标。绿色为达标，黄色为差距在目标的 "
        + Math.round(options.amberWithin() * 100) + "% 以内，红色为未达标；灰色为无规划目标或按规则不公布。";
    return new View.Front(lead, cards, cols.stream().map(d -> new View.Column(d.code(), d.name(),
        d.code().equals(scope.reference.code()))).toList(), rows);
  }

  /** One section per indicator: bars across the compared divisions, the trend, the table. */
  List<View.Section> sections(List<Cell> history) {
    Map<String, List<Published>> trend = new TreeMap<>();
    for (Published p : Suppression.apply(history.stream()
        .filter(c -> c.periodType().equals("year") || c.periodType().equals("ytd")).toList(), options.k())) {
      if (p.cell().divisionCode().equals(scope.reference.code())) {
        trend.computeIfAbsent(p.cell().indicatorId(), k -> new ArrayList<>()).add(p);
      }
    }
    List<View.Section> out = new ArrayList<>();
    for (Catalog.Indicator ind : indicators()) {
      Map<String, Published> byDivision = values.get(ind.id());
      Published ref = byDivision.get(scope.reference.code());
      Cell targetCell = ref != null ? ref.cell() : byDivision.values().iterator().next().cell();
      String targetText = Format.target(targetCell);
      String unit = Format.unit(ind.unit());
      String refText = ref == null ? "" : scope.reference.name() + " " + Format.value(ref)
          + (ref.suppressed() ? "" : unit);
      String bar = "bar-" + ind.id();
      charts.put(bar, bars(ind, ref, targetCell));
      String trendChart = null;
      String trendNote = null;
      List<Published> points = trend.getOrDefault(ind.id(), List.of());
      if (points.size() > 1) {
        trendChart = "trend-" + ind.id();
        charts.put(trendChart, trend(ind, points, targetCell));
        trendNote = scope.reference.name() + "：" + points.size() + " 个已发布统计期（年度与每晚的年内累计）";
      }
      List<View.Row> rows = new ArrayList<>();
      List<Published> shown = byDivision.values().stream().filter(p -> scope.contains(p.cell().divisionCode()))
          .toList();
      for (Published p : ReportRows.hierarchyOrder(shown, Published::cell)) {
        Format.Light light = Format.light(p, options.amberWithin());
        String note = run.note(p.cell());
        rows.add(new View.Row(p.cell().divisionCode(), ReportRows.regionLabel(p.cell()),
            !"county".equals(p.cell().divisionLevel()), Format.count(p, p.cell().numerator()),
            Format.count(p, p.cell().denominator()), Format.value(p), Format.interval(p), Format.target(p.cell()),
            Format.gap(p), light.css, light.zh, p.suppressed() ? "" : noteZh(note)));
      }
      String plan = targetCell.targetPlan() == null ? "" : targetCell.targetPlan()
          + (targetCell.targetYear() == null ? "" : "，" + targetCell.targetYear() + "年目标");
      out.add(new View.Section(ind.id(), "ind-" + ind.id(), ind.nameZh(), ind.nameEn(), unit,
          Format.direction(ind.higherIsBetter()), targetText, plan, refText,
          ind.description() == null ? "" : ind.description().trim(), bar, trendChart, trendNote,
          ind.kind() == Catalog.Kind.LIFE_TABLE, rows));
    }
    return out;
  }

  static String noteZh(String note) {
    if (note == null) {
      return "";
    }
    return switch (note) {
      case "NO_DENOMINATOR" -> "分母为空";
      case "FEW_DEATHS" -> "死亡数或人年数少，仅供参考";
      case "NO_LIFE_TABLE" -> "无法编制寿命表";
      default -> note;
    };
  }

  private Map<String, Object> bars(Catalog.Indicator ind, Published ref, Cell targetCell) {
    List<String> names = new ArrayList<>();
    List<Double> vals = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<String> colors = new ArrayList<>();
    for (ReportScope.Division d : scope.compared) {
      Published p = at(ind.id(), d.code());
      names.add(d.name() + (p == null ? "" : Format.mark(p)));
      vals.add(p == null ? null : Format.chartValue(p));
      labels.add(p == null ? "" : Format.value(p));
      colors.add(p == null ? Charts.GREY : Charts.color(Format.light(p, options.amberWithin())));
    }
    Double refValue = ref == null ? null : Format.chartValue(ref);
    return Charts.bars(ind.unit(), names, vals, labels, colors, targetCell.target(), "目标 "
        + Format.target(targetCell),
        refValue, refValue == null ? null : scope.reference.name() + " " + Format.value(ref));
  }

  private Map<String, Object> trend(Catalog.Indicator ind, List<Published> points, Cell targetCell) {
    List<Charts.Point> years = new ArrayList<>();
    List<Charts.Point> ytd = new ArrayList<>();
    for (Published p : points) {
      Double v = Format.chartValue(p);
      if (v == null) {
        continue;
      }
      Charts.Point point = new Charts.Point(p.cell().periodEnd().toString(), v, Format.value(p));
      (p.cell().periodType().equals("year") ? years : ytd).add(point);
    }
    return Charts.trend(ind.unit(), years, ytd, targetCell.target(), "目标 " + Format.target(targetCell));
  }

  /**
   * EMR-confirmed patients (residents aged 35+ with a certain diagnosis, as the catalog's 漏管 rates count them),
   * how many are enrolled in management and how many are not, per division.
   */
  View.ThreeDb threeDb() {
    List<View.Disease> diseases = new ArrayList<>();
    for (String id : List.of("htn_unmanaged", "t2dm_unmanaged")) {
      Map<String, Published> byDivision = values.get(id);
      if (byDivision == null) {
        continue;
      }
      List<String> names = new ArrayList<>();
      List<Long> managed = new ArrayList<>();
      List<Long> unmanaged = new ArrayList<>();
      List<String> shares = new ArrayList<>();
      for (ReportScope.Division d : scope.compared) {
        Published p = byDivision.get(d.code());
        boolean open = p != null && !p.suppressed();
        names.add(d.name() + (p == null ? "" : Format.mark(p)));
        managed.add(open ? p.cell().denominator() - p.cell().numerator() : null);
        unmanaged.add(open ? p.cell().numerator() : null);
        shares.add(open ? Format.value(p) + "%" : "");
      }
      String chart = "managed-" + id;
      charts.put(chart, Charts.managed(names, managed, unmanaged, shares));
      List<View.DiseaseRow> rows = new ArrayList<>();
      List<Published> shown = byDivision.values().stream().filter(p -> scope.contains(p.cell().divisionCode()))
          .toList();
      for (Published p : ReportRows.hierarchyOrder(shown, Published::cell)) {
        Cell c = p.cell();
        rows.add(new View.DiseaseRow(ReportRows.regionLabel(c), !"county".equals(c.divisionLevel()),
            Format.count(p, c.denominator()), Format.count(p, c.denominator() - c.numerator()),
            Format.count(p, c.numerator()), Format.value(p)));
      }
      Published ref = byDivision.get(scope.reference.code());
      String disease = UNMANAGED.get(id);
      String summary = ref == null || ref.suppressed() ? scope.reference.name() + "：按公布规则不公布。"
          : scope.reference.name() + "电子病历确诊" + disease + "患者（35岁及以上常住居民）" + Format.count(
              ref.cell().denominator()) + " 人，其中 " + Format.count(ref.cell().numerator())
              + " 人未纳入慢病管理，漏管率 " + Format.value(ref) + "%。";
      diseases.add(new View.Disease(id, disease, chart, summary, rows));
    }
    String lead = "三库互证：电子病历（医院）确诊的患者，在健康档案（基层）中是否已纳入慢病管理。确诊指统计期末前"
        + " 365 天内有 1 次住院或 2 个不同日期的门急诊明确诊断；绿色为已纳入管理，红色为漏管。";
    return new View.ThreeDb(lead, diseases);
  }
}
