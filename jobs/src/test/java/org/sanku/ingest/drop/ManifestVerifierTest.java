package org.sanku.ingest.drop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drops built by hand, with row counts worked out by reading the CSV text, verified or refused. */
class ManifestVerifierTest {

  static final Charset GBK = Charset.forName("GBK");
  static final Charset GB18030 = Charset.forName("GB18030");

  /** 3 data rows; the third quotes a comma. */
  static final String EHR_PERSON = """
      ehr_no,name,sex_code,birth_date,op_type,src_updated_at
      10000000000000001,张三,1,19500101,I,2025-12-30 08:00:00
      10000000000000002,李四,2,1962-03-04,,2025-12-30 08:00:00
      10000000000000003,"王, 五",1,19700505,U,2025-12-30 09:00:00
      """;

  /** 2 data rows. */
  static final String EHR_FOLLOWUP = """
      followup_id,enrollment_id,followup_date,org_code,followup_mode_code,op_type,src_updated_at
      F1,E1,20251201,ORG1,1,I,2025-12-01 10:00:00
      F2,E1,20251215,ORG1,3,I,2025-12-15 10:00:00
      """;

  @TempDir
  Path landing;

  private TestDrop goodEhrDrop() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    d.file("ehr_person.csv", EHR_PERSON, 3);
    d.file("ehr_followup.csv", EHR_FOLLOWUP, 2);
    return d.manifest();
  }

  private static void assertRefused(ManifestVerifier.Verification v, String... messages) {
    assertFalse(v.ok(), "expected a refusal");
    assertNull(v.drop());
    assertEquals(List.of(messages), v.messages());
  }

  // --- drops that verify ---

  @Test
  void goodUtf8DropVerifiesWithItsCounts() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    byte[] person = d.file("ehr_person.csv", EHR_PERSON, 3);
    d.file("ehr_followup.csv", EHR_FOLLOWUP, 2);
    d.manifest();

    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());

    assertTrue(v.ok(), () -> String.join("\n", v.messages()));
    Drop drop = v.drop();
    assertEquals("ehr", drop.source());
    assertEquals(LocalDate.of(2025, 12, 30), drop.date());
    assertEquals("ehr/20251230", drop.id());
    assertEquals(LandingFiles.location(d.folder), drop.folder());
    Manifest m = drop.manifest();
    assertEquals("ehr", m.source());
    assertEquals(LocalDate.of(2025, 12, 30), m.extractDate());
    assertEquals("full", m.kind());
    assertTrue(m.isFull());
    assertEquals(StandardCharsets.UTF_8, m.encoding());
    assertEquals(',', m.delimiter());
    assertEquals(List.of("ehr_person.csv", "ehr_followup.csv"), List.copyOf(m.files().keySet()));
    assertEquals(new Manifest.FileEntry(3, TestDrop.sha256(person)), m.files().get("ehr_person.csv"));
    assertEquals(LandingFiles.location(d.folder.resolve("ehr_followup.csv")), drop.file("ehr_followup.csv"));
    assertEquals(d.folder.resolve("ehr_followup.csv"), LandingFiles.local(drop.file("ehr_followup.csv")));

    ManifestVerifier.FileCheck c = v.files().get(0);
    assertEquals(new ManifestVerifier.FileCheck("ehr_person.csv", 3, 3, TestDrop.sha256(person),
        TestDrop.sha256(person), person.length, LineMap.PLAIN,
        List.of("ehr_no", "name", "sex_code", "birth_date", "op_type", "src_updated_at")), c);
    assertTrue(c.ok());
    assertEquals(2, v.files().get(1).foundRows());
  }

  @Test
  void gbkDropWithChineseNamesVerifies() {
    String csv = "visit_id,name\nV1,张三\nV2,李四\n";
    byte[] gbk = csv.getBytes(GBK);
    assertFalse(isValid(gbk, StandardCharsets.UTF_8), "the test data must not be valid UTF-8");
    TestDrop d = new TestDrop(landing, "emr", "20251229").encoding("GBK");
    d.file("emr_visit.csv", csv, GBK, 2);
    d.manifest();

    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());

    assertTrue(v.ok(), () -> String.join("\n", v.messages()));
    assertEquals(GBK, v.drop().manifest().encoding());
    assertEquals(2, v.files().get(0).foundRows());
    assertEquals(gbk.length, v.files().get(0).bytes());
  }

  @Test
  void gbkBytesDeclaredUtf8AreRefusedNamingTheFileAndOffset() {
    // "visit_id,name\n" is 14 bytes and "V1," 3 more: 张 (GBK D5 C5) starts at byte 17; C5 cannot follow D5 in UTF-8.
    TestDrop d = new TestDrop(landing, "emr", "20251229").encoding("UTF-8");
    d.file("emr_visit.csv", "visit_id,name\nV1,张三\nV2,李四\n", GBK, 2);
    d.manifest();

    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());

    assertRefused(v, "emr/20251229/emr_visit.csv: not valid UTF-8 at byte offset 17: the file cannot be decoded"
        + " with the manifest's encoding");
    // The bytes are as listed: the sha256 agrees, only the declared encoding is wrong.
    assertEquals(v.files().get(0).expectedSha(), v.files().get(0).foundSha());
    assertEquals(-1, v.files().get(0).foundRows());
  }

  @Test
  void gb18030DropVerifiesAndTheSameBytesAsGbkAreRefused() {
    // 䢺 lies outside GBK: GB18030 writes it as four bytes 0x82 0x3x ..., which GBK cannot decode.
    // "division_code,name\n" is 19 bytes and "511303104000," 13 more: 䢺 starts at byte 32.
    String csv = "division_code,name\n511303104000,䢺江镇\n";
    TestDrop good = new TestDrop(landing, "reference", "20251231").encoding("GB18030");
    good.file("ref_division.csv", csv, GB18030, 1);
    good.manifest();
    ManifestVerifier.Verification ok = ManifestVerifier.verify(good.ref());
    assertTrue(ok.ok(), () -> String.join("\n", ok.messages()));
    assertEquals(GB18030, ok.drop().manifest().encoding());

    TestDrop bad = new TestDrop(landing, "reference", "20251230").encoding("GBK");
    bad.file("ref_division.csv", csv, GB18030, 1);
    bad.manifest();
    assertRefused(ManifestVerifier.verify(bad.ref()), "reference/20251230/ref_division.csv: not valid GBK at byte"
        + " offset 32: the file cannot be decoded with the manifest's encoding");
  }

  @Test
  void gzipFileIsDecompressedAndHashedAsStored() {
    // 3 records on 4 data lines: the second diagnosis name holds a line break inside quotes.
    String csv = """
        visit_id,diag_seq,diag_code,diag_name,op_type,src_updated_at
        V1,1,I10.x00,高血压,I,2025-12-30 08:00:00
        V1,2,E11.900,"2型糖尿病
        （待查）",I,2025-12-30 08:00:00
        V2,1,J18.900,肺炎,I,2025-12-30 08:00:00
        """;
    TestDrop d = new TestDrop(landing, "emr", "20251230").encoding("GBK");
    byte[] gz = d.file("emr_diagnosis.csv.gz", csv, GBK, 3);
    d.manifest();

    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());

    assertTrue(v.ok(), () -> String.join("\n", v.messages()));
    ManifestVerifier.FileCheck c = v.files().get(0);
    assertEquals(3, c.foundRows());
    assertEquals(TestDrop.sha256(gz), c.foundSha());
    assertEquals(gz.length, c.bytes());
  }

  @Test
  void truncatedGzipIsRefused() throws Exception {
    StringBuilder csv = new StringBuilder("visit_id,diag_seq,diag_code\n");
    for (int i = 1; i <= 200; i++) {
      csv.append('V').append(i).append(",1,I").append(i % 100).append('\n');
    }
    TestDrop d = new TestDrop(landing, "emr", "20251230");
    byte[] gz = d.file("emr_diagnosis.csv.gz", csv.toString(), 200);
    d.manifest();
    byte[] half = Arrays.copyOf(gz, gz.length / 2);
    Files.write(d.folder.resolve("emr_diagnosis.csv.gz"), half);

    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());

    assertRefused(v,
        "emr/20251230/emr_diagnosis.csv.gz: gzip data is corrupt or truncated: Unexpected end of ZLIB input stream",
        "emr/20251230/emr_diagnosis.csv.gz: sha256 expected " + TestDrop.sha256(gz) + " found "
            + TestDrop.sha256(half));
  }

  @Test
  void plainTextNamedGzIsRefused() throws Exception {
    TestDrop d = new TestDrop(landing, "emr", "20251230");
    byte[] gz = d.file("emr_diagnosis.csv.gz", EHR_PERSON, 3);
    d.manifest();
    byte[] plain = EHR_PERSON.getBytes(StandardCharsets.UTF_8);
    Files.write(d.folder.resolve("emr_diagnosis.csv.gz"), plain);

    assertRefused(ManifestVerifier.verify(d.ref()),
        "emr/20251230/emr_diagnosis.csv.gz: gzip data is corrupt or truncated: Not in GZIP format",
        "emr/20251230/emr_diagnosis.csv.gz: sha256 expected " + TestDrop.sha256(gz) + " found "
            + TestDrop.sha256(plain));
  }

  @Test
  void quotedLineBreaksAndHashLinesAreCountedAsRecords() {
    // 5 lines after the header but 3 records: record 1 and record 3 hold line breaks inside quotes (one CRLF, one
    // LF), record 2 starts with '#', which is data here and not a comment.
    String csv = "id,note\r\n"
        + "1,\"line one\r\nline two\"\r\n"
        + "#2,starts with a hash\r\n"
        + "3,\"say \"\"hi\"\", then\ngo\"\r\n";
    assertEquals(5, csv.split("\r\n|\n").length - 1);
    TestDrop d = new TestDrop(landing, "population", "20251230");
    d.file("pop_person.csv", csv, 3);
    d.manifest();
    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());
    assertTrue(v.ok(), () -> String.join("\n", v.messages()));
    assertEquals(3, v.files().get(0).foundRows());

    // A manifest that counted lines instead of records is a broken delivery.
    TestDrop lines = new TestDrop(landing, "population", "20251231");
    lines.file("pop_person.csv", csv, 5);
    lines.manifest();
    assertRefused(ManifestVerifier.verify(lines.ref()), "population/20251231/pop_person.csv: rows expected 5, found 3");
  }

  @Test
  void theManifestDelimiterDecidesWhereAQuotedFieldStarts() {
    // With '|' the quote opens the second field, so the line break is inside it: 2 records. (Read with ',' the
    // quote would sit mid-field, be literal, and the text would hold 3 data records.)
    String csv = "id|note\n1|\"a\nb\"\n2|c,d\n";
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    d.delimiter = "|";
    d.file("ehr_person.csv", csv, 2);
    d.manifest();
    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());
    assertTrue(v.ok(), () -> String.join("\n", v.messages()));
    assertEquals('|', v.drop().manifest().delimiter());
  }

  // --- tampered deliveries ---

  @Test
  void editedRowIsASha256Mismatch() {
    TestDrop d = goodEhrDrop();
    Path f = d.folder.resolve("ehr_person.csv");
    String before = TestDrop.sha256(f);
    TestDrop.write(f, EHR_PERSON.replace("李四", "李斯"), StandardCharsets.UTF_8);

    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());

    assertRefused(v, "ehr/20251230/ehr_person.csv: sha256 expected " + before + " found " + TestDrop.sha256(f));
    assertEquals(3, v.files().get(0).foundRows(), "same number of rows");
    assertTrue(v.files().get(1).ok(), "the other file is fine");
  }

  @Test
  void truncatedFileIsACountAndSha256Mismatch() {
    TestDrop d = goodEhrDrop();
    Path f = d.folder.resolve("ehr_person.csv");
    String before = TestDrop.sha256(f);
    // The last record is lost: the file ends after the second data row.
    String truncated = EHR_PERSON.substring(0, EHR_PERSON.indexOf("10000000000000003"));
    TestDrop.write(f, truncated, StandardCharsets.UTF_8);

    assertRefused(ManifestVerifier.verify(d.ref()),
        "ehr/20251230/ehr_person.csv: sha256 expected " + before + " found " + TestDrop.sha256(f),
        "ehr/20251230/ehr_person.csv: rows expected 3, found 2");
  }

  @Test
  void aFileWhoseManifestSaysNoRowsButHoldsRecordsIsRefused() {
    // Ingest reads nothing of a delta file whose manifest says 0 rows: this refusal is what keeps its records from
    // being passed over unread.
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    d.kind = "delta";
    d.file("ehr_person.csv", EHR_PERSON, 0);
    d.manifest();
    assertRefused(ManifestVerifier.verify(d.ref()), "ehr/20251230/ehr_person.csv: rows expected 0, found 3");
    // A header alone is the empty file the manifest announces.
    TestDrop empty = new TestDrop(landing, "ehr", "20251231");
    empty.kind = "delta";
    empty.file("ehr_person.csv", EHR_PERSON.substring(0, EHR_PERSON.indexOf('\n') + 1), 0);
    empty.manifest();
    ManifestVerifier.Verification v = ManifestVerifier.verify(empty.ref());
    assertTrue(v.ok(), () -> String.join("\n", v.messages()));
    assertEquals(0, v.files().get(0).foundRows());
  }

  @Test
  void dropWithoutManifestIsNotRead() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    d.file("ehr_person.csv", EHR_PERSON, 3);

    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());

    assertRefused(v, "ehr/20251230: manifest.json missing: the drop is incomplete and is not read");
    assertTrue(v.files().isEmpty(), "no file is read");
  }

  @Test
  void listedFileThatIsAbsentIsRefused() throws Exception {
    TestDrop d = goodEhrDrop();
    Files.delete(d.folder.resolve("ehr_followup.csv"));

    assertRefused(ManifestVerifier.verify(d.ref()),
        "ehr/20251230/ehr_followup.csv: file listed in the manifest is missing");
  }

  @Test
  void extraDataFileIsRefusedOtherFilesAreIgnored() {
    TestDrop d = goodEhrDrop();
    TestDrop.write(d.folder.resolve("ehr_extra.csv.gz"), EHR_FOLLOWUP, StandardCharsets.UTF_8);
    TestDrop.write(d.folder.resolve("readme.txt"), "not data", StandardCharsets.UTF_8);
    TestDrop.write(d.folder.resolve(".ehr_partial.csv"), "being copied", StandardCharsets.UTF_8);

    assertRefused(ManifestVerifier.verify(d.ref()),
        "ehr/20251230/ehr_extra.csv.gz: file not listed in the manifest");
  }

  @Test
  void emptyFileHasNoHeader() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    d.file("ehr_person.csv", "", 0);
    d.manifest();
    assertRefused(ManifestVerifier.verify(d.ref()),
        "ehr/20251230/ehr_person.csv: header row missing (the file has no records)");
  }

  // --- manifests that disagree with the folder or the contract ---

  @Test
  void manifestSourceAndDateMustMatchTheFolder() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    d.file("ehr_person.csv", EHR_PERSON, 3);
    d.manifest("emr", "2025-12-31");

    assertRefused(ManifestVerifier.verify(d.ref()),
        "ehr/20251230/manifest.json: source \"emr\" does not match the folder's source \"ehr\"",
        "ehr/20251230/manifest.json: extract_date 2025-12-31 does not match the folder's date 2025-12-30");
  }

  @Test
  void unknownKindAndUnsupportedEncodingAreRefusedTogether() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    d.file("ehr_person.csv", EHR_PERSON, 3);
    d.kind = "incremental";
    d.encoding("Big5").manifest();

    assertRefused(ManifestVerifier.verify(d.ref()),
        "ehr/20251230/manifest.json: unknown kind \"incremental\" (expected full or delta)",
        "ehr/20251230/manifest.json: unsupported encoding \"Big5\" (expected UTF-8, GBK or GB18030)");
  }

  @Test
  void malformedJsonIsRefusedWithLineAndColumn() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    d.file("ehr_person.csv", EHR_PERSON, 3);
    d.rawManifest("{\"source\": \"ehr\",\n \"kind\": full}\n");

    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());

    assertFalse(v.ok());
    assertEquals(1, v.messages().size());
    String m = v.messages().get(0);
    assertTrue(m.startsWith("ehr/20251230/manifest.json: malformed JSON at line 2, column "), m);
    assertTrue(m.contains("Unrecognized token 'full'"), m);
  }

  @Test
  void badFileEntriesAreRefused() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    d.file("ehr_person.csv", EHR_PERSON, 3);
    d.rawManifest("""
        {"source": "ehr", "extract_date": "20251230", "kind": "delta",
         "files": {"ehr_person.csv": {"rows": -1, "sha256": "abc"},
                   "../emr/20251230/emr_visit.csv": {"rows": 1, "sha256": "%s"},
                   "ehr_person.txt": {"rows": 1, "sha256": "%s"}}}
        """.formatted("0".repeat(64), "0".repeat(64)));

    assertRefused(ManifestVerifier.verify(d.ref()),
        "ehr/20251230/manifest.json: files[\"ehr_person.csv\"]: rows must be a non-negative integer",
        "ehr/20251230/manifest.json: files[\"ehr_person.csv\"]: sha256 must be 64 hexadecimal digits",
        "ehr/20251230/manifest.json: files[\"../emr/20251230/emr_visit.csv\"]: not a plain file name",
        "ehr/20251230/manifest.json: files[\"ehr_person.txt\"]: a data file name must end in .csv or .csv.gz");
  }

  @Test
  void duplicateFileEntryIsMalformed() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    String sha = TestDrop.sha256(d.file("ehr_person.csv", EHR_PERSON, 3));
    String entry = "\"ehr_person.csv\": {\"rows\": 3, \"sha256\": \"" + sha + "\"}";
    d.rawManifest("{\"source\": \"ehr\", \"extract_date\": \"2025-12-30\", \"kind\": \"full\",\n \"files\": {"
        + entry + ", " + entry + "}}");
    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());
    assertFalse(v.ok());
    assertTrue(v.messages().get(0).startsWith("ehr/20251230/manifest.json: malformed JSON at line 2, column "),
        v.messages().get(0));
    assertTrue(v.messages().get(0).contains("Duplicate field 'ehr_person.csv'"), v.messages().get(0));
  }

  @Test
  void contentAfterTheManifestObjectIsMalformed() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    d.file("ehr_person.csv", EHR_PERSON, 3);
    d.manifest();
    TestDrop.write(d.folder.resolve("manifest.json"), "{\"source\": \"ehr\"}\n{\"source\": \"emr\"}\n",
        StandardCharsets.UTF_8);
    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());
    assertFalse(v.ok());
    assertTrue(v.messages().get(0).startsWith("ehr/20251230/manifest.json: malformed JSON at line 2, column "),
        v.messages().get(0));
  }

  @Test
  void encodingAndDelimiterDefaultToUtf8AndComma() {
    TestDrop d = new TestDrop(landing, "ehr", "20251230");
    String sha = TestDrop.sha256(d.file("ehr_person.csv", EHR_PERSON, 3));
    d.rawManifest("{\"source\": \"ehr\", \"extract_date\": \"20251230\", \"kind\": \"delta\", \"files\":"
        + " {\"ehr_person.csv\": {\"rows\": 3, \"sha256\": \"" + sha.toUpperCase() + "\"}}}");
    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());
    assertTrue(v.ok(), () -> String.join("\n", v.messages()));
    Manifest m = v.drop().manifest();
    assertEquals(StandardCharsets.UTF_8, m.encoding());
    assertEquals(',', m.delimiter());
    assertEquals("delta", m.kind());
    assertFalse(m.isFull());
    assertEquals(sha, m.files().get("ehr_person.csv").sha256(), "hex is kept in lower case");
  }

  @Test
  void aDropAcceptsOnlyListedFileNames() {
    Drop drop = ManifestVerifier.verify(goodEhrDrop().ref()).drop();
    assertThrows(IllegalArgumentException.class, () -> drop.file("emr_visit.csv"));
  }

  private static boolean isValid(byte[] bytes, Charset cs) {
    try {
      cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
