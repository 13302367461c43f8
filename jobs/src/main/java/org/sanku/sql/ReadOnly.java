package org.sanku.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.catalyst.analysis.RelationTimeTravel;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.expressions.CallMethodViaReflection;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UserDefinedExpression;
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
import org.apache.spark.sql.catalyst.plans.logical.V2WriteCommand;
import org.apache.spark.sql.catalyst.plans.logical.views.ShowIcebergViews;
import org.apache.spark.sql.execution.command.DataWritingCommand;
import org.apache.spark.sql.execution.command.DescribeColumnCommand;
import org.apache.spark.sql.execution.command.DescribeDatabaseCommand;
import org.apache.spark.sql.execution.command.DescribeFunctionCommand;
import org.apache.spark.sql.execution.command.DescribeQueryCommand;
import org.apache.spark.sql.execution.command.DescribeTableCommand;
import org.apache.spark.sql.execution.command.ExplainCommand;
import org.apache.spark.sql.execution.command.SetCommand;
import org.apache.spark.sql.execution.command.ShowCatalogsCommand;
import org.apache.spark.sql.execution.command.ShowColumnsCommand;
import org.apache.spark.sql.execution.command.ShowCreateTableCommand;
import org.apache.spark.sql.execution.command.ShowCurrentNamespaceCommand;
import org.apache.spark.sql.execution.command.ShowFunctionsCommand;
import org.apache.spark.sql.execution.command.ShowPartitionsCommand;
import org.apache.spark.sql.execution.command.ShowTablePropertiesCommand;
import org.apache.spark.sql.execution.command.ShowTablesCommand;
import org.apache.spark.sql.execution.command.ShowViewsCommand;
import org.apache.spark.sql.execution.datasources.DataSource;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.internal.SQLConf;
import scala.Option;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * What the users' SQL may do: queries, the SHOW and DESCRIBE statements, EXPLAIN, USE and SET without a value (or
 * SET TIME ZONE), reading the tables of the session's catalogs by name, on their {@code main} branch. Everything else
 * — INSERT, UPDATE, DELETE, MERGE, CREATE, DROP, ALTER, CACHE, CALL, ADD JAR, RESET, SET with a value (which could
 * register a catalog or re-enable reading files by path), INSERT OVERWRITE DIRECTORY, TRANSFORM (runs a program),
 * the functions that call Java methods, reading files by path, and reading a branch or tag other than main — is
 * refused.
 *
 * <p>The rules are applied twice by {@link ReadOnlyExtension}: to the parsed statement ({@link #refusal}), before
 * Spark has resolved anything, and to every analysed plan of the session ({@link #refusalOfAnalyzed}), which also
 * covers plans that never were SQL text and the bodies of views. Both lists of what may run are allow-lists: a
 * statement Spark adds later is refused until it is named here.
 */
public final class ReadOnly {

  private ReadOnly() {}

  /**
   * Parsed statements other than queries that only show things. (Iceberg's parser turns SHOW VIEWS in an Iceberg
   * catalog into ShowIcebergViews.)
   */
  private static final Set<Class<?>> SHOWING = Set.of(
      ShowTables.class, ShowTableExtended.class, ShowNamespaces.class, ShowViews.class, ShowIcebergViews.class,
      ShowColumns.class, ShowCreateTable.class, ShowTableProperties.class, ShowPartitions.class, ShowFunctions.class,
      DescribeRelation.class, DescribeColumn.class, DescribeNamespace.class, DescribeFunction.class,
      SetCatalogAndNamespace.class, ShowCurrentNamespaceCommand.class, ShowCatalogsCommand.class);

  /**
   * The same statements once analysed: most stay as parsed, those on the session catalog ({@code spark_catalog})
   * become Spark's v1 commands.
   */
  private static final Set<Class<?>> SHOWING_ANALYZED = union(SHOWING, Set.of(
      ShowTablesCommand.class, ShowViewsCommand.class, ShowColumnsCommand.class, ShowCreateTableCommand.class,
      ShowTablePropertiesCommand.class, ShowPartitionsCommand.class, ShowFunctionsCommand.class,
      DescribeTableCommand.class, DescribeColumnCommand.class, DescribeDatabaseCommand.class,
      DescribeFunctionCommand.class));

  /** The settings SET may change: only the session time zone (timestamps are printed in it). */
  private static final Set<String> SETTABLE = Set.of("spark.sql.session.timezone");

  /** Functions that call arbitrary Java methods, by name (try_reflect is Spark 4's). */
  private static final Set<String> FORBIDDEN_FUNCTIONS = Set.of("reflect", "java_method", "try_reflect");

  private static final String RUNS = "(it runs queries, SHOW, DESCRIBE, EXPLAIN and USE)";

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
      return setRefusal(set);
    }
    List<LogicalPlan> nodes = new ArrayList<>();
    collect(plan, nodes);
    for (LogicalPlan node : nodes) {
      if (node instanceof Command || node instanceof ParsedStatement || node instanceof InsertIntoDir) {
        return "sanku sql is read-only: " + what + " are refused " + RUNS;
      }
      if (node instanceof UnresolvedRelation u) {
        String r = pathRefusal(u);
        if (r != null) {
          return r;
        }
      }
      if (node instanceof RelationTimeTravel t) {
        String r = MainOnly.versionRefusal(t);
        if (r != null) {
          return r;
        }
      }
      String r = nodeRefusal(node);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  /**
   * Why an analysed plan is refused, or {@code null} when it may run: the same rules as {@link #refusal} on the
   * resolved plan, plus the relations it reads (files by path, branches and tags other than main).
   */
  public static String refusalOfAnalyzed(LogicalPlan plan) {
    List<LogicalPlan> nodes = new ArrayList<>();
    collect(plan, nodes);
    for (LogicalPlan node : nodes) {
      String r;
      if (SHOWING_ANALYZED.contains(node.getClass())) {
        continue;
      } else if (node instanceof ExplainCommand e) {
        r = check(e.logicalPlan(), "EXPLAIN of such statements");
      } else if (node instanceof DescribeQueryCommand d) {
        r = check(d.plan(), "DESCRIBE QUERY of such statements");
      } else if (node instanceof SetCommand set) {
        r = setRefusal(set);
      } else if (node instanceof Command || node instanceof ParsedStatement || node instanceof InsertIntoDir) {
        r = "sanku sql is read-only: " + kind(node) + " " + node.nodeName() + " is refused " + RUNS;
      } else if (node instanceof LogicalRelation l && l.catalogTable().isEmpty()) {
        r = "reading files by path is refused by sanku sql: it reads the tables of the warehouse by name";
      } else if (node instanceof ResolvedTable t) {
        r = MainOnly.resolvedRefusal(t);
      } else if (node instanceof DataSourceV2Relation v2) {
        r = v2.catalog().isEmpty()
            ? "reading files by path is refused by sanku sql: it reads the tables of the warehouse by name"
            : MainOnly.relationRefusal(v2);
      } else {
        r = nodeRefusal(node);
      }
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  private static String kind(LogicalPlan node) {
    return node instanceof V2WriteCommand || node instanceof DataWritingCommand || node instanceof InsertIntoDir
        ? "the write" : "the command";
  }

  private static String setRefusal(SetCommand set) {
    Option<Tuple2<String, Option<String>>> kv = set.kv();
    if (kv.isEmpty() || kv.get()._2().isEmpty() || SETTABLE.contains(kv.get()._1().toLowerCase(Locale.ROOT))) {
      return null;
    }
    return "sanku sql is read-only: SET with a value is refused (only the session time zone may be set)";
  }

  /** TRANSFORM and the functions that reach Java methods, in a parsed or an analysed node. */
  private static String nodeRefusal(LogicalPlan node) {
    if (node instanceof ScriptTransformation) {
      return "TRANSFORM runs a program and is refused by sanku sql";
    }
    for (Expression e : JavaConverters.seqAsJavaList(node.expressions())) {
      String f = forbiddenFunction(e);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  /**
   * A two-part name whose first part is a data source, such as {@code parquet.`/some/path`}: Spark reads it as the
   * files at that path when {@code spark.sql.runSQLOnFiles} is on, which the readers' session keeps off.
   */
  private static String pathRefusal(UnresolvedRelation u) {
    List<String> name = JavaConverters.seqAsJavaList(u.multipartIdentifier());
    if (name.size() != 2) {
      return null;
    }
    try {
      DataSource.lookupDataSource(name.get(0), SQLConf.get());
    } catch (Exception | LinkageError notASource) {
      return null;
    }
    return name.get(0) + ".`" + name.get(1) + "` reads files by path and is refused by sanku sql: it reads the "
        + "tables of the warehouse by name";
  }

  /**
   * The plan, its children, its inner plans (CTE definitions, the relation of a time travel, the command behind a
   * command's result) and its subqueries, depth first.
   */
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
    if (plan instanceof RelationTimeTravel t) {
      collect(t.relation(), into);
    }
    for (LogicalPlan sub : JavaConverters.seqAsJavaList(plan.subqueries())) {
      collect(sub, into);
    }
  }

  private static String forbiddenFunction(Expression e) {
    String name = null;
    if (e instanceof UnresolvedFunction f) {
      List<String> parts = JavaConverters.seqAsJavaList(f.nameParts());
      String last = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
      name = FORBIDDEN_FUNCTIONS.contains(last) ? last : null;
    } else if (e instanceof CallMethodViaReflection) {
      name = e.prettyName();
    }
    if (name != null) {
      return "the function " + name + " calls Java methods and is refused by sanku sql";
    }
    if (e instanceof UserDefinedExpression u) {
      return "the user-defined function " + u.name() + " runs code of its own and is refused by sanku sql";
    }
    for (Expression child : JavaConverters.seqAsJavaList(e.children())) {
      String f = forbiddenFunction(child);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  private static Set<Class<?>> union(Set<Class<?>> a, Set<Class<?>> b) {
    Set<Class<?>> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }
}
