package org.sanku.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one Spark session every test in the JVM shares (local[2], two shuffle partitions, no UI), and beside it on the
 * same Spark context the one users' session ({@link SparkSessions#forReaders}), read-only, for the tests of what users
 * can do.
 */
public final class TestSpark {

  private static SparkSession spark;
  private static SparkSession readers;
  private static Path warehouse;

  private TestSpark() {}

  public static synchronized SparkSession get() {
    if (spark == null) {
      try {
        warehouse = Files.createTempDirectory("sanku-test-warehouse");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      System.setProperty("spark.sql.shuffle.partitions", "2");
      spark = SparkSessions.create("sanku-tests", "local[2]");
      spark.conf().set("spark.sql.shuffle.partitions", "2");
      spark.conf().set("spark.default.parallelism", "2");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop()));
    }
    return spark;
  }

  /** The users' session: the read-only guard built in; it sees only the catalogs registered on it. */
  public static synchronized SparkSession readers() {
    if (readers == null) {
      get();
      readers = SparkSessions.forReaders("sanku-tests", "local[2]");
    }
    return readers;
  }

  public static Path warehouse() {
    get();
    return warehouse;
  }
}
