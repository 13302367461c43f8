package org.sanku.quality;

import java.util.Arrays;

/**
 * Outliers among night-by-night counts, the way DHIS2 finds them: the modified z-score of Iglewicz and Hoaglin,
 * 0.6745 · (x − median) / MAD, robust to the odd bad night in the history (a mean and standard deviation would let
 * one outage hide the next). When more than half the previous nights are equal (MAD 0), the mean absolute deviation
 * scaled by 1.253314 stands in for it (as IBM's and DHIS2's implementations do); when all are equal, the difference
 * itself is the score (one row of spread).
 */
final class ModifiedZ {

  static final double K = 0.6745;
  static final double MEAN_AD = 1.253314;

  private ModifiedZ() {}

  static double median(double[] xs) {
    if (xs.length == 0) {
      return 0;
    }
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** The modified z-score of {@code x} against {@code history}. */
  static double score(double x, double[] history) {
    double m = median(history);
    double[] dev = new double[history.length];
    double sum = 0;
    for (int i = 0; i < history.length; i++) {
      dev[i] = Math.abs(history[i] - m);
      sum += dev[i];
    }
    double mad = median(dev);
    if (mad > 0) {
      return K * (x - m) / mad;
    }
    double meanAd = history.length == 0 ? 0 : sum / history.length;
    if (meanAd > 0) {
      return (x - m) / (MEAN_AD * meanAd);
    }
    return x - m;
  }
}
