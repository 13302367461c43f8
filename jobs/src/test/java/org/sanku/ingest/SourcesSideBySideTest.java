package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/**
 * The sources of a small delivery are ingested side by side (reference data first, then population, ehr and emr
 * together), and that gives the tables a run ingesting one source at a time gives.
 */
class SourcesSideBySideTest {

  @Test
  void theSourcesDependOnReferenceDataAloneAndFormOneLevelAfterIt() {
    // ehr and emr tables have division columns (ref_division) and emr visits an organisation lookup (ref_org);
    // the registry has division columns; no source's table references another's but reference data.
    assertEquals(List.of(List.of("reference"), List.of("population", "ehr", "emr")),
        org.sanku.ingest.schema.SchemaCatalog.load(IngestedRegion.SCHEMAS, IngestedRegion.CONF).sourceLevels());
  }

  /**
   * A dirty region's two nights (a full drop and a delta per source, 4% of rows with defects, so every source
   * quarantines and warns) ingested source by source into one warehouse and side by side into another: every table
   * of both zones holds the same rows (the quarantine, the warned values and the ledger included), and each run
   * reconciles every file the same way.
   */
  @Test
  void aDirtyRegionIngestedSideBySideEqualsItIngestedOneSourceAtATime(@TempDir Path landing) throws IOException {
    SparkSession spark = TestSpark.get();
    IngestedRegion.generate(landing, null, 300, 2);
    Warehouse oneByOne = IngestedRegion.newWarehouse();
    Warehouse together = IngestedRegion.newWarehouse();
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    ByteArrayOutputStream second = new ByteArrayOutputStream();
    IngestJob.Result a;
    IngestJob.Result b;
    try (PrintStream log = new PrintStream(first, true, StandardCharsets.UTF_8)) {
      a = IngestedRegion.job(oneByOne, landing, log).oneSourceAtATime().run();
    }
    try (PrintStream log = new PrintStream(second, true, StandardCharsets.UTF_8)) {
      b = IngestedRegion.job(together, landing, log).run();
    }
    String one = first.toString(StandardCharsets.UTF_8);
    String both = second.toString(StandardCharsets.UTF_8);
    assertTrue(a.ok(), a.refusals().toString());
    assertTrue(b.ok(), b.refusals().toString());
    // Two nights of four sources: eight drops each way, the files reconciled alike, in the sources' order.
    assertEquals(8, a.dropsIngested());
    assertEquals(8, b.dropsIngested());
    assertEquals(a.files().toString(), b.files().toString());
    assertTrue(a.files().stream().anyMatch(f -> f.quarantined() > 0), a.files().toString());
    // Only the second run says the three sources went side by side; reference data went first in both.
    assertFalse(one.contains("side by side"), one);
    // The rows the manifests of the six drops of those sources declare, counted here from the files' results.
    long newRows = a.files().stream().filter(f -> !f.source().equals("reference")).mapToLong(f -> f.manifestRows())
        .sum();
    assertTrue(both.lines().anyMatch(l -> l.equals(String.format("ingest: population, ehr, emr side by side (%,d rows "
        + "in new drops)", newRows))), both);
    assertTrue(both.contains("ingest: reference/") && both.indexOf("ingest: reference/") < both.indexOf("side by side"),
        both);
    // Each drop counts its own Spark jobs: its files' jobs (their lines) and its own (its quarantine, publication and
    // ledger), none of another source's drops running beside it.
    for (String text : List.of(one, both)) {
      java.util.Map<String, Long> filesJobs = new java.util.HashMap<>();
      java.util.Map<String, Long> dropJobs = new java.util.HashMap<>();
      java.util.regex.Pattern file = java.util.regex.Pattern.compile("^ingest: (\\S+/\\d{8}) +\\S+\\.csv\\S* .*; (\\d+) jobs, "
          + "\\d+ snapshots.*\\)$");
      java.util.regex.Pattern drop = java.util.regex.Pattern.compile("^ingest: (\\S+/\\d{8}) published \\(.*; (\\d+) jobs, .*");
      text.lines().forEach(l -> {
        java.util.regex.Matcher f = file.matcher(l);
        if (f.matches()) {
          filesJobs.merge(f.group(1), Long.parseLong(f.group(2)), Long::sum);
        }
        java.util.regex.Matcher d = drop.matcher(l);
        if (d.matches()) {
          dropJobs.put(d.group(1), Long.parseLong(d.group(2)));
        }
      });
      assertEquals(8, dropJobs.size(), text);
      assertEquals(dropJobs.keySet(), filesJobs.keySet(), text);
      for (var e : dropJobs.entrySet()) {
        assertTrue(e.getValue() >= filesJobs.get(e.getKey()), e.getKey() + ": " + e.getValue() + " jobs, its files "
            + filesJobs.get(e.getKey()) + "\n" + text);
      }
    }
    List<String> compared = SameTables.compare(spark, oneByOne, together, "the run source by source",
        "the run side by side");
    // And the run side by side wrote no table the other did not.
    for (String zone : List.of(together.analytics, together.identity)) {
      for (Row ns : spark.sql("SHOW NAMESPACES IN " + zone).collectAsList()) {
        for (Row t : spark.sql("SHOW TABLES IN " + zone + "." + ns.getString(0)).collectAsList()) {
          String name = ns.getString(0) + "." + t.getString(1);
          assertTrue(compared.stream().anyMatch(c -> c.startsWith(name + "=")), name);
        }
      }
    }
    System.out.println("SourcesSideBySideTest: tables compared, with their rows: " + compared);
    Set<String> names = new TreeSet<>(compared.stream().map(c -> c.substring(0, c.indexOf('='))).toList());
    assertTrue(names.containsAll(List.of("std.pop_person", "std.ehr_person", "std.emr_visit", "id.pop_person",
        "ops.quarantine", "id.quarantine", "ops.ingest_ledger")), names.toString());
    // The tables every source writes got rows from the sources side by side: the quarantine holds rows of every
    // source whose files quarantined some (at least two of the three in this region), the ledger a row per file of
    // the eight drops.
    Set<String> quarantining = new TreeSet<>(a.files().stream().filter(f -> f.quarantined() > 0)
        .map(IngestJob.FileResult::source).toList());
    quarantining.remove("reference");
    assertTrue(quarantining.size() >= 2, quarantining.toString());
    for (String source : quarantining) {
      assertTrue(spark.sql("SELECT count(*) FROM " + together.ops("quarantine") + " WHERE drop_id LIKE '" + source
          + "/%'").first().getLong(0) > 0, source);
    }
    assertEquals(a.files().size(), spark.table(together.ops("ingest_ledger")).count());
  }

