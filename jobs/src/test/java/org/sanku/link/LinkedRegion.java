package org.sanku.link;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.sanku.generate.RegionGenerator;
import org.sanku.ingest.IngestJob;
import org.sanku.ingest.Warehouse;
import org.sanku.spark.TestSpark;

/** A generated dirty region (3,000 persons, three nights), ingested once per test JVM into its own warehouse. */
final class LinkedRegion {

  static final byte[] KEY = java.util.HexFormat.of()
      .parseHex("8f1c2a9b7d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccdd0");
  static final Path CONF = Path.of("..", "conf");
  static final Path SCHEMAS = Path.of("..", "schemas");
  static final LocalDate AS_OF = LocalDate.parse("2025-12-31");

  private static Path landing;
  private static Warehouse warehouse;

  private LinkedRegion() {}

  static SparkSession spark() {
    return TestSpark.get();
  }

  static synchronized Path landing() {
    if (landing == null) {
      try {
        landing = Files.createTempDirectory("sanku-link-landing");
        RegionGenerator.generate(new RegionGenerator.Options("nanchong", 3000, 11, AS_OF, landing, 3, 0.04, null,
            CONF, 2));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return landing;
  }

  /** The ingested warehouse (catalogs lk_ra / lk_ri). */
  static synchronized Warehouse warehouse() {
    if (warehouse == null) {
      Path l = landing();
      try {
        Path dir = Files.createTempDirectory("sanku-link-wh");
        warehouse = new Warehouse(spark(), dir.toUri().toString(), "lk_ra", "lk_ri");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      new IngestJob(spark(), warehouse, l, SCHEMAS, CONF, KEY, new PrintStream(System.out, true)).run();
    }
    return warehouse;
  }
}
