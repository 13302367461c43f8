package org.sanku.indicators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.link.LinkedRegion;
import org.sanku.spark.TestSpark;

/**
 * End to end on generated data (3,000 persons, three nights of drops with dirty rows, ingested and linked): every
 * indicator at every level (each county, the city, the province) equals the generator's recoverable truth
 * (truth/indicators.csv, computed person by person in plain Java from the facts the pipeline can recover).
 */
class IndicatorRegionTest {

  private static IndicatorJob.Result result;

  @BeforeAll
  static void run() {
    LinkedRegion.linked();
    result = new IndicatorJob(TestSpark.get(), LinkedRegion.warehouse(), Path.of("..", "conf"),
        new PrintStream(System.out, true)).run(LinkedRegion.AS_OF_PUBLIC, List.of(Period.year(2025)));
  }

  @Test
  void everyIndicatorAtEveryLevelEqualsTheRecoverableTruth() throws Exception {
    List<String> lines = Files.readAllLines(LinkedRegion.truth().resolve("indicators.csv"));
    List<String> head = List.of(lines.get(0).split(",", -1));
    Map<String, String> want = new TreeMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      String id = f[head.indexOf("indicator_id")];
      String key = id + "|" + f[head.indexOf("division_level")] + "|" + f[head.indexOf("division_code")];
      want.put(key, f[head.indexOf("numerator_recoverable")] + "/" + f[head.indexOf("denominator_recoverable")]
          + " " + f[head.indexOf("value_recoverable")]);
    }
    Map<String, String> got = new TreeMap<>();
    for (IndicatorJob.Value v : result.values()) {
      got.put(v.indicator().id() + "|" + v.level() + "|" + v.divisionCode(), v.numerator() + "/" + v.denominator()
          + " " + (v.value() == null ? "" : String.format(java.util.Locale.ROOT, "%.6f", v.value())));
    }
    // Indicators × (9 counties + city + province); rows with nothing to count are absent from one side only.
    want.entrySet().removeIf(e -> e.getValue().startsWith("0/0") && !got.containsKey(e.getKey()));
    StringBuilder diff = new StringBuilder();
    for (var e : want.entrySet()) {
      if (!e.getValue().equals(got.get(e.getKey()))) {
        diff.append(e.getKey()).append(": truth ").append(e.getValue()).append(", Sanku ").append(got.get(e.getKey()))
            .append('\n');
      }
    }
    for (String k : got.keySet()) {
      if (!want.containsKey(k)) {
        diff.append(k).append(": not in the truth, Sanku ").append(got.get(k)).append('\n');
      }
    }
    assertEquals("", diff.toString());
    assertTrue(want.size() >= 20 * 11, "cells compared: " + want.size());
  }

  @Test
  void lifeExpectancyHasItsInterval() {
    IndicatorJob.Value city = result.values().stream()
        .filter(v -> v.indicator().id().equals("life_expectancy") && v.level().equals("city")).findFirst().orElseThrow();
    assertNotNull(city.value());
    assertTrue(city.lower95() < city.value() && city.value() < city.upper95());
  }
}
