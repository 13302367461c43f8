package org.sanku.indicators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Division names and the roll-up chain county → city → province, from {@code std.ref_division} (the reference
 * drop). A code the table does not know rolls up by its digits (城市 = first 4 digits, 省 = first 2).
 */
public final class Divisions {

  private record Div(String name, String level, String parent) {}

  private final Map<String, Div> byCode = new HashMap<>();

  public Divisions(SparkSession spark, String analyticsCatalog) {
    this(spark, analyticsCatalog + ".std.ref_division", true);
  }

  /** From a table or view with the columns division_code, name, level and parent_code. */
  public Divisions(SparkSession spark, String table, boolean ifExists) {
    String t = table;
    if (!ifExists || spark.catalog().tableExists(t)) {
      for (Row r : spark.sql("SELECT division_code, name, level, parent_code FROM " + t).collectAsList()) {
        byCode.put(r.getString(0), new Div(r.getString(1), r.getString(2), r.getString(3)));
      }
    }
  }

  /** The 12-digit code of a 6-digit county. */
  static String countyCode(String county6) {
    return county6.length() == 12 ? county6 : county6 + "000000";
  }

  /** The division and the divisions above it, nearest first, up to the province. */
  public List<String> chain(String code) {
    List<String> out = new ArrayList<>();
    String c = code;
    while (c != null && out.size() < 5) {
      out.add(c);
      Div d = byCode.get(c);
      if (d != null && "1".equals(d.level())) {
        break;
      }
      String parent = d != null && d.parent() != null && !d.parent().isBlank() ? d.parent() : byDigits(c);
      c = parent;
    }
    return out;
  }

  private static String byDigits(String c) {
    if (c.endsWith("0000000000")) {
      return null;
    }
    if (c.endsWith("00000000")) {
      return c.substring(0, 2) + "0000000000";
    }
    return c.substring(0, 4) + "00000000";
  }

  /** county, city or province. */
  public String level(String code) {
    Div d = byCode.get(code);
    if (d != null) {
      return switch (d.level()) {
        case "1" -> "province";
        case "2" -> "city";
        default -> "county";
      };
    }
    return code.endsWith("0000000000") ? "province" : code.endsWith("00000000") ? "city" : "county";
  }

  public String name(String code) {
    Div d = byCode.get(code);
    return d == null ? null : d.name();
  }
}
