package org.sanku.quality;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * The night a check run looks at: its date, each source's latest drop by then and the one before, and the drops
 * ingested since the last run of an earlier night (the night's deliveries). Renders the catalog's placeholders.
 *
 * @param date      the night checked (the run's reference date)
 * @param latest    per source, the date of its latest drop on or before the night
 * @param previous  per source, the date of its drop before that (absent when it has one drop)
 * @param drops     the drops of the night (source/yyyyMMdd)
 */
public record Night(LocalDate date, Map<String, LocalDate> latest, Map<String, LocalDate> previous,
    List<String> drops) {

  public Night {
    latest = Map.copyOf(latest);
    previous = Map.copyOf(previous);
    drops = List.copyOf(drops);
  }

  /** A night with no drops, for checking the catalog's SQL before anything is read. */
  public static Night sample() {
    return new Night(LocalDate.of(2000, 1, 1), Map.of(), Map.of(), List.of("population/20000101"));
  }

  /** The latest drop of a source by the night (source/yyyyMMdd), or null when it has none. */
  public String dropId(String source) {
    LocalDate d = latest.get(source);
    return d == null ? null : source + "/" + d.toString().replace("-", "");
  }

  /**
   * Replaces the placeholders: {@code ${night}}, {@code ${drop_date}} and {@code ${previous_drop_date}} become DATE
   * literals (the latter the day before the latest drop when the source has one drop; NULL when it has none),
   * {@code ${night_drops}} a list of quoted drop ids (NULL when there are none, so {@code IN (…)} holds for no row).
   *
   * @param source the table's source, or null for a table with a source column
   */
  public String render(String sql, String source) {
    Matcher m = CheckCatalog.REF.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String rep = switch (m.group(1)) {
        case "night" -> date(date);
        case "drop_date" -> date(latest.get(source));
        case "previous_drop_date" -> {
          LocalDate last = latest.get(source);
          yield date(last == null ? null : previous.getOrDefault(source, last.minusDays(1)));
        }
        case "night_drops" -> drops.isEmpty() ? "NULL" : String.join(", ", drops.stream()
            .map(d -> "'" + d.replace("'", "''") + "'").toList());
        default -> throw new IllegalStateException("unknown placeholder " + m.group());
      };
      m.appendReplacement(out, Matcher.quoteReplacement(rep));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String date(LocalDate d) {
    return d == null ? "CAST(NULL AS DATE)" : "DATE'" + d + "'";
  }
}
