package org.sanku.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The published values of the benchmark's period against the generator's recoverable truth and against the values
 * an earlier commit published on the same region (kept in the region's {@code values/} folder).
 */
final class Values {

  /** One value: numerator, denominator, value and the 95% limits (nulls as empty). */
  record Value(String numerator, String denominator, Double value, Double lower, Double upper) {
    boolean sameAs(Value o) {
      return numerator.equals(o.numerator) && denominator.equals(o.denominator) && close(value, o.value)
          && close(lower, o.lower) && close(upper, o.upper);
    }

    private static boolean close(Double a, Double b) {
      return a == null ? b == null : b != null && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
    }
  }

  /** How the published values compare. */
  record Comparison(int published, int truthRows, int equalToTruth, List<String> differences, String previousCommit,
      int equalToPrevious, int previousRows) {
    boolean ok() {
      return published > 0 && equalToTruth == truthRows && (previousCommit == null || equalToPrevious == previousRows);
    }
  }

  private Values() {}

  /** Reads `indicator_id, division_code, numerator, denominator, value, lower95, upper95` (a CSV with a header). */
  static Map<String, Value> readPublished(Path csv) throws IOException {
    Map<String, Value> out = new TreeMap<>();
    try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
        out.put(rec.get("indicator_id") + " " + rec.get("division_code"), new Value(rec.get("numerator"),
            rec.get("denominator"), dbl(rec.get("value")), dbl(rec.get("lower95")), dbl(rec.get("upper95"))));
      }
    }
    return out;
  }

  /**
   * The truth file's recoverable values of its first period, the year to date of the as-of date (the truth writes it
   * first; the other periods it holds follow).
   */
  static Map<String, Value> readTruth(Path csv) throws IOException {
    Map<String, Value> out = new TreeMap<>();
    String first = null;
    try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
        String period = rec.get("period_start") + " " + rec.get("period_end");
        if (first == null) {
          first = period;
        } else if (!first.equals(period)) {
          continue;
        }
        if (rec.get("division_level").equals("unassigned")) {
          // Counts without a county: Sanku publishes the counts (ind.unassigned_count), not a rate.
          out.put(rec.get("indicator_id") + " ", new Value(rec.get("numerator_recoverable"),
              rec.get("denominator_recoverable"), null, null, null));
          continue;
        }
        out.put(rec.get("indicator_id") + " " + rec.get("division_code"), new Value(
            rec.get("numerator_recoverable"), rec.get("denominator_recoverable"), dbl(rec.get("value_recoverable")),
            dbl(rec.get("lower95_recoverable")), dbl(rec.get("upper95_recoverable"))));
      }
    }
    return out;
  }

  /** Reads `indicator_id, numerator, denominator` of ind.unassigned_count (a CSV with a header), keyed as the truth. */
  static Map<String, Value> readUnassigned(Path csv) throws IOException {
    Map<String, Value> out = new TreeMap<>();
    try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
        out.put(rec.get("indicator_id") + " ", new Value(rec.get("numerator"), rec.get("denominator"), null, null,
            null));
      }
    }
    return out;
  }

  /**
   * Compares the published values (and, when given, the counts without a county) with the truth, and with the
   * values an earlier commit published on the region.
   */
  static Comparison compare(Path published, Path unassigned, Path truth, Path region, String commit)
      throws IOException {
    Map<String, Value> got = readPublished(published);
    Map<String, Value> counts = unassigned == null ? Map.of() : readUnassigned(unassigned);
    Map<String, Value> want = readTruth(truth);
    List<String> diffs = new ArrayList<>();
    int equal = 0;
    for (var e : want.entrySet()) {
      Value g = got.containsKey(e.getKey()) ? got.get(e.getKey()) : counts.get(e.getKey());
      if (g != null && g.sameAs(e.getValue())) {
        equal++;
      } else if (diffs.size() < 10) {
        diffs.add(e.getKey() + ": published " + g + ", truth " + e.getValue());
      }
    }
    // The latest values an earlier commit published on this region.
    Path dir = Files.createDirectories(region.resolve("values"));
    Path previous = null;
    try (Stream<Path> s = Files.list(dir)) {
      previous = s.filter(p -> !p.getFileName().toString().equals(commit + ".csv"))
          .max(java.util.Comparator.comparing(Values::modified)).orElse(null);
    }
    int equalPrev = 0;
    int prevRows = 0;
    String prevCommit = null;
    if (previous != null) {
      Map<String, Value> before = readPublished(previous);
      prevCommit = previous.getFileName().toString().replaceAll("\\.csv$", "");
      prevRows = Math.max(before.size(), got.size());
      for (var e : before.entrySet()) {
        Value g = got.get(e.getKey());
        if (g != null && g.sameAs(e.getValue())) {
          equalPrev++;
        }
      }
    }
    Files.copy(published, dir.resolve(commit + ".csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new Comparison(got.size(), want.size(), equal, diffs, prevCommit, equalPrev, prevRows);
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static Double dbl(String s) {
    return s == null || s.isEmpty() ? null : Double.valueOf(s);
  }
}
