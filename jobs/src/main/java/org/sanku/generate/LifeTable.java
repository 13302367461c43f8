package org.sanku.generate;

import java.util.Optional;

/**
 * Life expectancy at birth with its 95% interval, as the truth states it: Chiang's abridged life table with the
 * Silcocks et al. (2001) variance term for the open age group. The pipeline computes the same indicator with its
 * own code; the truth works it out again here, from the formulas, so that comparing the two checks the
 * pipeline's life table and not only the deaths and population it starts from.
 *
 * <p>Age groups g = 0 … 18 are 0, 1–4, 5–9, …, 80–84 and 85+ ({@link TruthRules#lifeGroup}); a closed group has
 * width n (1, 4, then 5 years) and a (the part of the interval lived by those who die in it: 0.1 for infants,
 * whose deaths crowd into the first weeks, 0.5 elsewhere). From the deaths D and the mid-period population P:
 *
 * <pre>
 *   M = D / (P · years)                       death rate per person-year (0 when D = 0)
 *   q = n M / (1 + n (1 − a) M), at most 1    probability of dying in the group; 1 in the open group
 *   l(0) = 100 000, l(g+1) = l(g) (1 − q)     survivors to the group's start; d = l(g) − l(g+1)
 *   L = n (l(g+1) + a d), open group l / M    years lived in the group
 *   e(g) = (L(g) + L(g+1) + … + L(85+)) / l(g), 0 where l(g) = 0
 *
 *   Var e(0) = [ Σ l² ((1 − a) n + e(g+1))² q² (1 − q) / D  +  l(85)² / (D(85) M(85)²) ] / l(0)²
 * </pre>
 *
 * The sum runs over the closed groups with deaths (Chiang's binomial variance of q). Its open group would add
 * nothing, because there q = 1; but e(85) = 1 / M(85) is itself an estimate, and Silcocks' delta-method term
 * for it matters in small areas. The interval is e(0) ± 1.96 SE.
 */
final class LifeTable {

  /** Life expectancy at birth and its 95% interval, in years. */
  record Estimate(double e0, double lower95, double upper95) {}

  static final int GROUPS = 19;
  private static final int OPEN = GROUPS - 1;
  private static final double RADIX = 100_000;

  private LifeTable() {}

  private static int width(int g) {
    return g == 0 ? 1 : g == 1 ? 4 : 5;
  }

  private static double fractionLived(int g) {
    return g == 0 ? 0.1 : 0.5;
  }

  /**
   * The estimate from deaths in the period and mid-period population per age group, or empty when no life table
   * can be formed: nobody died aged 85 or more (e(85) = 1 / M would be infinite), or a group has deaths but no
   * population (no rate).
   */
  static Optional<Estimate> estimate(long[] deaths, long[] population, double years) {
    if (deaths[OPEN] == 0) {
      return Optional.empty();
    }
    double[] m = new double[GROUPS];
    for (int g = 0; g < GROUPS; g++) {
      if (deaths[g] > 0 && population[g] == 0) {
        return Optional.empty();
      }
      m[g] = deaths[g] == 0 ? 0 : deaths[g] / (population[g] * years);
    }
    double[] q = new double[GROUPS];
    double[] l = new double[GROUPS];
    double[] bigL = new double[GROUPS];
    l[0] = RADIX;
    for (int g = 0; g < OPEN; g++) {
      int n = width(g);
      double a = fractionLived(g);
      q[g] = Math.min(1, n * m[g] / (1 + n * (1 - a) * m[g]));
      l[g + 1] = l[g] * (1 - q[g]);
      double dying = l[g] - l[g + 1];
      bigL[g] = n * (l[g + 1] + a * dying);
    }
    bigL[OPEN] = l[OPEN] / m[OPEN];
    double[] e = new double[GROUPS];
    double yearsLived = 0;
    for (int g = OPEN; g >= 0; g--) {
      yearsLived += bigL[g];
      e[g] = l[g] > 0 ? yearsLived / l[g] : 0;
    }
    double variance = 0;
    for (int g = 0; g < OPEN; g++) {
      if (deaths[g] > 0) {
        double weight = (1 - fractionLived(g)) * width(g) + e[g + 1];
        double varQ = q[g] * q[g] * (1 - q[g]) / deaths[g];
        variance += l[g] * l[g] * weight * weight * varQ;
      }
    }
    variance += l[OPEN] * l[OPEN] / (deaths[OPEN] * m[OPEN] * m[OPEN]);
    double se = Math.sqrt(variance) / RADIX;
    return Optional.of(new Estimate(e[0], e[0] - 1.96 * se, e[0] + 1.96 * se));
  }
}