  /** A drop staging the shared tables holds them until it releases them; the same drop may take them again. */
  @Test
  void oneDropAtATimeStagesTheTablesEverySourceWrites() throws Exception {
    IngestJob.SharedStaging shared = new IngestJob.SharedStaging();
    shared.acquire("ehr/20251230");
    shared.acquire("ehr/20251230"); // its files, side by side: already held
    CountDownLatch waiting = new CountDownLatch(1);
    AtomicReference<String> order = new AtomicReference<>("");
    Thread emr = new Thread(() -> {
      waiting.countDown();
      shared.acquire("emr/20251230");
      order.updateAndGet(o -> o + "emr ");
      shared.release("emr/20251230");
    });
    emr.start();
    assertTrue(waiting.await(10, TimeUnit.SECONDS));
    // The emr drop waits while the ehr drop publishes (a second is long enough for it to have got in, had it not
    // waited).
    Thread.sleep(1000);
    assertTrue(emr.isAlive());
    order.updateAndGet(o -> o + "ehr ");
    // Releasing what one does not hold changes nothing.
    shared.release("population/20251230");
    Thread.sleep(200);
    assertTrue(emr.isAlive());
    shared.release("ehr/20251230");
    emr.join(10_000);
    assertFalse(emr.isAlive());
    assertEquals("ehr emr ", order.get());
  }
}
