package org.sanku.ingest.drop;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sanku.ingest.drop.LandingFiles.Kind;

/**
 * Checks a drop against its manifest before anything of it is read (contract §1): the manifest must be present and
 * well formed and agree with the folder, and every file must be listed, present, and have the listed sha256 and
 * number of data rows. Any disagreement refuses the whole drop; all disagreements found are reported together,
 * each naming the drop and the file, with what was expected and what was found.
 *
 * <p>Each file is read once: its bytes as stored feed the sha256 and, decompressed if the name ends in {@code .gz}
 * and decoded strictly with the manifest's encoding, a CSV parser that counts RFC 4180 records. Nothing is held in
 * memory beyond fixed buffers, so files of any size stream.
 */
public final class ManifestVerifier {

  /**
   * What was found in one file. {@code foundRows} is -1 when the file could not be read to the end (bad encoding,
   * corrupt gzip, unparsable CSV); {@code foundSha} is null when its bytes could not be read.
   *
   * @param bytes the file's size as stored
   * @param lines where each record starts ({@link LineMap#PLAIN} when the file could not be parsed)
   * @param header the header row's fields (empty when the file could not be parsed or has no records)
   */
  public record FileCheck(String name, long expectedRows, long foundRows, String expectedSha, String foundSha,
      long bytes, LineMap lines, List<String> header) {
    public FileCheck {
      header = List.copyOf(header);
    }

    public boolean ok() {
      return expectedRows == foundRows && expectedSha.equals(foundSha);
    }
  }

  /**
   * What a drop's files may be, beyond agreeing with the manifest.
   *
   * @param maxRecordLines the most physical lines one record may span: a quote that opens and does not close where
   *     it should swallows the lines up to the next quote into one field, and the records in them are lost
   * @param protectedFiles files that are never read as a delivery, whatever links lead to them (the person key's
   *     file)
   */
  public record Limits(int maxRecordLines, List<java.nio.file.Path> protectedFiles) {
    public static final int DEFAULT_MAX_RECORD_LINES = 10;
    public static final Limits DEFAULT = new Limits(DEFAULT_MAX_RECORD_LINES, List.of());

    public Limits {
      if (maxRecordLines < 1) {
        throw new IllegalArgumentException("maxRecordLines must be at least 1");
      }
      protectedFiles = List.copyOf(protectedFiles);
    }
  }

  /**
   * The outcome of a verification. When {@link #ok()}, {@code drop} is the verified drop and {@code messages} is
   * empty; otherwise {@code drop} is null and {@code messages} say why the drop is refused. {@code files} holds the
   * checks of the files that could be read, in both cases.
   */
  public record Verification(DropRef ref, Drop drop, List<FileCheck> files, List<String> messages,
      List<String> warnings) {
    public Verification {
      files = List.copyOf(files);
      messages = List.copyOf(messages);
      warnings = List.copyOf(warnings);
    }

    Verification(DropRef ref, Drop drop, List<FileCheck> files, List<String> messages) {
      this(ref, drop, files, messages, List.of());
    }

    public boolean ok() {
      return drop != null && messages.isEmpty();
    }
  }

  public static final String MANIFEST = "manifest.json";

  private static final int BUFFER = 1 << 16;

  private ManifestVerifier() {}

  /**
   * Verifies one drop. Problems with the drop's content are refusals, never exceptions.
   *
   * @throws UncheckedIOException only if the drop folder itself cannot be listed
   */
  public static Verification verify(DropRef ref) {
    return verify(ref, Limits.DEFAULT);
  }

  /**
   * Verifies one drop within {@code limits}. Problems with the drop's content are refusals, never exceptions.
   *
   * @throws UncheckedIOException only if the drop folder itself cannot be listed
   */
  public static Verification verify(DropRef ref, Limits limits) {
    return verify(ref, limits, LandingFiles.defaults());
  }

