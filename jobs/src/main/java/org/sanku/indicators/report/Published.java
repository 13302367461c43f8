package org.sanku.indicators.report;

import java.util.Objects;

/**
 * An indicator cell as it is published: the exact {@link Cell} and whether the publication rule
 * hides its counts and values.
 *
 * <p>The cell always keeps its exact numbers (they stay in the internal analytics tables); the
 * report writers ({@link CsvReport}, {@link XlsxReport}) leave them out when {@link #suppression()}
 * is set.
 *
 * @param cell        the indicator value with exact numbers
 * @param suppression null when the cell is published as it is, {@link Suppression#SMALL_CELL} when
 *                    its numerator or denominator is below k, or {@link Suppression#COMPLEMENTARY}
 *                    when it is hidden so that a small cell cannot be derived from a total
 */
public record Published(Cell cell, String suppression) {

  /** Checks that the cell is present and the reason, if any, is one of the two known ones. */
  public Published {
    Objects.requireNonNull(cell, "cell");
    if (suppression != null
        && !suppression.equals(Suppression.SMALL_CELL)
        && !suppression.equals(Suppression.COMPLEMENTARY)) {
      throw new IllegalArgumentException("unknown suppression reason: " + suppression);
    }
  }

  /** A cell published with its numbers. */
  public static Published open(Cell cell) {
    return new Published(cell, null);
  }

  /** True when the numbers of this cell must not be published. */
  public boolean suppressed() {
    return suppression != null;
  }
}
