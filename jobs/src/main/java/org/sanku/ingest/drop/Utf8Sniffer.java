package org.sanku.ingest.drop;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Watches the bytes of a file declared GBK or GB18030 as they stream past: are they valid UTF-8 with multi-byte
 * characters? Chinese text in GBK is almost never valid UTF-8, so such a file is most likely UTF-8 under a wrong
 * declaration, and read as GBK its names would silently become other characters (and linkage by name fail).
 */
final class Utf8Sniffer extends FilterInputStream {

  private int pending;
  private boolean invalid;
  private long multiByte;

  Utf8Sniffer(InputStream in) {
    super(in);
  }

  /** Whether every byte so far formed valid UTF-8 and at least one character took several bytes. */
  boolean looksLikeUtf8() {
    return !invalid && pending == 0 && multiByte > 0;
  }

  long multiByteCharacters() {
    return multiByte;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      see(b);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    if (!invalid) {
      for (int i = 0; i < n; i++) {
        see(buf[off + i] & 0xFF);
      }
    }
    return n;
  }

  private void see(int b) {
    if (invalid) {
      return;
    }
    if (pending > 0) {
      if ((b & 0xC0) != 0x80) {
        invalid = true;
      } else if (--pending == 0) {
        multiByte++;
      }
    } else if (b >= 0x80) {
      if (b >= 0xC2 && b <= 0xDF) {
        pending = 1;
      } else if ((b & 0xF0) == 0xE0) {
        pending = 2;
      } else if (b >= 0xF0 && b <= 0xF4) {
        pending = 3;
      } else {
        invalid = true;
      }
    }
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
