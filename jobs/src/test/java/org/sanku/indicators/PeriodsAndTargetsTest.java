package org.sanku.indicators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.cli.Sanku;

/** Periods as the users write them, and targets from the plans: worked out by hand, bad input refused clearly. */
class PeriodsAndTargetsTest {

  @Test
  void periodsParseAndCarryTheirDates() {
    // 2024 is a leap year: 366 days, mid date 2024-01-01 + (366 − 1) / 2 = + 182 days = 2024-07-01.
    Period y = Period.parse("2024");
    assertEquals("year", y.type());
    assertEquals(366, y.days());
    assertEquals(LocalDate.parse("2024-07-01"), y.mid());
    // Q3 2025: 1 July … 30 September, 92 days; the 365 days ending R start 2024-10-01.
    Period q = Period.parse("2025-Q3");
    assertEquals(LocalDate.parse("2025-09-30"), q.end());
    assertEquals(92, q.days());
    assertEquals(LocalDate.parse("2024-10-01"), q.windowStart());
    assertEquals(LocalDate.parse("2025-02-28"), Period.parse("2025-02").end());
    // Year to date as of 31 December is the closed year; as of 24 November it is 328 days.
    assertEquals(Period.year(2025), Period.parse("ytd:2025-12-31"));
    Period ytd = Period.parse("ytd:2025-11-24");
    assertEquals("ytd", ytd.type());
    assertEquals(328, ytd.days());
    // The nightly set: closed years from the first year with data, then the year to date.
    assertEquals(List.of(Period.year(2023), Period.year(2024), ytd), Period.nightly(LocalDate.parse("2025-11-24"), 2023));
    for (String bad : List.of("25", "2025-Q5", "2025-13", "ytd:2025-02-30", "last year")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Period.parse(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void aValueGetsTheTargetOfTheMostSpecificPlanForTheFirstYearNotBeforeIt(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("targets.yaml");
    Files.writeString(f, """
        plans:
          city: {name: 市规划, division: "511300000000"}
          county: {name: 县规划, division: "511302000000"}
        targets:
          - {indicator: a, plan: city, target: 80, target_year: 2025, baseline: 50, baseline_year: 2019}
          - {indicator: a, plan: city, target: 90, target_year: 2030}
          - {indicator: a, plan: county, target: 95, target_year: 2025}
        """);
    Targets t = Targets.load(f, Set.of("a"));
    List<String> county302 = List.of("511302000000", "511300000000", "510000000000");
    List<String> county303 = List.of("511303000000", "511300000000", "510000000000");
    // 顺庆 has its own plan: 95; 高坪 takes the city's: 2025 → 80, 2026 → the first year not before it, 2030 → 90;
    // after the last target year, the last target.
    assertEquals(95.0, t.lookup("a", county302, 2025).target());
    assertEquals(80.0, t.lookup("a", county303, 2025).target());
    assertEquals(90.0, t.lookup("a", county303, 2026).target());
    assertEquals(2030, t.lookup("a", county303, 2031).targetYear());
    assertEquals(50.0, t.lookup("a", county303, 2025).baseline());
    // The province is not under the city's plan.
    assertNull(t.lookup("a", List.of("510000000000"), 2025));
  }

  @Test
  void badTargetsAreRefusedNamingTheFileAndField(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("targets.yaml");
    String plans = "plans:\n  p: {name: 规划, division: \"511300000000\"}\n";
    Files.writeString(f, plans + "targets:\n  - {indicator: nope, plan: p, target: 1, target_year: 2025}\n");
    assertMessage(f, "targets[0].indicator: no indicator 'nope'");
    Files.writeString(f, plans + "targets:\n  - {indicator: a, plan: q, target: 1, target_year: 2025}\n");
    assertMessage(f, "targets[0].plan: no plan 'q'");
    Files.writeString(f, plans + "targets:\n  - {indicator: a, plan: p, target: high, target_year: 2025}\n");
    assertMessage(f, "targets[0].target: expected a number");
    Files.writeString(f, plans + "targets:\n  - {indicator: a, plan: p, target: 1}\n");
    assertMessage(f, "targets[0]: target and target_year go together");
    Files.writeString(f, "plans:\n  p: {name: 规划, division: \"5113\"}\n");
    assertMessage(f, "plans.p.division: expected a 12-digit division code");
  }

  private static void assertMessage(Path f, String part) {
    Catalog.CatalogException e = assertThrows(Catalog.CatalogException.class, () -> Targets.load(f, Set.of("a")));
    assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(part), e.getMessage());
  }

  @Test
  void theIndicatorsCommandRefusesBadOptionsBeforeStartingSpark() {
    // Exit code 1 with the option named; no session is started for a request that cannot be served.
    assertEquals(1, Sanku.run("indicators", "--warehouse", "nowhere", "--period", "2025", "--format", "pdf"));
    assertEquals(1, Sanku.run("indicators", "--warehouse", "nowhere", "--period", "2025-13"));
    assertEquals(1, Sanku.run("indicators", "--warehouse", "nowhere", "--period", "2025", "--format", "xlsx"));
    assertEquals(1, Sanku.run("indicators", "--warehouse", "nowhere", "--period", "2025", "--level", "town"));
  }
}
