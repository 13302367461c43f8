package org.sanku.quality;

import java.io.PrintStream;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.sanku.link.LinkedRegion;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/**
 * The generated dirty region of the ingest and link tests (3,000 persons, seed 11, 4% dirty rows, three nights),
 * checked once per test JVM with the shipped catalog: first for the night of 30 December, then for the night of 31
 * December, so the second run has a night before it to compare with. The published region of the report tests
 * (org.sanku.indicators.PublishedRegion) runs it too, so both see the same runs whichever comes first.
 */
public final class CheckedRegion {

  static final LocalDate NIGHT = LocalDate.parse("2025-12-31");

  private static QualityJob.Result first;
  private static QualityJob.Result result;

  private CheckedRegion() {}

  static SparkSession spark() {
    return TestSpark.get();
  }

  static Warehouse warehouse() {
    return LinkedRegion.warehouse();
  }

  static QualityJob job() {
    return new QualityJob(spark(), warehouse(), TestConfig.get().checks(), TestConfig.get().indicators(),
        TestConfig.get().schemas(), new PrintStream(System.out, true));
  }

  /** The run for the night of 31 December. */
  public static synchronized QualityJob.Result result() {
    if (result == null) {
      LinkedRegion.linked();
      first = job().run(NIGHT.minusDays(1));
      result = job().run(NIGHT);
    }
    return result;
  }

  /** The run for the night of 30 December (before {@link #result}). */
  public static synchronized QualityJob.Result first() {
    result();
    return first;
  }
}
