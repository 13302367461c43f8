package org.sanku.ingest.drop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StrictDecodingReaderTest {

  static final Charset GBK = Charset.forName("GBK");

  private static String readAll(byte[] bytes, Charset cs) throws IOException {
    StringWriter out = new StringWriter();
    try (Reader r = new StrictDecodingReader(new ByteArrayInputStream(bytes), cs)) {
      r.transferTo(out);
    }
    return out.toString();
  }

  @Test
  void charactersSplitAcrossTheBufferBoundaryDecode() throws IOException {
    // One ASCII byte then two-byte GBK characters: with a 64 KiB buffer a character straddles every boundary.
    String text = "x" + "张三".repeat(40_000);
    assertEquals(text, readAll(text.getBytes(GBK), GBK));
    String utf8 = "ab" + "䢺江镇".repeat(30_000);
    assertEquals(utf8, readAll(utf8.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
  }

  @Test
  void malformedByteOffsetIsCountedAcrossBuffers() {
    byte[] bytes = new byte[100_001];
    Arrays.fill(bytes, (byte) 'a');
    bytes[100_000] = (byte) 0xFF; // never valid in UTF-8
    StrictDecodingReader.MalformedBytesException e = assertThrows(StrictDecodingReader.MalformedBytesException.class,
        () -> readAll(bytes, StandardCharsets.UTF_8));
    assertEquals(100_000, e.offset);
    assertEquals("not valid UTF-8 at byte offset 100000", e.getMessage());
  }

  @Test
  void incompleteCharacterAtTheEndIsMalformed() {
    // A GBK lead byte with nothing after it, at offset 4.
    byte[] bytes = {'a', ',', 'b', '\n', (byte) 0xD5};
    StrictDecodingReader.MalformedBytesException e = assertThrows(StrictDecodingReader.MalformedBytesException.class,
        () -> readAll(bytes, GBK));
    assertEquals(4, e.offset);
  }
}
