package org.sanku.ingest.drop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Records are numbered by the physical line they start on, whatever quoted newlines and blank lines came before. */
class LineMapTest {

  private static CsvRecords.Scan scan(String text) throws Exception {
    return CsvRecords.scan(new StringReader(text), ',');
  }

  @Test
  void oneLinePerRecordNeedsNoMap() throws Exception {
    CsvRecords.Scan s = scan("a,b\n1,2\n3,4\n5,6\n");
    assertEquals(4, s.records());
    assertSame(LineMap.PLAIN, s.lines());
    assertEquals(2, s.lines().lineOf(0));
    assertEquals(4, s.lines().lineOf(2));
  }

  @Test
  void quotedNewlinesAndBlankLinesMoveTheLaterRecords() throws Exception {
    // line 1 header; 2 r1; 3–4 r2 (a quoted LF); 5 blank; 6 r3; 7–9 r4 (a quoted CR LF and a LF); 10 r5 (no final
    // newline).
    String text = "h1,h2\nr1,a\nr2,\"multi\nline\"\n\nr3,b\nr4,\"x\r\ny\nz\"\nr5,c";
    CsvRecords.Scan s = scan(text);
    assertEquals(6, s.records());
    LineMap m = s.lines();
    assertEquals(2, m.lineOf(0));
    assertEquals(3, m.lineOf(1));
    assertEquals(6, m.lineOf(2));
    assertEquals(7, m.lineOf(3));
    assertEquals(10, m.lineOf(4));
    // Offsets change at r3 (+1 for r2's second line, +1 for the blank line) and at r5 (+2 for r4's lines).
    assertEquals(2, m.changes());
  }

  @Test
  void crLfFilesCountEachBreakOnce() throws Exception {
    // line 1 header; 2 r1; 3–4 r2; 5 r3.
    CsvRecords.Scan s = scan("h\r\nr1\r\n\"a\r\nb\"\r\nr3\r\n");
    assertEquals(4, s.records());
    assertEquals(2, s.lines().lineOf(0));
    assertEquals(3, s.lines().lineOf(1));
    assertEquals(5, s.lines().lineOf(2));
  }

  @Test
  void aMultiLineHeaderMovesEveryRecord() throws Exception {
    // A quoted newline in the header: lines 1–2 header, 3 r1, 4 r2.
    CsvRecords.Scan s = scan("\"a\nb\",c\n1,2\n3,4\n");
    assertEquals(3, s.lines().lineOf(0));
    assertEquals(4, s.lines().lineOf(1));
  }
}