  /**
   * Verifies one drop on any file system ({@link LandingFiles}) within {@code limits}, with the session's Hadoop
   * configuration. Problems with the drop's content are refusals, never exceptions.
   *
   * @throws UncheckedIOException only if the drop folder itself cannot be listed
   */
  /**
   * The rows a drop's manifest declares (its files' together), read before the drop is verified and under the same
   * refusals of links and other files than the sender's: -1 when there is no such manifest to read, or it is not
   * well formed (the drop's verification then says why).
   */
  public static long declaredRows(DropRef ref, Limits limits, Configuration hadoop) {
    Path manifestFile = LandingFiles.child(ref.folder(), MANIFEST);
    if (LandingFiles.kind(ref.folder(), hadoop) == Kind.LINK || notADeliveryFile(manifestFile, limits, hadoop) != null
        || LandingFiles.kind(manifestFile, hadoop) != Kind.FILE) {
      return -1;
    }
    try (InputStream in = LandingFiles.open(manifestFile, hadoop)) {
      Manifest m = Manifest.read(in, ref.id() + "/" + MANIFEST).manifest();
      return m == null ? -1 : m.files().values().stream().mapToLong(Manifest.FileEntry::rows).sum();
    } catch (IOException e) {
      return -1;
    }
  }

  public static Verification verify(DropRef ref, Limits limits, Configuration hadoop) {
    String id = ref.id();
    Path manifestFile = LandingFiles.child(ref.folder(), MANIFEST);
    if (LandingFiles.kind(ref.folder(), hadoop) == Kind.LINK) {
      return refused(ref, List.of(), List.of(id + ": is a symbolic link: not read"));
    }
    String notOwn = notADeliveryFile(manifestFile, limits, hadoop);
    if (notOwn != null) {
      return refused(ref, List.of(), List.of(id + "/" + MANIFEST + ": " + notOwn));
    }
    // Checked again rather than taken from the scan: the manifest is written last, it may have arrived since.
    if (LandingFiles.kind(manifestFile, hadoop) != Kind.FILE) {
      return refused(ref, List.of(),
          List.of(id + ": " + MANIFEST + " missing: the drop is incomplete and is not read"));
    }
    Manifest.Parse parse;
    try (InputStream in = LandingFiles.open(manifestFile, hadoop)) {
      parse = Manifest.read(in, id + "/" + MANIFEST);
    } catch (IOException e) {
      return refused(ref, List.of(), List.of(id + "/" + MANIFEST + ": cannot be read: " + e));
    }
    if (parse.manifest() == null) {
      return refused(ref, List.of(), parse.problems());
    }
    Manifest m = parse.manifest();
    List<String> messages = new ArrayList<>();
    if (!m.source().equals(ref.source())) {
      messages.add(id + "/" + MANIFEST + ": source \"" + m.source() + "\" does not match the folder's source \""
          + ref.source() + "\"");
    }
    if (!m.extractDate().equals(ref.date())) {
      messages.add(id + "/" + MANIFEST + ": extract_date " + m.extractDate() + " does not match the folder's date "
          + ref.date());
    }

    // The files are read in parallel (one thread per file, up to the driver's cores: reading and parsing is
    // CPU-bound), and what each found is reported in the manifest's order, as if read one after the other.
    List<java.util.concurrent.Callable<FileOutcome>> perFile = new ArrayList<>();
    for (Map.Entry<String, Manifest.FileEntry> e : m.files().entrySet()) {
      String name = e.getKey();
      Path file = LandingFiles.child(ref.folder(), name);
      String notOwnFile = notADeliveryFile(file, limits, hadoop);
      if (notOwnFile != null) {
        perFile.add(() -> FileOutcome.refused(id + "/" + name + ": " + notOwnFile));
        continue;
      }
      if (LandingFiles.kind(file, hadoop) != Kind.FILE) {
        perFile.add(() -> FileOutcome.refused(id + "/" + name + ": file listed in the manifest is missing"));
        continue;
      }
      perFile.add(() -> {
        List<String> fileMessages = new ArrayList<>();
        List<String> fileWarnings = new ArrayList<>();
        FileCheck c = checkFile(id + "/" + name, file, name, e.getValue(), m, limits, fileMessages, fileWarnings,
            hadoop);
        return new FileOutcome(c, fileMessages, fileWarnings);
      });
    }
    List<FileCheck> checks = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (FileOutcome o : inParallel(perFile)) {
      if (o.check() != null) {
        checks.add(o.check());
      }
      messages.addAll(o.messages());
      warnings.addAll(o.warnings());
    }
    // A data file the manifest does not list would be neither verified nor read: the delivery is inconsistent.
    for (String name : dataFiles(ref.folder(), hadoop)) {
      if (!m.files().containsKey(name)) {
        messages.add(id + "/" + Quoted.name(name) + ": file not listed in the manifest");
      }
    }
    if (!messages.isEmpty()) {
      return refused(ref, checks, messages);
    }
    return new Verification(ref, new Drop(ref.source(), ref.folder(), ref.date(), m), checks, List.of(), warnings);
  }

