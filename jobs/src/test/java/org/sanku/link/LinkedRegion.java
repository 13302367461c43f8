package org.sanku.link;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.sanku.storage.Warehouse;
import org.sanku.spark.TestSpark;

/** A generated dirty region (3,000 persons, three nights), ingested once per test JVM and linked once. */
public final class LinkedRegion {

  static final byte[] KEY = org.sanku.ingest.IngestedRegion.KEY;
  static final Path CONF = Path.of("..", "conf");
  static final Path SCHEMAS = Path.of("..", "schemas");
  static final LocalDate AS_OF = LocalDate.parse("2025-12-31");
  public static final LocalDate AS_OF_PUBLIC = AS_OF;

  private static Path landing;
  private static Warehouse warehouse;
  private static LinkJob.Result linked;

  private LinkedRegion() {}

  static SparkSession spark() {
    return TestSpark.get();
  }

  /** The region the ingest tests generate (same seed and size), shared so the suite ingests it once. */
  public static Path landing() {
    return org.sanku.ingest.IngestedRegion.landing();
  }

  /** The warehouse the ingest tests fill. */
  public static Warehouse warehouse() {
    return org.sanku.ingest.IngestedRegion.warehouse();
  }

  /** The region linked once (reference date: the latest drop, 2025-12-31). */
  public static synchronized LinkJob.Result linked() {
    if (linked == null) {
      linked = new LinkJob(spark(), warehouse(), KEY, LinkJob.latestDropDate(spark(), warehouse()),
          new PrintStream(System.out, true)).residentRule(TinyWarehouse.RESIDENT).run();
    }
    return linked;
  }

  /** Linkage's tables, as {@link IncrementalLinkTest#tables} reads them: every row as text, sorted. */
  public static java.util.Map<String, java.util.List<String>> linkageRows(SparkSession spark, Warehouse wh) {
    return IncrementalLinkTest.tables(spark, wh);
  }

  public static Path truth() {
    return landing().resolve("truth");
  }
}
