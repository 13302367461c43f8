package org.sanku.generate;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Formatting of delivered values: each source writes its dates its own way, as real platforms do. */
final class Rows {

  private Rows() {}

  static final DateTimeFormatter BASIC = DateTimeFormatter.ofPattern("yyyyMMdd");
  static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd");
  static final DateTimeFormatter BASIC_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
  static final DateTimeFormatter ISO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /** Population and EMR write compact dates (yyyyMMdd); the EHR platform writes yyyy-MM-dd. */
  static String date(String source, LocalDate d) {
    if (d == null) {
      return "";
    }
    return source.equals("ehr") ? ISO.format(d) : BASIC.format(d);
  }

  static String dateTime(String source, LocalDateTime t) {
    if (t == null) {
      return "";
    }
    return source.equals("ehr") ? ISO_TIME.format(t) : BASIC_TIME.format(t);
  }

  static String s(Object o) {
    return o == null ? "" : o.toString();
  }

  /** A measurement with one decimal (a glucose value), or empty. */
  static String oneDecimal(Double v) {
    return v == null ? "" : String.format("%.1f", v);
  }

  /** A person's phone number, derived from their index so that every source delivers the same one. */
  static String phone(long personIdx) {
    return String.format("1%d%09d", 3 + (int) (personIdx % 7), personIdx % 1_000_000_000L);
  }

  /** RFC 4180 quoting: only fields that need it are quoted. */
  static void appendCsv(StringBuilder sb, String[] row) {
    appendCsv(sb, row, ',');
  }

  /** RFC 4180 with another field delimiter (the manifest's): fields holding it are quoted. */
  static void appendCsv(StringBuilder sb, String[] row, char delimiter) {
    for (int i = 0; i < row.length; i++) {
      if (i > 0) {
        sb.append(delimiter);
      }
      String v = row[i] == null ? "" : row[i];
      boolean quote = false;
      for (int k = 0; k < v.length(); k++) {
        char ch = v.charAt(k);
        if (ch == delimiter || ch == '"' || ch == '\n' || ch == '\r') {
          quote = true;
          break;
        }
      }
      if (quote) {
        sb.append('"').append(v.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(v);
      }
    }
    sb.append('\n');
  }
}
