package org.sanku.indicators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.cli.NightlyAccess;
import org.sanku.generate.RegionGenerator;
import org.sanku.ingest.Warehouse;
import org.sanku.spark.TestSpark;

/**
 * {@code ./sanku nightly} end to end on a fresh small region (1,200 persons of 南充, one full drop per source, 4%
 * dirty rows): ingest, link and indicators in one run, the published values equal to the generator's recoverable
 * truth; a second run with nothing new publishes the same numbers under a new run id; a refused drop makes the
 * exit code 3 while everything complete is still published.
 */
class NightlyTest {

  static final byte[] KEY = org.sanku.ingest.IngestedRegion.KEY;

  @Test
  void nightlyIngestsLinksAndPublishesTheTruth(@TempDir Path dir) throws Exception {
    Path landing = dir.resolve("landing");
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", 1200, 7, LocalDate.parse("2025-12-31"), landing,
        1, 0.04, null, Path.of("..", "conf"), 2));
    SparkSession spark = TestSpark.get();
    Warehouse wh = new Warehouse(spark, Warehouse.locationOf(dir.resolve("wh").toString()), "nta", "nti");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    NightlyAccess.Outcome first = NightlyAccess.run(spark, wh, landing, KEY, new PrintStream(log, true,
        StandardCharsets.UTF_8));
    String text = log.toString(StandardCharsets.UTF_8);
    assertEquals(0, first.exitCode(), text);
    assertTrue(text.contains("nightly [1/3] ingest") && text.contains("nightly [2/3] link")
        && text.contains("nightly [3/3] indicators"), text);
    // Stage summary: ingest, link, indicators with wall time and peak heap.
    assertEquals(List.of("ingest", "link", "indicators", "upkeep"), first.stages().stream().map(s -> s[0]).toList());
    assertEquals("", IndicatorRegionTest.differences(first.values(), landing.resolve("truth")));
    // The county table of the headline indicators is printed.
    assertTrue(text.contains("南充市"), text);

    // A later delivery with a broken manifest: refused, exit code 3; the indicators are still published.
    Path bad = landing.resolve("population").resolve("20260101");
    Files.createDirectories(bad);
    Files.writeString(bad.resolve("pop_person.csv"), "person_id\n1\n");
    NightlyAccess.Outcome second = NightlyAccess.run(spark, wh, landing, KEY, new PrintStream(
        new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(3, second.exitCode());
    assertNotEquals(first.runId(), second.runId());
    assertEquals(first.counts(), second.counts());
    // The table holds this run's values only once per cell (replaced, not appended).
    assertEquals(second.values().size(), spark.table(wh.analytics + ".ind.indicator_value")
        .filter("period_end = DATE'2025-12-31'").count());
    assertEquals(second.runId(), spark.sql("SELECT DISTINCT run_id FROM " + wh.analytics + ".ind.indicator_value "
        + "WHERE period_end = DATE'2025-12-31'").first().getString(0));
  }
}
