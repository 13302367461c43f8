package org.sanku.ingest;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HexFormat;
import org.apache.spark.sql.SparkSession;
import org.sanku.pipeline.SankuConfig;
import org.sanku.spark.SparkSessions;
import org.sanku.storage.Warehouse;

/**
 * An ingest in a JVM of its own that stops at a named point and waits there to be killed, for the crash-recovery
 * test: {@code StoppingIngest <landing> <warehouse URI> <point>}, the key in SANKU_PERSON_KEY, the configuration
 * in SANKU_CONF.
 */
public final class StoppingIngest {

  private StoppingIngest() {}

  public static void main(String[] args) {
    SankuConfig config = SankuConfig.load(SankuConfig.Locations.of(Path.of(System.getenv("SANKU_CONF"))));
    SparkSession spark = SparkSessions.create("sanku-stopping-ingest", "local[2]");
    Warehouse wh = Warehouse.open(spark, args[1]);
    PrintStream out = new PrintStream(System.out, true);
    new IngestJob(spark, wh, Path.of(args[0]), config.schemas(), config.aliases(), config.settings(),
        HexFormat.of().parseHex(System.getenv("SANKU_PERSON_KEY")), out)
        // The crash point is inside the first ehr drop: the population drops before it are published, and no emr
        // drop beside it moves meanwhile.
        .oneSourceAtATime()
        .onProgress(point -> {
          if (point.equals(args[2])) {
            out.println("crash point reached: " + point);
            try {
              Thread.sleep(600_000);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }).run();
    spark.stop();
  }
}