  /**
   * Why a path in a drop folder is not a file the sender delivered, or null when it is one (or is absent). A
   * symbolic link, a file with other hard links, a device or pipe could lead the reader to any file the Sanku user
   * may read, and its checksum or first line into a message; such a path is refused before a byte of it is read.
   */
  static String notADeliveryFile(Path location, Limits limits, Configuration hadoop) {
    java.nio.file.Path file = LandingFiles.local(location);
    if (file == null) {
      // Another file system (HDFS, an object store): no hard links, and the protected files are on the driver's
      // disk; a symbolic link (off by default on HDFS) is refused as on the local disk.
      Kind kind = LandingFiles.kind(location, hadoop);
      return kind == Kind.LINK ? "is a symbolic link: not read (a delivery file must be a regular file inside the "
          + "drop folder)" : kind == Kind.OTHER || kind == Kind.FOLDER ? "is not a regular file: not read" : null;
    }
    if (Files.isSymbolicLink(file)) {
      return "is a symbolic link: not read (a delivery file must be a regular file inside the drop folder)";
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return "is not a regular file: not read";
    }
    for (java.nio.file.Path p : limits.protectedFiles()) {
      try {
        if (Files.exists(p) && Files.isSameFile(file, p)) {
          return "is a file Sanku protects (a link to it), not a delivery: not read";
        }
      } catch (IOException e) {
        return "cannot be compared with the files Sanku protects: not read";
      }
    }
    try {
      Object links = Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
      if (links instanceof Integer n && n > 1) {
        return "has " + n + " hard links: not read (a delivery file must be a file of its own, not a link to "
            + "another)";
      }
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      // A file system without hard link counts (or without the unix view) has no such links to fear.
    }
    return null;
  }

  /** What reading one file found: its check (null when it could not be read) and its messages and warnings. */
  private record FileOutcome(FileCheck check, List<String> messages, List<String> warnings) {
    static FileOutcome refused(String message) {
      return new FileOutcome(null, List.of(message), List.of());
    }
  }

