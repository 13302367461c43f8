package org.sanku.sql;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * Prints statement results exactly: decimals in full (plain, with their scale), doubles as the shortest decimal
 * that reads back to the same double (never rounded, never in exponent form), dates ISO ({@code 2025-12-31}),
 * timestamps ISO in the session time zone with its offset ({@code 2025-12-31T08:30:00+08:00}), timestamps without
 * time zone ISO local ({@code 2025-12-31T08:30:00}).
 *
 * <ul>
 *   <li>{@code table}: aligned columns (汉字 count two columns), header and separator, {@code NULL} for nulls,
 *       numbers right-aligned, a closing {@code (N rows)} line; a blank line between results;</li>
 *   <li>{@code csv}: RFC 4180 (comma, double quotes, CRLF) with a header row, nulls as empty fields; each result
 *       starts with its own header;</li>
 *   <li>{@code json}: JSON Lines, one object per row keyed by column name; arrays as JSON arrays, structs and maps
 *       as objects, binary as base64, NaN and infinities as strings.</li>
 * </ul>
 *
 * Arrays print as {@code [a, b]}, maps as {@code {k -> v}} and structs as {@code {field: value}} in table and csv.
 */
public final class ResultWriter {

  public enum Format {
    TABLE, CSV, JSON;

    /** {@code table}, {@code csv} or {@code json}, in any case. */
    public static Format parse(String name) {
      for (Format f : values()) {
        if (f.name().equalsIgnoreCase(name.strip())) {
          return f;
        }
      }
      throw new IllegalArgumentException("unknown format '" + name + "' (table, csv or json)");
    }
  }

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  private final Format format;
  private final PrintStream out;
  private int results;

  public ResultWriter(Format format, PrintStream out) {
    this.format = format;
    this.out = out;
  }

  /** Prints a statement's result; a result without columns (USE, SET TIME ZONE) prints nothing. */
  public void write(Dataset<Row> result, ZoneId zone) {
    write(result, zone, 0);
  }

  /**
   * Prints at most {@code maxRows} rows of a statement's result (all of them when 0) and says whether there were
   * more. The result should already be limited ({@link Limits#capped}): this only stops the printing.
   */
  public boolean write(Dataset<Row> result, ZoneId zone, long maxRows) {
    StructType schema = result.schema();
    if (schema.fields().length == 0) {
      return false;
    }
    long cap = maxRows == 0 ? Long.MAX_VALUE : maxRows;
    boolean cut;
    switch (format) {
      case TABLE -> {
        List<Row> rows = result.collectAsList();
        cut = rows.size() > cap;
        table(schema, cut ? rows.subList(0, (int) cap) : rows, zone);
      }
      case CSV -> cut = csv(schema, result.toLocalIterator(), cap, zone);
      case JSON -> cut = json(schema, result.toLocalIterator(), cap, zone);
      default -> throw new IllegalStateException(format.name());
    }
    results++;
    out.flush();
    return cut;
  }

  // ---- table

  private void table(StructType schema, List<Row> rows, ZoneId zone) {
    StructField[] fields = schema.fields();
    int n = fields.length;
    boolean[] right = new boolean[n];
    int[] width = new int[n];
    String[] head = new String[n];
    for (int c = 0; c < n; c++) {
      right[c] = fields[c].dataType() instanceof NumericType;
      head[c] = printable(fields[c].name());
      width[c] = DisplayWidth.of(head[c]);
    }
    List<String[]> cells = new ArrayList<>(rows.size());
    for (Row row : rows) {
      String[] line = new String[n];
      for (int c = 0; c < n; c++) {
        line[c] = row.isNullAt(c) ? "NULL" : printable(text(row.get(c), zone));
        width[c] = Math.max(width[c], DisplayWidth.of(line[c]));
      }
      cells.add(line);
    }
    if (results > 0) {
      out.print('\n');
    }
    StringBuilder sb = new StringBuilder();
    line(sb, head, width, right);
    for (int c = 0; c < n; c++) {
      sb.append(c == 0 ? "" : "+").append("-".repeat(width[c] + 2));
    }
    sb.append('\n');
    for (String[] line : cells) {
      line(sb, line, width, right);
    }
    sb.append('(').append(rows.size()).append(rows.size() == 1 ? " row)" : " rows)").append('\n');
    out.print(sb);
  }

  private static void line(StringBuilder sb, String[] cells, int[] width, boolean[] right) {
    for (int c = 0; c < cells.length; c++) {
      sb.append(c == 0 ? " " : " | ");
      String pad = " ".repeat(width[c] - DisplayWidth.of(cells[c]));
      if (right[c]) {
        sb.append(pad).append(cells[c]);
      } else {
        sb.append(cells[c]).append(pad);
      }
    }
    sb.append(" \n");
  }

  /** Control characters would break the alignment: tabs and line breaks show as \t, \n, \r. */
  private static String printable(String s) {
    boolean plain = true;
    for (int i = 0; i < s.length() && plain; i++) {
      plain = !Character.isISOControl(s.charAt(i));
    }
    if (plain) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (Character.isISOControl(ch)) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.toString();
  }

  // ---- csv

