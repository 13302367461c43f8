package org.sanku.indicators.report.html;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sanku.indicators.Catalog;
import org.sanku.indicators.PublishedRun;
import org.sanku.indicators.report.Cell;
import org.sanku.indicators.report.ReportRows;

/**
 * The methods at the end of the report: the period, the run and what it read, every indicator's rule with its
 * parameters, the counting model's parameters and the plans the targets come from.
 */
final class MethodsSection {

  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(
      ZoneId.of("Asia/Shanghai"));

  private MethodsSection() {}

  static String time(Instant t) {
    return t == null ? "" : TIME.format(t) + "（北京时间）";
  }

  static String kindZh(Catalog.Kind kind) {
    return switch (kind) {
      case RATE -> "率（人数之比，分子为分母的子集）";
      case RATIO -> "比（两项人数之比）";
      case RECORD -> "记录之比（按记录计数）";
      case LIFE_TABLE -> "简略寿命表（Chiang 法，95% 区间）";
    };
  }

  static View.Methods build(PublishedRun run, ReportModel model, HtmlReport.Options o, Instant generated,
      String echartsVersion) {
    List<View.Fact> facts = new ArrayList<>();
    var p = run.period();
    facts.add(new View.Fact("统计期", ReportRows.periodLabel(p.type(), p.start(), p.end()) + "（" + p.start() + " 至 "
        + p.end() + "）"));
    facts.add(new View.Fact("参考日 R", p.end() + "（年龄按参考日计算周岁）"));
    facts.add(new View.Fact("数据截至", String.valueOf(run.run().asOf())));
    facts.add(new View.Fact("运行编号", run.run().runId()));
    facts.add(new View.Fact("运行开始", time(run.run().startedAt())));
    facts.add(new View.Fact("发布时间", time(run.run().publishedAt())));
    facts.add(new View.Fact("报告生成", time(generated)));
    facts.add(new View.Fact("范围", model.scope.top.name() + "（" + model.scope.top.shortCode() + "）"));
    facts.add(new View.Fact("公布规则", "分子或分母小于 " + o.k() + " 的格不公布（*）；某上级单位下仅一格不公布时，"
        + "再隐去分母最小的一格（**），使其不能由合计反推。内部分析表保留精确值。"));
    facts.add(new View.Fact("信号灯", "按两位小数比较：达到目标为绿色；未达到但差距不超过目标值的 "
        + Math.round(o.amberWithin() * 100) + "% 为黄色；差距更大为红色；无目标或不公布为灰色。"));
    facts.add(new View.Fact("数据来源", "指标取自 ind.indicator_value 的已发布值；其余各表按该次运行开始时的快照读取"));
    facts.add(new View.Fact("图表", "Apache ECharts " + echartsVersion + "（内嵌于本文件，打开时不访问网络）"));

    List<View.RuleRow> rules = new ArrayList<>();
    for (Catalog.Indicator i : model.indicators()) {
      String den;
      String num;
      if (i.kind() == Catalog.Kind.LIFE_TABLE) {
        den = "期中人口：" + i.population().sql() + "（年龄：" + i.populationAge().sql() + "）";
        num = "死亡：" + i.deaths().sql() + "（年龄：" + i.deathAge().sql() + "）";
      } else {
        den = (i.kind() == Catalog.Kind.RECORD ? "来源 " + i.source() + "，按 " + i.county() + " 分县；" : "")
            + i.denominator().sql();
        num = i.numerator().sql();
      }
      String params = i.params().entrySet().stream().map(e -> e.getKey() + " = " + e.getValue())
          .collect(Collectors.joining("；"));
      rules.add(new View.RuleRow(i.id(), i.nameZh(), i.nameEn(), Format.unit(i.unit()), kindZh(i.kind()),
          Format.direction(i.higherIsBetter()), i.description() == null ? "" : i.description().trim(), den, num,
          params));
    }

    List<View.Fact> params = new ArrayList<>();
    for (var e : run.catalog().params.entrySet()) {
      params.add(new View.Fact(e.getKey(), String.valueOf(e.getValue())));
    }

    // The names the rules use (resident, valid_record, complete_exam_in_period …), each with its definition.
    List<View.Fact> counting = new ArrayList<>();
    Catalog c = run.catalog();
    c.person.forEach((name, e) -> counting.add(new View.Fact(name, e.sql())));
    c.facts.forEach((name, f) -> counting.add(new View.Fact(name, "来源 " + f.source() + "，"
        + f.aggregate().name().toLowerCase() + (f.of() == null ? "" : "(" + f.of().sql() + ")") + "，条件："
        + f.when().sql())));
    c.derived.forEach((name, e) -> counting.add(new View.Fact(name, e.sql())));

    List<View.Fact> snapshots = new ArrayList<>();
    for (var e : run.snapshots().entrySet()) {
      if (e.getValue() >= 0) {
        snapshots.add(new View.Fact(e.getKey().substring(e.getKey().indexOf('.') + 1), String.valueOf(e.getValue())));
      }
    }
    return new View.Methods(facts, rules, params, counting, plans(run, model), snapshots);
  }

  /** The plans behind the targets shown (as ind.target holds them), each with its targets and baselines. */
  private static List<View.PlanRow> plans(PublishedRun run, ReportModel model) {
    Set<String> shown = run.cells().stream().filter(c -> model.scope.contains(c.divisionCode()))
        .map(Cell::targetPlan).filter(java.util.Objects::nonNull).collect(Collectors.toSet());
    Dataset<Row> t = run.readPublished("target");
    List<View.PlanRow> out = new ArrayList<>();
    if (t == null || shown.isEmpty()) {
      return out;
    }
    Map<String, List<Row>> byPlan = new LinkedHashMap<>();
    for (Row r : t.orderBy("plan", "indicator_id", "target_year").collectAsList()) {
      if (shown.contains(r.<String>getAs("plan_name"))) {
        byPlan.computeIfAbsent(r.getAs("plan_name"), k -> new ArrayList<>()).add(r);
      }
    }
    Map<String, String> names = new LinkedHashMap<>();
    for (Catalog.Indicator i : run.catalog().indicators.values()) {
      names.put(i.id(), i.nameZh());
    }
    for (var e : byPlan.entrySet()) {
      Row first = e.getValue().get(0);
      List<View.Fact> targets = new ArrayList<>();
      for (Row r : e.getValue()) {
        String id = r.getAs("indicator_id");
        StringBuilder s = new StringBuilder();
        if (r.getAs("baseline") != null) {
          s.append("基线 ").append(r.<Double>getAs("baseline")).append(r.getAs("baseline_year") == null ? ""
              : "（" + r.getAs("baseline_year") + "年）");
        }
        if (r.getAs("target") != null) {
          s.append(s.length() > 0 ? "；" : "").append("目标 ").append(r.<Double>getAs("target"))
              .append("（").append(r.<Integer>getAs("target_year")).append("年）");
        }
        targets.add(new View.Fact(names.getOrDefault(id, id), s.toString()));
      }
      String division = first.getAs("division_code");
      out.add(new View.PlanRow(e.getKey(), division, first.getAs("plan_years") == null ? ""
          : first.getAs("plan_years"), targets));
    }
    return out;
  }
}
