package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sanku.storage.Warehouse;

/** Two warehouses ingested from the same drops in two ways: every table of both zones, row for row. */
final class SameTables {

  /** Columns that say when or in which run a row was written: they differ between any two runs. */
  private static final Set<String> RUN_COLUMNS = Set.of("run_id", "ingested_at", "recorded_at");

  private SameTables() {}

  /**
   * Asserts that every table of {@code a}'s zones holds in {@code b} the same columns and rows (run columns left
   * out), {@code howA} and {@code howB} naming the runs in the messages; returns {@code namespace.table=rows} of each.
   */
  static List<String> compare(SparkSession spark, Warehouse a, Warehouse b, String howA, String howB) {
    List<String> compared = new ArrayList<>();
    for (String[] zone : new String[][] {{a.analytics, b.analytics}, {a.identity, b.identity}}) {
      for (Row ns : spark.sql("SHOW NAMESPACES IN " + zone[0]).collectAsList()) {
        for (Row t : spark.sql("SHOW TABLES IN " + zone[0] + "." + ns.getString(0)).collectAsList()) {
          String name = ns.getString(0) + "." + t.getString(1);
          Dataset<Row> x = withoutRunColumns(spark.table(zone[0] + "." + name));
          Dataset<Row> y = withoutRunColumns(spark.table(zone[1] + "." + name));
          assertEquals(Arrays.asList(x.columns()), Arrays.asList(y.columns()), name);
          long rows = x.count();
          assertEquals(rows, y.count(), name);
          assertEquals(0, x.exceptAll(y).count(), name + ": rows only " + howA + " wrote");
          assertEquals(0, y.exceptAll(x).count(), name + ": rows only " + howB + " wrote");
          compared.add(name + "=" + rows);
        }
      }
    }
    return compared;
  }

  private static Dataset<Row> withoutRunColumns(Dataset<Row> df) {
    return df.drop(Arrays.stream(df.columns()).filter(RUN_COLUMNS::contains).toArray(String[]::new));
  }
}
