package org.sanku.ingest.standardise;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.make_date;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.translate;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;

/**
 * The text parsers of standardisation, each a Spark expression built from built-in functions: white space and null
 * placeholders, strict calendar dates and date-times, code look-ups, and the shape of a code.
 */
final class TextParsers {

  private TextParsers() {}

  /**
   * Null placeholders of the contract (§2) plus {@code N/A}, compared upper-cased, so {@code null} and
   * {@code n/a} match too.
   */
  static final List<String> NULL_PLACEHOLDERS = List.of("", "-", "无", "不详", "NULL", "N/A");

  /**
   * White space trimmed from every value: ASCII white space, NBSP, the ideographic space U+3000 and the
   * zero-width characters U+200B and U+FEFF (a BOM inside a field), all of which Chinese exports produce.
   */
  static final String WS = "[\\s\\u00A0\\u3000\\u200B\\uFEFF]";

  /**
   * The characters of {@link #WS}, one by one: Java's {@code \s} is {@code [ \t\n\x0B\f\r]}, then NBSP, U+3000,
   * U+200B and U+FEFF.
   */
  static final String WS_CHARS = " \t\n\u000B\f\r\u00A0\u3000\u200B\uFEFF";

  /** Separators accepted inside list columns: the contract's {@code ;} and what Chinese forms use instead. */
  static final String LIST_SEPARATORS = "[;；,，、]";

  /** Full-width forms seen in hand-typed ICD codes, mapped to ASCII before upper-casing. */
  static final String FULL_WIDTH = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
      + "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ．";
  static final String ASCII = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.";

  /** Cleans one text value: trims white space of every kind and reads null placeholders as null. */
  static Column clean(Column value) {
    // Spark's trim with a set of characters, not a regular expression anchored at both ends: that one was searched
    // for at every position of every value, twice a value (in the placeholder test and in the result), and was 31%
    // of the executors' time in a 1,000,000-person region's hospital drop (async-profiler).
    Column trimmed = trim(value, WS_CHARS);
    return when(upper(trimmed).isin(NULL_PLACEHOLDERS.toArray()), lit(null).cast(DataTypes.StringType))
        .otherwise(trimmed);
  }

  /**
   * A strict calendar date from {@code yyyyMMdd} or {@code yyyy-MM-dd}, else null. Strict means 2025-02-30 and
   * 20251301 are null: Spark's own {@code to_date} either rolls such dates over or, with the default parser
   * policy, throws on them, so the fields are checked against the real month lengths first.
   */
  static Column parseDate(Column s) {
    Column digits = when(s.rlike("^\\d{8}$"), s)
        .when(s.rlike("^\\d{4}-\\d{2}-\\d{2}$"), translate(s, "-", ""));
    return dateOf(digits);
  }

  /** The date of an 8-digit yyyyMMdd prefix of {@code digits}, or null when it is not a real date. */
  static Column dateOf(Column digits) {
    Column y = substring(digits, 1, 4).cast(DataTypes.IntegerType);
    Column m = substring(digits, 5, 2).cast(DataTypes.IntegerType);
    Column d = substring(digits, 7, 2).cast(DataTypes.IntegerType);
    return when(isRealDate(y, m, d), make_date(y, m, d));
  }

  static Column isRealDate(Column y, Column m, Column d) {
    Column leap = y.mod(4).equalTo(0).and(y.mod(100).notEqual(0)).or(y.mod(400).equalTo(0));
    Column daysInMonth = when(m.equalTo(2), when(leap, 29).otherwise(28))
        .when(m.isin(4, 6, 9, 11), 30)
        .otherwise(31);
    return y.geq(1).and(m.between(1, 12)).and(d.geq(1)).and(d.leq(daysInMonth));
  }

  /**
   * 14 digits yyyyMMddHHmmss from the accepted date-time forms: {@code yyyyMMddHHmmss},
   * {@code yyyy-MM-dd HH:mm:ss} (database exports often add a fraction, {@code .0}, which is dropped), or a bare
   * date in either form (midnight). Null for anything else. Characters are dropped with {@code translate} and the
   * fraction cut off by position, the pattern tests having fixed where each character is: a regular-expression
   * replacement costs a matcher and a buffer a value, on every row of a file whose date-times have dashes.
   */
  static Column dateTimeDigits(Column s) {
    return when(s.rlike("^\\d{14}$"), s)
        .when(s.rlike("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?$"),
            translate(substring(s, 1, 19), "- :", ""))
        .when(s.rlike("^\\d{8}$"), concat(s, lit("000000")))
        .when(s.rlike("^\\d{4}-\\d{2}-\\d{2}$"), concat(translate(s, "-", ""), lit("000000")));
  }

  /** A regular expression matching a control character (line breaks included) or the file's delimiter. */
  static String controlOr(char delimiter) {
    return "[\\p{Cntrl}\\x{" + Integer.toHexString(delimiter) + "}]";
  }

  /** Looks a value up in a small map, as a CASE expression (null when absent), or a null literal if empty. */
  static Column lookup(Column key, Map<String, String> map) {
    Column out = null;
    for (Map.Entry<String, String> e : map.entrySet()) {
      Column cond = key.equalTo(lit(e.getKey()));
      out = out == null ? when(cond, lit(e.getValue())) : out.when(cond, lit(e.getValue()));
    }
    return out == null ? lit(null).cast(DataTypes.StringType) : out;
  }
}
