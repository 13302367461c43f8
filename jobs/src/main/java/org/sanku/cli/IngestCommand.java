package org.sanku.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.ingest.IngestJob;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.SankuConfig;
import org.sanku.spark.SparkSessions;
import org.sanku.storage.PrivateFolders;
import org.sanku.storage.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./sanku ingest}: new drops into the warehouse's Iceberg tables. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Verify, standardise and pseudonymise every new drop under the landing folder into the "
        + "warehouse (identity and analytics zones), with quarantine and reconciliation.")
public final class IngestCommand implements Callable<Integer> {

  @Option(names = "--landing", required = true, description = "landing folder or URI (hdfs://, s3a://) of "
      + "<source>/<yyyyMMdd>/ drops")
  String landing;

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI (hdfs://, s3a://)")
  String warehouse;

  @Option(names = "--accept-shrink", description = "apply full drops that remove more than "
      + "ingest.max_full_drop_shrink of a table's rows (held otherwise)")
  boolean acceptShrink;

  @Mixin
  RunOptions run;

  @Override
  public Integer call() {
    SankuConfig config = Sanku.config();
    run.personKey();
    PrivateFolders.scratchFor(Warehouse.locationOf(warehouse));
    SparkSession spark = SparkSessions.create("sanku-ingest", run.master);
    try {
      IngestJob.Result r = new Pipeline(run.context(spark, config, warehouse, null)).landing(landing)
          .acceptShrink(acceptShrink).ingest(true);
      System.out.printf("ingest: %d drop(s) ingested, %d refusal(s)%n", r.dropsIngested(), r.refusals().size());
      return r.ok() ? 0 : 3;
    } finally {
      spark.stop();
    }
  }
}
