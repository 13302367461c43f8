package org.sanku.cli;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.generate.RegionGenerator;
import org.sanku.ids.PersonKeys;
import org.sanku.storage.Warehouse;
import java.util.List;
import org.sanku.pipeline.Nightly;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.pipeline.SankuConfig;
import org.sanku.spark.SparkSessions;
import org.sanku.storage.PrivateFolders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sanku demo}: the whole path on a small generated region, on the embedded default. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Generate a small 南充 region (dirty rows, several nights), run the nightly pipeline on it in a "
        + "local warehouse (ingest, link, indicators) and print the county table of the headline indicators "
        + "against their targets.")
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
        + "own through SANKU_PERSON_KEY or --key-file); running the nightly pipeline into " + warehouse);
    SankuConfig config = Sanku.config();
    PrivateFolders.scratchFor(Warehouse.locationOf(warehouse.toString()));
    SparkSession spark = SparkSessions.create("sanku-demo", "local[*]");
    int rc;
    try {
      Warehouse wh = Warehouse.open(spark, Warehouse.locationOf(warehouse.toString()));
      RunContext ctx = new RunContext(spark, wh, config, null, PersonKeys.randomKey(), List.of(), System.out);
      Nightly.Outcome o = new Pipeline(ctx).landing(landing).nightly();
      NightlyCommand.print(o, System.out);
      rc = o.exitCode();
    } finally {
      spark.stop();
    }
    System.out.println();
    System.out.println("The table above is computed from the warehouse (ind.indicator_value); the generator's own "
        + "expected values are in " + landing.resolve("truth").resolve("indicators.csv") + ". Next:");
    System.out.println("  ./sanku indicators --warehouse " + warehouse + " --period 2025 --format xlsx --out "
        + dir.resolve("indicators-2025.xlsx"));
    System.out.println("  ./sanku sql --warehouse " + warehouse + " \"SELECT * FROM ind.indicator_value LIMIT 5\"");
    return rc;
  }
}