  /** Threads that read a drop's files, as many as the driver has cores; daemons, so they never hold the JVM. */
  private static final java.util.concurrent.ExecutorService READERS = java.util.concurrent.Executors
      .newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
        Thread t = new Thread(r, "sanku-verify");
        t.setDaemon(true);
        return t;
      });

  /** Runs the tasks (in parallel when there are several) and returns their results in the tasks' order. */
  private static List<FileOutcome> inParallel(List<java.util.concurrent.Callable<FileOutcome>> tasks) {
    List<FileOutcome> out = new ArrayList<>();
    try {
      if (tasks.size() <= 1) {
        for (java.util.concurrent.Callable<FileOutcome> t : tasks) {
          out.add(t.call());
        }
        return out;
      }
      for (java.util.concurrent.Future<FileOutcome> f : READERS.invokeAll(tasks)) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while verifying a drop", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Verification refused(DropRef ref, List<FileCheck> checks, List<String> messages) {
    return new Verification(ref, null, checks, messages);
  }

  /** Reads one file once (sha256 and record count together) and adds a message for each disagreement. */
  private static FileCheck checkFile(String where, Path file, String name, Manifest.FileEntry expected, Manifest m,
      Limits limits, List<String> messages, List<String> warnings, Configuration hadoop) {
    boolean gzip = name.toLowerCase(Locale.ROOT).endsWith(".gz");
    long records = -1;
    LineMap lines = LineMap.PLAIN;
    List<String> header = List.of();
    String foundSha = null;
    long bytes;
    HashingInputStream raw;
    try {
      raw = new HashingInputStream(LandingFiles.open(file, hadoop));
    } catch (IOException e) {
      messages.add(where + ": cannot be read: " + e);
      return null;
    }
    InputStream content = raw;
    try {
      try {
        if (gzip) {
          content = new GZIPInputStream(raw, BUFFER);
        }
        Utf8Sniffer sniff = m.encoding().equals(java.nio.charset.StandardCharsets.UTF_8) ? null
            : new Utf8Sniffer(content);
        CsvRecords.Scan scan = CsvRecords.scan(new StrictDecodingReader(sniff == null ? content : sniff,
            m.encoding()), m.delimiter());
        if (sniff != null && sniff.looksLikeUtf8()) {
          warnings.add(where + ": declared " + m.encoding().name() + ", but its bytes are valid UTF-8 with "
              + sniff.multiByteCharacters() + " multi-byte character(s): read as " + m.encoding().name() + ", names "
              + "become other characters (and linkage by name fails); check the manifest's encoding");
        }
        records = scan.records();
        lines = scan.lines();
        if (scan.header() != null) {
          header = java.util.Arrays.stream(scan.header()).map(h -> h == null ? "" : h).toList();
        }
      } catch (StrictDecodingReader.MalformedBytesException e) {
        messages.add(where + ": not valid " + m.encoding().name() + " at byte offset " + e.offset
            + (gzip ? " of the decompressed data" : "") + ": the file cannot be decoded with the manifest's encoding");
      } catch (ZipException | EOFException e) {
        // Only a gzip stream ends early or carries bad data: a plain file simply ends.
        messages.add(where + ": gzip data is corrupt or truncated: " + e.getMessage());
      } catch (CsvRecords.CsvFormatException e) {
        messages.add(where + ": " + e.getMessage());
      } catch (IOException e) {
        messages.add(where + ": cannot be read: " + e);
      }
      // The parser may stop before the end of the stored bytes (a failure, or bytes after the gzip trailer):
      // the checksum is over the whole file regardless.
      try {
        raw.drain();
        foundSha = raw.sha256();
      } catch (IOException e) {
        messages.add(where + ": cannot be read: " + e);
      }
      bytes = raw.count;
    } finally {
      closeQuietly(content);
      closeQuietly(raw);
    }

    long foundRows = records < 0 ? -1 : Math.max(0, records - 1);
    if (foundSha != null && !foundSha.equals(expected.sha256())) {
      messages.add(where + ": sha256 expected " + expected.sha256() + " found " + foundSha);
    }
    if (records == 0) {
      messages.add(where + ": header row missing (the file has no records)");
    }
    if (records >= 0 && foundRows != expected.rows()) {
      messages.add(where + ": rows expected " + expected.rows() + ", found " + foundRows);
    }
    if (lines.longestRecordLines() > limits.maxRecordLines()) {
      messages.add(where + ": the record starting on line " + lines.longestRecordLine() + " spans "
          + lines.longestRecordLines() + " lines (at most " + limits.maxRecordLines() + " allowed): a quote that "
          + "opens there seems not to close where it should, and the records in those lines would be lost");
    }
    return new FileCheck(name, expected.rows(), foundRows, expected.sha256(), foundSha, bytes, lines, header);
  }

  /** The visible {@code .csv} / {@code .csv.gz} files of a drop folder, sorted. */
  private static List<String> dataFiles(Path folder, Configuration hadoop) {
    List<String> out = new ArrayList<>();
    for (Path p : LandingFiles.list(folder, hadoop)) {
      String n = p.getName();
      Kind k = LandingFiles.kind(p, hadoop);
      if ((k == Kind.FILE || k == Kind.LINK) && !n.startsWith(".") && Manifest.isDataFileName(n)) {
        out.add(n);
      }
    }
    out.sort(null);
    return out;
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // Read-only: nothing is lost if closing fails.
    }
  }

  /** Feeds every byte read through it to a sha256 and counts them. */
  private static final class HashingInputStream extends FilterInputStream {
    private final MessageDigest sha;
    long count;

    HashingInputStream(InputStream in) {
      super(in);
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        sha.update((byte) b);
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        sha.update(b, off, n);
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // Skipped bytes would escape the digest: read them instead.
      byte[] buf = new byte[(int) Math.min(n, BUFFER)];
      int r = read(buf, 0, buf.length);
      return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    void drain() throws IOException {
      byte[] buf = new byte[BUFFER];
      while (read(buf, 0, buf.length) >= 0) {
        // reading is the point
      }
    }

    String sha256() {
      return HexFormat.of().formatHex(sha.digest());
    }
  }
}
