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
import org.sanku.spark.DriverRows;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.cli.NightlyCommand;
import org.sanku.pipeline.Nightly;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.generate.RegionGenerator;
import org.sanku.storage.Warehouse;
import org.sanku.spark.TestSpark;

/**
 * {@code ./sanku nightly} end to end on a fresh small region (1,200 persons of 南充, one full drop per source, 4%
 * dirty rows). The first night's delivery breaks two contract rules: the EMR drop says it is a delta although no
 * full EMR drop was ever ingested (contract §1: the first drop of a source is full), and the EHR drop's
 * ehr_person.csv lacks its required birth_date column (§2). Both are refused, exit code 3, and the indicators are
 * published over what is complete (the registry: residents, but no record and no visit counted). Re-delivered
 * correctly, the next run ingests them, links, and publishes values equal to the generator's recoverable truth;
 * a later refused drop again makes the exit code 3 while the same numbers stay published under a new run id.
 */
class NightlyTest {

  static final byte[] KEY = org.sanku.ingest.IngestedRegion.KEY;

  @Test
  void nightlyIngestsLinksAndPublishesTheTruth(@TempDir Path dir) throws Exception {
    // The whole run reads its configuration from a copy of conf/ elsewhere, found as the launcher finds it
    // (SANKU_CONF, with SANKU_HOME the installation whose schemas/ it uses).
    Path etc = org.sanku.pipeline.SankuConfigTest.copyConf(dir.resolve("etc").resolve("sanku"));
    config = org.sanku.pipeline.SankuConfig.load(org.sanku.pipeline.SankuConfig.Locations.resolve(java.util.Map.of(
        "SANKU_CONF", etc.toString(), "SANKU_HOME", org.sanku.pipeline.SankuConfigTest.PROJECT.toString())::get));
    assertEquals(etc, config.locations().conf());
    Path landing = dir.resolve("landing");
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", 1200, 7, LocalDate.parse("2025-12-31"), landing,
        1, 0.04, null, etc, 2));
    SparkSession spark = TestSpark.get();
    Warehouse wh = new Warehouse(spark, Warehouse.locationOf(dir.resolve("wh").toString()), "nta", "nti");
    // The broken first delivery, its correct files kept aside for the re-delivery.
    Path aside = Files.createDirectories(dir.resolve("aside"));
    Path emrManifest = landing.resolve("emr/20251231/manifest.json");
    Path ehrPerson = landing.resolve("ehr/20251231/ehr_person.csv");
    Path ehrManifest = landing.resolve("ehr/20251231/manifest.json");
    for (Path f : List.of(emrManifest, ehrPerson, ehrManifest)) {
      Files.copy(f, aside.resolve(f.getParent().getParent().getFileName() + "-" + f.getFileName()));
    }
    Files.writeString(emrManifest, Files.readString(emrManifest).replace("\"full\"", "\"delta\""));
    List<String> ep = Files.readAllLines(ehrPerson, StandardCharsets.UTF_8);
    ep.set(0, ep.get(0).replace(",birth_date,", ",birth_day,"));
    byte[] bytes = (String.join("\n", ep) + "\n").getBytes(StandardCharsets.UTF_8);
    Files.write(ehrPerson, bytes);
    String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    String oldSha = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ehrManifest.toFile()).get("files")
        .get("ehr_person.csv").get("sha256").asText();
    Files.writeString(ehrManifest, Files.readString(ehrManifest).replace(oldSha, sha));
    ByteArrayOutputStream refusedLog = new ByteArrayOutputStream();
    Nightly.Outcome refused = nightly(spark, wh, landing, new PrintStream(refusedLog, true, StandardCharsets.UTF_8));
    String refusedText = refusedLog.toString(StandardCharsets.UTF_8);
    assertEquals(3, refused.exitCode(), refusedText);
    assertTrue(refusedText.contains("emr/20251231: a delta drop, but no full drop of emr has been ingested"),
        refusedText);
    assertTrue(refusedText.contains("ehr/20251231/ehr_person.csv: required column(s) birth_date missing"),
        refusedText);
    assertTrue(!spark.catalog().tableExists(wh.std("ehr_person")) && !spark.catalog().tableExists(wh.std("emr_visit")));
    // Published over what is complete: the registry's residents are counted, no record and no visit is.
    java.util.Map<String, String> partial = counts(refused);
    assertTrue(partial.get("aging_65|511300000000").matches("[1-9][0-9]*/[1-9][0-9]*"), partial.toString());
    assertTrue(partial.get("ehr_coverage|511300000000").matches("0/[1-9][0-9]*"), partial.toString());
    // No visit at all: nothing to count (no row, or 0/0).
    assertEquals("0/0", partial.getOrDefault("link_rate_emr|511300000000", "0/0"));

    // Re-delivered as the contract says: the EMR drop full, ehr_person.csv with its birth_date column.
    for (Path f : List.of(emrManifest, ehrPerson, ehrManifest)) {
      Files.copy(aside.resolve(f.getParent().getParent().getFileName() + "-" + f.getFileName()), f,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    // No stage brings person-level rows to the driver: every collect of the whole nightly is read in its plan.
    DriverRows driver = new DriverRows(personKeys()).install(spark);
    Nightly.Outcome first;
    try {
      first = nightly(spark, wh, landing, new PrintStream(log, true, StandardCharsets.UTF_8));
      spark.sparkContext().listenerBus().waitUntilEmpty();
      // The check sees the nightly's collects (ledgers, counts, catalog reads, the published values) ...
      assertTrue(driver.actions().size() >= 20, String.join("\n", driver.actions()));
      assertTrue(driver.actions().stream().anyMatch(a -> a.contains("std.")), String.join("\n", driver.actions()));
      assertEquals(List.of(), driver.violations());
      // ... and would see one that brings the registry's persons over, but not their count by sex.
      spark.table(wh.std("pop_person")).select("id_key", "sex_code").collectAsList();
      spark.table(wh.std("pop_person")).groupBy("sex_code").count().collectAsList();
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertEquals(1, driver.violations().size(), String.join("\n", driver.violations()));
      assertTrue(driver.violations().get(0).startsWith("collectAsList reads "), driver.violations().get(0));
    } finally {
      driver.close();
    }
    String text = log.toString(StandardCharsets.UTF_8);
    assertEquals(0, first.exitCode(), text);
    assertTrue(text.contains("nightly [1/3] ingest") && text.contains("nightly [2/3] link")
        && text.contains("nightly [3/3] indicators"), text);
    // Stage summary: ingest, link, the data-quality checks, indicators with wall time and peak heap.
    assertEquals(List.of("ingest", "link", "quality", "indicators", "upkeep"),
        first.stages().stream().map(Nightly.Stage::name).toList());
    // ... and what each cost: ingest wrote each of the 8 contract tables of the re-delivered ehr and emr drops at
    // least once (a snapshot each) with Spark jobs, and link replaced its tables the same way.
    Nightly.Stage ingest = first.stages().get(0);
    Nightly.Stage link = first.stages().get(1);
    assertTrue(ingest.jobs() > 0 && ingest.snapshots() >= 8, ingest.toString());
    assertTrue(link.jobs() > 0 && link.snapshots() > 0, link.toString());
    assertEquals("", IndicatorRegionTest.differences(first.indicators().values(), landing.resolve("truth")));
    // The county table of the headline indicators is printed.
    assertTrue(text.contains("南充市"), text);
    // A small region runs interpreted (Execution): every drop's line says so, and linkage, the checks and the
    // indicators each name the rows of the warehouse's source tables they were sized by. Those are the tables'
    // snapshot row counts: at least the rows a count finds (deleted rows stay counted until compaction), and under
    // the limit of 100,000.
    assertTrue(text.lines().filter(l -> l.startsWith("ingest: ") && l.contains(" published (")).count() >= 2, text);
    assertTrue(text.lines().filter(l -> l.startsWith("ingest: ") && l.contains(" published ("))
        .allMatch(l -> l.endsWith("; interpreted)")), text);
    java.util.regex.Matcher sized = java.util.regex.Pattern.compile("(?m)^(link|quality|indicators): interpreted "
        + "\\(the warehouse's source tables hold ([\\d,]+) rows, fewer than 100,000\\)$").matcher(text);
    List<String> sizedStages = new java.util.ArrayList<>();
    long sizedRows = -1;
    while (sized.find()) {
      sizedStages.add(sized.group(1));
      sizedRows = Long.parseLong(sized.group(2).replace(",", ""));
    }
    assertEquals(List.of("link", "quality", "indicators"), sizedStages, text);
    long counted = 0;
    for (org.sanku.ingest.schema.TableSchema t : org.sanku.spark.TestConfig.get().schemas().tables()) {
      if (spark.catalog().tableExists(wh.std(t.table()))) {
        counted += spark.table(wh.std(t.table())).count();
      }
    }
    assertTrue(counted > 0 && sizedRows >= counted && sizedRows < 100_000, sizedRows + " against " + counted);

    // A later delivery with a broken manifest: refused, exit code 3; the indicators are still published.
    Path bad = landing.resolve("population").resolve("20260101");
    Files.createDirectories(bad);
    Files.writeString(bad.resolve("pop_person.csv"), "person_id\n1\n");
    Nightly.Outcome second = nightly(spark, wh, landing, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8));
    assertEquals(3, second.exitCode());
    assertNotEquals(first.indicators().runId(), second.indicators().runId());
    assertEquals(counts(first), counts(second));
    // The region has services in 2024 too: the nightly keeps that closed year beside 2025 (both compared with the
    // truth above).
    assertEquals(List.of(Period.year(2024), Period.year(2025)), second.indicators().periods());
    // The table holds this run's values only once per cell (replaced, not appended).
    assertEquals(second.indicators().values().stream().filter(v -> v.period().end().toString().equals("2025-12-31"))
        .count(), spark.table(wh.analytics + ".ind.indicator_value").filter("period_end = DATE'2025-12-31'").count());
    assertEquals(second.indicators().runId(), spark.sql("SELECT DISTINCT run_id FROM " + wh.analytics + ".ind.indicator_value "
        + "WHERE period_end = DATE'2025-12-31'").first().getString(0));
  }

  private static org.sanku.pipeline.SankuConfig config;

  /** A nightly through the pipeline, printed as {@code ./sanku nightly} prints it. */
  static Nightly.Outcome nightly(SparkSession spark, Warehouse wh, Path landing, PrintStream out) {
    RunContext ctx = new RunContext(spark, wh, config, null, KEY, List.of(), out);
    Nightly.Outcome o = new Pipeline(ctx).landing(landing).nightly();
    NightlyCommand.print(o, out);
    return o;
  }

  /** The columns that identify a person or a record: the contract's primary keys, the person key, a line. */
  static java.util.Set<String> personKeys() {
    java.util.Set<String> keys = new java.util.HashSet<>(List.of("person_key", "_line", "id_key"));
    for (org.sanku.ingest.schema.TableSchema t : config.schemas().tables()) {
      if (!t.source().equals("reference")) {
        keys.addAll(t.primaryKey());
      }
    }
    return keys;
  }

  /** indicator|division → numerator/denominator. */
  static java.util.Map<String, String> counts(Nightly.Outcome o) {
    java.util.Map<String, String> m = new java.util.TreeMap<>();
    for (org.sanku.indicators.IndicatorJob.Value v : o.indicators().values()) {
      m.put(v.indicator().id() + "|" + v.divisionCode(), v.numerator() + "/" + v.denominator());
    }
    return m;
  }
}
