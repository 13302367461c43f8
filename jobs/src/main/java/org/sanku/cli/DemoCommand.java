package org.sanku.cli;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.generate.RegionGenerator;
import org.sanku.ids.PersonKeys;
import org.sanku.ingest.Warehouse;
import org.sanku.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sanku demo}: the whole path on a small generated region, on the embedded default. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Generate a small 南充 region (dirty rows, several nights), ingest and link it in a local "
        + "warehouse, and print its county table.")
public final class DemoCommand implements Callable<Integer> {

  @Option(names = "--dir", defaultValue = "work/demo", description = "working folder (default: ${DEFAULT-VALUE})")
  Path dir;

  @Option(names = "--persons", defaultValue = "20000", description = "persons (default: ${DEFAULT-VALUE})")
  long persons;

  @Override
  public Integer call() throws Exception {
    Path landing = dir.resolve("landing");
    Path warehouse = dir.resolve("warehouse");
    RegionGenerator.deleteFolder(warehouse);
    System.out.println("sanku demo: generating 南充市 (" + persons + " persons, 3 nights, 2% dirty rows) into "
        + landing);
    RegionGenerator.Summary s = RegionGenerator.generate(new RegionGenerator.Options("nanchong", persons, 20251231L,
        LocalDate.parse("2025-12-31"), landing, 3, 0.02, null, Sanku.confDir(), 0));
    GenerateCommand.print(System.out, s);
    System.out.println();
    System.out.println("sanku demo: a person key was generated for this demo only (a real deployment supplies its "
        + "own through SANKU_PERSON_KEY or --key-file); ingesting and linking into " + warehouse);
    SparkSession spark = SparkSessions.create("sanku-demo", "local[*]");
    try {
      Warehouse wh = Warehouse.open(spark, Warehouse.locationOf(warehouse.toString()));
      byte[] key = PersonKeys.randomKey();
      int rc = IngestCommand.run(spark, wh, landing, key);
      if (rc != 0) {
        return rc;
      }
      LinkCommand.run(spark, wh, key, null);
    } finally {
      spark.stop();
    }
    System.out.println();
    System.out.println("The county table above holds the region's expected values (generator truth, "
        + "truth/indicators.csv); the indicator stage will compute them from the warehouse.");
    return 0;
  }
}
