package org.sanku.serve;

import java.util.List;
import java.util.Set;
import org.apache.spark.sql.catalyst.CurrentUserContext;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.analysis.RelationTimeTravel;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.catalyst.catalog.HiveTableRelation;
import org.apache.spark.sql.catalyst.plans.QueryPlan;
import org.apache.spark.sql.catalyst.plans.logical.CollectMetrics;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.WithCTE;
import org.apache.spark.sql.catalyst.plans.logical.View;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.sanku.storage.Warehouse;
import scala.collection.JavaConverters;

/**
 * What a connection's login may read, checked on every analysed plan of its session (the server's check rule,
 * {@link ServeExtension}), before anything of it runs; the read-only guard has checked the statement too.
 *
 * <ul>
 *   <li>The session must belong to a login ({@link SankuSessionManager} binds it when the connection opens), and
 *       the statement must run for that login's user (HiveServer2 sets the user for each statement).</li>
 *   <li>A published view ({@code ind.indicator_value} …) may be read if the login's role reads that table. Its
 *       body is the server's own: it keeps the login's rows (see {@link PublishedViews}) and is not looked into.</li>
 *   <li>Anything else that reads data — the analytics catalog itself ({@code sanku.model.person}, with time travel
 *       or metadata tables such as {@code sanku.model.person.files}, whose column bounds describe every county),
 *       {@code DESCRIBE} of its tables — is for unrestricted logins only (whole region, every table).</li>
 *   <li>The table of logins and scopes ({@code spark_catalog.sanku_serve.user_scope}) is read by the views only;
 *       no statement may read, describe or show it.</li>
 * </ul>
 *
 * Joins, subqueries, CTEs and views inside views are all nodes of the one plan, so a login reaches rows only
 * through the views of its role, each of which keeps to its scope.
 */
final class AccessCheck {

  private static final String VIEWS_ONLY = "read the published views (ind.indicator_value, model.person …), "
      + "which hold the rows of your scope";

  private final ServerState state;
  private final Login login;
  private final Set<String> published;

  AccessCheck(ServerState state, Login login) {
    this.state = state;
    this.login = login;
    this.published = state.views.published();
  }

  /** Why the plan may not run for this login, or null. */
  String refusal(LogicalPlan plan) {
    if (login == null) {
      return "this Spark session is not a connection of a logged-in user of the Sanku JDBC server";
    }
    if (!isStatement(plan)) {
      return null;
    }
    String user = CurrentUserContext.CURRENT_USER().get();
    if (user != null && !user.equals(login.name())) {
      return "the statement runs for " + ServerState.shown(user) + " on a connection of " + login.name();
    }
    if (login.role() != null && !login.equals(state.loginFor(login.name()))) {
      return "the login " + login.name() + " was removed, locked or changed since this connection opened: connect "
          + "again";
    }
    return walk(plan);
  }

  /**
   * Whether the plan is a whole statement: a command, or a query under the parser's row count. Spark also runs the
   * check rules on every view body and subquery on its own while it analyses a statement; those are parts of the
   * statement and are walked with it, where a published view's body is known as such.
   */
  static boolean isStatement(LogicalPlan plan) {
    LogicalPlan root = plan instanceof WithCTE w ? w.plan() : plan;
    if (root instanceof CollectMetrics c && c.name().startsWith(ServerState.ROWS)) {
      return true;
    }
    return !ServeExtension.CappingParser.isQuery(root);
  }

  private String walk(LogicalPlan node) {
    String r = nodeRefusal(node);
    if (r != null || node instanceof View v && isPublished(v)) {
      return r;
    }
    for (LogicalPlan child : JavaConverters.seqAsJavaList(node.children())) {
      r = r == null ? walk(child) : r;
    }
    for (QueryPlan<?> inner : JavaConverters.seqAsJavaList(node.innerChildren())) {
      if (r == null && inner instanceof LogicalPlan lp) {
        r = walk(lp);
      }
    }
    if (r == null && node instanceof RelationTimeTravel t) {
      r = walk(t.relation());
    }
    for (LogicalPlan sub : JavaConverters.seqAsJavaList(node.subqueries())) {
      r = r == null ? walk(sub) : r;
    }
    return r;
  }

  private String nodeRefusal(LogicalPlan node) {
    if (node instanceof View v) {
      TableIdentifier id = v.desc().identifier();
      String db = id.database().isDefined() ? id.database().get() : "";
      if (db.equals(Warehouse.SERVER_NAMESPACE)) {
        return serverTable();
      }
      if (isPublished(v) && login.role() != null && !state.rules.reads(login.role(), db, id.table())) {
        return db + "." + id.table() + " is refused: the role " + login.role() + " reads "
            + state.rules.tablesOf(login.role()) + " only (login " + login.name() + ")";
      }
      return null;
    }
    if (namesServerTable(node)) {
      return serverTable();
    }
    if (login.unrestricted()) {
      return null;
    }
    String read = null;
    if (node instanceof DataSourceV2Relation r) {
      read = r.identifier().isDefined() ? r.identifier().get().toString() : r.table().name();
      read = (r.catalog().isDefined() ? r.catalog().get().name() + "." : "") + read;
    } else if (node instanceof ResolvedTable t) {
      read = t.catalog().name() + "." + t.identifier();
    } else if (node instanceof LogicalRelation l) {
      read = l.catalogTable().isDefined() ? l.catalogTable().get().identifier().unquotedString() : "files";
    } else if (node instanceof HiveTableRelation h) {
      read = h.tableMeta().identifier().unquotedString();
    }
    if (read == null) {
      return null;
    }
    return read + " is refused for " + login.describe() + ": " + VIEWS_ONLY;
  }

  private boolean isPublished(View v) {
    TableIdentifier id = v.desc().identifier();
    String db = id.database().isDefined() ? id.database().get() : "";
    return !v.isTempView() && Warehouse.PUBLISHED_NAMESPACES.contains(db) && published.contains(db + "." + id.table())
        && (!id.catalog().isDefined() || id.catalog().get().equals(Warehouse.SESSION_CATALOG));
  }

  /**
   * Whether a command names the server's own namespace ({@code SHOW CREATE TABLE}, {@code DESCRIBE EXTENDED} and
   * {@code SHOW TABLE EXTENDED} would print the view text, with every login's name and scope): any field of the
   * node that is a table identifier in it, or the namespace's name itself.
   */
  private static boolean namesServerTable(LogicalPlan node) {
    for (Object field : JavaConverters.seqAsJavaList(node.productIterator().toSeq())) {
      Object f = field instanceof scala.Option<?> o && o.isDefined() ? o.get() : field;
      if (f instanceof TableIdentifier t && t.database().isDefined()
          && t.database().get().equalsIgnoreCase(Warehouse.SERVER_NAMESPACE)) {
        return true;
      }
      if (f instanceof String s && s.equalsIgnoreCase(Warehouse.SERVER_NAMESPACE)) {
        return true;
      }
      if (f instanceof scala.collection.Seq<?> seq) {
        List<?> parts = JavaConverters.seqAsJavaList(seq);
        if (parts.stream().anyMatch(p -> p instanceof String s && s.equalsIgnoreCase(Warehouse.SERVER_NAMESPACE))) {
          return true;
        }
      }
    }
    return false;
  }

  private static String serverTable() {
    return Warehouse.SERVER_NAMESPACE + " is the server's own table of logins and scopes: the published views "
        + "read it, statements may not";
  }
}
