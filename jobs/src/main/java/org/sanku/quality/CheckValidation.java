package org.sanku.quality;

import static org.apache.spark.sql.functions.expr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;
import org.apache.spark.sql.types.StructType;
import org.sanku.config.ConfigException;
import org.sanku.config.ConfigProblem;
import org.sanku.quality.CheckCatalog.Check;
import org.sanku.quality.CheckCatalog.Origin;
import org.sanku.quality.CheckCatalog.Table;

/**
 * Checks the catalog's SQL before any data is read, the way the indicator catalog is checked: each table query is
 * analysed by Spark over empty tables with the warehouse's layouts ({@link TableShapes}), then the table's checks as
 * the one aggregation they run as; where that fails, each grouping column and each check's conditions and aggregates
 * over an empty table of the query's columns, so that every problem names its file and field. A query that reads anything
 * but the analytics tables it names as {@code std.x}, {@code model.x}, {@code link.x} or {@code ops.x} (a table by
 * its catalog name, the identity zone, a file) is refused.
 */
final class CheckValidation {

  private CheckValidation() {}

  static void validate(SparkSession spark, CheckCatalog catalog, TableShapes shapes) {
    List<ConfigProblem> problems = new ArrayList<>();
    Map<String, String> views = new LinkedHashMap<>();
    Night night = Night.sample();
    try {
      for (Table t : catalog.tables.values()) {
        Dataset<Row> rows;
        try {
          rows = CheckPlan.rows(spark, t, night, (ns, name) -> views.computeIfAbsent(ns + "." + name, k -> {
            StructType s = shapes.of(ns, name);
            if (s == null) {
              throw new IllegalArgumentException("no table " + k + " among the analytics zone's std, model, link "
                  + "and ops tables");
            }
            String v = "sanku_dq_shape_" + ns + "_" + name;
            spark.createDataFrame(List.of(), s).createOrReplaceTempView(v);
            return v;
          }));
        } catch (Exception e) {
          problems.add(problem(t.origin().at("sql"), e));
          continue;
        }
        if (!readsOnlyNamedTables(rows.queryExecution().analyzed())) {
          problems.add(new ConfigProblem(t.origin().file().toString(), t.origin().field() + ".sql", "reads a table "
              + "by its catalog name or a file: name the analytics tables as std.x, model.x, link.x or ops.x (the "
              + "identity zone is never read)"));
          continue;
        }
        Dataset<Row> shape = spark.createDataFrame(List.of(), rows.schema());
        List<Check> checks = catalog.checks.values().stream().filter(c -> c.table().equals(t.name())).toList();
        String v = "sanku_dq_shape_rows_" + t.name();
        shape.createOrReplaceTempView(v);
        views.put("rows." + t.name(), v);
        // The table's columns and its checks as the one aggregation they run as: when these analyse, every field
        // does; only a failure is looked into field by field, to name the field.
        try {
          List<String> columns = new ArrayList<>();
          for (String sql : new String[] {t.group("county"), t.group("org"), t.group("file"), t.date(),
              t.sourceColumn()}) {
            if (sql != null) {
              columns.add(night.render(sql, t.source()));
            }
          }
          if (!columns.isEmpty()) {
            shape.selectExpr(columns.toArray(new String[0]));
          }
          spark.sql(new CheckPlan(t, checks, night).sql(v));
          continue;
        } catch (Exception e) {
          // Named below.
        }
        List<Check> good = new ArrayList<>();
        int before = problems.size();
        for (String level : new String[] {"county", "org", "file", "date"}) {
          String sql = level.equals("date") ? t.date() : t.group(level);
          if (sql != null) {
            column(shape, night.render(sql, t.source()), t.origin().at(level), problems);
          }
        }
        if (t.sourceColumn() != null) {
          column(shape, t.sourceColumn(), t.origin().at("source_column"), problems);
        }
        if (problems.size() > before) {
          continue;
        }
        for (Check c : checks) {
          int mark = problems.size();
          String[][] rowExprs = {{"where", c.where()}, {"predicate", c.predicate()}};
          String[][] aggExprs = {{"violated", c.violated()}, {"denominator", c.denominator()},
              {"applies", c.applies()}};
          for (String[] f : rowExprs) {
            if (f[1] != null) {
              column(shape, night.render(f[1], t.source()), c.origin().at(f[0]), problems);
            }
          }
          for (String[] f : aggExprs) {
            if (f[1] != null) {
              try {
                shape.agg(expr(night.render(f[1], t.source())));
              } catch (Exception e) {
                ConfigProblem p = problem(c.origin().at(f[0]), e);
                problems.add(!p.message().contains("MISSING_GROUP_BY") ? p : new ConfigProblem(p.file(), p.key(),
                    "'" + f[1] + "' is not an aggregate of the group's rows (sum, count, max …)"));
              }
            }
          }
          if (problems.size() == mark) {
            good.add(c);
          }
        }
        if (!good.isEmpty()) {
          try {
            spark.sql(new CheckPlan(t, good, night).sql(v));
          } catch (Exception e) {
            problems.add(problem(t.origin(), e));
          }
        }
      }
    } finally {
      views.values().forEach(v -> spark.catalog().dropTempView(v));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  private static void column(Dataset<Row> shape, String sql, Origin o, List<ConfigProblem> problems) {
    try {
      shape.selectExpr(sql);
    } catch (Exception e) {
      problems.add(problem(o, e));
    }
  }

  /** Whether every table the plan reads is one of the empty layouts it was given (local relations). */
  private static boolean readsOnlyNamedTables(LogicalPlan plan) {
    scala.collection.Iterator<LogicalPlan> leaves = plan.collectLeaves().iterator();
    while (leaves.hasNext()) {
      LogicalPlan leaf = leaves.next();
      // A CTE's reference is a leaf too; the CTE's own plan is among the leaves' ancestors and checked with them.
      if (!(leaf instanceof LocalRelation) && !(leaf instanceof OneRowRelation)
          && !(leaf instanceof org.apache.spark.sql.catalyst.plans.logical.CTERelationRef)) {
        return false;
      }
    }
    return true;
  }

  private static ConfigProblem problem(Origin o, Exception e) {
    String msg = e instanceof AnalysisException a ? a.getSimpleMessage() : e.getMessage();
    msg = msg == null ? e.toString() : msg.lines().findFirst().orElse(msg);
    return new ConfigProblem(o.file().toString(), o.field(), msg);
  }
}
