package org.sanku.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The truth's life table against tables worked by hand. */
class LifeTableTest {

  private static long[] filled(long v) {
    long[] a = new long[LifeTable.GROUPS];
    Arrays.fill(a, v);
    return a;
  }

  /**
   * Populations and deaths chosen so that every q is a round number (one year, so M = D / P):
   *
   * <pre>
   *   age 0   P =  910, D = 100: M = 10/91, q = (10/91) / (1 + 0.9 · 10/91) = (10/91) / (100/91) = 0.1
   *   1–4     P = 1800, D = 100: M = 1/18,  q = 4/18 / (1 + 2/18) = 0.2
   *   60–64   P = 1500, D = 200: M = 2/15,  q = 10/15 / (1 + 5/15) = 0.5
   *   85+     P = 1000, D = 250: M = 0.25
   *   every other group P = 1000, D = 0: q = 0
   *
   *   l0 = 100 000   d =  10 000   L0    = 1 · (90 000 + 0.1 · 10 000)      =    91 000
   *   l1 =  90 000   d =  18 000   L1–4  = 4 · (72 000 + 0.5 · 18 000)      =   324 000
   *   l5 … l60 = 72 000             L5–59 = 11 groups · 5 · 72 000           = 3 960 000
   *   l60 = 72 000   d =  36 000   L60–64 = 5 · (36 000 + 0.5 · 36 000)     =   270 000
   *   l65 … l85 = 36 000            L65–84 = 4 groups · 5 · 36 000           =   720 000
   *                                 L85+  = 36 000 / 0.25                    =   144 000
   *   T0 = 5 509 000, so e0 = 55.09; e1 = 5 418 000 / 90 000 = 60.2, e5 = 5 094 000 / 72 000 = 70.75,
   *   e65 = 864 000 / 36 000 = 24.
   * </pre>
   *
   * Variance terms l² ((1 − a) n + e_next)² q² (1 − q) / D, and the open group's l85² / (D M²):
   *
   * <pre>
   *   age 0   100 000² · (0.9 + 60.2)²  · 0.01 · 0.9 / 100  = 10^10 · 3733.21 · 0.00009  =  3 359 889 000
   *   1–4      90 000² · (2 + 70.75)²   · 0.04 · 0.8 / 100  = 8.1·10^9 · 5292.5625 · 0.00032 = 13 718 322 000
   *   60–64    72 000² · (2.5 + 24)²    · 0.25 · 0.5 / 200  = 5.184·10^9 · 702.25 · 0.000625 = 2 275 290 000
   *   85+      36 000² / (250 · 0.25²)                       = 1.296·10^9 / 15.625            =     82 944 000
   *   sum 19 436 445 000, over l0² = 10^10: Var e0 = 1.9436445, SE = 1.394146513103985
   *   95% interval 55.09 ± 1.96 · SE = 52.357472834 … 57.822527166
   * </pre>
   */
  @Test
  void handWorkedTable() {
    long[] pop = filled(1000);
    long[] deaths = new long[LifeTable.GROUPS];
    pop[0] = 910;
    deaths[0] = 100;
    pop[1] = 1800;
    deaths[1] = 100;
    pop[13] = 1500;
    deaths[13] = 200;
    deaths[18] = 250;
    LifeTable.Estimate e = LifeTable.estimate(deaths, pop, 1.0).orElseThrow();
    assertEquals(55.09, e.e0(), 1e-9);
    double se = Math.sqrt(1.9436445);
    assertEquals(1.394146513103985, se, 1e-15);
    assertEquals(55.09 - 1.96 * se, e.lower95(), 1e-9);
    assertEquals(55.09 + 1.96 * se, e.upper95(), 1e-9);
    assertEquals(52.357472834, e.lower95(), 1e-9);
    assertEquals(57.822527166, e.upper95(), 1e-9);
  }

  /**
   * Ten deaths among five persons aged 80–84 give q = 5 · 2 / (1 + 2.5 · 2) = 10/6, capped at 1: nobody reaches
   * 85, and with no deaths anywhere else everyone lives to 80 and half of the last five years, e0 = 82.5. The
   * open group adds no years (l85 = 0, L = 0 / M) and no variance, and a capped q has none, so the interval is
   * the point itself.
   *
   * <pre>
   *   L0 = 100 000, L1–4 = 400 000, L5–79 = 15 · 500 000 = 7 500 000, L80–84 = 5 · 0.5 · 100 000 = 250 000
   *   T0 = 8 250 000, e0 = 82.5
   * </pre>
   */
  @Test
  void aCappedProbabilityEndsTheTable() {
    long[] pop = filled(1000);
    long[] deaths = new long[LifeTable.GROUPS];
    pop[17] = 5;
    deaths[17] = 10;
    pop[18] = 1;
    deaths[18] = 1;
    LifeTable.Estimate e = LifeTable.estimate(deaths, pop, 1.0).orElseThrow();
    assertEquals(82.5, e.e0(), 1e-9);
    assertEquals(82.5, e.lower95(), 1e-9);
    assertEquals(82.5, e.upper95(), 1e-9);
  }

  /**
   * Rates are per person-year: half a year with twice the mid-period population gives the same rates, and the
   * same deaths give the same variance, so the same estimate to the last digit (1800 × 2 × 0.5 is exact).
   */
  @Test
  void ratesArePerPersonYear() {
    long[] pop = filled(1000);
    long[] deaths = filled(3);
    deaths[18] = 40;
    long[] doubled = pop.clone();
    for (int g = 0; g < doubled.length; g++) {
      doubled[g] *= 2;
    }
    assertEquals(LifeTable.estimate(deaths, pop, 1.0), LifeTable.estimate(deaths, doubled, 0.5));
  }

  /**
   * No table without a death at 85+ (e85 = 1 / M would be infinite) or with deaths in a group nobody is in (no
   * rate); a group with neither persons nor deaths has rate 0.
   */
  @Test
  void aTableNeedsDeathsAt85AndARateInEveryGroup() {
    long[] deaths = filled(2);
    deaths[18] = 0;
    assertTrue(LifeTable.estimate(deaths, filled(1000), 1.0).isEmpty());

    deaths[18] = 5;
    long[] pop = filled(1000);
    pop[4] = 0;
    assertTrue(LifeTable.estimate(deaths, pop, 1.0).isEmpty());

    deaths[4] = 0;
    assertTrue(LifeTable.estimate(deaths, pop, 1.0).isPresent());
  }
}
