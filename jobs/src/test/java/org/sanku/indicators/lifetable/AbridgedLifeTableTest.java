package org.sanku.indicators.lifetable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AbridgedLifeTableTest {

    private static final int K = 19;

    private static double[] filled(double v) {
        double[] a = new double[K];
        Arrays.fill(a, v);
        return a;
    }

    // ---------------------------------------------------------------------------------------
    // Age groups
    // ---------------------------------------------------------------------------------------

    @Test
    void groupsAreTheNineteenStandardOnes() {
        assertArrayEquals(new int[] {0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85},
                AbridgedLifeTable.GROUP_START);
        assertEquals(0, AbridgedLifeTable.groupOf(0));
        assertEquals(1, AbridgedLifeTable.groupOf(1));
        assertEquals(1, AbridgedLifeTable.groupOf(4));
        assertEquals(2, AbridgedLifeTable.groupOf(5));
        assertEquals(2, AbridgedLifeTable.groupOf(9));
        assertEquals(3, AbridgedLifeTable.groupOf(10));
        assertEquals(17, AbridgedLifeTable.groupOf(80));
        assertEquals(17, AbridgedLifeTable.groupOf(84));
        assertEquals(18, AbridgedLifeTable.groupOf(85));
        assertEquals(18, AbridgedLifeTable.groupOf(117));
        for (int age = 0; age <= 120; age++) {
            int g = AbridgedLifeTable.groupOf(age);
            assertTrue(AbridgedLifeTable.GROUP_START[g] <= age, "age " + age);
            assertTrue(g == 18 || age < AbridgedLifeTable.GROUP_START[g + 1], "age " + age);
        }
        assertThrows(IllegalArgumentException.class, () -> AbridgedLifeTable.groupOf(-1));
        assertEquals("0", AbridgedLifeTable.groupLabel(0));
        assertEquals("1-4", AbridgedLifeTable.groupLabel(1));
        assertEquals("80-84", AbridgedLifeTable.groupLabel(17));
        assertEquals("85+", AbridgedLifeTable.groupLabel(18));
    }

    // ---------------------------------------------------------------------------------------
    // Hand-computed case
    // ---------------------------------------------------------------------------------------

    /**
     * Every group has population 1000. Deaths: age 0 -> 10, 1-4 -> 125, 45-49 -> 80,
     * 75-79 -> 240, 85+ -> 500, all other groups 0.
     *
     * <pre>
     * q:  age 0:  M = 0.01,  q = 0.01 / (1 + 0.9*0.01)   = 10/1009
     *     1-4:    M = 0.125, q = 4*0.125 / (1 + 2*0.125)  = 0.5/1.25 = 0.4
     *     45-49:  M = 0.08,  q = 5*0.08 / (1 + 2.5*0.08)  = 0.4/1.2  = 1/3
     *     75-79:  M = 0.24,  q = 5*0.24 / (1 + 2.5*0.24)  = 1.2/1.6  = 3/4
     *     85+:    M = 0.5,   L = l85 / 0.5 = 2 l85
     *     others: q = 0 (L = 5 l)
     * Write u = l1 = 100000 * 999/1009.
     *   L0      = l1 + 0.1 * d0 = 100000 * (999 + 1)/1009 = 100000 * 1000/1009
     *   l5      = 0.6 u;  L(1-4)  = 4 (0.6u + 0.5*0.4u)    = 3.2 u
     *   5..44   : 8 groups * 5 * 0.6u                       = 24 u
     *   l50     = (2/3) 0.6u = 0.4u; L(45-49) = 5 (0.4u + 0.5*0.2u) = 2.5 u
     *   50..74  : 5 groups * 5 * 0.4u                       = 10 u
     *   l80     = 0.25 * 0.4u = 0.1u; L(75-79) = 5 (0.1u + 0.5*0.3u) = 1.25 u
     *   80-84   : 5 * 0.1u                                  = 0.5 u
     *   85+     : 2 * 0.1u                                  = 0.2 u
     *   T1 = 41.65 u  ->  e1 = 41.65
     *   e0 = (1000 + 41.65 * 999) / 1009 = 42608.35 / 1009 = 42.228295341922696...
     * </pre>
     *
     * Variance (Var(q) = q^2 (1-q)/D; terms are l^2 ((1-a) n + e_next)^2 Var(q) / l0^2):
     *
     * <pre>
     *   age 0:  (1)^2            * (0.9 + 41.65)^2            * 9990/1027243729 = 0.0176072333
     *   1-4:    (999/1009)^2     * (2 + 769/12)^2             * 12/15625        = 3.2877118466
     *           (e5 = T5/l5 = (24+2.5+10+1.25+0.5+0.2)u / 0.6u = 769/12)
     *   45-49:  (2997/5045)^2    * (2.5 + 239/8)^2            * 1/1080          = 0.3424892492
     *           (e50 = (10+1.25+0.5+0.2)/0.4 = 239/8)
     *   75-79:  (1998/5045)^2    * (2.5 + 7)^2                * 3/5120          = 0.0082940592
     *           (e80 = (0.5+0.2)/0.1 = 7)
     *   85+:    (999/10090)^2    / (D M^2 = 500 * 0.25)                          = 0.0000784221
     *   sum = 3.6561808104  ->  SE = 1.9121142253
     * </pre>
     */
    @Test
    void handComputedTable() {
        long[] deaths = new long[K];
        deaths[0] = 10;
        deaths[1] = 125;
        deaths[10] = 80;
        deaths[16] = 240;
        deaths[18] = 500;
        AbridgedLifeTable.Result r = AbridgedLifeTable.compute(deaths, filled(1000));

        assertEquals(42608.35 / 1009, r.e0(), 1e-6);
        assertEquals(42.228295341922696, r.e0(), 1e-9);
        assertEquals(41.65, r.ex()[1], 1e-9);
        assertEquals(769.0 / 12, r.ex()[2], 1e-9);
        assertEquals(7.0, r.ex()[17], 1e-9);
        assertEquals(2.0, r.ex()[18], 1e-9);

        double u = 100000.0 * 999 / 1009;
        assertEquals(100000.0, r.lx()[0], 1e-9);
        assertEquals(u, r.lx()[1], 1e-7);
        assertEquals(0.6 * u, r.lx()[2], 1e-7);
        assertEquals(0.4 * u, r.lx()[11], 1e-7);
        assertEquals(0.1 * u, r.lx()[17], 1e-7);
        assertEquals(0.1 * u, r.lx()[18], 1e-7);
        assertEquals(10.0 / 1009, r.qx()[0], 1e-12);
        assertEquals(0.4, r.qx()[1], 1e-12);
        assertEquals(1.0 / 3, r.qx()[10], 1e-12);
        assertEquals(0.75, r.qx()[16], 1e-12);
        assertEquals(1.0, r.qx()[18], 0.0);
        assertEquals(100000.0 * 1000 / 1009, r.Lx()[0], 1e-7);
        assertEquals(3.2 * u, r.Lx()[1], 1e-7);
        assertEquals(0.2 * u, r.Lx()[18], 1e-7);
        assertEquals(r.e0() * 100000.0, r.Tx()[0], 1e-5);

        assertEquals(1.9121142252557761, r.standardError(), 1e-9);
        assertEquals(r.e0() - 1.96 * r.standardError(), r.lower95(), 1e-12);
        assertEquals(r.e0() + 1.96 * r.standardError(), r.upper95(), 1e-12);
        // 19 000 people and 955 deaths: meets both thresholds.
        assertTrue(r.reliable());
    }

    // ---------------------------------------------------------------------------------------
    // Constant hazard
    // ---------------------------------------------------------------------------------------

    /**
     * Independent evaluation of the life table under a constant rate m, via the per-group closed
     * form: with q = nm / (1 + n(1-a)m), L = l q / m = l n / (1 + n(1-a)m) and
     * l' = l (1 - a n m) / (1 + n(1-a)m); the open group adds l / m.
     */
    private static double constantHazardE0(double m) {
        int[] width = {1, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
        double l = 1.0;
        double total = 0;
        for (int i = 0; i < width.length; i++) {
            double n = width[i];
            double a = i == 0 ? 0.1 : 0.5;
            double denom = 1 + n * (1 - a) * m;
            total += l * n / denom;
            l *= (1 - a * n * m) / denom;
        }
        return total + l / m;
    }

    /**
     * With every M_x = m, Chiang's q formula makes d_x = m L_x in every group (it is derived from
     * exactly that identity), and the open group has L = l/m, so T_0 = sum L = sum d / m = l_0 / m:
     * the discrete table gives e0 = 1/m exactly, like the continuous exponential, whatever the a_x.
     * So the only tolerance needed is floating-point rounding over 19 groups (1e-9 relative is
     * ~10^6 ulps of slack); the independent loop above confirms the identity numerically.
     */
    @Test
    void constantHazardGivesOneOverM() {
        for (double m : new double[] {0.02, 0.013, 0.1}) {
            double exact = constantHazardE0(m);
            assertEquals(1 / m, exact, 1e-12 / m, "closed-form loop, m=" + m);

            double pop = 1_000_000;
            long[] deaths = new long[K];
            Arrays.fill(deaths, Math.round(m * pop));
            AbridgedLifeTable.Result r = AbridgedLifeTable.compute(deaths, filled(pop));
            assertEquals(exact, r.e0(), 1e-9 * exact, "m=" + m);
            for (int g = 0; g < K; g++) {
                assertEquals(1 / m, r.ex()[g], 1e-9 / m, "e at group " + g + ", m=" + m);
                assertEquals(m, r.mx()[g], 1e-15);
            }
        }
    }

    @Test
    void multiYearPeriodDividesByPersonYears() {
        // m = 0.02 over 2.5 years with mid-period population 100 000: deaths = 0.02 * 250 000.
        long[] deaths = new long[K];
        Arrays.fill(deaths, 5000);
        AbridgedLifeTable.Result r = AbridgedLifeTable.compute(deaths, filled(100_000), 2.5);
        assertEquals(50.0, r.e0(), 1e-9);

        // Same rates from one year with 2.5x the population: identical table and SE, because
        // both the rates and the death counts (which drive the variance) are the same.
        AbridgedLifeTable.Result oneYear = AbridgedLifeTable.compute(deaths, filled(250_000));
        assertEquals(oneYear.e0(), r.e0(), 1e-12);
        assertEquals(oneYear.standardError(), r.standardError(), 1e-12);
        assertEquals(1.0, AbridgedLifeTable.compute(deaths, filled(250_000), 1.0).e0() / oneYear.e0(), 0.0);
    }

    // ---------------------------------------------------------------------------------------
    // Realistic Chinese-like schedule
    // ---------------------------------------------------------------------------------------

    /**
     * Death rates: infant 3 per mille; 1-4 0.2; 5-9 0.12; 10-14 0.15; 15-19 0.3; 20-24 0.4;
     * 25-29 0.5 per mille; from 30 a Gompertz curve 0.0008 * 1.09^(mid - 30) evaluated at the
     * group mid-point (mid = start + 2.5; 90 for 85+, giving M_85+ = 0.141).
     */
    private static double rate(int g) {
        double[] young = {0.003, 0.0002, 0.00012, 0.00015, 0.0003, 0.0004, 0.0005};
        if (g < young.length) {
            return young[g];
        }
        int start = AbridgedLifeTable.GROUP_START[g];
        double mid = g == 18 ? 90.0 : start + 2.5;
        return 0.0008 * Math.pow(1.09, mid - 30);
    }

    /** Relative sizes of the 19 groups, roughly the 2020 census age structure (sum 1025). */
    private static final int[] SHARE = {11, 46, 60, 58, 53, 55, 70, 85, 73, 70, 80, 85, 70, 62, 55, 38, 27, 17, 10};

    private static double[] population(double total) {
        double[] p = new double[K];
        for (int g = 0; g < K; g++) {
            p[g] = Math.round(total * SHARE[g] / 1025.0);
        }
        return p;
    }

    private static long[] deaths(double[] pop) {
        long[] d = new long[K];
        for (int g = 0; g < K; g++) {
            d[g] = Math.round(rate(g) * pop[g]);
        }
        return d;
    }

    /**
     * One million people, 8705 deaths. An independent Python evaluation of the same formulas
     * gives e0 = 77.5937, SE = 0.14965, so 1.96 SE = 0.293 and the full interval is 0.587 years
     * wide. Most of the SE comes from the Silcocks term of the 85+ group (9756 people, 1374
     * deaths); the full width is below 0.5 years only for an older population or ~1.4 million
     * people, so the test bounds the +/- half-width by 0.5 and the full width by 0.6.
     */
    @Test
    void realisticCountyOfOneMillion() {
        double[] pop = population(1_000_000);
        long[] d = deaths(pop);
        AbridgedLifeTable.Result r = AbridgedLifeTable.compute(d, pop);
        assertTrue(r.e0() > 76 && r.e0() < 82, "e0 = " + r.e0());
        assertEquals(77.59372015904198, r.e0(), 1e-9);
        assertEquals(0.14965159695936928, r.standardError(), 1e-9);
        assertTrue(1.96 * r.standardError() < 0.5, "half-width " + 1.96 * r.standardError());
        assertTrue(r.ciWidth() < 0.6, "width " + r.ciWidth());
        assertTrue(r.reliable());
        assertTrue(r.lower95() < r.e0() && r.e0() < r.upper95());
    }

    /**
     * Scaling: take a county of 10 000 (88 deaths, every group under 30 rounds to 0 deaths) and
     * the same county with every population and death count multiplied by 100. The rates are
     * identical, so e0 is identical, and every variance term is proportional to 1/D, so the SE
     * must shrink by exactly sqrt(100) = 10 (well inside the 5% required).
     *
     * <p>When instead the deaths are rounded independently at each size (round(rate * pop) at
     * 10^6 and at 10^4) the ratio is 9.09, not 10: in the small county the under-30 groups
     * round to zero deaths and drop out of the variance, and e0 moves from 77.59 to 77.93. So
     * that variant is only checked to lie within 15% of 10.
     */
    @Test
    void standardErrorScalesWithOneOverSqrtPopulation() {
        double[] small = population(10_000);
        long[] smallDeaths = deaths(small);
        double[] big = new double[K];
        long[] bigDeaths = new long[K];
        for (int g = 0; g < K; g++) {
            big[g] = small[g] * 100;
            bigDeaths[g] = smallDeaths[g] * 100;
        }
        AbridgedLifeTable.Result s = AbridgedLifeTable.compute(smallDeaths, small);
        AbridgedLifeTable.Result b = AbridgedLifeTable.compute(bigDeaths, big);
        assertEquals(b.e0(), s.e0(), 1e-9);
        double ratio = s.standardError() / b.standardError();
        assertEquals(10.0, ratio, 0.05 * 10.0);
        assertEquals(10.0, ratio, 1e-9);
        assertEquals(1.3609135669006855, s.standardError(), 1e-9);
        assertTrue(s.ciWidth() > 5 && s.ciWidth() < 6, "small-area CI width " + s.ciWidth());
        assertTrue(s.reliable(), "10 000 people and 88 deaths meet both thresholds");

        double[] million = population(1_000_000);
        AbridgedLifeTable.Result m = AbridgedLifeTable.compute(deaths(million), million);
        double independent = s.standardError() / m.standardError();
        assertEquals(9.09387934744309, independent, 1e-6);
        assertEquals(10.0, independent, 0.15 * 10.0);
    }

    // ---------------------------------------------------------------------------------------
    // Monotonicity
    // ---------------------------------------------------------------------------------------

    @Test
    void moreDeathsInAnyGroupLowersLifeExpectancy() {
        double[] pop = population(1_000_000);
        long[] base = deaths(pop);
        double e0 = AbridgedLifeTable.compute(base, pop).e0();
        for (int g = 0; g < K; g++) {
            for (long extra : new long[] {1, 50}) {
                long[] d = base.clone();
                d[g] += extra;
                double e = AbridgedLifeTable.compute(d, pop).e0();
                assertTrue(e < e0, "adding " + extra + " deaths in group " + AbridgedLifeTable.groupLabel(g)
                        + ": " + e + " !< " + e0);
            }
        }
        // And along a chain of increases in one group, e0 keeps falling.
        double previous = e0;
        for (int step = 1; step <= 5; step++) {
            long[] d = base.clone();
            d[12] += 100L * step;
            double e = AbridgedLifeTable.compute(d, pop).e0();
            assertTrue(e < previous);
            previous = e;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Reliability flags
    // ---------------------------------------------------------------------------------------

    @Test
    void reliabilityThresholds() {
        long[] deaths = new long[K];
        Arrays.fill(deaths, 3); // 57 deaths
        AbridgedLifeTable.Result ok = AbridgedLifeTable.compute(deaths, filled(300)); // 5700 people
        assertTrue(ok.reliable());

        assertFalse(AbridgedLifeTable.compute(deaths, filled(250)).reliable(), "4750 people < 5000");
        // The same 250 per group over two years is 9500 person-years: reliable.
        assertTrue(AbridgedLifeTable.compute(deaths, filled(250), 2.0).reliable());

        long[] few = new long[K];
        Arrays.fill(few, 2); // 38 deaths
        assertFalse(AbridgedLifeTable.compute(few, filled(1000)).reliable(), "38 deaths < 50");

        double[] pop = filled(1000);
        pop[3] = 0; // 10-14 has nobody (and no deaths): computed with M = 0 but flagged
        long[] d = deaths.clone();
        d[3] = 0;
        AbridgedLifeTable.Result z = AbridgedLifeTable.compute(d, pop);
        assertFalse(z.reliable());
        assertEquals(0.0, z.mx()[3], 0.0);
        assertEquals(0.0, z.qx()[3], 0.0);
        assertTrue(Double.isFinite(z.e0()));
    }

    // ---------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------

    @Test
    void wrongLengthsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AbridgedLifeTable.compute(new long[18], filled(1000)));
        assertTrue(e.getMessage().contains("deaths has length 18"), e.getMessage());
        assertTrue(e.getMessage().contains("19"), e.getMessage());

        long[] d = new long[K];
        d[18] = 10;
        e = assertThrows(IllegalArgumentException.class,
                () -> AbridgedLifeTable.compute(d, new double[20]));
        assertTrue(e.getMessage().contains("population has length 20"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> AbridgedLifeTable.compute(null, filled(1)));
        assertThrows(IllegalArgumentException.class, () -> AbridgedLifeTable.compute(d, null));
    }

    @Test
    void invalidValuesAreRejectedNamingTheGroup() {
        long[] d = new long[K];
        d[18] = 10;

        long[] negative = d.clone();
        negative[4] = -1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AbridgedLifeTable.compute(negative, filled(1000)));
        assertTrue(e.getMessage().contains("15-19"), e.getMessage());

        double[] negPop = filled(1000);
        negPop[0] = -5;
        e = assertThrows(IllegalArgumentException.class, () -> AbridgedLifeTable.compute(d, negPop));
        assertTrue(e.getMessage().contains("age group 0 "), e.getMessage());

        double[] nanPop = filled(1000);
        nanPop[1] = Double.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> AbridgedLifeTable.compute(d, nanPop));
        assertTrue(e.getMessage().contains("1-4"), e.getMessage());

        long[] deathsNoPop = d.clone();
        deathsNoPop[2] = 3;
        double[] zeroPop = filled(1000);
        zeroPop[2] = 0;
        e = assertThrows(IllegalArgumentException.class, () -> AbridgedLifeTable.compute(deathsNoPop, zeroPop));
        assertTrue(e.getMessage().contains("5-9") && e.getMessage().contains("population 0"), e.getMessage());

        long[] noOldDeaths = new long[K];
        Arrays.fill(noOldDeaths, 5);
        noOldDeaths[18] = 0;
        e = assertThrows(IllegalArgumentException.class, () -> AbridgedLifeTable.compute(noOldDeaths, filled(1000)));
        assertTrue(e.getMessage().contains("85+"), e.getMessage());

        for (double years : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> AbridgedLifeTable.compute(d, filled(1000), years));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Map convenience, immutability
    // ---------------------------------------------------------------------------------------

    @Test
    void mapFormMatchesArrayForm() {
        double[] pop = population(1_000_000);
        long[] d = deaths(pop);
        Map<Integer, Long> dm = new HashMap<>();
        Map<Integer, Double> pm = new HashMap<>();
        for (int g = 0; g < K; g++) {
            if (d[g] != 0) {
                dm.put(AbridgedLifeTable.GROUP_START[g], d[g]);
            }
            pm.put(AbridgedLifeTable.GROUP_START[g], pop[g]);
        }
        assertEquals(AbridgedLifeTable.compute(d, pop), AbridgedLifeTable.compute(dm, pm));

        dm.put(3, 1L);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AbridgedLifeTable.compute(dm, pm));
        assertTrue(e.getMessage().contains("key 3"), e.getMessage());
    }

    @Test
    void resultIsImmutable() {
        double[] pop = population(1_000_000);
        long[] d = deaths(pop);
        AbridgedLifeTable.Result r = AbridgedLifeTable.compute(d, pop);
        double l5 = r.lx()[2];
        r.lx()[2] = -1;
        r.ex()[0] = -1;
        assertEquals(l5, r.lx()[2], 0.0);
        assertEquals(r.e0(), r.ex()[0], 0.0);
        assertEquals(r, AbridgedLifeTable.compute(d, pop));
        assertEquals(r.hashCode(), AbridgedLifeTable.compute(d, pop).hashCode());
        assertEquals(r.standardError(), r.seEx()[0], 0.0);
    }
}