  private boolean csv(StructType schema, Iterator<Row> rows, long cap, ZoneId zone) {
    CSVFormat csvFormat = CSVFormat.RFC4180.builder().setHeader(schema.fieldNames()).build();
    int n = schema.fields().length;
    try {
      CSVPrinter printer = new CSVPrinter(out, csvFormat);
      List<String> record = new ArrayList<>(n);
      for (long printed = 0; printed < cap && rows.hasNext(); printed++) {
        Row row = rows.next();
        record.clear();
        for (int c = 0; c < n; c++) {
          record.add(row.isNullAt(c) ? null : text(row.get(c), zone));
        }
        printer.printRecord(record);
      }
      printer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows.hasNext();
  }

  // ---- json

  private boolean json(StructType schema, Iterator<Row> rows, long cap, ZoneId zone) {
    String[] names = schema.fieldNames();
    try {
      for (long printed = 0; printed < cap && rows.hasNext(); printed++) {
        Row row = rows.next();
        StringWriter sw = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(sw)) {
          g.writeStartObject();
          for (int c = 0; c < names.length; c++) {
            g.writeFieldName(names[c]);
            json(g, row.isNullAt(c) ? null : row.get(c), zone);
          }
          g.writeEndObject();
        }
        out.print(sw);
        out.print('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows.hasNext();
  }

  private static void json(JsonGenerator g, Object v, ZoneId zone) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        g.writeString(text(v, zone));
      } else {
        g.writeNumber(text(v, zone));
      }
    } else if (v instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (v instanceof byte[] b) {
      g.writeBinary(b);
    } else if (v instanceof scala.collection.Seq<?> seq) {
      g.writeStartArray();
      for (Object e : JavaConverters.seqAsJavaList(seq)) {
        json(g, e, zone);
      }
      g.writeEndArray();
    } else if (v instanceof scala.collection.Map<?, ?> map) {
      g.writeStartObject();
      for (java.util.Map.Entry<?, ?> e : JavaConverters.mapAsJavaMap(map).entrySet()) {
        g.writeFieldName(e.getKey() == null ? "null" : text(e.getKey(), zone));
        json(g, e.getValue(), zone);
      }
      g.writeEndObject();
    } else if (v instanceof Row r) {
      g.writeStartObject();
      for (int c = 0; c < r.length(); c++) {
        g.writeFieldName(fieldName(r, c));
        json(g, r.isNullAt(c) ? null : r.get(c), zone);
      }
      g.writeEndObject();
    } else {
      g.writeString(text(v, zone));
    }
  }

  // ---- values as text

  /** A non-null value as table and csv print it (nested nulls as {@code NULL}). */
  public static String text(Object v, ZoneId zone) {
    if (v == null) {
      return "NULL";
    } else if (v instanceof String s) {
      return s;
    } else if (v instanceof Double d) {
      return plain(d);
    } else if (v instanceof Float f) {
      return plain(Float.toString(f));
    } else if (v instanceof BigDecimal d) {
      return d.toPlainString();
    } else if (v instanceof java.sql.Timestamp t) {
      return instant(t.toInstant(), zone);
    } else if (v instanceof Instant t) {
      return instant(t, zone);
    } else if (v instanceof java.sql.Date d) {
      return d.toLocalDate().toString();
    } else if (v instanceof LocalDate d) {
      return d.toString();
    } else if (v instanceof LocalDateTime t) {
      return t.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    } else if (v instanceof byte[] b) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < b.length; i++) {
        sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02X", b[i]));
      }
      return sb.append(']').toString();
    } else if (v instanceof scala.collection.Seq<?> seq) {
      StringBuilder sb = new StringBuilder("[");
      int i = 0;
      for (Object e : JavaConverters.seqAsJavaList(seq)) {
        sb.append(i++ == 0 ? "" : ", ").append(text(e, zone));
      }
      return sb.append(']').toString();
    } else if (v instanceof scala.collection.Map<?, ?> map) {
      StringBuilder sb = new StringBuilder("{");
      int i = 0;
      for (java.util.Map.Entry<?, ?> e : JavaConverters.mapAsJavaMap(map).entrySet()) {
        sb.append(i++ == 0 ? "" : ", ").append(text(e.getKey(), zone)).append(" -> ")
            .append(text(e.getValue(), zone));
      }
      return sb.append('}').toString();
    } else if (v instanceof Row r) {
      StringBuilder sb = new StringBuilder("{");
      for (int c = 0; c < r.length(); c++) {
        sb.append(c == 0 ? "" : ", ").append(fieldName(r, c)).append(": ")
            .append(text(r.isNullAt(c) ? null : r.get(c), zone));
      }
      return sb.append('}').toString();
    }
    return v.toString();
  }

  /**
   * A double in full: the shortest decimal that reads back to the same double ({@link Double#toString}), written
   * out without an exponent ({@code 1.0E-5} → {@code 0.00001}, {@code 1.0E7} → {@code 10000000.0}).
   */
  public static String plain(double d) {
    return plain(Double.toString(d));
  }

  private static String plain(String s) {
    if (s.indexOf('E') < 0 || s.equals("NaN") || s.endsWith("Infinity")) {
      return s;
    }
    String p = new BigDecimal(s).stripTrailingZeros().toPlainString();
    return p.indexOf('.') < 0 ? p + ".0" : p;
  }

  private static String instant(Instant t, ZoneId zone) {
    return t.atZone(zone).toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  private static String fieldName(Row r, int c) {
    StructType s = r.schema();
    return s != null ? s.fields()[c].name() : "col" + (c + 1);
  }
}
