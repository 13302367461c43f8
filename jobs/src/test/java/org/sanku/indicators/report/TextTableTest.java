package org.sanku.indicators.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sanku.indicators.report.Cells.CITY;
import static org.sanku.indicators.report.Cells.PROVINCE;
import static org.sanku.indicators.report.Cells.rate;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextTableTest {

  private static final String UNMANAGED = "htn_unmanaged";

  /** Two indicators over 2 counties, their city and the province; names of mixed width. */
  private static List<Cell> cells() {
    List<Cell> cells = new ArrayList<>();
    cells.add(rate(PROVINCE, "province", "四川省", null, 900, 1000));
    cells.add(rate("511302000000", "county", "顺庆区", CITY, 1234, 1500));
    // A county with no one in the denominator: value null.
    cells.add(rate("511303000000", "county", "高坪区Gaoping", CITY, 0, 0));
    cells.add(rate(CITY, "city", "南充市", PROVINCE, 1234, 1500));
    // 漏管率: lower is better, target ≤ 5.
    for (Cell c : List.copyOf(cells)) {
      cells.add(new Cell(UNMANAGED, "高血压漏管率", "Hypertension unmanaged", "%", "year",
          c.periodStart(), c.periodEnd(), c.divisionCode(), c.divisionLevel(), c.divisionName(),
          c.parentCode(), 7, 100, 7.0, null, null, 5.0, 2025, null, false, 2.0));
    }
    return cells;
  }

  private static List<String> lines(String table) {
    assertTrue(table.endsWith("\n"));
    return List.of(table.split("\n"));
  }

  @Test
  void displayWidthCountsChineseAsTwo() {
    assertEquals(6, TextTable.displayWidth("南充市"));
    // Full-width parentheses count 2 each; ASCII, ≥ and the em dash 1.
    assertEquals(10, TextTable.displayWidth("市（合计）"));
    assertEquals(8, TextTable.displayWidth("≥90.00%—"));
    assertEquals(4, TextTable.displayWidth("ＡＢ"));
    assertEquals(3, TextTable.displayWidth("。a"));
  }

  @Test
  void everyLineHasTheSameDisplayWidth() {
    String table = TextTable.render(cells(), List.of("elderly_health_mgmt", UNMANAGED));
    List<String> lines = lines(table);
    // Header, target line, rule, 4 divisions.
    assertEquals(7, lines.size(), table);
    int width = TextTable.displayWidth(lines.get(0));
    for (String line : lines) {
      assertEquals(width, TextTable.displayWidth(line), table);
    }
    assertTrue(width <= 120);
    // The values end in the same display column as their header: right-aligned. The header
    // line ends with "htn_unmanaged", the first county's line with its value 7.00.
    assertTrue(lines.get(0).endsWith(UNMANAGED), table);
    assertTrue(lines.get(3).endsWith("7.00"), table);
    // elderly_health_mgmt's column ends where "elderly_health_mgmt" ends in the header.
    int end = TextTable.displayWidth(lines.get(0).substring(0,
        lines.get(0).indexOf("elderly_health_mgmt") + "elderly_health_mgmt".length()));
    String shunqing = lines.get(3);
    assertEquals(end, TextTable.displayWidth(shunqing.substring(0,
        shunqing.indexOf("82.27") + "82.27".length())), table);
  }

  @Test
  void rowsGoCountiesCityProvinceWithDashForNull() {
    List<String> lines = lines(TextTable.render(cells(), List.of("elderly_health_mgmt",
        UNMANAGED)));
    // Targets with direction and unit: ≥90.00% for the management rate, ≤5.00% for 漏管.
    assertTrue(lines.get(1).contains("目标"), lines.get(1));
    assertTrue(lines.get(1).contains("≥90.00%"), lines.get(1));
    assertTrue(lines.get(1).endsWith("≤5.00%"), lines.get(1));
    assertTrue(lines.get(2).matches("-+"));
    // Counties indented, in code order, then the city subtotal, then the province.
    assertTrue(lines.get(3).startsWith("511302000000    顺庆区"), lines.get(3));
    assertTrue(lines.get(4).startsWith("511303000000    高坪区Gaoping"), lines.get(4));
    assertTrue(lines.get(5).startsWith("511300000000  南充市（市合计）"), lines.get(5));
    assertTrue(lines.get(6).startsWith("510000000000  四川省（全省合计）"), lines.get(6));
    // 1234 / 1500 × 100 = 82.2666… → 82.27; 高坪区 has no denominator: —.
    assertTrue(lines.get(3).contains(" 82.27 "), lines.get(3));
    assertEquals("—", lines.get(4).trim().split(" +")[2]);
  }

  @Test
  void columnsFollowTheRequestedIdsAndSplitToFit() {
    // Only htn_unmanaged: one indicator column.
    List<String> one = lines(TextTable.render(cells(), List.of(UNMANAGED)));
    assertTrue(one.get(0).endsWith(UNMANAGED) && !one.get(0).contains("elderly"), one.get(0));
    // A 60-column terminal cannot hold both indicator columns beside the division columns
    // (12 + 2 + 18 + 2 + 19 + 2 + 13 = 68): two tables, one under the other, split by a blank
    // line, each with the division columns and every line within its table equally wide.
    String split = TextTable.render(cells(), null, 60);
    String[] tables = split.split("\n\n");
    assertEquals(2, tables.length, split);
    assertTrue(tables[0].startsWith("区划代码") && tables[0].contains("elderly_health_mgmt"));
    assertTrue(tables[1].startsWith("区划代码") && tables[1].contains(UNMANAGED));
    for (String t : tables) {
      List<String> ls = List.of(t.split("\n"));
      assertEquals(7, ls.size());
      ls.forEach(l -> assertEquals(TextTable.displayWidth(ls.get(0)), TextTable.displayWidth(l)));
    }
  }

  @Test
  void aDivisionTwiceForAnIndicatorIsRejected() {
    List<Cell> twice = new ArrayList<>(cells());
    twice.add(twice.get(0));
    assertThrows(IllegalArgumentException.class, () -> TextTable.render(twice, null));
  }
}
