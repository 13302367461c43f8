package org.sanku.cli;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sanku.storage.Warehouse;
import org.sanku.spark.TestSpark;

/** Test access to {@code ./sanku sql}, as the command runs it: on the users' session. */
public final class SqlAccess {

  private SqlAccess() {}

  /**
   * Runs {@code sql} over the analytics zone that {@code analyticsCatalog} of the session {@code spark} (a
   * pipeline's, writable) points at, registered read-only on the users' session under the same name.
   */
  public static int run(SparkSession spark, String analyticsCatalog, String sql, PrintStream out) {
    String zone = spark.conf().get("spark.sql.catalog." + analyticsCatalog + ".warehouse");
    String location = zone.substring(0, zone.length() - "/analytics".length());
    SparkSession readers = TestSpark.readers();
    String catalog = org.sanku.sql.AnalyticsCatalog.register(readers, location, analyticsCatalog);
    return SqlCommand.run(readers, catalog, List.of(sql), "csv", out, out);
  }
}
