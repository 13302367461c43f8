package org.sanku.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.ids.PersonKeys;
import org.sanku.ingest.IngestJob;
import org.sanku.ingest.Warehouse;
import org.sanku.spark.SparkSessions;
import picocli.CommandLine.Command;
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

  @Option(names = "--key-file", description = "file holding the person key (hex or base64); "
      + "default: the SANKU_PERSON_KEY environment variable")
  Path keyFile;

  @Option(names = "--master", defaultValue = "local[*]",
      description = "Spark master when not started by spark-submit (default: ${DEFAULT-VALUE})")
  String master;

  @Override
  public Integer call() {
    byte[] key = personKey(keyFile);
    SparkSession spark = SparkSessions.create("sanku-ingest", master);
    try {
      return run(spark, Warehouse.open(spark, Warehouse.locationOf(warehouse)), landing, key);
    } finally {
      spark.stop();
    }
  }

  static int run(SparkSession spark, Warehouse wh, Path landing, byte[] key) {
    Path conf = Sanku.confDir();
    IngestJob.Result r = new IngestJob(spark, wh, landing, conf.resolveSibling("schemas"), conf, key, System.out)
        .run();
    System.out.printf("ingest: %d drop(s) ingested, %d refusal(s)%n", r.dropsIngested(), r.refusals().size());
    return r.ok() ? 0 : 3;
  }

  /** The person key from the key file or SANKU_PERSON_KEY; Sanku refuses to run without one. */
  static byte[] personKey(Path keyFile) {
    PersonKeys.fromEnvironmentOrFile(System.getenv(), keyFile);
    String env = System.getenv(PersonKeys.ENV_VAR);
    if (env != null && !env.isBlank()) {
      return PersonKeys.parseKey(env);
    }
    try {
      return PersonKeys.parseKey(java.nio.file.Files.readString(keyFile).trim());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read the key file " + keyFile);
    }
  }
}
