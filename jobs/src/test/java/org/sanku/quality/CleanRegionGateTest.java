package org.sanku.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.cli.NightlyCommand;
import org.sanku.generate.RegionGenerator;
import org.sanku.indicators.IndicatorJob;
import org.sanku.indicators.Period;
import org.sanku.ingest.IngestedRegion;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.pipeline.Nightly;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.pipeline.SankuConfig;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/**
 * A nightly over a clean region (250 persons, no dirty rows, one night) with the shipped catalog and one more check:
 * an error on the hospital records that a clean region fails (visits of people from outside the region are not
 * linked). Every shipped check passes; the added one holds back exactly the indicators that read the EMR source, the
 * others are published, the summary names both and the exit code is 4. An operator's --accept-dq for the check is
 * recorded and holds nothing back; held-back indicators keep the values published before.
 */
class CleanRegionGateTest {

  static final String STRICT = """
      checks:
        emr_unlinked_strict:
          description_zh: 就诊记录全部关联（测试用的严格检查）
          description_en: Every visit linked to a registry person (a strict check for the test)
          kind: linkage
          table: emr_visit
          predicate: "person_key IS NULL"
          threshold: 0
          severity: error
          recommendation: 核对未关联的就诊。
      """;

  /**
   * Worked out from conf/indicators: ehr_usage counts any hospital visit as a dynamic record (visit_in_window,
   * source visit → model.emr_visit); htn_unmanaged and t2dm_unmanaged need EMR-confirmed diagnoses (source
   * diagnosis → model.emr_diagnosis); link_rate_emr counts visits. Every other indicator reads the registry, the
   * health records and the reference data only.
   */
  static final List<String> HELD = List.of("ehr_usage", "htn_unmanaged", "t2dm_unmanaged", "link_rate_emr");

