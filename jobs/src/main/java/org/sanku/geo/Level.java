package org.sanku.geo;

/** The levels of the statistical division codes (ref_division {@code level}, contract §3 reference). */
public enum Level {
  PROVINCE("1", "province"),
  CITY("2", "city"),
  COUNTY("3", "county"),
  TOWNSHIP("4", "township"),
  VILLAGE("5", "village");

  private final String code;
  private final String label;

  Level(String code, String label) {
    this.code = code;
    this.label = label;
  }

  /** The code ref_division delivers ({@code 1} … {@code 5}). */
  public String code() {
    return code;
  }

  /** The name tables and reports use ({@code county}, {@code city}, {@code province} …). */
  public String label() {
    return label;
  }

  /** The level of a delivered code, or null for an unknown one. */
  public static Level ofCode(String code) {
    for (Level l : values()) {
      if (l.code.equals(code)) {
        return l;
      }
    }
    return null;
  }

  /** The level a 12-digit code's digits imply when ref_division does not know it. */
  public static Level byDigits(String code12) {
    if (code12.endsWith("0000000000")) {
      return PROVINCE;
    }
    return code12.endsWith("00000000") ? CITY : COUNTY;
  }
}
