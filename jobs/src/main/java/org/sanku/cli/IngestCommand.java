package org.sanku.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.ingest.IngestJob;
import org.sanku.ingest.Warehouse;
import org.sanku.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./sanku ingest}: new drops into the warehouse's Iceberg tables. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Verify, standardise and pseudonymise every new drop under the landing folder into the "
        + "warehouse (identity and analytics zones), with quarantine and reconciliation.")
public final class IngestCommand implements Callable<Integer> {

  @Option(names = "--landing", required = true, description = "landing folder (<source>/<yyyyMMdd>/ drops)")
  Path landing;

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI (hdfs://, s3a://)")
  String warehouse;

  @Mixin
  RunOptions run;

  @Override
  public Integer call() {
    byte[] key = run.personKey();
    SparkSession spark = SparkSessions.create("sanku-ingest", run.master);
    try {
      return run(spark, Warehouse.open(spark, Warehouse.locationOf(warehouse)), landing, key, run.keyFiles());
    } finally {
      spark.stop();
    }
  }

  static int run(SparkSession spark, Warehouse wh, Path landing, byte[] key, java.util.List<Path> keyFiles) {
    Path conf = Sanku.confDir();
    IngestJob.Result r = new IngestJob(spark, wh, landing, conf.resolveSibling("schemas"), conf, key, System.out)
        .protecting(keyFiles).run();
    System.out.printf("ingest: %d drop(s) ingested, %d refusal(s)%n", r.dropsIngested(), r.refusals().size());
    return r.ok() ? 0 : 3;
  }
}