  @Test
  void aCleanRegionPassesAndAnErrorHoldsBackExactlyTheIndicatorsOfItsSource(@TempDir Path dir) throws Exception {
    SparkSession spark = TestSpark.get();
    Path landing = dir.resolve("landing");
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", 250, 5, LocalDate.parse("2025-12-31"), landing,
        1, 0.0, null, TestConfig.CONF, 2));
    Warehouse wh = new Warehouse(spark, Warehouse.locationOf(dir.resolve("wh").toString()), "cg_a", "cg_i");
    SankuConfig strict = withChecks(dir.resolve("all"), STRICT, true);

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Nightly.Outcome night = nightly(spark, wh, strict, landing, log);
    String text = log.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    QualityJob.Result q = night.quality();
    // Every shipped check passes on a clean region; every table of the catalog ran.
    assertTrue(q.results().size() > 100, "results: " + q.results().size());
    assertEquals(List.of("emr_unlinked_strict"), q.failures().stream().map(r -> r.checkId()).distinct().toList(),
        q.failures().stream().map(r -> r.checkId() + "@" + r.level() + r.keys() + " " + r.violated() + "/"
            + r.denominator()).toList().toString());
    // Every table of the catalog ran; each has results but two: with one night, no source usually delivers yet
    // (deliveries), and no county has the 30 EMR-confirmed patients the 漏管 signal needs (emr_confirmed_patients).
    assertEquals(TestConfig.get().checks().tables.size(), q.tables());
    Set<String> reported = q.results().stream().map(CheckResult::table).collect(java.util.stream.Collectors.toSet());
    Set<String> silent = new java.util.HashSet<>(TestConfig.get().checks().tables.keySet());
    silent.removeAll(reported);
    assertEquals(Set.of("deliveries", "emr_confirmed_patients"), silent);
    // The added error fails on emr and holds back the indicators reading it; the others are published.
    assertEquals(Nightly.HELD_BACK, night.exitCode(), text);
    assertEquals(List.of("emr_unlinked_strict"), q.failingChecks());
    assertEquals(Set.of("emr"), q.blockedSources());
    assertEquals(HELD, q.blockedIndicators());
    assertEquals(HELD, night.indicators().withheld());
    Map<String, String> published = publishedRuns(spark, wh);
    Set<String> others = new java.util.LinkedHashSet<>(TestConfig.get().indicators().indicators.keySet());
    HELD.forEach(others::remove);
    assertEquals(others, published.keySet());
    // The summary names the failing check and the held-back indicators, and says why the exit code is 4.
    assertTrue(text.contains("nightly: CHECK FAILED (error) emr_unlinked_strict"), text);
    assertTrue(text.contains("hold back: ehr_usage, htn_unmanaged, t2dm_unmanaged, link_rate_emr"), text);
    assertTrue(text.contains("(exit 4)"), text);

    // The operator accepts the failure for one run: recorded as accepted, it holds nothing back, all publish.
    SankuConfig only = withChecks(dir.resolve("only"), STRICT, false);
    Pipeline accepting = pipeline(spark, wh, only).acceptDq(List.of("emr_unlinked_strict"));
    QualityJob.Result accepted = accepting.quality();
    assertEquals(List.of(), accepted.blockedIndicators());
    assertEquals(List.of("emr_unlinked_strict"), accepted.accepted());
    List<Row> rows = spark.sql("SELECT passed, accepted FROM " + wh.dq("check_result") + " WHERE run_id = '"
        + accepted.runId() + "' AND check_id = 'emr_unlinked_strict' AND level = 'source'").collectAsList();
    assertEquals(1, rows.size());
    assertEquals(false, rows.get(0).getBoolean(0));
    assertEquals(true, rows.get(0).getBoolean(1));
    assertEquals(List.of("emr_unlinked_strict"), spark.sql("SELECT accepted FROM " + wh.dq("check_run")
        + " WHERE run_id = '" + accepted.runId() + "'").first().getList(0));
    IndicatorJob.Result all = accepting.indicators(List.of(Period.year(2025)));
    assertEquals(List.of(), all.withheld());
    assertEquals(TestConfig.get().indicators().indicators.keySet(), publishedRuns(spark, wh).keySet());

    // Without the acceptance the next run holds them back again: their published values stay those of the run
    // before, the others are replaced.
    Pipeline gated = pipeline(spark, wh, only);
    gated.quality();
    IndicatorJob.Result next = gated.indicators(List.of(Period.year(2025)));
    assertEquals(HELD, next.withheld());
    Map<String, String> runs = publishedRuns(spark, wh);
    for (String id : TestConfig.get().indicators().indicators.keySet()) {
      assertEquals(HELD.contains(id) ? all.runId() : next.runId(), runs.get(id), id);
    }
  }

  static Pipeline pipeline(SparkSession spark, Warehouse wh, SankuConfig config) {
    return new Pipeline(new RunContext(spark, wh, config, null, IngestedRegion.KEY, List.of(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
  }

  /** A nightly through the pipeline, printed as {@code ./sanku nightly} prints it. */
  static Nightly.Outcome nightly(SparkSession spark, Warehouse wh, SankuConfig config, Path landing,
      ByteArrayOutputStream log) {
    PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
    RunContext ctx = new RunContext(spark, wh, config, null, IngestedRegion.KEY, List.of(), out);
    Nightly.Outcome o = new Pipeline(ctx).landing(landing).nightly();
    NightlyCommand.print(o, out);
    return o;
  }

  /**
   * The test configuration with one more file of checks, beside the shipped ones ({@code shipped}) or beside the
   * shipped tables only.
   */
  static SankuConfig withChecks(Path dir, String extra, boolean shipped) throws Exception {
    Path checks = Files.createDirectories(dir.resolve("checks"));
    try (var s = Files.list(TestConfig.CONF.resolve("checks"))) {
      for (Path p : s.toList()) {
        if (shipped || p.getFileName().toString().equals("tables.yaml")) {
          Files.copy(p, checks.resolve(p.getFileName()));
        }
      }
    }
    Files.writeString(checks.resolve("local.yaml"), extra);
    SankuConfig c = TestConfig.get();
    return new SankuConfig(c.locations(), c.settings(), c.schemas(), c.aliases(), c.indicators(), c.targets(),
        CheckCatalog.load(checks, SchemaCatalog.SOURCES));
  }

  /** indicator → the run that published its values of the year 2025. */
  static Map<String, String> publishedRuns(SparkSession spark, Warehouse wh) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : spark.sql("SELECT DISTINCT indicator_id, run_id FROM " + wh.ind("indicator_value")
        + " WHERE period_start = DATE'2025-01-01' AND period_end = DATE'2025-12-31'").collectAsList()) {
      String before = out.put(r.getString(0), r.getString(1));
      assertEquals(null, before, r.getString(0) + " has values of one run");
    }
    return out;
  }
}
