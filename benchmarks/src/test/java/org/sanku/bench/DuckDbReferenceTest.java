package org.sanku.bench;

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
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.generate.RegionGenerator;
import org.sanku.pipeline.SankuConfig;

/**
 * The benchmark's reference is only a fair one if it does the work it claims: on a clean region (no dirty rows, so
 * linking on the ID number alone finds every person the truth links), DuckDB's four headline indicators equal the
 * generator's truth in every county, numerator and denominator. The truth is counted by the generator person by
 * person in Java; the reference counts with its own SQL.
 */
class DuckDbReferenceTest {

  static final Path CONF = Path.of("..", "conf");

  @Test
  void onACleanRegionTheReferenceCountsWhatTheTruthCounts(@TempDir Path dir) throws Exception {
    Path landing = dir.resolve("landing");
    // Two nights: a full drop and a night of deltas (updates, deletes, new services), all UTF-8.
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", 3000, 5, LocalDate.parse("2025-12-31"),
        landing, 2, 0.0, "UTF-8", CONF, 2));
    SankuConfig config = SankuConfig.load(SankuConfig.Locations.of(CONF));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<DuckDbReference.Stage> stages = DuckDbReference.run(new DuckDbReference.Options(landing,
        LocalDate.parse("2025-12-31"), LocalDate.parse("2025-12-31"), dir.resolve("out"), 2, config.schemas(),
        config.aliases()), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertEquals(List.of("read", "normalise", "link", "indicators", "write", "total"),
        stages.stream().map(DuckDbReference.Stage::name).toList());

    Map<String, String> got = new TreeMap<>();
    for (String l : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
      if (l.startsWith("duckdb: value ")) {
        String[] p = l.split(" ");
        got.put(p[2] + " " + p[3] + "000000", p[4] + "/" + p[5]);
      }
    }
    Map<String, String> want = new TreeMap<>();
    for (var e : Values.readTruth(landing.resolve("truth").resolve("indicators.csv")).entrySet()) {
      String id = e.getKey().split(" ", -1)[0];
      String division = e.getKey().split(" ", -1)[1];
      // County rows: 12 digits ending in six zeros whose county part (digits 5–6) is not 00 (that is the city).
      boolean county = division.endsWith("000000") && !division.substring(4, 6).equals("00");
      if (List.of("ehr_coverage", "elderly_health_mgmt", "elderly_tcm_mgmt", "htn_std_mgmt").contains(id) && county) {
        want.put(e.getKey(), e.getValue().numerator() + "/" + e.getValue().denominator());
      }
    }
    // 4 indicators × the 9 counties of 南充.
    assertEquals(36, want.size(), want.toString());
    assertEquals(want, got);
    assertTrue(Files.size(dir.resolve("out").resolve("indicator.parquet")) > 0);
    assertTrue(Files.size(dir.resolve("out").resolve("person.parquet")) > 0);
  }
}
