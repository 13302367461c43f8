package org.sanku.ingest.drop;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.CoderResult;

/**
 * A reader that decodes a byte stream strictly: bytes that are not valid in the charset stop the read with a
 * {@link MalformedBytesException} giving their offset, where {@code InputStreamReader} would either substitute
 * U+FFFD (hiding a wrongly declared encoding) or, with a reporting decoder, fail without saying where.
 *
 * <p>Closing this reader does not close the stream: the caller owns it (it may still need to read the rest of it,
 * e.g. to finish a checksum, after a parser has closed its input).
 */
final class StrictDecodingReader extends Reader {

  /** Bytes that the charset cannot decode. */
  static final class MalformedBytesException extends IOException {
    private static final long serialVersionUID = 1L;
    final transient Charset charset;
    final long offset;
    final int length;

    MalformedBytesException(Charset charset, long offset, int length) {
      super("not valid " + charset.name() + " at byte offset " + offset);
      this.charset = charset;
      this.offset = offset;
      this.length = length;
    }
  }

  private static final int BUFFER = 1 << 16;

  private final InputStream in;
  private final CharsetDecoder decoder;
  /** Bytes read but not yet decoded; kept in read mode (position = next byte to decode). */
  private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip();
  /** Decoded characters not yet returned; kept in read mode. */
  private final CharBuffer chars = CharBuffer.allocate(BUFFER).flip();
  /** Bytes taken from the stream so far: minus {@code bytes.remaining()}, the offset of the next byte to decode. */
  private long bytesRead;
  private boolean endOfStream;
  private boolean inputDecoded;
  private boolean done;

  StrictDecodingReader(InputStream in, Charset charset) {
    this.in = in;
    this.decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  @Override
  public int read(char[] buf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (!chars.hasRemaining()) {
      if (done) {
        return -1;
      }
      fill();
    }
    int n = Math.min(len, chars.remaining());
    chars.get(buf, off, n);
    return n;
  }

  /** Decodes at least one character into {@code chars}, or reaches the end. */
  private void fill() throws IOException {
    chars.clear();
    while (chars.position() == 0 && !done) {
      if (!inputDecoded) {
        if (!endOfStream) {
          bytes.compact();
          int n = in.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
          if (n < 0) {
            endOfStream = true;
          } else {
            bytes.position(bytes.position() + n);
            bytesRead += n;
          }
          bytes.flip();
        }
        // With endOfInput, an incomplete sequence at the very end is reported as malformed too.
        CoderResult r = decoder.decode(bytes, chars, endOfStream);
        check(r);
        if (endOfStream && r.isUnderflow()) {
          inputDecoded = true;
        }
      } else {
        CoderResult r = decoder.flush(chars);
        check(r);
        if (r.isUnderflow()) {
          done = true;
        }
      }
    }
    chars.flip();
  }

  private void check(CoderResult r) throws MalformedBytesException {
    if (r.isError()) {
      // On an error the decoder stops with the buffer positioned at the first offending byte.
      throw new MalformedBytesException(decoder.charset(), bytesRead - bytes.remaining(), r.length());
    }
  }

  @Override
  public void close() {
    // The stream belongs to the caller (see the class comment).
  }
}
