package org.sanku.serve;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sanku.config.ConfigProblem;
import org.sanku.storage.Warehouse;

/**
 * The analytics zone's tables as views in Spark's own catalog ({@code spark_catalog.ind.indicator_value} …), the
 * only catalog HiveServer2's metadata calls ({@code getSchemas}, {@code getTables}, {@code getColumns}) list, with
 * each column's comment from the tables as data.
 *
 * <p>A view is a query, resolved again at every use: it reads the Iceberg table through the connection's analytics
 * catalog, which caches nothing ({@code org.sanku.sql.AnalyticsCatalog}), so every query sees the latest published
 * snapshot of each table it reads, and a commit is all or nothing: a query never sees half a night.
 *
 * <p>With logins, every view keeps only the rows of the connected login ({@code current_user()}, which the server
 * sets for each statement from the connection's authenticated user) by its scope and role, as
 * {@code conf/access.yaml} places the table's rows: the view joins the table of logins and scopes
 * ({@code spark_catalog.sanku_serve.user_scope}, rewritten from the users file when it changes) and, for a
 * person-level table, {@code model.person} for each row's county. A login that is not in that table (removed,
 * locked) gets no rows, even on a connection opened before. What else a scoped login could read is refused by the
 * server's check rule ({@link ServeExtension}).
 */
final class PublishedViews {

  static final String USER_SCOPE = "user_scope";

  private final SparkSession admin;
  private final String catalog;
  private final AccessRules rules;
  private final boolean scoped;
  private final ColumnComments comments;
  private final Path databaseDir;
  private final PrintStream log;
  /** ns.table → the columns (names and types) its view was made for. */
  private final Map<String, String> made = new HashMap<>();
  private String madeScopes;

  /**
   * @param admin       an unguarded session (the pipeline's) that may create views in spark_catalog, with the
   *                    analytics zone registered as {@code catalog}
   * @param scoped      whether views keep only the connected login's rows (false: {@code --no-auth})
   * @param databaseDir where the in-memory catalog may put its (empty) database folders
   */
  PublishedViews(SparkSession admin, String catalog, AccessRules rules, boolean scoped, ColumnComments comments,
      Path databaseDir, PrintStream log) {
    this.admin = admin;
    this.catalog = catalog;
    this.rules = rules;
    this.scoped = scoped;
    this.comments = comments;
    this.databaseDir = databaseDir;
    this.log = log;
  }

  /** The published tables, as {@code ns.table}. */
  synchronized Set<String> published() {
    return Set.copyOf(made.keySet());
  }

  /**
   * Publishes a view for every table of the published namespaces, again for a table whose columns changed, and
   * drops the views of tables that are gone. Returns the problems (a table whose placing in conf/access.yaml does
   * not fit its columns is left unpublished).
   */
  synchronized List<ConfigProblem> refresh() {
    List<ConfigProblem> problems = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    if (scoped && madeScopes == null) {
      publishScopes(List.of());
    }
    for (String ns : Warehouse.PUBLISHED_NAMESPACES) {
      List<String> tables;
      try {
        tables = admin.sql("SHOW TABLES IN `" + catalog + "`.`" + ns + "`").collectAsList().stream()
            .map(r -> r.getString(1)).sorted().toList();
      } catch (RuntimeException noNamespace) {
        continue;
      }
      for (String t : tables) {
        String key = ns + "." + t;
        seen.add(key);
        try {
          StructType schema = admin.sql("SELECT * FROM " + Warehouse.analyticsTable(catalog, ns, t) + " LIMIT 0")
              .schema();
          String columns = schema.catalogString();
          if (!columns.equals(made.get(key))) {
            createDatabase(ns);
            admin.sql(viewSql(ns, t, schema));
            log.println((made.containsKey(key) ? "published again (its columns changed): " : "published: ")
                + ns + "." + t);
            made.put(key, columns);
          }
        } catch (RuntimeException e) {
          String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
          problems.add(new ConfigProblem(rules.file().toString(), "tables." + key, "the view of " + key
              + " cannot be made, so it is not published: " + first));
          dropView(key);
        }
      }
    }
    for (String gone : new TreeSet<>(made.keySet())) {
      if (!seen.contains(gone)) {
        dropView(gone);
        log.println("unpublished (the table is gone): " + gone);
      }
    }
    return problems;
  }

