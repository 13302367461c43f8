package org.sanku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sanku.pipeline.Nightly;
import org.sanku.quality.CheckCatalog;
import org.sanku.quality.CheckResult;
import org.sanku.quality.Night;
import org.sanku.quality.QualityJob;

/** The nightly's summary of the night's data quality, from hand-made results (no Spark). */
class NightlySummaryTest {

  private static CheckResult failing(String check, String source, String file) {
    return new CheckResult(check, CheckCatalog.Kind.QUARANTINE, CheckCatalog.Severity.WARN, source, "delivery_files",
        "file", Map.of("file", file), file, 3, 100, 0.03, null, 0.01, false, false);
  }

  private static String printed(List<CheckResult> results) {
    QualityJob.Result q = new QualityJob.Result("run-1", new Night(LocalDate.parse("2025-12-31"), Map.of(), Map.of(),
        List.of()), 2, 1, results, List.of(), Set.of(), List.of(), List.of(), 1.0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NightlyCommand.printQuality(new Nightly.Outcome(0, List.of(), null, null, q, null, 1.0),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String line(String text, String check) {
    return text.lines().filter(l -> l.startsWith("nightly:   warn     " + check + " ")).findFirst().orElse("");
  }

  /**
   * A check over the files of several sources names each source that failed it, sorted, whatever order the results
   * came in: bad dates in two population files and one health-record file are "ehr+population, 3 group(s)".
   */
  @Test
  void aCheckFailingInSeveralSourcesNamesEachOfThemInOrder() {
    List<CheckResult> results = new ArrayList<>(List.of(
        failing("quarantine_bad_date", "population", "population/20251230/pop_person.csv"),
        failing("quarantine_bad_date", "ehr", "ehr/20251231/ehr_person.csv"),
        failing("quarantine_bad_date", "population", "population/20251231/pop_person.csv"),
        failing("quarantine_orphan", "emr", "emr/20251231/emr_diagnosis.csv")));
    String a = printed(results);
    assertTrue(line(a, "quarantine_bad_date").endsWith(" ehr+population, 3 group(s) failing"), a);
    assertTrue(line(a, "quarantine_orphan").endsWith(" emr, 1 group(s) failing"), a);
    assertTrue(a.contains("night of 2025-12-31: 2 checks, 2 failing (0 error(s) blocking), run run-1"), a);
    java.util.Collections.reverse(results);
    String b = printed(results);
    assertTrue(line(b, "quarantine_bad_date").endsWith(" ehr+population, 3 group(s) failing"), b);
    assertEquals(a.lines().filter(l -> l.contains("group(s)")).sorted().toList(),
        b.lines().filter(l -> l.contains("group(s)")).sorted().toList());
  }
}
