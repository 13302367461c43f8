package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.sanku.storage.Warehouse;

/**
 * What the hostile-landing tests share: a small generated region to attack, a key file outside the landing, an
 * ingest whose every printed line and every Spark log line is captured, re-signing a tampered file the way a
 * sender who controls the landing would, and scans of every output for what must not be there.
 */
final class HostileLanding {

  /** The person key as the key file holds it (hex), and its other spellings a leak could take. */
  static final String KEY_HEX = HexFormat.of().formatHex(IngestedRegion.KEY);
  static final String KEY_B64 = Base64.getEncoder().encodeToString(IngestedRegion.KEY);

  private static Path region;

  private HostileLanding() {}

  /** A 400-person region of one night (every source one full drop dated 20251231), generated once per JVM. */
  static synchronized Path region() throws IOException {
    if (region == null) {
      region = Files.createTempDirectory("sanku-hostile-region");
      IngestedRegion.generate(region, null, 400, 1);
    }
    return region;
  }

  /**
   * A copy of the region to attack. Its ehr drop keeps only ehr_person and ehr_physical_exam (a drop may deliver
   * some of its source's tables): every ingested file costs seconds of Spark jobs, and the attacks need no more.
   */
  static Path landing(Path dir) throws Exception {
    Path landing = dir.resolve("landing");
    IngestRecoveryTest.copyTree(region(), landing);
    try (Stream<Path> s = Files.list(landing.resolve("ehr"))) {
      for (Path drop : s.toList()) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode m = (ObjectNode) json.readTree(drop.resolve("manifest.json").toFile());
        for (String t : List.of("ehr_tcm_service", "ehr_fd_contract", "ehr_followup", "ehr_program_enrollment")) {
          Files.delete(drop.resolve(t + ".csv"));
          ((ObjectNode) m.get("files")).remove(t + ".csv");
        }
        json.writeValue(drop.resolve("manifest.json").toFile(), m);
      }
    }
    return landing;
  }

  /** The key file, outside the landing, holding the key in hex as an installation would keep it. */
  static Path keyFile(Path dir) throws IOException {
    Path f = dir.resolve("secret").resolve("person.key");
    Files.createDirectories(f.getParent());
    Files.writeString(f, KEY_HEX + "\n");
    return f;
  }

  /** One ingest: what it printed, what Spark logged meanwhile, and its result. */
  record Run(IngestJob.Result result, String printed, String logged) {
    String all() {
      return printed + "\n" + logged + "\n" + String.join("\n", result.refusals());
    }
  }

  static Run ingest(Warehouse wh, Path landing, List<Path> protectedFiles) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(new TeeStream(out, System.out), true, StandardCharsets.UTF_8);
    try (org.sanku.spark.LogCapture log = org.sanku.spark.LogCapture.of((LoggerContext) LogManager.getContext(false),
        "hostile-capture", Level.ALL, "%p %c %m%n%throwable")) {
      IngestJob.Result r = IngestedRegion.job(wh, landing, print).protecting(protectedFiles).run();
      return new Run(r, out.toString(StandardCharsets.UTF_8), log.text());
    }
  }

  /** The drop ids the ledger holds, sorted. */
  static List<String> ledgerDrops(Warehouse wh) {
    List<String> out = new ArrayList<>();
    if (!spark().catalog().tableExists(wh.ops("ingest_ledger"))) {
      return out;
    }
    for (Row r : spark().sql("SELECT DISTINCT drop_id FROM " + wh.ops("ingest_ledger") + " ORDER BY 1")
        .collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }

  /** The refusal messages recorded in ops.drop_refusal. */
  static List<String> recordedRefusals(Warehouse wh) {
    List<String> out = new ArrayList<>();
    for (Row r : spark().sql("SELECT message FROM " + wh.ops("drop_refusal")).collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }

  /**
   * Re-signs one file of a drop as its sender could: the sha256 of the bytes now there and the given number of data
   * rows (worked out by the test, from how it built the file).
   */
  static void resign(Path drop, String file, byte[] bytes, long rows) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode m = (ObjectNode) json.readTree(drop.resolve("manifest.json").toFile());
    ObjectNode entry = (ObjectNode) m.get("files").get(file);
    entry.put("sha256", sha256(bytes));
    entry.put("rows", rows);
    json.writeValue(drop.resolve("manifest.json").toFile(), m);
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** The lines of a generated file (the generator writes one record per line, LF). */
  static List<String> lines(Path file) throws IOException {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  static byte[] write(Path file, List<String> lines) throws IOException {
    byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    Files.write(file, bytes);
    return bytes;
  }

  /** The fields of one generated line, by an independent RFC 4180 parser. */
  static String[] fields(String line) {
    CsvParserSettings s = new CsvParserSettings();
    s.setNullValue("");
    s.setEmptyValue("");
    CsvParser p = new CsvParser(s);
    p.beginParsing(new StringReader(line));
    String[] row = p.parseNext();
    p.stopParsing();
    return row;
  }

  /** Asserts that no text contains any of the forbidden strings. */
  static void assertNoneIn(String what, String text, Collection<String> forbidden) {
    for (String f : forbidden) {
      assertFalse(text.contains(f), what + " contains " + f.substring(0, Math.min(6, f.length())) + "…");
    }
  }

  /** The key, in hex, base64 or raw bytes, is in no file under the warehouse. */
  static void assertKeyInNoFile(Path folder) throws IOException {
    byte[] hex = KEY_HEX.getBytes(StandardCharsets.US_ASCII);
    byte[] b64 = KEY_B64.getBytes(StandardCharsets.US_ASCII);
    try (Stream<Path> s = Files.walk(folder)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(p);
        assertFalse(IngestTest.contains(bytes, hex) || IngestTest.contains(bytes, b64)
            || IngestTest.contains(bytes, IngestedRegion.KEY), "key material in " + p);
      }
    }
  }

  /**
   * Every value of every column of every table of the analytics zone, as text, with digit runs inside them: none
   * is one of the forbidden values (raw IDs, names, the key), and no value contains the key.
   */
  static void assertAnalyticsZoneHoldsNone(Warehouse wh, Collection<String> forbidden) {
    spark().createDataset(new ArrayList<>(forbidden), Encoders.STRING()).toDF("v").distinct()
        .createOrReplaceTempView("hostile_forbidden");
    int tables = 0;
    for (Row ns : spark().sql("SHOW NAMESPACES IN " + wh.analytics).collectAsList()) {
      for (Row t : spark().sql("SHOW TABLES IN " + wh.analytics + "." + ns.getString(0)).collectAsList()) {
        String name = wh.analytics + "." + ns.getString(0) + "." + t.getString(1);
        List<String> values = new ArrayList<>();
        for (StructField f : spark().table(name).schema().fields()) {
          String c = "`" + f.name() + "`";
          values.add(f.dataType() instanceof ArrayType ? "concat_ws('|', " + c + ")"
              : f.dataType() instanceof MapType ? "to_json(" + c + ")" : "CAST(" + c + " AS STRING)");
        }
        spark().sql("SELECT explode(array(" + String.join(", ", values) + ")) v FROM " + name)
            .createOrReplaceTempView("hostile_values");
        long hits = spark().sql("SELECT count(*) FROM (SELECT v FROM hostile_values UNION ALL "
            + "SELECT explode(regexp_extract_all(v, '([0-9]{15,17}[0-9Xx]?)', 1)) v FROM hostile_values) x "
            + "WHERE x.v IN (SELECT v FROM hostile_forbidden) OR instr(x.v, '" + KEY_HEX + "') > 0 "
            + "OR instr(x.v, '" + KEY_B64 + "') > 0").first().getLong(0);
        assertEquals(0, hits, name + " holds a forbidden value");
        tables++;
      }
    }
    assertTrue(tables > 0, "no analytics table scanned");
  }

  static SparkSession spark() {
    return IngestedRegion.spark();
  }

  /** Writes to two streams. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
