package org.sanku.storage;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * A Sanku warehouse: two Iceberg catalogs over one folder (local path, hdfs:// or s3a:// URI).
 *
 * <ul>
 *   <li>the analytics zone ({@code <warehouse>/analytics}): standardised tables keyed by the person key, the
 *       ledger and the quarantine summary; this is what SQL users and indicator jobs see;</li>
 *   <li>the identity zone ({@code <warehouse>/identity}): raw identifiers (ID numbers, names, phones, mothers'
 *       IDs, health-card numbers) and quarantined raw rows, readable only by ingest and linkage.</li>
 * </ul>
 *
 * <p>Catalogs are registered on the session at run time under the given names, so one JVM can hold several
 * warehouses (the tests do).
 */
public final class Warehouse {

  public static final String DEFAULT_ANALYTICS = "sanku";
  public static final String DEFAULT_IDENTITY = "sanku_identity";

  public final String location;
  public final String analytics;
  public final String identity;

  public Warehouse(SparkSession spark, String location, String analyticsCatalog, String identityCatalog) {
    this.location = stripSlash(location);
    this.analytics = analyticsCatalog;
    this.identity = identityCatalog;
    register(spark, analyticsCatalog, analyticsUri(this.location));
    register(spark, identityCatalog, identityUri(this.location));
  }

  /** The warehouse at {@code location} as the pipeline writes it: its identity zone private to the Sanku user. */
  public static Warehouse open(SparkSession spark, String location) {
    PrivateFolders.identityZone(location, spark.sparkContext().hadoopConfiguration());
    return new Warehouse(spark, location, DEFAULT_ANALYTICS, DEFAULT_IDENTITY);
  }

  /** The analytics zone's folder of the warehouse at {@code location}. */
  public static String analyticsUri(String location) {
    return stripSlash(location) + "/analytics";
  }

  /** The identity zone's folder of the warehouse at {@code location}. */
  public static String identityUri(String location) {
    return stripSlash(location) + "/identity";
  }

  /** A local folder or a URI as given on the command line. */
  public static String locationOf(String arg) {
    if (arg.contains("://")) {
      return arg;
    }
    return Path.of(arg).toAbsolutePath().normalize().toUri().toString();
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static void register(SparkSession spark, String name, String uri) {
    register(spark, name, uri, "org.apache.iceberg.spark.SparkCatalog");
  }

  /** Registers an Iceberg hadoop catalog of class {@code catalogClass} over {@code uri} on the session. */
  public static void register(SparkSession spark, String name, String uri, String catalogClass) {
    spark.conf().set("spark.sql.catalog." + name, catalogClass);
    spark.conf().set("spark.sql.catalog." + name + ".type", "hadoop");
    spark.conf().set("spark.sql.catalog." + name + ".warehouse", uri);
  }

  /** The name Spark knows a table by, e.g. {@code sanku.std.ehr_person}: the one place names are built. */
  public String name(TableRef t) {
    return (t.zone() == TableRef.Zone.IDENTITY ? identity : analytics) + "." + t.namespace() + "." + t.table();
  }

  /** The catalog and namespace, e.g. {@code sanku.model}. */
  public String namespace(TableRef.Zone zone, String namespace) {
    return (zone == TableRef.Zone.IDENTITY ? identity : analytics) + "." + namespace;
  }

  /** An analytics-zone table of a namespace ({@code std}, {@code model}, {@code link}, {@code ind}, {@code ops}). */
  public String analytics(String namespace, String table) {
    return name(new TableRef(TableRef.Zone.ANALYTICS, namespace, table));
  }

  /** Standardised current state, e.g. {@code sanku.std.ehr_person}. */
  public String std(String table) {
    return name(TableRef.std(table));
  }

  /** Ledgers and quarantine reasons of ingest, e.g. {@code sanku.ops.ingest_ledger}. */
  public String ops(String table) {
    return name(TableRef.ops(table));
  }

  /** Integrated tables keyed by person, e.g. {@code sanku.model.person}. */
  public String model(String table) {
    return name(TableRef.model(table));
  }

  /** Linkage's own tables, e.g. {@code sanku.link.record_link}. */
  public String link(String table) {
    return name(TableRef.link(table));
  }

  /** Published indicators, e.g. {@code sanku.ind.indicator_value}. */
  public String ind(String table) {
    return name(TableRef.ind(table));
  }

  /** Data-quality checks and their results night by night, e.g. {@code sanku.dq.check_result}. */
  public String dq(String table) {
    return name(TableRef.dq(table));
  }

  /** Identity-zone table name, e.g. {@code sanku_identity.id.ehr_person}. */
  public String id(String table) {
    return name(TableRef.id(table));
  }

  /** The identity zone's raw tables (columns the contract does not know), e.g. {@code sanku_identity.raw.extra_columns}. */
  public String raw(String table) {
    return name(TableRef.raw(table));
  }

  /** Spark's own catalog, where the JDBC server publishes the analytics zone's tables as views. */
  public static final String SESSION_CATALOG = "spark_catalog";

  /** The analytics zone's namespaces that hold published tables (the JDBC server lists these). */
  public static final List<String> PUBLISHED_NAMESPACES = List.of("dq", "ind", "link", "model", "ops", "std");

  /** The namespace of {@link #SESSION_CATALOG} that holds the JDBC server's own tables (its logins' scopes). */
  public static final String SERVER_NAMESPACE = "sanku_serve";

  /**
   * A table of the analytics zone registered under {@code catalog} on a readers' session
   * ({@code org.sanku.sql.AnalyticsCatalog}), e.g. {@code `sanku`.`ind`.`indicator_value`}.
   */
  public static String analyticsTable(String catalog, String namespace, String table) {
    return quoted(catalog, namespace, table);
  }

  /**
   * The view under which the JDBC server publishes an analytics table in Spark's own catalog, where JDBC metadata
   * calls look, e.g. {@code `spark_catalog`.`ind`.`indicator_value`}.
   */
  public static String publishedView(String namespace, String table) {
    return quoted(SESSION_CATALOG, namespace, table);
  }

  /** A table of the JDBC server's own, e.g. {@code `spark_catalog`.`sanku_serve`.`user_scope`}. */
  public static String serverTable(String table) {
    return quoted(SESSION_CATALOG, SERVER_NAMESPACE, table);
  }

  private static String quoted(String... parts) {
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      if (b.length() > 0) {
        b.append('.');
      }
      b.append('`').append(p.replace("`", "``")).append('`');
    }
    return b.toString();
  }

  /** The catalogs of both zones, analytics first. */
  public List<String> catalogs() {
    return List.of(analytics, identity);
  }
}
