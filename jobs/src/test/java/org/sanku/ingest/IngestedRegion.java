package org.sanku.ingest;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.sanku.generate.RegionGenerator;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/** A generated dirty region over three nights, ingested once per test JVM into its own warehouse. */
public final class IngestedRegion {

  public static final byte[] KEY = hex("8f1c2a9b7d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccdd0");
  static final Path CONF = Path.of("..", "conf");
  static final Path SCHEMAS = Path.of("..", "schemas");
  private static final AtomicInteger WAREHOUSES = new AtomicInteger();

  private static Path landing;
  private static Warehouse warehouse;
  private static IngestJob.Result result;

  private IngestedRegion() {}

  public static synchronized Path landing() {
    if (landing == null) {
      try {
        landing = Files.createTempDirectory("sanku-landing");
        generate(landing, null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return landing;
  }

  /**
   * The shared region; its reference source also delivers the official population (all counties but one), so the
   * indicators' comparison with the truth covers official denominators and the fallback to the registry.
   */
  static void generate(Path out, String encoding) throws IOException {
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", 3000, 11, LocalDate.parse("2025-12-31"), out,
        3, 0.04, encoding, CONF, 2, true));
  }

  static void generate(Path out, String encoding, long persons, int nights) throws IOException {
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", persons, 11, LocalDate.parse("2025-12-31"), out,
        nights, 0.04, encoding, CONF, 2));
  }

  public static synchronized Warehouse warehouse() {
    if (warehouse == null) {
      warehouse = newWarehouse();
      java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
      java.io.OutputStream both = new java.io.OutputStream() {
        @Override
        public void write(int b) {
          buffer.write(b);
          System.out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          buffer.write(b, off, len);
          System.out.write(b, off, len);
        }
      };
      result = job(warehouse, landing(), new PrintStream(both, true, java.nio.charset.StandardCharsets.UTF_8)).run();
      log = buffer.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
    return warehouse;
  }

  /** What the shared ingest printed. */
  static synchronized String log() {
    warehouse();
    return log;
  }

  private static String log;

  static synchronized IngestJob.Result result() {
    warehouse();
    return result;
  }

  /** A fresh warehouse folder with catalogs of its own on the shared session. */
  static Warehouse newWarehouse() {
    try {
      int n = WAREHOUSES.incrementAndGet();
      Path dir = Files.createTempDirectory("sanku-wh");
      return new Warehouse(spark(), dir.toUri().toString(), "wa" + n, "wi" + n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static IngestJob.Result ingest(Warehouse wh, Path landing) {
    return job(wh, landing, new PrintStream(System.out, true)).run();
  }

  /** An ingest of the landing into the warehouse with the project's configuration and the test key. */
  static IngestJob job(Warehouse wh, Path landing, PrintStream log) {
    org.sanku.pipeline.SankuConfig c = org.sanku.spark.TestConfig.get();
    return new IngestJob(spark(), wh, landing, c.schemas(), c.aliases(), c.settings(), KEY, log);
  }

  static SparkSession spark() {
    return TestSpark.get();
  }

  static Path folder(Warehouse wh) {
    return Path.of(java.net.URI.create(wh.location));
  }

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }
}
