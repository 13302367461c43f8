package org.sanku.spark;

import org.apache.spark.sql.SparkSession;

/**
 * Builds Sanku's Spark session: the embedded default ({@code local[*]}, local files) or whatever master
 * {@code spark-submit} supplies, with the Iceberg catalog {@code sanku} over the warehouse folder.
 */
public final class SparkSessions {

  private SparkSessions() {}

  /**
   * A session for the given warehouse (a local path, hdfs:// or s3a:// URI). When the JVM was not started by
   * spark-submit (no spark.master set), Sanku runs embedded on every local core.
   */
  public static SparkSession create(String appName, String warehouse, String masterIfUnset) {
    SparkSession.Builder b = SparkSession.builder().appName(appName)
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.catalog.sanku", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.sanku.type", "hadoop")
        .config("spark.sql.catalog.sanku.warehouse", warehouse)
        .config("spark.sql.session.timeZone", "Asia/Shanghai")
        .config("spark.ui.showConsoleProgress", "false");
    if (System.getProperty("spark.master") == null) {
      b = b.master(masterIfUnset).config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
    }
    return b.getOrCreate();
  }
}
