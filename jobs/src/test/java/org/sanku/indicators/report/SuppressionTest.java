package org.sanku.indicators.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.sanku.indicators.report.Cells.CITY;
import static org.sanku.indicators.report.Cells.PROVINCE;
import static org.sanku.indicators.report.Cells.city;
import static org.sanku.indicators.report.Cells.county;
import static org.sanku.indicators.report.Cells.rate;
import static org.sanku.indicators.report.Suppression.COMPLEMENTARY;
import static org.sanku.indicators.report.Suppression.SMALL_CELL;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuppressionTest {

  private static final String A = "511302000000";
  private static final String B = "511303000000";
  private static final String C = "511304000000";

  /** The reasons of the published rows, in order. */
  private static List<String> reasons(List<Published> rows) {
    List<String> out = new ArrayList<>();
    rows.forEach(p -> out.add(p.suppression()));
    return out;
  }

  @Test
  void oneSmallCountyHidesTheOpenCountyWithTheSmallestDenominator() {
    // A 3/40: numerator 3 < 5, small cell. B 12/30 and C 20/50 pass the small-cell test.
    // With only A hidden, city − B − C would give A back, so one more county goes: of B (den 30)
    // and C (den 50) the smaller denominator is B. Now two counties are hidden: A + B is known
    // but neither alone. The city (35/120) is large and has more than one county: published.
    List<Cell> cells = List.of(county(A, "顺庆区", 3, 40), county(B, "高坪区", 12, 30),
        county(C, "嘉陵区", 20, 50), city(35, 120));
    List<Published> out = Suppression.apply(cells, 5);
    assertEquals(Arrays.asList(SMALL_CELL, COMPLEMENTARY, null, null), reasons(out));
  }

  @Test
  void twoSmallCountiesNeedNoComplement() {
    // A 3/40 and B 2/30 are both small; two hidden counties cannot be told apart from the city
    // total, so C (20/50) and the city stay published.
    List<Cell> cells = List.of(county(A, "顺庆区", 3, 40), county(B, "高坪区", 2, 30),
        county(C, "嘉陵区", 20, 50), city(25, 120));
    assertEquals(Arrays.asList(SMALL_CELL, SMALL_CELL, null, null),
        reasons(Suppression.apply(cells, 5)));
  }

  @Test
  void aCityWhoseOnlyCountyIsSmallIsHiddenToo() {
    // The county is small (3 < 5). The city 8/60 is not small itself (it also counts persons
    // not attributed to a county), but with a single county its total sits right beside the
    // hidden cell, so it is suppressed as complementary.
    List<Cell> cells = List.of(city(8, 60), county(A, "顺庆区", 3, 40));
    assertEquals(Arrays.asList(COMPLEMENTARY, SMALL_CELL), reasons(Suppression.apply(cells, 5)));
  }

  @Test
  void aCityThatIsSmallItselfStaysSmallCell() {
    // County 3/40 and city 3/40: both are small cells; the city keeps its own reason.
    List<Cell> cells = List.of(county(A, "顺庆区", 3, 40), city(3, 40));
    assertEquals(Arrays.asList(SMALL_CELL, SMALL_CELL), reasons(Suppression.apply(cells, 5)));
  }

  @Test
  void oneSmallCityAmongTwoHidesTheOtherCity() {
    // Province 54/300 over cities X 4/100 (small) and Y 50/200. Province − Y would give X, so
    // Y, the only other city, is complementary. The province is large and has two cities.
    String x = "511300000000";
    String y = "511700000000";
    List<Cell> cells = List.of(
        rate(PROVINCE, "province", "四川省", null, 54, 300),
        rate(x, "city", "南充市", PROVINCE, 4, 100),
        rate(y, "city", "达州市", PROVINCE, 50, 200));
    assertEquals(Arrays.asList(null, SMALL_CELL, COMPLEMENTARY),
        reasons(Suppression.apply(cells, 5)));
  }

  @Test
  void complementarySuppressionRepeatsUpTheLevels() {
    // Round 1: county x1 3/40 is small. Its city X (8/60) has that one county only, so X is
    // complementary. Now X is the only hidden city of the province: of the open cities Y (den
    // 300) and Z (den 250) the smaller denominator, Z, is complementary. Then every parent has 0
    // or 2 hidden children and nothing changes: Y and the province stay published.
    String x = "511300000000";
    String y = "511700000000";
    String z = "511900000000";
    List<Cell> cells = List.of(
        rate(PROVINCE, "province", "四川省", null, 308, 610),
        rate(x, "city", "南充市", PROVINCE, 8, 60),
        rate(y, "city", "达州市", PROVINCE, 100, 300),
        rate(z, "city", "巴中市", PROVINCE, 200, 250),
        rate("511302000000", "county", "顺庆区", x, 3, 40));
    assertEquals(Arrays.asList(null, COMPLEMENTARY, null, COMPLEMENTARY, SMALL_CELL),
        reasons(Suppression.apply(cells, 5)));
  }

  @Test
  void aZeroNumeratorIsASmallCell() {
    // 0/100: the denominator is large, but the numerator 0 is below 5. The county's city is not
    // in the list, so there is no total to complement against.
    List<Published> out = Suppression.apply(List.of(county(A, "顺庆区", 0, 100)), 5);
    assertEquals(SMALL_CELL, out.get(0).suppression());
  }

  @Test
  void aSmallDenominatorIsASmallCellToo() {
    // 4/4 = 100%: numerator and denominator are both 4 < 5.
    List<Published> out = Suppression.apply(List.of(county(A, "顺庆区", 4, 4)), 5);
    assertEquals(SMALL_CELL, out.get(0).suppression());
  }

  @Test
  void lifeExpectancyUsesDeathsAndPopulation() {
    // Unit 岁: numerator = deaths 3, denominator = population 12 000. 3 deaths < 5: small cell.
    Cell le = new Cell("life_expectancy", "人均预期寿命", "Life expectancy at birth", "岁", "year",
        Cells.START, Cells.END, A, "county", "顺庆区", CITY, 3, 12_000, 79.1, 75.0, 83.2, 78.0,
        2025, null, true, 1.1);
    assertEquals(SMALL_CELL, Suppression.apply(List.of(le), 5).get(0).suppression());
  }

  @Test
  void kIsAParameter() {
    List<Cell> cells = List.of(county(A, "顺庆区", 3, 40), county(B, "高坪区", 12, 30),
        county(C, "嘉陵区", 20, 50), city(35, 120));
    // k = 3: "below 3" — 3 is not below 3, nothing is suppressed.
    assertEquals(Arrays.asList(null, null, null, null), reasons(Suppression.apply(cells, 3)));
    // k = 13: A (3) and B (12) are small, C (20/50) and the city (35/120) are not; with two
    // counties hidden no complement is needed.
    assertEquals(Arrays.asList(SMALL_CELL, SMALL_CELL, null, null),
        reasons(Suppression.apply(cells, 13)));
    // The catalog default is 5: same as the first test.
    assertEquals(Arrays.asList(SMALL_CELL, COMPLEMENTARY, null, null),
        reasons(Suppression.apply(cells)));
    assertThrows(IllegalArgumentException.class, () -> Suppression.apply(cells, -1));
  }

  @Test
  void tiesOnDenominatorGoToTheSmallestCode() {
    // A is small; B and C both have denominator 30, so the smaller code, B, is complementary.
    List<Cell> cells = List.of(county(C, "嘉陵区", 20, 30), county(B, "高坪区", 12, 30),
        county(A, "顺庆区", 3, 40), city(35, 100));
    assertEquals(Arrays.asList(null, COMPLEMENTARY, SMALL_CELL, null),
        reasons(Suppression.apply(cells, 5)));
  }

  @Test
  void indicatorsAndPeriodsAreSuppressedSeparatelyAndOrderIsKept() {
    // Indicator "other" has the same divisions, all large: A's small cell in elderly_health_mgmt
    // must not make anything of "other" complementary. The rows are interleaved; the output
    // keeps the input order and the very same Cell objects.
    Cell a1 = county(A, "顺庆区", 3, 40);
    Cell a2 = rate("other", A, "county", "顺庆区", CITY, 30, 40);
    Cell b1 = county(B, "高坪区", 12, 30);
    Cell b2 = rate("other", B, "county", "高坪区", CITY, 12, 30);
    Cell c1 = city(15, 70);
    Cell c2 = rate("other", CITY, "city", "南充市", PROVINCE, 42, 70);
    // A later period of the same indicator, where A is large: nothing there is suppressed.
    Cell a3 = new Cell("elderly_health_mgmt", "n", "n", "%", "year", LocalDate.of(2025, 1, 1),
        LocalDate.of(2025, 12, 31), A, "county", "顺庆区", CITY, 30, 40, 75.0, null, null, null,
        null, null, true, null);
    Cell c3 = new Cell("elderly_health_mgmt", "n", "n", "%", "year", LocalDate.of(2025, 1, 1),
        LocalDate.of(2025, 12, 31), CITY, "city", "南充市", PROVINCE, 60, 90, 66.7, null, null,
        null, null, null, true, null);
    List<Cell> cells = List.of(a2, a1, c2, b1, a3, c1, b2, c3);
    List<Published> out = Suppression.apply(cells, 5);
    assertEquals(Arrays.asList(null, SMALL_CELL, null, COMPLEMENTARY, null, null, null, null),
        reasons(out));
    for (int i = 0; i < cells.size(); i++) {
      assertSame(cells.get(i), out.get(i).cell());
    }
  }

  @Test
  void aDivisionTwiceInOneTableIsRejected() {
    List<Cell> cells = List.of(county(A, "顺庆区", 30, 40), county(A, "顺庆区", 30, 40));
    assertThrows(IllegalArgumentException.class, () -> Suppression.apply(cells, 5));
  }

  @Test
  void publishedRejectsUnknownReasons() {
    Cell a = county(A, "顺庆区", 30, 40);
    assertNull(Published.open(a).suppression());
    assertThrows(IllegalArgumentException.class, () -> new Published(a, "OTHER"));
  }
}
