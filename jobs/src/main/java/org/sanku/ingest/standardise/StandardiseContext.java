package org.sanku.ingest.standardise;

import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.sanku.ingest.schema.SchemaCatalog;

/**
 * What standardising one drop needs besides the rows: its dates, the division reference and the catalog.
 *
 * <p>The division successors are given as ref_division delivers them (retired code → successor code, 12 digits)
 * and are resolved here once, on the driver: chains (A retired into B, B later into C) are followed to the
 * current code, and a retired county-level code ({@code 510922000000}) also yields a county-prefix rule
 * ({@code 510922} → {@code 510981}) so that any village or township code under the retired county maps too,
 * keeping its last six digits.
 */
public final class StandardiseContext {

  private final LocalDate extractDate;
  private final LocalDate asOf;
  private final Map<String, String> divisionSuccessors;
  private final Map<String, String> countySuccessors;
  private final Set<String> knownCounties;
  private final SchemaCatalog catalog;
  private final char delimiter;

  /**
   * @param extractDate        the drop's extract date (manifest); service dates after it are FUTURE_DATE
   * @param asOf               reference date for ID plausibility (future birth, age over 120); usually the
   *                           extract date, passed explicitly so that reruns are reproducible
   * @param divisionSuccessors retired division code → successor (12 digits; 6-digit county codes also
   *                           accepted); may be empty
   * @param knownCounties      6-digit county codes of the current ref_division; empty disables the
   *                           UNKNOWN_DIVISION check
   * @param catalog            value sets and code maps
   */
  public StandardiseContext(LocalDate extractDate, LocalDate asOf, Map<String, String> divisionSuccessors,
      Set<String> knownCounties, SchemaCatalog catalog) {
    this(extractDate, asOf, divisionSuccessors, knownCounties, catalog, ',');
  }

  /** As above, for a file whose fields are separated by {@code delimiter} (a code holding it is BAD_SHAPE). */
  public StandardiseContext(LocalDate extractDate, LocalDate asOf, Map<String, String> divisionSuccessors,
      Set<String> knownCounties, SchemaCatalog catalog, char delimiter) {
    this.delimiter = delimiter;
    this.extractDate = Objects.requireNonNull(extractDate, "extractDate");
    this.asOf = Objects.requireNonNull(asOf, "asOf");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    Map<String, String> exact = new LinkedHashMap<>();
    Map<String, String> county = new LinkedHashMap<>();
    Map<String, String> given = divisionSuccessors == null ? Map.of() : divisionSuccessors;
    for (Map.Entry<String, String> e : given.entrySet()) {
      String from = digits(e.getKey());
      String to = digits(e.getValue());
      if (from == null || to == null) {
        continue; // not a division code: nothing sensible to map
      }
      String to12 = pad12(to);
      if (from.length() == 6) {
        county.put(from, to12.substring(0, 6));
        exact.put(pad12(from), to12);
      } else {
        exact.put(from, to12);
        if (from.endsWith("000000")) {
          county.put(from.substring(0, 6), to12.substring(0, 6));
        }
      }
    }
    this.divisionSuccessors = Collections.unmodifiableMap(resolveChains(exact));
    this.countySuccessors = Collections.unmodifiableMap(resolveChains(county));
    this.knownCounties = Collections.unmodifiableSet(new TreeSet<>(
        knownCounties == null ? Set.of() : knownCounties));
  }

  public LocalDate extractDate() {
    return extractDate;
  }

  public LocalDate asOf() {
    return asOf;
  }

  /** Retired 12-digit code → current 12-digit code, chains resolved. */
  public Map<String, String> divisionSuccessors() {
    return divisionSuccessors;
  }

  /** Retired 6-digit county code → current 6-digit county code, chains resolved. */
  public Map<String, String> countySuccessors() {
    return countySuccessors;
  }

  public Set<String> knownCounties() {
    return knownCounties;
  }

  /** The delivered files' field delimiter. */
  public char delimiter() {
    return delimiter;
  }

  public SchemaCatalog catalog() {
    return catalog;
  }

  /** 6 or 12 ASCII digits after trimming, else null. */
  private static String digits(String s) {
    if (s == null) {
      return null;
    }
    String t = s.trim();
    return t.matches("\\d{6}|\\d{12}") ? t : null;
  }

  private static String pad12(String code) {
    return code.length() == 6 ? code + "000000" : code;
  }

  /** Follows A → B → C to the end; a cycle (bad reference data) stops where it would repeat. */
  private static Map<String, String> resolveChains(Map<String, String> m) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String from : m.keySet()) {
      String to = m.get(from);
      Set<String> seen = new TreeSet<>();
      seen.add(from);
      while (m.containsKey(to) && seen.add(to)) {
        to = m.get(to);
      }
      if (!to.equals(from)) {
        out.put(from, to);
      }
    }
    return out;
  }
}
