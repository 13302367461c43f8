package org.sanku.indicators;

/**
 * A summable count: numerator and denominator of one cell (indicator × period × division). Cells roll up the
 * division hierarchy by adding counts, and a rate is divided only at the level asked for: a city's rate is never an
 * average of its counties' rates. An empty denominator is a state of its own ("no data"), not 0%.
 */
public record Counts(long numerator, long denominator) {

  public static final Counts ZERO = new Counts(0, 0);

  public Counts plus(Counts other) {
    return new Counts(numerator + other.numerator, denominator + other.denominator);
  }

  public Counts plus(long n, long d) {
    return new Counts(numerator + n, denominator + d);
  }

  public boolean isEmpty() {
    return denominator == 0;
  }

  /** numerator × factor / denominator, or null when the denominator is empty. */
  public Double value(double factor) {
    return isEmpty() ? null : numerator * factor / denominator;
  }
}
