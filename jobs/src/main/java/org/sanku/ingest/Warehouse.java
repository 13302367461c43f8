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
    register(spark, analyticsCatalog, this.location + "/analytics");
    register(spark, identityCatalog, this.location + "/identity");
  }

  public static Warehouse open(SparkSession spark, String location) {
    return new Warehouse(spark, location, DEFAULT_ANALYTICS, DEFAULT_IDENTITY);
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
    spark.conf().set("spark.sql.catalog." + name, "org.apache.iceberg.spark.SparkCatalog");
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
