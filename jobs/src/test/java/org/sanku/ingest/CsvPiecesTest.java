package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.ingest.drop.LineMap;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.spark.TestSpark;

/**
 * A large file with quoted line breaks, blank lines, doubled quotes and a short record, read in pieces side by side,
 * gives the records the file holds (worked out here while writing it), on the lines they start on, exactly as the
 * same file read whole (its gzip twin, which is never cut).
 */
class CsvPiecesTest {

  /** More records than CsvDropReader.SPREAD_ROWS, so the file is cut. */
  private static final int RECORDS = 60_000;

  /** A record as written: its three values (null when the record stops short) and the line it starts on. */
  private record Written(String visit, String org, String dept, long line) {}

  @Test
  void aFileReadInPiecesGivesTheRecordsOfTheWholeFile(@TempDir Path dir) throws Exception {
    SparkSession spark = TestSpark.get();
    Charset gbk = Charset.forName("GBK");
    StringBuilder text = new StringBuilder("visit_id,org_code,dept_code\n");
    Map<String, Written> written = new LinkedHashMap<>();
    long line = 2;
    for (int n = 1; n <= RECORDS; n++) {
      String visit = "V" + n;
      // Every 7th value holds a line break (two lines), every 1,000th dept a doubled quote, record 30,001 has two
      // fields instead of three, and a blank line follows every 5,000th record.
      String org = n % 7 == 0 ? "门诊\n" + n : "机构" + n;
      String dept = n % 1000 == 0 ? "say \"hi\" " + n : "D" + n;
      String csvOrg = n % 7 == 0 ? "\"" + org + "\"" : org;
      String csvDept = n % 1000 == 0 ? "\"" + dept.replace("\"", "\"\"") + "\"" : dept;
      if (n == 30_001) {
        text.append(visit).append(',').append(csvOrg).append('\n');
        written.put(visit, new Written(visit, org, null, line));
      } else {
        text.append(visit).append(',').append(csvOrg).append(',').append(csvDept).append('\n');
        written.put(visit, new Written(visit, org, dept, line));
      }
      line += n % 7 == 0 ? 2 : 1;
      if (n % 5000 == 0) {
        text.append('\n');
        line++;
      }
    }
    Path csv = dir.resolve("emr_visit.csv");
    Files.write(csv, text.toString().getBytes(gbk));
    Path gz = dir.resolve("emr_visit.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(text.toString().getBytes(gbk));
    }
    LineMap lines = LineMap.of(new java.io.StringReader(text.toString()), ',');
    assertEquals(written.get("V8").line(), lines.lineOf(7), "the verifier's map agrees with the lines written");

    List<CsvPieces.Piece> pieces = CsvPieces.plan(csv, lines, RECORDS, 4);
    assertNotNull(pieces);
    assertEquals(4, pieces.size());
    assertEquals(RECORDS, pieces.stream().mapToLong(CsvPieces.Piece::records).sum());
    assertEquals(Files.size(csv), pieces.get(3).end());

    DropHeaders.Layout layout = new DropHeaders.Layout(
        SchemaCatalog.load(Path.of("..", "schemas"), Path.of("..", "conf")).get("emr_visit"),
        Map.of("visit_id", 0, "org_code", 1, "dept_code", 2), List.of(),
        List.of("visit_id", "org_code", "dept_code"));
    Dataset<Row> inPieces = CsvDropReader.read(spark, new org.apache.hadoop.fs.Path(csv.toUri()), "t/emr_visit.csv",
        gbk, ',', layout, RECORDS, lines);
    assertEquals(4, inPieces.rdd().getNumPartitions(), "one partition per piece, no shuffle");
    Dataset<Row> whole = CsvDropReader.read(spark, new org.apache.hadoop.fs.Path(gz.toUri()), "t/emr_visit.csv",
        gbk, ',', layout, RECORDS, lines);

    List<Row> got = inPieces.select("visit_id", "org_code", "dept_code", "_line", CsvDropReader.WRONG_FIELDS, "_raw")
        .collectAsList();
    assertEquals(RECORDS, got.size());
    for (Row r : got) {
      Written w = written.get(r.getString(0));
      assertEquals(w.org(), r.getString(1), w.visit());
      assertEquals(w.dept(), r.getString(2), w.visit());
      assertEquals(w.line(), r.getLong(3), w.visit());
      assertEquals(w.dept() == null, r.getBoolean(4), w.visit());
      assertEquals(w.visit() + "," + w.org() + "," + (w.dept() == null ? "" : w.dept()), r.getString(5), w.visit());
    }
    // In the file's order, and the same rows as the whole file's read (which is spread over the cores, so sorted).
    for (int i = 1; i < got.size(); i++) {
      assertTrue(got.get(i).getLong(3) > got.get(i - 1).getLong(3), "file order at " + got.get(i));
    }
    List<Row> wholeRows = whole.select("visit_id", "org_code", "dept_code", "_line", CsvDropReader.WRONG_FIELDS,
        "_raw").orderBy("_line").collectAsList();
    assertEquals(wholeRows, got);
    // Given where to list a temporary file, the gzip twin is unpacked into one and read in pieces too.
    List<Path> temporary = new ArrayList<>();
    Dataset<Row> unpacked = CsvDropReader.read(spark, new org.apache.hadoop.fs.Path(gz.toUri()), "t/emr_visit.csv",
        gbk, ',', layout, RECORDS, lines, temporary);
    assertEquals(1, temporary.size());
    assertEquals(4, unpacked.rdd().getNumPartitions());
    assertEquals(got, unpacked.select("visit_id", "org_code", "dept_code", "_line", CsvDropReader.WRONG_FIELDS,
        "_raw").collectAsList());
    Files.delete(temporary.get(0));
  }

  @Test
  void aFileWithALoneCarriageReturnIsNotCut(@TempDir Path dir) throws Exception {
    StringBuilder text = new StringBuilder("a,b\n");
    for (int n = 1; n <= 1000; n++) {
      text.append(n).append(',').append(n == 500 ? "\"x\ry\"" : "v").append('\n');
    }
    Path csv = dir.resolve("t.csv");
    Files.writeString(csv, text, StandardCharsets.UTF_8);
    LineMap lines = LineMap.of(new java.io.StringReader(text.toString()), ',');
    assertNull(CsvPieces.plan(csv, lines, 1000, 4));
    // Without it, the same file is cut.
    Files.writeString(csv, text.toString().replace("x\ry", "x y"), StandardCharsets.UTF_8);
    List<CsvPieces.Piece> pieces = CsvPieces.plan(csv, LineMap.of(new java.io.StringReader(text.toString()
        .replace("x\ry", "x y")), ','), 1000, 4);
    assertNotNull(pieces);
    assertTrue(pieces.size() >= 2);
    List<Long> firsts = new ArrayList<>();
    pieces.forEach(p -> firsts.add(p.firstRecord()));
    assertEquals(0L, firsts.get(0));
  }
}
