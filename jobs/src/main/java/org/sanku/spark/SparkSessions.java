package org.sanku.spark;

import org.apache.spark.sql.SparkSession;
import org.sanku.storage.Warehouse;

/**
 * Builds Sanku's Spark session: the embedded default ({@code local[*]}, local files) or whatever master
 * {@code spark-submit} supplies, with Iceberg's SQL extensions. The warehouse's catalogs are registered by
 * {@link org.sanku.storage.Warehouse}.
 */
public final class SparkSessions {

  private SparkSessions() {}

  /**
   * The session. When the JVM was not started by spark-submit (no spark.master set), Sanku runs embedded on the
   * given local master.
   */
  public static SparkSession create(String appName, String masterIfUnset) {
    SparkSession.Builder b = SparkSession.builder().appName(appName)
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.session.timeZone", "Asia/Shanghai")
        .config("spark.ui.showConsoleProgress", "false");
    if (System.getProperty("spark.master") == null) {
      b = b.master(masterIfUnset).config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
    }
    return b.getOrCreate();
  }
}
