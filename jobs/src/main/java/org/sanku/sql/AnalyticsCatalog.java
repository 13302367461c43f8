package org.sanku.sql;

import org.apache.spark.sql.SparkSession;
import org.sanku.storage.Warehouse;

/**
 * The analytics zone of a warehouse, registered for readers such as {@code ./sanku sql} and the JDBC server: the
 * identity zone is not registered at all, names that are paths (which could lead a hadoop catalog out of the
 * zone's folder) and DDL are refused ({@link ReadOnlyCatalog}), and tables are read afresh at every query (no table
 * cache), so a long session sees each night's new data.
 */
public final class AnalyticsCatalog {

  private AnalyticsCatalog() {}

  /** Registers the analytics zone of the warehouse at {@code location} as catalog {@code sanku}; returns the name. */
  public static String register(SparkSession spark, String location) {
    return register(spark, location, Warehouse.DEFAULT_ANALYTICS);
  }

  /** {@link #register(SparkSession, String)} under a given catalog name. */
  public static String register(SparkSession spark, String location, String analyticsCatalog) {
    Warehouse.register(spark, analyticsCatalog, Warehouse.analyticsUri(location), ReadOnlyCatalog.class.getName());
    spark.conf().set("spark.sql.catalog." + analyticsCatalog + ".cache-enabled", "false");
    return analyticsCatalog;
  }
}
