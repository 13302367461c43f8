package org.sanku.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValuesTest {

  private static final String TRUTH_HEADER = "indicator_id,period_type,period_start,period_end,division_code,"
      + "division_level,division_name,numerator_true,denominator_true,value_true,lower95_true,upper95_true,"
      + "numerator_recoverable,denominator_recoverable,value_recoverable,lower95_recoverable,upper95_recoverable\n";

  /**
   * A county value and the truth's count without a county: the first equals the published value, the second the
   * published counts of ind.unassigned_count (28/31: Sanku publishes counts there, the truth also a rate, 90.322581,
   * which is not compared). A later period of the truth is not compared. Without the counts, the second differs.
   */
  @Test
  void countsWithoutACountyAreComparedWithTheUnassignedCounts(@TempDir Path dir) throws Exception {
    Path truth = Files.writeString(dir.resolve("indicators.csv"), TRUTH_HEADER
        + "link_rate_emr,year,2025-01-01,2025-12-31,511302000000,county,顺庆区,9,10,90.000000,,,9,10,90.000000,,\n"
        + "link_rate_emr,year,2025-01-01,2025-12-31,,unassigned,,28,31,90.322581,,,28,31,90.322581,,\n"
        + "link_rate_emr,year,2024-01-01,2024-12-31,511302000000,county,顺庆区,1,2,50.000000,,,1,2,50.000000,,\n");
    Path published = Files.writeString(dir.resolve("values.csv"), "indicator_id,division_code,numerator,denominator,"
        + "value,lower95,upper95\nlink_rate_emr,511302000000,9,10,90.0,,\n");
    Path unassigned = Files.writeString(dir.resolve("unassigned.csv"), "indicator_id,numerator,denominator\n"
        + "link_rate_emr,28,31\n");
    Values.Comparison c = Values.compare(published, unassigned, truth, Files.createDirectories(dir.resolve("a")),
        "c1");
    assertEquals(2, c.truthRows());
    assertEquals(2, c.equalToTruth(), c.differences().toString());
    assertTrue(c.ok());
    Values.Comparison without = Values.compare(published, null, truth, Files.createDirectories(dir.resolve("b")),
        "c1");
    assertEquals(1, without.equalToTruth());
    assertFalse(without.ok());
    assertTrue(without.differences().get(0).startsWith("link_rate_emr : published null"), without.differences()
        .toString());
  }
}
