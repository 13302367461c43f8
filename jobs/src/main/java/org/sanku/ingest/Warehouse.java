package org.sanku.ingest;

import java.nio.file.Path;
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

  public static Warehouse open(SparkSession spark, String location) {
    return new Warehouse(spark, location, DEFAULT_ANALYTICS, DEFAULT_IDENTITY);
  }

  /**
   * Registers only the analytics zone of the warehouse at {@code location}, read-only, as catalog {@code sanku},
   * for readers such as {@code ./sanku sql}: the identity zone is not registered at all, names that are paths
   * (which could lead a hadoop catalog out of the zone's folder) and DDL are refused ({@link ReadOnlyCatalog}), and
   * tables are read afresh at every query (no table cache), so a long session sees each night's new data.
   * Returns the catalog name.
   */
  public static String analyticsOnly(SparkSession spark, String location) {
    return analyticsOnly(spark, location, DEFAULT_ANALYTICS);
  }

  /** {@link #analyticsOnly(SparkSession, String)} under a given catalog name. */
  public static String analyticsOnly(SparkSession spark, String location, String analyticsCatalog) {
    register(spark, analyticsCatalog, analyticsUri(location), org.sanku.sql.ReadOnlyCatalog.class.getName());
    spark.conf().set("spark.sql.catalog." + analyticsCatalog + ".cache-enabled", "false");
    return analyticsCatalog;
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

  private static void register(SparkSession spark, String name, String uri, String catalogClass) {
    spark.conf().set("spark.sql.catalog." + name, catalogClass);
    spark.conf().set("spark.sql.catalog." + name + ".type", "hadoop");
    spark.conf().set("spark.sql.catalog." + name + ".warehouse", uri);
  }

  /** Analytics-zone table name, e.g. {@code sanku.std.ehr_person}. */
  public String std(String table) {
    return analytics + ".std." + table;
  }

  public String ops(String table) {
    return analytics + ".ops." + table;
  }

  /** Identity-zone table name, e.g. {@code sanku_identity.id.ehr_person}. */
  public String id(String table) {
    return identity + ".id." + table;
  }
}
