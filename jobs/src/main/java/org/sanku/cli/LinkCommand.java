package org.sanku.cli;

import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.ingest.Warehouse;
import org.sanku.link.LinkJob;
import org.sanku.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./sanku link}: the master person index and the integrated person-level tables. */
@Command(name = "link", mixinStandardHelpOptions = true,
    description = "Link every health record and hospital visit to a registry person (ID, then name+sex+birth+county, "
        + "then health card), keep person keys stable, and write the integrated model.* and link.* tables.")
public final class LinkCommand implements Callable<Integer> {

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI")
  String warehouse;

  @Option(names = "--as-of", description = "reference date for residence (default: the latest ingested drop)")
  LocalDate asOf;

  @Mixin
  RunOptions run;

  @Override
  public Integer call() {
    byte[] key = run.personKey();
    SparkSession spark = SparkSessions.create("sanku-link", run.master);
    try {
      return run(spark, Warehouse.open(spark, Warehouse.locationOf(warehouse)), key, asOf);
    } finally {
      spark.stop();
    }
  }

  static int run(SparkSession spark, Warehouse wh, byte[] key, LocalDate asOf) {
    new LinkJob(spark, wh, key, asOf, System.out).run();
    return 0;
  }
}
