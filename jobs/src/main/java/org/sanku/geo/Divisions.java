package org.sanku.geo;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The region's divisions from {@code std.ref_division} (the reference drop): names, levels, the roll-up chain county
 * → city → province, and the retired codes with their successors. Ingest maps retired codes through it, the
 * indicators roll counties up through it. A code the table does not know rolls up by its digits (city = first 4
 * digits, province = first 2).
 */
public final class Divisions {

  private record Div(String name, Level level, String parent, String successor) {}

  private final Map<String, Div> byCode = new HashMap<>();

  /** From a table or view with the columns division_code, name, level, parent_code (and successor_code). */
  public Divisions(SparkSession spark, String table, boolean ifExists) {
    this(spark.catalog().tableExists(table) || !ifExists ? spark.table(table) : null);
  }

  /** From the warehouse's ref_division, at the snapshot the run reads (none yet: codes roll up by their digits). */
  public Divisions(SparkSession spark, org.sanku.storage.PinnedReads reads, String refDivision) {
    this(reads.read(refDivision));
  }

  /** From rows of ref_division's columns; null for no rows. */
  public Divisions(Dataset<Row> rows) {
    if (rows != null) {
      boolean successors = java.util.Arrays.asList(rows.columns()).contains("successor_code");
      for (Row r : rows.selectExpr("division_code", "name", "CAST(level AS STRING)", "parent_code",
          successors ? "successor_code" : "CAST(NULL AS STRING)").collectAsList()) {
        byCode.put(r.getString(0), new Div(r.getString(1), Level.ofCode(r.getString(2)), r.getString(3),
            r.getString(4)));
      }
    }
  }

  /** The 12-digit code of a 6-digit county. */
  public static String countyCode(String county6) {
    return county6.length() == 12 ? county6 : county6 + "000000";
  }

  /** The division and the divisions above it, nearest first, up to the province. */
  public List<String> chain(String code) {
    List<String> out = new java.util.ArrayList<>();
    String c = code;
    while (c != null && out.size() < 5) {
      out.add(c);
      Div d = byCode.get(c);
      if (d != null && d.level() == Level.PROVINCE) {
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

  /** county, city or province (the level of a township or village rolls up as county). */
  public String level(String code) {
    Div d = byCode.get(code);
    Level l = d != null && d.level() != null ? d.level() : Level.byDigits(code);
    return switch (l) {
      case PROVINCE -> Level.PROVINCE.label();
      case CITY -> Level.CITY.label();
      default -> Level.COUNTY.label();
    };
  }

  public String name(String code) {
    Div d = byCode.get(code);
    return d == null ? null : d.name();
  }

  /** Retired code → successor code, as delivered (12 digits; chains are resolved where they are applied). */
  public Map<String, String> successors() {
    Map<String, String> out = new HashMap<>();
    byCode.forEach((code, d) -> {
      if (d.successor() != null) {
        out.put(code, d.successor());
      }
    });
    return Collections.unmodifiableMap(out);
  }

  /** The 6-digit codes of the current counties (county rows without a successor). */
  public Set<String> currentCounties() {
    Set<String> out = new TreeSet<>();
    byCode.forEach((code, d) -> {
      if (d.successor() == null && d.level() == Level.COUNTY) {
        out.add(code.substring(0, 6));
      }
    });
    return Collections.unmodifiableSet(out);
  }
}
