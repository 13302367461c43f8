package org.sanku.ingest.drop;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.Reader;

/** Counts the RFC 4180 records of a CSV text (contract §2), which is not its number of lines. */
final class CsvRecords {

  /** The text is not CSV that can be parsed (as opposed to an I/O or decoding failure). */
  static final class CsvFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    CsvFormatException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private CsvRecords() {}

  /**
   * The records of a file, the header included, where each starts, and the header's fields (null for a file
   * without records).
   */
  record Scan(long records, LineMap lines, String[] header) {}

  /**
   * Counts every record (the header included) and maps records to the lines they start on.
   *
   * @throws IOException as thrown by the reader (unwrapped from the parser's exceptions, so that a decoding or
   *     gzip failure keeps its type)
   */
  static Scan scan(Reader text, char delimiter) throws IOException, CsvFormatException {
    CsvParser parser = new CsvParser(settings(delimiter));
    long records = 0;
    LineMap.Builder lines = new LineMap.Builder();
    try {
      parser.beginParsing(text);
      String[] row;
      String[] header = null;
      while ((row = parser.parseNext()) != null) {
        if (records == 0) {
          header = row;
        }
        records++;
        lines.add(parser.getContext().currentLine(), row);
      }
      return new Scan(records, lines.build(), header);
    } catch (TextParsingException | IllegalStateException e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof IOException io) {
          throw io;
        }
      }
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new CsvFormatException("CSV cannot be parsed after record " + records + ": " + first, e);
    } finally {
      parser.stopParsing();
    }
  }

  /**
   * Parser settings that see records as the contract (and Spark's multi-line CSV reader) does. Univocity's defaults
   * would differ in ways that change the count: '#' lines are comments to it, and fields longer than 4096
   * characters or rows wider than 512 columns fail.
   */
  private static CsvParserSettings settings(char delimiter) {
    CsvParserSettings s = new CsvParserSettings();
    s.getFormat().setDelimiter(delimiter);
    s.getFormat().setQuote('"');
    s.getFormat().setQuoteEscape('"');
    s.getFormat().setComment('\0');
    s.setCommentProcessingEnabled(false);
    s.setLineSeparatorDetectionEnabled(true);
    s.setHeaderExtractionEnabled(false);
    s.setMaxCharsPerColumn(-1);
    s.setMaxColumns(16_384);
    // Blank lines are not records (Spark skips them too).
    s.setSkipEmptyLines(true);
    // Parsing on the caller's thread keeps the reader's exceptions on this thread, with their own type.
    s.setReadInputOnSeparateThread(false);
    return s;
  }
}
