package org.sanku.serve;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.sanku.geo.Level;

/**
 * The divisions a login may see: {@code all} (the whole region, including rows that name no division), or one or
 * more counties, cities or provinces by their NBS code (6 digits, 511302, or 12, 511302000000). A row is inside the
 * scope when its division code starts with a scope code's significant digits: 6 for a county, 4 for a city, 2 for a
 * province. NBS codes are built that way (a county's code starts with its city's four digits, a city's with its
 * province's two), and ingest maps retired codes to their successors, so a prefix is the division and everything
 * under it. For a roll-up table this gives "at or under the scope": a county login sees its county's rows, not its
 * city's.
 *
 * @param codes the scope as 12-digit codes, or {@code all}
 */
public record Scope(List<String> codes) {

  public static final String ALL = "all";

  public Scope {
    codes = List.copyOf(codes);
  }

  /**
   * The scope of the given codes.
   *
   * @throws IllegalArgumentException naming the code that is not {@code all} or a county, city or province code
   */
  public static Scope parse(List<String> given) {
    if (given == null || given.isEmpty()) {
      throw new IllegalArgumentException("no scope: give a county, city or province code (511302, 511300, "
          + "510000) or all");
    }
    Set<String> codes = new LinkedHashSet<>();
    for (String g : given) {
      String c = g == null ? "" : g.strip();
      if (c.equalsIgnoreCase(ALL)) {
        if (given.size() > 1) {
          throw new IllegalArgumentException("the scope all is the whole region: give it alone");
        }
        return new Scope(List.of(ALL));
      }
      if (!c.matches("\\d{6}|\\d{12}")) {
        throw new IllegalArgumentException("not a division code: \"" + c + "\" (a scope is a 6- or 12-digit "
            + "county, city or province code, e.g. 511302, or all)");
      }
      String code12 = c.length() == 6 ? c + "000000" : c;
      if (!code12.endsWith("000000")) {
        throw new IllegalArgumentException("\"" + c + "\" is a township or village: a scope is a county, city or "
            + "province");
      }
      codes.add(code12);
    }
    return new Scope(new ArrayList<>(codes));
  }

  /** Whether the scope is the whole region. */
  public boolean wholeRegion() {
    return codes.equals(List.of(ALL));
  }

  /** The leading digits a row's division code must start with, one per code; the empty string for {@code all}. */
  public List<String> prefixes() {
    if (wholeRegion()) {
      return List.of("");
    }
    return codes.stream().map(Scope::prefix).toList();
  }

  /** The significant digits of a county (6), city (4) or province (2) code. */
  static String prefix(String code12) {
    return switch (Level.byDigits(code12)) {
      case PROVINCE -> code12.substring(0, 2);
      case CITY -> code12.substring(0, 4);
      default -> code12.substring(0, 6);
    };
  }

  /** The scope as given to {@code ./sanku user add --scope}: 6-digit codes, or {@code all}. */
  @Override
  public String toString() {
    return String.join(",", codes.stream().map(c -> c.equals(ALL) ? c : c.substring(0, 6)).toList());
  }
}
