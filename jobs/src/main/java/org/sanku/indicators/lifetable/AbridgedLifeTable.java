package org.sanku.indicators.lifetable;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Abridged period life table and life expectancy at birth, with a 95% confidence interval, for
 * one area (typically a county) from registered deaths and mid-period population in 19 fixed
 * age groups: {@code 0, 1-4, 5-9, 10-14, ..., 80-84, 85+}.
 *
 * <p>Pure Java, no Spark; the class is stateless and every {@link Result} is immutable (arrays
 * are copied in and out), so it is safe to call from executors.
 *
 * <h2>Method</h2>
 *
 * Chiang's method for the abridged life table (Chiang 1968/1984), in the form used by the UK
 * Office for National Statistics for local-authority life expectancy and by Public Health
 * England's "Life Expectancy Calculator" / R package {@code PHEindicatormethods}
 * ({@code phe_life_expectancy}), except that the open-ended group starts at 85 (as in ONS tables
 * before 2019) instead of 90. For group {@code i} with start age {@code x} and width {@code n}
 * ({@code n = 1} for age 0, 4 for 1-4, 5 otherwise):
 *
 * <ol>
 *   <li>{@code M_i = D_i / PY_i}, the age-specific death rate, where {@code D_i} is the number of
 *       deaths and {@code PY_i = P_i * years} the person-years at risk (mid-period population
 *       times the length of the period in years). A group with {@code P_i = 0} and
 *       {@code D_i = 0} gets {@code M_i = 0} (and makes the result unreliable, see below).
 *   <li>{@code a_i}, the average fraction of the interval lived by those who die in it: <b>0.1
 *       for age 0 and 0.5 for every other closed group</b>. This is the ONS/PHE convention: infant
 *       deaths are concentrated in the first weeks of life, and for the other 4- and 5-year groups
 *       deaths are assumed uniformly spread. (Chiang's own tables use empirically estimated
 *       fractions; the fixed values change e0 by only a few hundredths of a year.)
 *   <li>{@code q_i = n M_i / (1 + n (1 - a_i) M_i)}, capped at 1 (the cap binds exactly when
 *       {@code n a_i M_i >= 1}); for the open group {@code q = 1}.
 *   <li>{@code l_0 = 100 000}, {@code l_{i+1} = l_i (1 - q_i)}, {@code d_i = l_i - l_{i+1}}
 *       ({@code d = l} for the open group).
 *   <li>{@code L_i = n (l_{i+1} + a_i d_i)} for closed groups and {@code L = l / M} for the open
 *       group (survivors to 85 live on average {@code 1 / M_85+} more years).
 *   <li>{@code T_i = L_i + L_{i+1} + ... + L_85+}, {@code e_i = T_i / l_i}. Where nobody survives
 *       to a group ({@code l_i = 0}, only possible after a capped {@code q = 1}), {@code e_i} and
 *       its standard error are reported as 0, as PHE does.
 * </ol>
 *
 * <h2>Variance and confidence interval</h2>
 *
 * Chiang's variance of the life expectancy at the start of group {@code k}, with the Silcocks et
 * al. (2001) term for the open-ended group, exactly as in PHE's calculator:
 *
 * <pre>
 *   Var(e_k) = [ sum_{i=k}^{18-1} l_i^2 ((1 - a_i) n_i + e_{i+1})^2 Var(q_i)  +  l_85^2 Var(e_85) ] / l_k^2
 *
 *   Var(q_i) = q_i^2 (1 - q_i) / D_i                       (0 when D_i = 0 or q_i = 1)
 *            = n^2 M_i (1 - a_i n M_i) / (PY_i (1 + (1 - a_i) n M_i)^3)       (same quantity)
 *
 *   Var(e_85) = Var(1 / M_85) = Var(M_85) / M_85^4 = 1 / (D_85 M_85^2) = PY_85^2 / D_85^3
 *               with Var(M_85) = D_85 / PY_85^2 (deaths Poisson)
 * </pre>
 *
 * <p>The two forms of {@code Var(q_i)} are algebraically identical (substitute {@code D = M PY}
 * and {@code 1 - q = (1 - a n M)/(1 + (1 - a) n M)}); the first is the one coded in
 * {@code PHEindicatormethods}, the second is the one usually quoted from ONS. Why the open-group
 * term: in Chiang's original formula the last interval contributes nothing because its
 * {@code q = 1} has no variance; but e at 85 is {@code 1 / M_85}, an estimate with its own
 * sampling error, and omitting it understates the SE, noticeably for small areas. Silcocks, Jenner
 * and Reza (2001) add {@code l_85^2 Var(1/M_85)} by the delta method; PHE writes this as
 * {@code (l_85/2)^2 * 4 / (D_85 M_85^2)}, which is the same number. The 95% interval is
 * {@code e0 +- 1.96 SE} (normal approximation).
 *
 * <h2>Reliability and errors</h2>
 *
 * {@link Result#reliable()} is {@code false} when any of these holds (the numbers are still
 * computed and returned so callers can decide whether to publish or suppress them):
 *
 * <ul>
 *   <li>total person-years {@code sum(P_i) * years < 5000} ({@link #MIN_PERSON_YEARS}; PHE's
 *       minimum, after Toson and Baker 2003, below which the interval is too wide to be useful);
 *   <li>total deaths {@code < 50} ({@link #MIN_DEATHS});
 *   <li>some age group has population 0 (and therefore, since the alternative is an error, 0
 *       deaths): its rate is unobserved and has been taken as 0.
 * </ul>
 *
 * {@link IllegalArgumentException} (message names the age group where relevant) is thrown for:
 * arrays that are null or not of length 19; negative deaths; negative, NaN or infinite
 * population; a group with deaths &gt; 0 but population 0 (a rate cannot be formed);
 * {@code years} not finite and positive; and no deaths in the open group 85+ (then {@code 1/M} and
 * e0 are infinite — pool more years or a larger area, as PHE requires at least one death there).
 *
 * <h2>References</h2>
 *
 * <ul>
 *   <li>Chiang CL. <i>The Life Table and its Construction</i>. In: Introduction to Stochastic
 *       Processes in Biostatistics. Wiley, 1968: 189-214; and Chiang CL. <i>The Life Table and
 *       its Applications</i>. Krieger, 1984.
 *   <li>Silcocks PBS, Jenner DA, Reza R. Life expectancy as a summary of mortality in a
 *       population: statistical considerations and suitability for use by health authorities.
 *       J Epidemiol Community Health 2001; 55: 38-43.
 *   <li>Eayres DP, Williams ES. Evaluation of methodologies for small area life expectancy
 *       estimation. J Epidemiol Community Health 2004; 58: 243-249.
 *   <li>Toson B, Baker A. Life expectancy at birth: methodological options for small
 *       populations. National Statistics Methodological Series No 33, 2003.
 *   <li>Public Health England, Life Expectancy Calculator; R package {@code PHEindicatormethods},
 *       function {@code phe_life_expectancy} ("Chiang, using Silcocks et al for confidence
 *       limits").
 * </ul>
 */
public final class AbridgedLifeTable {

    /**
     * First age (in completed years) of each of the 19 age groups, in order. Do not modify: this
     * array is public for convenience only; the class computes from its own private copy.
     */
    public static final int[] GROUP_START = {
        0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85
    };

    /** Number of age groups (19). */
    public static final int GROUPS = 19;

    /** Index of the open-ended group 85+. */
    public static final int OPEN_GROUP = GROUPS - 1;

    /** Size of the life-table cohort, {@code l_0}. */
    public static final double RADIX = 100_000.0;

    /** Fraction of the first year lived by infants who die before age 1 (ONS/PHE). */
    public static final double A_INFANT = 0.1;

    /** Fraction of the interval lived by those dying in any other closed group (ONS/PHE). */
    public static final double A_OTHER = 0.5;

    /** Below this many total person-years the result is flagged unreliable. */
    public static final double MIN_PERSON_YEARS = 5000.0;

    /** Below this many total deaths the result is flagged unreliable. */
    public static final long MIN_DEATHS = 50;

    /** Normal quantile for a two-sided 95% interval. */
    public static final double Z95 = 1.96;

    private static final int[] START = GROUP_START.clone();

    private AbridgedLifeTable() {}

    /**
     * Index (0..18) of the age group containing an age in completed years: 0 for age 0, 1 for
     * 1-4, 2 for 5-9, ..., 17 for 80-84, 18 for 85 and over.
     *
     * @throws IllegalArgumentException if {@code ageYears} is negative
     */
    public static int groupOf(int ageYears) {
        if (ageYears < 0) {
            throw new IllegalArgumentException("age must be >= 0, got " + ageYears);
        }
        if (ageYears == 0) {
            return 0;
        }
        if (ageYears < 5) {
            return 1;
        }
        if (ageYears >= 85) {
            return OPEN_GROUP;
        }
        return ageYears / 5 + 1;
    }

    /** Human-readable label of a group index: {@code "0"}, {@code "1-4"}, ..., {@code "85+"}. */
    public static String groupLabel(int group) {
        if (group < 0 || group >= GROUPS) {
            throw new IllegalArgumentException("age group index must be 0.." + (GROUPS - 1) + ", got " + group);
        }
        if (group == OPEN_GROUP) {
            return START[group] + "+";
        }
        if (group == 0) {
            return "0";
        }
        return START[group] + "-" + (START[group + 1] - 1);
    }

    /** Width in years of a closed group (1, 4 or 5); not defined for the open group. */
    static int width(int group) {
        return START[group + 1] - START[group];
    }

    /** {@code a} for a closed group: 0.1 for age 0, 0.5 otherwise. */
    static double fractionLived(int group) {
        return group == 0 ? A_INFANT : A_OTHER;
    }

    /**
     * Life table for a one-year period.
     *
     * @param deaths deaths in the year, per age group (length 19)
     * @param population mid-year population, per age group (length 19)
     * @see #compute(long[], double[], double)
     */
    public static Result compute(long[] deaths, double[] population) {
        return compute(deaths, population, 1.0);
    }

    /**
     * Life table for a period of {@code years} years (e.g. 3 for a pooled 2021-2023 table):
     * deaths are the total over the period and {@code population} the mid-period population, so
     * person-years at risk are {@code population[i] * years}.
     *
     * @param deaths deaths in the period, per age group (length 19, non-negative)
     * @param population mid-period population, per age group (length 19, non-negative, finite)
     * @param years length of the period in years (finite, &gt; 0)
     * @throws IllegalArgumentException on invalid input, see the class documentation
     */
    public static Result compute(long[] deaths, double[] population, double years) {
        LifeTableInputs.check(deaths, population, years);

        final int k = GROUPS;
        double[] py = new double[k];
        double[] m = new double[k];
        long totalDeaths = 0;
        double totalPy = 0;
        boolean zeroPopulationGroup = false;
        for (int i = 0; i < k; i++) {
            py[i] = population[i] * years;
            m[i] = deaths[i] == 0 ? 0.0 : deaths[i] / py[i];
            totalDeaths += deaths[i];
            totalPy += py[i];
            zeroPopulationGroup |= population[i] == 0.0;
        }

        double[] q = new double[k];
        double[] l = new double[k];
        double[] d = new double[k];
        double[] bigL = new double[k];
        l[0] = RADIX;
        for (int i = 0; i < OPEN_GROUP; i++) {
            int n = width(i);
            double a = fractionLived(i);
            q[i] = Math.min(1.0, n * m[i] / (1.0 + n * (1.0 - a) * m[i]));
            l[i + 1] = l[i] * (1.0 - q[i]);
            d[i] = l[i] - l[i + 1];
            bigL[i] = n * (l[i + 1] + a * d[i]);
        }
        q[OPEN_GROUP] = 1.0;
        d[OPEN_GROUP] = l[OPEN_GROUP];
        // m[OPEN_GROUP] > 0 is guaranteed by the input check.
        bigL[OPEN_GROUP] = l[OPEN_GROUP] / m[OPEN_GROUP];

        double[] t = new double[k];
        double[] e = new double[k];
        double running = 0;
        for (int i = k - 1; i >= 0; i--) {
            running += bigL[i];
            t[i] = running;
            e[i] = l[i] > 0 ? t[i] / l[i] : 0.0;
        }

        // Chiang's variance, with Silcocks' term for the open group; accumulated from the top so
        // that the SE of e at every group start comes out of the same pass.
        double[] se = new double[k];
        double lo = l[OPEN_GROUP];
        double dOpen = deaths[OPEN_GROUP];
        // l_85^2 * Var(1/M_85) = l_85^2 * PY_85^2 / D_85^3
        double sum = lo * lo * (py[OPEN_GROUP] * py[OPEN_GROUP] / (dOpen * dOpen * dOpen));
        se[OPEN_GROUP] = lo > 0 ? Math.sqrt(sum) / lo : 0.0;
        for (int i = OPEN_GROUP - 1; i >= 0; i--) {
            int n = width(i);
            double a = fractionLived(i);
            double varQ = (deaths[i] == 0 || q[i] >= 1.0) ? 0.0 : q[i] * q[i] * (1.0 - q[i]) / deaths[i];
            if (varQ > 0) {
                double w = (1.0 - a) * n + e[i + 1];
                sum += l[i] * l[i] * w * w * varQ;
            }
            se[i] = l[i] > 0 ? Math.sqrt(sum) / l[i] : 0.0;
        }

        boolean reliable = totalPy >= MIN_PERSON_YEARS && totalDeaths >= MIN_DEATHS && !zeroPopulationGroup;
        double e0 = e[0];
        double se0 = se[0];
        return new Result(e0, se0, e0 - Z95 * se0, e0 + Z95 * se0, reliable, m, q, l, d, bigL, t, e, se);
    }

    /**
     * Convenience form keyed by group start age (the values of {@link #GROUP_START}), e.g. the
     * output of a {@code groupBy} over {@link #groupOf(int)}-mapped ages. A group absent from a
     * map counts as 0 deaths / 0 population; a key that is not a group start, or a null value,
     * is an error. One-year period.
     *
     * @throws IllegalArgumentException on unknown keys, null values or invalid data
     */
    public static Result compute(Map<Integer, Long> deathsByGroupStart, Map<Integer, Double> popByGroupStart) {
        if (deathsByGroupStart == null) {
            throw new IllegalArgumentException("deathsByGroupStart must not be null");
        }
        if (popByGroupStart == null) {
            throw new IllegalArgumentException("popByGroupStart must not be null");
        }
        long[] deaths = new long[GROUPS];
        double[] population = new double[GROUPS];
        for (Map.Entry<Integer, Long> en : deathsByGroupStart.entrySet()) {
            int g = indexOfStart(en.getKey(), "deathsByGroupStart");
            if (en.getValue() == null) {
                throw new IllegalArgumentException("deathsByGroupStart has a null value for age group " + groupLabel(g));
            }
            deaths[g] = en.getValue();
        }
        for (Map.Entry<Integer, Double> en : popByGroupStart.entrySet()) {
            int g = indexOfStart(en.getKey(), "popByGroupStart");
            if (en.getValue() == null) {
                throw new IllegalArgumentException("popByGroupStart has a null value for age group " + groupLabel(g));
            }
            population[g] = en.getValue();
        }
        return compute(deaths, population);
    }

    private static int indexOfStart(Integer start, String what) {
        if (start != null) {
            for (int i = 0; i < GROUPS; i++) {
                if (START[i] == start) {
                    return i;
                }
            }
        }
        throw new IllegalArgumentException(what + " has key " + start
                + ", which is not an age-group start; expected one of " + Arrays.toString(START));
    }

    /**
     * An immutable life table. Per-group arrays have 19 entries, index as {@link #GROUP_START};
     * the accessors return copies.
     *
     * @param e0 life expectancy at birth, years
     * @param standardError standard error of {@code e0} (Chiang + Silcocks, see class docs)
     * @param lower95 {@code e0 - 1.96 * standardError}
     * @param upper95 {@code e0 + 1.96 * standardError}
     * @param reliable false when the population/death thresholds in the class docs are not met
     * @param mx age-specific death rates {@code D / PY}
     * @param qx probabilities of dying in the group ({@code 1} for 85+)
     * @param lx survivors to the start of the group, of {@link #RADIX} born
     * @param dx life-table deaths in the group
     * @param Lx person-years lived in the group
     * @param Tx person-years lived from the start of the group onward
     * @param ex life expectancy at the start of the group (0 where {@code lx = 0})
     * @param seEx standard error of {@code ex}
     */
    public record Result(
            double e0,
            double standardError,
            double lower95,
            double upper95,
            boolean reliable,
            double[] mx,
            double[] qx,
            double[] lx,
            double[] dx,
            double[] Lx,
            double[] Tx,
            double[] ex,
            double[] seEx) {

        /** Copies every array so the record cannot be changed through the caller's references. */
        public Result {
            mx = copy(mx, "mx");
            qx = copy(qx, "qx");
            lx = copy(lx, "lx");
            dx = copy(dx, "dx");
            Lx = copy(Lx, "Lx");
            Tx = copy(Tx, "Tx");
            ex = copy(ex, "ex");
            seEx = copy(seEx, "seEx");
        }

        private static double[] copy(double[] a, String name) {
            Objects.requireNonNull(a, name);
            if (a.length != GROUPS) {
                throw new IllegalArgumentException(name + " has length " + a.length + ", expected " + GROUPS);
            }
            return a.clone();
        }

        /** Width of the 95% confidence interval, {@code upper95 - lower95}. */
        public double ciWidth() {
            return upper95 - lower95;
        }

        @Override
        public double[] mx() {
            return mx.clone();
        }

        @Override
        public double[] qx() {
            return qx.clone();
        }

        @Override
        public double[] lx() {
            return lx.clone();
        }

        @Override
        public double[] dx() {
            return dx.clone();
        }

        @Override
        public double[] Lx() {
            return Lx.clone();
        }

        @Override
        public double[] Tx() {
            return Tx.clone();
        }

        @Override
        public double[] ex() {
            return ex.clone();
        }

        @Override
        public double[] seEx() {
            return seEx.clone();
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Result r)) {
                return false;
            }
            return Double.compare(e0, r.e0) == 0
                    && Double.compare(standardError, r.standardError) == 0
                    && Double.compare(lower95, r.lower95) == 0
                    && Double.compare(upper95, r.upper95) == 0
                    && reliable == r.reliable
                    && Arrays.equals(mx, r.mx)
                    && Arrays.equals(qx, r.qx)
                    && Arrays.equals(lx, r.lx)
                    && Arrays.equals(dx, r.dx)
                    && Arrays.equals(Lx, r.Lx)
                    && Arrays.equals(Tx, r.Tx)
                    && Arrays.equals(ex, r.ex)
                    && Arrays.equals(seEx, r.seEx);
        }

        @Override
        public int hashCode() {
            int h = Objects.hash(e0, standardError, lower95, upper95, reliable);
            for (double[] a : new double[][] {mx, qx, lx, dx, Lx, Tx, ex, seEx}) {
                h = 31 * h + Arrays.hashCode(a);
            }
            return h;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "AbridgedLifeTable.Result[e0=%.3f, se=%.4f, 95%% CI=(%.3f, %.3f), reliable=%s]",
                    e0, standardError, lower95, upper95, reliable);
        }
    }
}
