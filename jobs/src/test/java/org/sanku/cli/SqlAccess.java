package org.sanku.cli;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** Test access to {@code ./sanku sql} on the shared session. */
public final class SqlAccess {

  private SqlAccess() {}

  public static int run(SparkSession spark, String analyticsCatalog, String sql, PrintStream out) {
    return SqlCommand.run(spark, analyticsCatalog, List.of(sql), "csv", out, out);
  }
}
