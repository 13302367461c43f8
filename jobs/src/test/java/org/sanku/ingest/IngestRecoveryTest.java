package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.storage.Warehouse;

/** Refused drops, encodings and headers, and a run killed half-way. */
public class IngestRecoveryTest {

  public static void copyTree(Path from, Path to) throws Exception {
    org.sanku.storage.StorageFiles.copyLocalTree(from, to);
  }

  private static long count(String sql) {
    return ((Number) IngestedRegion.spark().sql(sql).first().get(0)).longValue();
  }

  private static List<String> ledgerDrops(Warehouse wh) {
    List<String> out = new ArrayList<>();
    for (Row r : IngestedRegion.spark().sql("SELECT DISTINCT drop_id FROM " + wh.ops("ingest_ledger")
        + " ORDER BY drop_id").collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }

  @Test
  void aTamperedDropIsRefusedWholeAndLaterDropsOfItsSourceWait(@TempDir Path landing) throws Exception {
    copyTree(IngestedRegion.landing(), landing);
    // Edit one character of a data row in the middle night's ehr drop, keeping the row count.
    Path exam = landing.resolve("ehr/20251230/ehr_physical_exam.csv");
    String text = Files.readString(exam);
    int at = text.indexOf('\n', text.indexOf('\n') + 1) - 3;
    char c = text.charAt(at);
    Files.writeString(exam, text.substring(0, at) + (c == '1' ? '2' : '1') + text.substring(at + 1));
    // And take away the manifest of the last emr night.
    Files.delete(landing.resolve("emr/20251231/manifest.json"));
    Warehouse wh = IngestedRegion.newWarehouse();
    IngestJob.Result r = IngestedRegion.ingest(wh, landing);
    assertFalse(r.ok());
    assertTrue(r.refusals().stream().anyMatch(m -> m.contains("ehr/20251230") && m.contains("ehr_physical_exam.csv")
        && m.contains("sha256")), r.refusals().toString());
    assertTrue(r.refusals().stream().anyMatch(m -> m.contains("emr/20251231") && m.contains("manifest")),
        r.refusals().toString());
    // Nothing of the refused ehr night, nor of the ehr night after it, is published.
    assertEquals(List.of("ehr/20251229", "emr/20251229", "emr/20251230", "population/20251229",
        "population/20251230", "population/20251231", "reference/20251229", "reference/20251231"), ledgerDrops(wh));
    assertEquals(0, count("SELECT count(*) FROM " + wh.std("ehr_physical_exam") + " WHERE exam_date > DATE'2025-12-29'"));
    assertTrue(count("SELECT count(*) FROM " + wh.ops("drop_refusal")) >= 2);
    // Re-delivered intact, the drops are ingested on the next run, in order.
    Files.copy(IngestedRegion.landing().resolve("ehr/20251230/ehr_physical_exam.csv"), exam,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(IngestedRegion.landing().resolve("emr/20251231/manifest.json"),
        landing.resolve("emr/20251231/manifest.json"));
    IngestJob.Result again = IngestedRegion.ingest(wh, landing);
    assertTrue(again.ok(), again.refusals().toString());
    assertEquals(3, again.dropsIngested());
    assertEquals(count("SELECT count(*) FROM " + IngestedRegion.warehouse().std("ehr_physical_exam")),
        count("SELECT count(*) FROM " + wh.std("ehr_physical_exam")));
  }

  @Test
  void gbkAndChineseHeaderDropsIngestToTheSameRowsAsTheirUtf8Twins(@TempDir Path utf8, @TempDir Path gbk)
      throws Exception {
    IngestedRegion.generate(utf8, "UTF-8", 1200, 1);
    IngestedRegion.generate(gbk, "GBK", 1200, 1);
    // Give the UTF-8 twin English headers on the file the generator writes with Chinese ones.
    Path visits = utf8.resolve("emr/20251231/emr_visit.csv");
    List<String> lines = Files.readAllLines(visits, StandardCharsets.UTF_8);
    assertTrue(lines.get(0).startsWith("就诊唯一标识"));
    lines.set(0, String.join(",", org.sanku.ingest.schema.SchemaCatalog.load(IngestedRegion.SCHEMAS,
        IngestedRegion.CONF).get("emr_visit").columns().stream().map(c -> c.name()).toList()));
    Files.write(visits, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    // And two unknown extra columns (contract §2: kept in the raw zone, ignored downstream): 备注 holds the
    // record's number n (after a quoted newline in every 7th record, which then takes two lines), SJLY = "HIS".
    Map<String, Long> startLines = addExtraColumns(visits);
    int records = startLines.size();
    refreshManifest(utf8.resolve("emr/20251231"), "emr_visit.csv");
    Warehouse a = IngestedRegion.newWarehouse();
    Warehouse b = IngestedRegion.newWarehouse();
    assertTrue(IngestedRegion.ingest(a, utf8).ok());
    assertTrue(IngestedRegion.ingest(b, gbk).ok());
    for (String t : List.of("pop_person", "ehr_person", "emr_visit", "emr_diagnosis", "ref_division", "ref_org")) {
      // Warnings may differ in the white-space kind only GBK lacks; the data must not.
      String cols = String.join(",", IngestedRegion.spark().table(a.std(t)).drop("warnings").columns());
      long n = count("SELECT count(*) FROM " + a.std(t));
      assertTrue(n > 0, t);
      assertEquals(0, count("SELECT count(*) FROM (SELECT " + cols + " FROM " + a.std(t) + " EXCEPT SELECT " + cols
          + " FROM " + b.std(t) + ")"), t + " differs between the UTF-8 and GBK twins");
      assertEquals(n, count("SELECT count(*) FROM " + b.std(t)), t);
    }
    assertTrue(count("SELECT count(*) FROM " + b.std("ref_org") + " WHERE org_name LIKE '%卫生院'") > 0);
    // The extra columns are in the identity zone's raw table, one row per accepted record, with their values,
    // and nowhere in the analytics zone.
    String raw = a.identity + ".raw.extra_columns";
    long accepted = count("SELECT rows_accepted FROM " + a.ops("ingest_ledger") + " WHERE table_name = 'emr_visit'");
    assertTrue(accepted > 0 && accepted <= records, accepted + " of " + records);
    assertEquals(accepted, count("SELECT count(*) FROM " + raw + " WHERE table_name = 'emr_visit'"));
    assertEquals(accepted, count("SELECT count(*) FROM " + raw + " WHERE extra_columns['SJLY'] = 'HIS' AND "
        + "size(extra_columns) = 2"));
    // Each record's line is the physical line it starts on, counted here while the file was written: the quoted
    // newlines before it push it down.
    List<Row> rawRows = IngestedRegion.spark().sql("SELECT extra_columns['备注'], line FROM " + raw).collectAsList();
    for (Row r : rawRows) {
      String n = r.getString(0).replace("note\n", "").replace("note ", "");
      assertEquals(startLines.get(n), r.getLong(1), "line of record " + n);
    }
    assertTrue(startLines.values().stream().mapToLong(Long::longValue).max().orElse(0) > records + 1,
        "some records were pushed down by quoted newlines");
    // Every row's key is a visit of the table (a visit delivered twice in the file has two raw rows, one per record).
    assertEquals(0, count("SELECT count(*) FROM " + raw + " r LEFT ANTI JOIN " + a.std("emr_visit")
        + " v ON r.record_key = v.visit_id"));
    assertFalse(java.util.Arrays.asList(IngestedRegion.spark().table(a.std("emr_visit")).columns())
        .contains("extra_columns"));
    assertFalse(IngestedRegion.spark().catalog().tableExists(b.identity + ".raw.extra_columns"),
        "the GBK twin has no extra columns, so no raw table");
  }

  /**
   * Adds the columns 备注 ("note n" in the n-th data record, "note\nn" in every 7th) and SJLY ("HIS") to a UTF-8
   * CSV file, record by record. Returns each data record's n → the line it starts on in the new file, counted from
   * the line breaks written.
   */
  static Map<String, Long> addExtraColumns(Path csv) throws Exception {
    List<List<String>> out = new ArrayList<>();
    Map<String, Long> starts = new java.util.LinkedHashMap<>();
    try (var parser = org.apache.commons.csv.CSVFormat.RFC4180.parse(
        Files.newBufferedReader(csv, StandardCharsets.UTF_8))) {
      int n = 0;
      long line = 1;
      for (var rec : parser) {
        List<String> row = new ArrayList<>(rec.toList());
        if (n > 0) {
          starts.put(String.valueOf(n), line);
        }
        row.add(n == 0 ? "备注" : (n % 7 == 0 ? "note\n" : "note ") + n);
        row.add(n == 0 ? "SJLY" : "HIS");
        for (String v : row) {
          line += v.chars().filter(c -> c == '\n').count();
        }
        line++;
        out.add(row);
        n++;
      }
    }
    try (var printer = new org.apache.commons.csv.CSVPrinter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8),
        org.apache.commons.csv.CSVFormat.RFC4180.builder().setRecordSeparator("\n").get())) {
      for (List<String> row : out) {
        printer.printRecord(row);
      }
    }
    return starts;
  }

  static void refreshManifest(Path drop, String file) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode m = (ObjectNode) json.readTree(drop.resolve("manifest.json").toFile());
    byte[] bytes = Files.readAllBytes(drop.resolve(file));
    ((ObjectNode) m.get("files").get(file)).put("sha256",
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    json.writeValue(drop.resolve("manifest.json").toFile(), m);
  }

  @Test
  void aRunKilledHalfWayLeavesThePreviousStateAndTheNextRunCompletesIt() throws Exception {
    Path landing = IngestedRegion.landing();
    // A child JVM ingested the landing into a warehouse of its own and was killed with SIGKILL inside the first ehr
    // drop, after its exams were staged but before anything of it was published (KilledRun: it ran beside the other
    // test classes from the start of the test plan, or runs now).
    String location = KilledRun.result().location();
    Warehouse wh = new Warehouse(IngestedRegion.spark(), location, "wk_a", "wk_i");
    // The previous state is readable: reference (its two full drops) and population are published, nothing of ehr
    // is.
    assertEquals(List.of("population/20251229", "population/20251230", "population/20251231", "reference/20251229",
        "reference/20251231"), ledgerDrops(wh));
    assertEquals(0, count("SELECT count(*) FROM " + wh.std("ehr_person")));
    assertEquals(0, count("SELECT count(*) FROM " + wh.std("ehr_physical_exam")));
    assertTrue(count("SELECT count(*) FROM " + wh.std("pop_person")) > 0);
    // The next run completes the work: the same tables as an uninterrupted run.
    IngestJob.Result r = IngestedRegion.ingest(wh, landing);
    assertTrue(r.ok());
    assertEquals(6, r.dropsIngested());
    Warehouse clean = IngestedRegion.warehouse();
    for (String t : List.of("pop_person", "ehr_person", "ehr_physical_exam", "ehr_followup", "emr_visit")) {
      String cols = String.join(",", IngestedRegion.spark().table(clean.std(t)).columns());
      assertEquals(count("SELECT count(*) FROM " + clean.std(t)), count("SELECT count(*) FROM " + wh.std(t)), t);
      assertEquals(0, count("SELECT count(*) FROM (SELECT " + cols + " FROM " + wh.std(t) + " EXCEPT SELECT " + cols
          + " FROM " + clean.std(t) + ")"), t);
    }
  }
}
