package org.sanku.ingest.drop;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Where each record of a delivered CSV file starts, as a physical line number of the file (1 = the header's
 * line), for quarantine rows and messages. Data record {@code i} (0-based, after the header) starts on line
 * {@code i + 2} unless a record before it spanned several lines (a quoted newline) or blank lines were skipped; the
 * map keeps only the points where that offset changes, so a plain file costs nothing.
 */
public final class LineMap implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Every record on its own line, directly after the header. */
  public static final LineMap PLAIN = new LineMap(new long[0], new long[0], 0);

  private final long[] fromRecord;
  private final long[] offset;
  private final int size;

  private LineMap(long[] fromRecord, long[] offset, int size) {
    this.fromRecord = fromRecord;
    this.offset = offset;
    this.size = size;
  }

  /** The line on which data record {@code record} (0-based) starts. */
  public long lineOf(long record) {
    int k = Arrays.binarySearch(fromRecord, 0, size, record);
    if (k < 0) {
      k = -k - 2;
    }
    return record + 2 + (k < 0 ? 0 : offset[k]);
  }

  /** The number of points where the offset changes (0 for a file of one line per record). */
  public int changes() {
    return size;
  }

  /** Builds a map record by record, from each record's last line and its line breaks inside quotes. */
  static final class Builder {
    private long[] from = new long[8];
    private long[] off = new long[8];
    private int size;
    private long current;
    private long previousEnd;
    private long records;

    /**
     * Adds the next record (the header first).
     *
     * @param endLine the line the record ends on (as the parser counts lines)
     * @param values its fields, to count their line breaks when the record did not take exactly one line
     */
    void add(long endLine, String[] values) {
      long start = endLine;
      if (endLine - previousEnd != 1) {
        start = endLine - breaks(values);
      }
      previousEnd = endLine;
      long index = records - 1;
      records++;
      if (index < 0) {
        return;
      }
      long o = start - (index + 2);
      if (o != current) {
        append(index, o);
        current = o;
      }
    }

    private void append(long index, long o) {
      if (size == from.length) {
        from = Arrays.copyOf(from, size * 2);
        off = Arrays.copyOf(off, size * 2);
      }
      from[size] = index;
      off[size] = o;
      size++;
    }

    LineMap build() {
      return size == 0 ? PLAIN : new LineMap(Arrays.copyOf(from, size), Arrays.copyOf(off, size), size);
    }

    /** Line breaks inside the values: CR LF, a lone CR and a lone LF each count once. */
    private static long breaks(String[] values) {
      long n = 0;
      if (values == null) {
        return 0;
      }
      for (String v : values) {
        if (v == null) {
          continue;
        }
        for (int i = 0; i < v.length(); i++) {
          char c = v.charAt(i);
          if (c == '\n') {
            n++;
          } else if (c == '\r') {
            n++;
            if (i + 1 < v.length() && v.charAt(i + 1) == '\n') {
              i++;
            }
          }
        }
      }
      return n;
    }
  }
}
