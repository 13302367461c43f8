package org.sanku.ingest.drop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file declared GBK whose bytes are UTF-8 Chinese text is flagged (it would pass as mojibake). */
class EncodingSniffTest {

  @TempDir
  Path landing;

  /**
   * 张三 and 王五 in UTF-8 are 6 bytes each (E5 BC A0 E4 B8 89, E7 8E 8B E4 BA 94), which GBK also reads, two bytes
   * a character: 寮犱笁 and 鐜嬩簲. The file passes a strict GBK decoding, so only the UTF-8 check can tell.
   */
  @Test
  void utf8TextDeclaredGbkIsFlaggedAndRealGbkIsNot() throws Exception {
    String csv = "ehr_no,name\n10000000000000001,张三\n10000000000000002,王五\n";
    byte[] utf8 = csv.getBytes(StandardCharsets.UTF_8);
    // The premise, checked: the UTF-8 bytes are valid GBK.
    String asGbk = Charset.forName("GBK").newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
    assertTrue(asGbk.contains("寮犱笁"), asGbk);

    TestDrop d = new TestDrop(landing, "ehr", "20251230").encoding("GBK");
    d.file("ehr_person.csv", csv, StandardCharsets.UTF_8, 2);
    d.manifest();
    ManifestVerifier.Verification v = ManifestVerifier.verify(d.ref());
    assertTrue(v.ok(), v.messages().toString());
    assertEquals(List.of("ehr/20251230/ehr_person.csv: declared GBK, but its bytes are valid UTF-8 with 4 "
        + "multi-byte character(s): read as GBK, names become other characters (and linkage by name fails); check "
        + "the manifest's encoding"), v.warnings());

    // The same text really in GBK: no warning.
    TestDrop g = new TestDrop(landing, "ehr", "20251231").encoding("GBK");
    g.file("ehr_person.csv", csv, Charset.forName("GBK"), 2);
    g.manifest();
    ManifestVerifier.Verification ok = ManifestVerifier.verify(g.ref());
    assertTrue(ok.ok(), ok.messages().toString());
    assertEquals(List.of(), ok.warnings());
  }
}
