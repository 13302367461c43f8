package org.sanku.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation;
import org.apache.spark.sql.util.QueryExecutionListener;
import scala.collection.JavaConverters;

/**
 * A plan check for "no stage collects person-level rows to the driver": while installed, every action that brings
 * rows to the driver ({@code collect}, {@code head}, {@code take}, {@code toLocalIterator}, ...) has its optimised
 * plan read, and it is a violation when a path from the plan's root to a leaf that holds person-level rows passes
 * neither an aggregation that groups by no person-level key nor an operator that bounds the rows (a limit).
 *
 * <p>Person-level leaves: the analytics zone's {@code std} (but its reference tables {@code ref_*}), {@code model}
 * and {@code link} tables, the quarantine, the whole identity zone, and any data Spark did not read from a table
 * (a delivered file, a kept or cached dataset). Person-level keys: the columns given to the constructor (the
 * contract's primary keys), the person key and a record's line number.
 */
public final class DriverRows implements QueryExecutionListener {

  /** The actions that return rows to the driver. */
  static final Set<String> ACTIONS = Set.of("collect", "collectAsList", "collectAsArrowToPython", "head", "take",
      "takeAsList", "tail", "first", "toLocalIterator", "collectToPython");

  /** Rows a bounded plan may return at most. */
  static final long BOUND = 10_000;

  private static final Pattern PERSON_TABLE = Pattern.compile(
      "(^|\\.)(std\\.(?!ref_)[a-z_0-9]+|model\\.[a-z_0-9]+|link\\.[a-z_0-9]+|ops\\.quarantine)$|sanku_identity");

  private final Set<String> personKeys;
  private final List<String> actions = Collections.synchronizedList(new ArrayList<>());
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());

  /** @param personKeys columns that identify a person or a record (lower case) */
  public DriverRows(Set<String> personKeys) {
    this.personKeys = personKeys;
  }

  /** Installs the check on a session; {@link #close} removes it. */
  public DriverRows install(SparkSession spark) {
    ListenerQueue.drain(spark);
    spark.listenerManager().register(this);
    this.spark = spark;
    return this;
  }

  private SparkSession spark;

  public void close() {
    if (spark != null) {
      spark.listenerManager().unregister(this);
    }
  }

  /** The actions seen, one line each: the action and the leaves its plan reads. */
  public List<String> actions() {
    synchronized (actions) {
      return List.copyOf(actions);
    }
  }

  /** The actions that brought person-level rows to the driver, each with its plan. */
  public List<String> violations() {
    synchronized (violations) {
      return List.copyOf(violations);
    }
  }

  @Override
  public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
    if (!ACTIONS.contains(funcName)) {
      return;
    }
    LogicalPlan plan = qe.optimizedPlan();
    List<String> leaves = new ArrayList<>();
    String path = unboundedPersonPath(plan, false, leaves);
    actions.add(funcName + " " + leaves);
    if (path != null) {
      violations.add(funcName + " reads " + path + " with no aggregation or limit above it:\n" + plan.treeString());
    }
  }

  @Override
  public void onFailure(String funcName, QueryExecution qe, Exception exception) {}

  /** The leaf reached without a bounding operator, or null when there is none. */
  String unboundedPersonPath(LogicalPlan p, boolean bounded, List<String> leaves) {
    if (p.maxRows().isDefined() && ((Number) p.maxRows().get()).longValue() <= BOUND) {
      bounded = true;
    }
    if (p instanceof Aggregate a && !groupsByPersonKey(a)) {
      bounded = true;
    }
    List<LogicalPlan> children = JavaConverters.seqAsJavaList(p.children());
    if (children.isEmpty()) {
      String name = leafName(p);
      leaves.add(name);
      return !bounded && isPersonLevel(p, name) ? name : null;
    }
    for (LogicalPlan c : children) {
      String r = unboundedPersonPath(c, bounded, leaves);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  private boolean groupsByPersonKey(Aggregate a) {
    for (Expression e : JavaConverters.seqAsJavaList(a.groupingExpressions())) {
      for (Attribute at : JavaConverters.seqAsJavaList(e.references().toSeq())) {
        if (personKeys.contains(at.name().toLowerCase(java.util.Locale.ROOT))) {
          return true;
        }
      }
    }
    return false;
  }

  static String leafName(LogicalPlan p) {
    if (p instanceof DataSourceV2ScanRelation s) {
      return s.relation().table().name();
    }
    if (p instanceof DataSourceV2Relation r) {
      return r.table().name();
    }
    return p.nodeName();
  }

  static boolean isPersonLevel(LogicalPlan p, String name) {
    if (p instanceof DataSourceV2ScanRelation || p instanceof DataSourceV2Relation) {
      return PERSON_TABLE.matcher(name).find();
    }
    // Rows the driver made itself (a local relation, a range, a one-row select, a catalog command's answer such as
    // SHOW TABLES) are already there.
    return !(p instanceof org.apache.spark.sql.catalyst.plans.logical.LocalRelation
        || p instanceof org.apache.spark.sql.catalyst.plans.logical.CommandResult
        || p instanceof org.apache.spark.sql.catalyst.plans.logical.OneRowRelation
        || p instanceof org.apache.spark.sql.catalyst.plans.logical.Range);
  }
}
