package org.sanku.ingest.drop;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A drop's control file ({@code manifest.json}, contract §1), parsed and checked field by field.
 *
 * @param source the source the delivering system claims ({@code population}, {@code ehr}, ...)
 * @param extractDate the extract date
 * @param kind {@code "full"} or {@code "delta"} (a plain string so that it can be written to ledgers as is)
 * @param encoding the text encoding of every file: UTF-8, GBK or GB18030
 * @param delimiter the field delimiter of every file
 * @param files file name to expected content, in the manifest's order
 */
public record Manifest(String source, LocalDate extractDate, String kind, Charset encoding, char delimiter,
    Map<String, FileEntry> files) {

  /** What the manifest promises about one file: data rows (header excluded) and sha256 of the bytes as stored. */
  public record FileEntry(long rows, String sha256) {}

  public static final String FULL = "full";
  public static final String DELTA = "delta";

  public Manifest {
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
  }

  /** Whether this drop is a complete snapshot of its tables (as opposed to the rows changed since the last drop). */
  public boolean isFull() {
    return FULL.equals(kind);
  }

  /** The encodings of contract §1; anything else is refused rather than guessed at. */
  private static final List<String> ENCODINGS = List.of("UTF-8", "GBK", "GB18030");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final DateTimeFormatter BASIC = DateTimeFormatter.ofPattern("uuuuMMdd")
      .withResolverStyle(ResolverStyle.STRICT);

  /** The outcome of reading a manifest: either a manifest or the problems that prevented one. */
  record Parse(Manifest manifest, List<String> problems) {}

  /**
   * Reads and checks a manifest. Every problem found is reported (not only the first), each prefixed by {@code
   * where} (e.g. {@code ehr/20251230/manifest.json}), so that one refusal tells the sender all that is wrong.
   */
  static Parse read(InputStream in, String where) throws IOException {
    JsonNode root;
    // Duplicate keys would silently let the last entry win (a file listed twice), and content after the object
    // would be ignored: either way the manifest is not what its sender wrote, so both are malformed.
    ObjectMapper json = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    try {
      root = json.readTree(in);
    } catch (JsonProcessingException e) {
      String at = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      return new Parse(null, List.of(where + ": malformed JSON" + at + ": " + withoutContent(e.getOriginalMessage())));
    }
    if (root == null || !root.isObject()) {
      return new Parse(null, List.of(where + ": malformed manifest: expected a JSON object"));
    }
    List<String> problems = new ArrayList<>();

    String source = text(root, "source", where, problems);
    LocalDate extractDate = null;
    String dateText = text(root, "extract_date", where, problems);
    if (dateText != null) {
      extractDate = date(dateText);
      if (extractDate == null) {
        problems.add(where + ": extract_date " + Quoted.of(dateText) + " is not a date (expected yyyy-MM-dd)");
      }
    }

    String kind = text(root, "kind", where, problems);
    if (kind != null && !kind.equals(FULL) && !kind.equals(DELTA)) {
      problems.add(where + ": unknown kind " + Quoted.of(kind) + " (expected full or delta)");
    }

    // encoding and delimiter have contract defaults (UTF-8, comma) and may be left out.
    Charset encoding = StandardCharsets.UTF_8;
    if (root.has("encoding")) {
      JsonNode e = root.get("encoding");
      String name = e.isTextual() ? e.asText() : e.toString();
      String canonical = ENCODINGS.stream().filter(n -> n.equalsIgnoreCase(name)).findFirst().orElse(null);
      if (canonical == null || !Charset.isSupported(canonical)) {
        problems.add(where + ": unsupported encoding " + Quoted.of(name) + " (expected UTF-8, GBK or GB18030)");
      } else {
        encoding = Charset.forName(canonical);
      }
    }
    char delimiter = ',';
    if (root.has("delimiter")) {
      JsonNode d = root.get("delimiter");
      String s = d.isTextual() ? d.asText() : d.toString();
      if (s.length() != 1 || s.charAt(0) == '"' || s.charAt(0) == '\n' || s.charAt(0) == '\r') {
        problems.add(where + ": unsupported delimiter " + Quoted.of(s)
            + " (expected one character other than a quote or a line break)");
      } else {
        delimiter = s.charAt(0);
      }
    }

    Map<String, FileEntry> files = new LinkedHashMap<>();
    JsonNode f = root.get("files");
    if (f == null || !f.isObject()) {
      problems.add(where + ": \"files\" is missing or not an object");
    } else {
      for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        FileEntry entry = fileEntry(e.getKey(), e.getValue(), where, problems);
        if (entry != null) {
          files.put(e.getKey(), entry);
        }
      }
    }
    if (!problems.isEmpty()) {
      return new Parse(null, problems);
    }
    return new Parse(new Manifest(source, extractDate, kind, encoding, delimiter, files), List.of());
  }

  private static FileEntry fileEntry(String name, JsonNode v, String where, List<String> problems) {
    String at = where + ": files[" + Quoted.of(name, 64) + "]";
    int before = problems.size();
    // A name is resolved against the drop folder: anything but a plain table file name could point elsewhere.
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
      problems.add(at + ": not a plain file name");
    } else if (!isDataFileName(name)) {
      problems.add(at + ": a data file name must end in .csv or .csv.gz");
    }
    if (!v.isObject()) {
      problems.add(at + ": expected an object with rows and sha256");
      return null;
    }
    JsonNode rows = v.get("rows");
    if (rows == null || !rows.isIntegralNumber() || !rows.canConvertToLong() || rows.asLong() < 0) {
      problems.add(at + ": rows must be a non-negative integer");
    }
    JsonNode sha = v.get("sha256");
    if (sha == null || !sha.isTextual() || !SHA256.matcher(sha.asText()).matches()) {
      problems.add(at + ": sha256 must be 64 hexadecimal digits");
    }
    if (problems.size() > before) {
      return null;
    }
    return new FileEntry(rows.asLong(), sha.asText().toLowerCase(Locale.ROOT));
  }

  /**
   * Jackson's message with each piece of input it quotes ({@code Unrecognized token 'abc'}) cut short and escaped
   * (see {@link Quoted}): the manifest is the sender's text, and a message says where it is wrong without
   * repeating more of it than a short token.
   */
  static String withoutContent(String message) {
    String first = String.valueOf(message).lines().findFirst().orElse("");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("'([^']*)'").matcher(first);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement("'" + Quoted.inner(m.group(1)) + "'"));
    }
    m.appendTail(b);
    return b.toString();
  }

  /** Whether a file name is that of a table file ({@code <table>.csv} or {@code <table>.csv.gz}). */
  static boolean isDataFileName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return (n.endsWith(".csv") && n.length() > 4) || (n.endsWith(".csv.gz") && n.length() > 7);
  }

  private static String text(JsonNode root, String field, String where, List<String> problems) {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      problems.add(where + ": \"" + field + "\" is missing or not a string");
      return null;
    }
    return n.asText();
  }

  /** The contract writes dates as yyyy-MM-dd or yyyyMMdd (§2); a manifest may use either. */
  private static LocalDate date(String s) {
    try {
      return s.length() == 8 ? LocalDate.parse(s, BASIC) : LocalDate.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
