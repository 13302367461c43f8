package org.sanku.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.QueryPlan;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.DescribeColumn;
import org.apache.spark.sql.catalyst.plans.logical.DescribeFunction;
import org.apache.spark.sql.catalyst.plans.logical.DescribeNamespace;
import org.apache.spark.sql.catalyst.plans.logical.DescribeRelation;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoDir;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ParsedStatement;
import org.apache.spark.sql.catalyst.plans.logical.ScriptTransformation;
import org.apache.spark.sql.catalyst.plans.logical.SetCatalogAndNamespace;
import org.apache.spark.sql.catalyst.plans.logical.ShowColumns;
import org.apache.spark.sql.catalyst.plans.logical.ShowCreateTable;
import org.apache.spark.sql.catalyst.plans.logical.ShowFunctions;
import org.apache.spark.sql.catalyst.plans.logical.ShowNamespaces;
import org.apache.spark.sql.catalyst.plans.logical.ShowPartitions;
import org.apache.spark.sql.catalyst.plans.logical.ShowTableExtended;
import org.apache.spark.sql.catalyst.plans.logical.ShowTableProperties;
import org.apache.spark.sql.catalyst.plans.logical.ShowTables;
import org.apache.spark.sql.catalyst.plans.logical.ShowViews;
import org.apache.spark.sql.catalyst.plans.logical.views.ShowIcebergViews;
import org.apache.spark.sql.execution.command.DescribeQueryCommand;
import org.apache.spark.sql.execution.command.ExplainCommand;
import org.apache.spark.sql.execution.command.SetCommand;
import org.apache.spark.sql.execution.command.ShowCatalogsCommand;
import org.apache.spark.sql.execution.command.ShowCurrentNamespaceCommand;
import scala.Option;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * Decides, from the parsed (not yet analysed or run) plan, whether a statement may run in {@code ./sanku sql}:
 * queries, the SHOW and DESCRIBE statements, EXPLAIN, USE and SET without a value. Everything else — INSERT,
 * UPDATE, DELETE, MERGE, CREATE, DROP, ALTER, CACHE, CALL, ADD JAR, RESET, SET with a value (which could register
 * a catalog or re-enable reading files by path), INSERT OVERWRITE DIRECTORY, TRANSFORM (runs a program) and the
 * functions that call Java methods — is refused.
 */
public final class ReadOnly {

  private ReadOnly() {}

  /**
   * Statements other than queries that only show things. (Iceberg's parser turns SHOW VIEWS in an Iceberg catalog
   * into ShowIcebergViews.)
   */
  private static final Set<Class<?>> SHOWING = Set.of(
      ShowTables.class, ShowTableExtended.class, ShowNamespaces.class, ShowViews.class, ShowIcebergViews.class,
      ShowColumns.class, ShowCreateTable.class, ShowTableProperties.class, ShowPartitions.class, ShowFunctions.class,
      DescribeRelation.class, DescribeColumn.class, DescribeNamespace.class, DescribeFunction.class,
      SetCatalogAndNamespace.class, ShowCurrentNamespaceCommand.class, ShowCatalogsCommand.class);

  /** The settings SET may change: only the session time zone (timestamps are printed in it). */
  private static final Set<String> SETTABLE = Set.of("spark.sql.session.timezone");

  /** Functions that call arbitrary Java methods. */
  private static final Set<String> FORBIDDEN_FUNCTIONS = Set.of("reflect", "java_method", "try_reflect");

  /**
   * Why the statement is refused, or {@code null} when it may run.
   *
   * @param plan the statement's parsed plan ({@code spark.sessionState().sqlParser().parsePlan(sql)})
   * @param statement the statement's text, for the message
   */
  public static String refusal(LogicalPlan plan, String statement) {
    String word = SqlScript.firstWord(statement);
    String what = word.isEmpty() ? "this statement" : word + " statements";
    return check(plan, what);
  }

  private static String check(LogicalPlan plan, String what) {
    if (SHOWING.contains(plan.getClass())) {
      return null;
    }
    if (plan instanceof ExplainCommand e) {
      return check(e.logicalPlan(), what);
    }
    if (plan instanceof DescribeQueryCommand d) {
      return check(d.plan(), what);
    }
    if (plan instanceof SetCommand set) {
      Option<Tuple2<String, Option<String>>> kv = set.kv();
      if (kv.isEmpty() || kv.get()._2().isEmpty()
          || SETTABLE.contains(kv.get()._1().toLowerCase(Locale.ROOT))) {
        return null;
      }
      return "sanku sql is read-only: SET with a value is refused (only the session time zone may be set)";
    }
    List<LogicalPlan> nodes = new ArrayList<>();
    collect(plan, nodes);
    for (LogicalPlan node : nodes) {
      if (node instanceof Command || node instanceof ParsedStatement || node instanceof InsertIntoDir) {
        return "sanku sql is read-only: " + what + " are refused "
            + "(it runs queries, SHOW, DESCRIBE, EXPLAIN and USE)";
      }
      if (node instanceof ScriptTransformation) {
        return "TRANSFORM runs a program and is refused by sanku sql";
      }
      for (Expression e : JavaConverters.seqAsJavaList(node.expressions())) {
        String f = forbiddenFunction(e);
        if (f != null) {
          return "the function " + f + " calls Java methods and is refused by sanku sql";
        }
      }
    }
    return null;
  }

  /** The plan, its children, its CTE definitions and its subqueries, depth first. */
  private static void collect(LogicalPlan plan, List<LogicalPlan> into) {
    into.add(plan);
    for (LogicalPlan child : JavaConverters.seqAsJavaList(plan.children())) {
      collect(child, into);
    }
    for (QueryPlan<?> inner : JavaConverters.seqAsJavaList(plan.innerChildren())) {
      if (inner instanceof LogicalPlan lp) {
        collect(lp, into);
      }
    }
    for (LogicalPlan sub : JavaConverters.seqAsJavaList(plan.subqueries())) {
      collect(sub, into);
    }
  }

  private static String forbiddenFunction(Expression e) {
    if (e instanceof UnresolvedFunction f) {
      List<String> parts = JavaConverters.seqAsJavaList(f.nameParts());
      String name = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
      if (FORBIDDEN_FUNCTIONS.contains(name)) {
        return name;
      }
    }
    for (Expression child : JavaConverters.seqAsJavaList(e.children())) {
      String f = forbiddenFunction(child);
      if (f != null) {
        return f;
      }
    }
    return null;
  }
}
