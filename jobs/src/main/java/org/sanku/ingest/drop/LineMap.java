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

  /** Every record on its own line, directly after the header, with as many fields as the header. */
  public static final LineMap PLAIN = new LineMap(new long[0], new long[0], 0, new long[0], 0, 1);

  private final long[] fromRecord;
  private final long[] offset;
  private final int size;
  /** Data records (0-based, sorted) whose number of fields differs from the header's. */
  private final long[] wrongFields;
  private final long longestLine;
  private final long longestLines;

  private LineMap(long[] fromRecord, long[] offset, int size, long[] wrongFields, long longestLine,
      long longestLines) {
    this.fromRecord = fromRecord;
    this.offset = offset;
    this.size = size;
    this.wrongFields = wrongFields;
    this.longestLine = longestLine;
    this.longestLines = longestLines;
  }

  /** The map of a whole text (the header first), as the verifier builds it for a delivered file. */
  public static LineMap of(java.io.Reader text, char delimiter) throws java.io.IOException {
    try {
      return CsvRecords.scan(text, delimiter).lines();
    } catch (CsvRecords.CsvFormatException e) {
      throw new java.io.IOException(e.getMessage(), e);
    }
  }

  /** Whether data record {@code record} (0-based) has a number of fields other than the header's. */
  public boolean wrongFieldCount(long record) {
    return wrongFields.length > 0 && Arrays.binarySearch(wrongFields, record) >= 0;
  }

  /** How many data records have a number of fields other than the header's. */
  public int wrongFieldCounts() {
    return wrongFields.length;
  }

  /** The first data record with a wrong number of fields (0-based), or -1. */
  public long firstWrongFieldCount() {
    return wrongFields.length == 0 ? -1 : wrongFields[0];
  }

  /**
   * The number of physical lines the longest record spans (1 when no record holds a line break), and
   * {@link #longestRecordLine()} the line it starts on. An unbalanced quote makes one record of the lines up to
   * the next quote, so a record of many lines is a broken file, not a long note.
   */
  public long longestRecordLines() {
    return longestLines;
  }

  public long longestRecordLine() {
    return longestLine;
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
    private int headerFields = -1;
    private long[] wrong = new long[0];
    private int wrongSize;
    private long longestLine;
    private long longestLines = 1;

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
      int fields = values == null ? 0 : values.length;
      if (index < 0) {
        headerFields = fields;
        return;
      }
      if (fields != headerFields) {
        if (wrongSize == wrong.length) {
          wrong = Arrays.copyOf(wrong, Math.max(8, wrongSize * 2));
        }
        wrong[wrongSize++] = index;
      }
      if (endLine - start + 1 > longestLines) {
        longestLines = endLine - start + 1;
        longestLine = start;
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
      if (size == 0 && wrongSize == 0 && longestLines == 1) {
        return PLAIN;
      }
      return new LineMap(Arrays.copyOf(from, size), Arrays.copyOf(off, size), size, Arrays.copyOf(wrong, wrongSize),
          longestLine, longestLines);
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