  /** Rewrites the table of logins and scopes the views read (locked users are left out: they see nothing). */
  synchronized void publishScopes(List<Users.User> users) {
    List<String> rows = new ArrayList<>();
    for (Users.User u : users) {
      if (!u.locked()) {
        for (String prefix : u.scope().prefixes()) {
          rows.add("('" + u.name() + "', '" + u.role() + "', '" + prefix + "')");
        }
      }
    }
    String fingerprint = String.join(",", rows);
    if (fingerprint.equals(madeScopes)) {
      return;
    }
    createDatabase(Warehouse.SERVER_NAMESPACE);
    String body = rows.isEmpty()
        ? "SELECT CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING) WHERE false"
        : "SELECT * FROM VALUES " + String.join(", ", rows);
    admin.sql("CREATE OR REPLACE VIEW " + Warehouse.serverTable(USER_SCOPE) + " (user_name, role, prefix) COMMENT "
        + literal("Logins of the JDBC server and their scopes: read by the published views, not by logins")
        + " AS " + body);
    madeScopes = fingerprint;
  }

  /** Drops every view and database the server made (a stopped server leaves Spark's catalog as it found it). */
  synchronized void dropAll() {
    for (String key : new TreeSet<>(made.keySet())) {
      dropView(key);
    }
    for (String ns : Warehouse.PUBLISHED_NAMESPACES) {
      admin.sql("DROP DATABASE IF EXISTS " + Warehouse.SESSION_CATALOG + ".`" + ns + "` CASCADE");
    }
    admin.sql("DROP DATABASE IF EXISTS " + Warehouse.SESSION_CATALOG + ".`" + Warehouse.SERVER_NAMESPACE
        + "` CASCADE");
    madeScopes = null;
  }

  private void dropView(String key) {
    String[] p = key.split("\\.", 2);
    try {
      admin.sql("DROP VIEW IF EXISTS " + Warehouse.publishedView(p[0], p[1]));
    } catch (RuntimeException noDatabase) {
      // Nothing to drop.
    }
    made.remove(key);
  }

  private void createDatabase(String ns) {
    admin.sql("CREATE DATABASE IF NOT EXISTS " + Warehouse.SESSION_CATALOG + ".`" + ns + "` LOCATION "
        + literal(databaseDir.resolve(ns + ".db").toUri().toString()));
  }

  /** The statement that creates the view of one table. */
  String viewSql(String ns, String table, StructType schema) {
    ColumnComments.Comments c = comments.of(ns, table);
    List<String> columns = new ArrayList<>();
    List<String> selected = new ArrayList<>();
    for (StructField f : schema.fields()) {
      String comment = c.columns().get(f.name());
      columns.add(ident(f.name()) + (comment == null ? "" : " COMMENT " + literal(comment)));
      selected.add("t." + ident(f.name()));
    }
    StringBuilder sql = new StringBuilder("CREATE OR REPLACE VIEW ").append(Warehouse.publishedView(ns, table))
        .append(" (").append(String.join(", ", columns)).append(")");
    if (c.table() != null) {
      sql.append(" COMMENT ").append(literal(c.table()));
    }
    sql.append(" AS SELECT ").append(String.join(", ", selected)).append(" FROM ");
    String source = Warehouse.analyticsTable(catalog, ns, table);
    if (!scoped) {
      return sql.append(source).append(" t").toString();
    }
    AccessRules.Rule rule = rules.rule(ns, table);
    String division = null;
    if (rule != null && rule.division() != null) {
      sql.append("(SELECT *, ").append(rule.division()).append(" AS __sanku_division FROM ").append(source)
          .append(") t");
      division = "t.__sanku_division";
    } else {
      sql.append(source).append(" t");
    }
    if (rule != null && rule.person() != null) {
      sql.append(" LEFT JOIN (SELECT person_key AS __sanku_person, county_code AS __sanku_county FROM ")
          .append(Warehouse.analyticsTable(catalog, "model", "person")).append(") p ON p.__sanku_person = t.")
          .append(ident(rule.person()));
      division = division == null ? "p.__sanku_county" : "coalesce(p.__sanku_county, " + division + ")";
    }
    List<String> roles = rules.rolesReading(ns, table).stream().map(PublishedViews::literal).toList();
    // A semi join, not EXISTS: Spark checks a subquery's plan on its own, apart from the view it sits in, and the
    // server's check rule refuses reading the scopes anywhere but in a published view.
    sql.append(" LEFT SEMI JOIN (SELECT prefix FROM ").append(Warehouse.serverTable(USER_SCOPE))
        .append(" WHERE user_name = current_user() AND role IN (")
        .append(roles.isEmpty() ? "NULL" : String.join(", ", roles)).append(")) s ON ");
    if (rule != null && rule.shared()) {
      return sql.append("true").toString();
    }
    return sql.append("(s.prefix = ''").append(division == null ? "" : " OR startswith(" + division + ", s.prefix)")
        .append(")").toString();
  }

  private static String ident(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** A Spark SQL string literal. */
  static String literal(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
