package org.sanku.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NightlyLogTest {

  /** A file's step is the sum of its four timed parts; the slowest comes first; drops are read apart from files. */
  @Test
  void stepsAreReadFromIngestLines() {
    List<String> lines = List.of(
        "ingest: ehr/20251230               ehr_person.csv             read     2,514  accepted     2,503  "
            + "quarantined     11  warned     75  (parse 2.4 s, count+check 0.6 s, merge 4.3 s, quarantine 1.4 s; "
            + "15 jobs, 6 snapshots)",
        "ingest: emr/20251230               emr_visit.csv              read       679  accepted       678  "
            + "quarantined      1  warned     45  (parse 0.1 s, count+check 0.2 s, merge 2.2 s, quarantine 0.4 s; "
            + "14 jobs, 4 snapshots)",
        "ingest: ehr/20251230 published (23.7 s; 91 jobs, 24 snapshots)",
        "ingest: emr/20251230 published (4.2 s; 41 jobs, 8 snapshots; interpreted)");
    List<NightlyLog.Step> steps = NightlyLog.slowestSteps(lines, 5);
    assertEquals(2, steps.size());
    // 2.4 + 0.6 + 4.3 + 1.4 = 8.7 s; 0.1 + 0.2 + 2.2 + 0.4 = 2.9 s.
    assertEquals(8.7, steps.get(0).seconds(), 1e-9);
    assertEquals(2.9, steps.get(1).seconds(), 1e-9);
    assertEquals("ehr/20251230/ehr_person.csv (2,514 rows: parse 2.4 s, count+check 0.6 s, merge 4.3 s, "
        + "quarantine 1.4 s)", steps.get(0).what());
    assertEquals(15, steps.get(0).jobs());
    assertEquals(6, steps.get(0).snapshots());
    List<NightlyLog.Step> drops = NightlyLog.drops(lines);
    assertEquals(2, drops.size());
    assertEquals(23.7, drops.get(0).seconds(), 1e-9);
    assertEquals(91, drops.get(0).jobs());
    assertEquals("ehr/20251230", drops.get(0).what());
    // A drop's line says how it ran (Execution): the step names it.
    assertEquals("emr/20251230 (interpreted)", drops.get(1).what());
    assertEquals(4.2, drops.get(1).seconds(), 1e-9);
    assertEquals(8, drops.get(1).snapshots());
  }
  /**
   * The warm run's child prints two nights: only the stages after the marker are the measured night's, and its wall
   * time is the one the child timed (81.9 s), not the child's (which includes the JVM start and the warm-up night).
   */
  @Test
  void theWarmRunIsTheSecondNightOfItsChild() {
    List<String> lines = List.of("bench: the warm-up night",
        "nightly: stage        wall s   peak heap MiB   Spark jobs   snapshots   ",
        "nightly: ingest          38.6           3,390          226          35   4 drop(s), 0 refused",
        "nightly: link            56.9           9,542          371          22   804731 records",
        WarmNight.MEASURED,
        "nightly: stage        wall s   peak heap MiB   Spark jobs   snapshots   ",
        "nightly: ingest          19.2           6,506          226          35   4 drop(s), 0 refused",
        "nightly: link            43.8           8,335          371          22   804731 records",
        WarmNight.TOOK + "81.9 s");
    Child.Run m = BenchResult.measured(new Child.Run(0, 190.0, 9000, lines, null));
    assertEquals(81.9, m.seconds(), 1e-9);
    List<NightlyLog.Stage> stages = NightlyLog.stages(m.lines());
    assertEquals(2, stages.size());
    assertEquals(19.2, stages.get(0).seconds(), 1e-9);
    assertEquals(43.8, stages.get(1).seconds(), 1e-9);
    assertEquals(9000, m.peakRssMiB());
    // A warm-up that failed: no measured night, no figures (not NaN in the table).
    Child.Run failed = BenchResult.measured(new Child.Run(1, 50.0, 4000, List.of("bench: the warm-up night",
        "bench: the warm-up night ended with exit code 1"), null));
    assertTrue(Double.isNaN(failed.seconds()));
    BenchResult r = new BenchResult(1000, 3, 0.02, "UTF-8", java.time.LocalDate.parse("2025-12-31"));
    r.sanku("warm", new Child.Run(1, 50.0, 4000, List.of("bench: the warm-up night"), null));
    String table = r.render("test machine", "abc1234", java.time.LocalDate.parse("2026-12-07"));
    assertTrue(table.contains("| night of deltas, warm JVM (`--daily-at`) | not measured: the run before it ended "
        + "with exit code 1 (see its log) |"), table);
    assertTrue(!table.contains("NaN"), table);
  }
}
