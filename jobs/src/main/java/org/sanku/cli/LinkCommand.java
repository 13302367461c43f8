package org.sanku.cli;

import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.SankuConfig;
import org.sanku.spark.SparkSessions;
import org.sanku.storage.PrivateFolders;
import org.sanku.storage.Warehouse;
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

  @Option(names = "--relink-all", description = "link every record again, not only those a change since the "
      + "published linkage can concern")
  boolean relinkAll;

  @Mixin
  RunOptions run;

  @Override
  public Integer call() {
    SankuConfig config = Sanku.config();
    run.personKey();
    PrivateFolders.scratchFor(Warehouse.locationOf(warehouse));
    SparkSession spark = SparkSessions.create("sanku-link", run.master);
    try {
      new Pipeline(run.context(spark, config, warehouse, asOf)).link(relinkAll);
      return 0;
    } finally {
      spark.stop();
    }
  }
}
