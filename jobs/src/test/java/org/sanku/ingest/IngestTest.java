package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.sanku.storage.Warehouse;
import org.sanku.storage.IcebergWriter;

/**
 * Ingest of a generated region (3,000 persons, 3 nights, 4% dirty rows): every injected problem class ends as
 * its quarantine reason or warning, counts reconcile, deltas apply, a second run changes nothing, and nothing
 * identifying reaches the analytics zone.
 */
class IngestTest {

  private static SparkSession spark() {
    return IngestedRegion.spark();
  }

  /** defects.csv of the generated region: (defect|table) → injected count. */
  private static Map<String, Long> defects() throws Exception {
    Map<String, Long> out = new HashMap<>();
    List<String> lines = Files.readAllLines(IngestedRegion.landing().resolve("truth/defects.csv"));
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",");
      out.put(f[0] + "|" + f[1], Long.parseLong(f[2]));
    }
    return out;
  }

  private static long count(String sql) {
    return ((Number) spark().sql(sql).first().get(0)).longValue();
  }

  @Test
  void everyDropIsIngestedAndEveryFileReconciles() {
    IngestJob.Result r = IngestedRegion.result();
    assertTrue(r.ok(), "refusals: " + r.refusals());
    // reference 2 (the first night and a later full drop) + population, ehr, emr 3 nights each.
    assertEquals(11, r.dropsIngested());
    Warehouse wh = IngestedRegion.warehouse();
    List<Row> ledger = spark().sql("SELECT file, manifest_rows, rows_read, rows_accepted, rows_quarantined FROM "
        + wh.ops("ingest_ledger")).collectAsList();
    // 2 × 2 reference files + ref_population (the first reference drop only) + 3 nights × (1 population + 6 ehr + 2
    // emr) files.
    assertEquals(2 * 2 + 1 + 3 * 9, ledger.size());
    for (Row l : ledger) {
      assertEquals(l.getLong(1), l.getLong(2), l.getString(0) + ": rows read = rows in the manifest");
      assertEquals(l.getLong(2), l.getLong(3) + l.getLong(4), l.getString(0) + ": read = accepted + quarantined");
    }
  }

  @Test
  void eachFilesQuarantinedRowsAreKeptAndADropWritesThemInOneCommit() {
    Warehouse wh = IngestedRegion.warehouse();
    String idQ = wh.identity + ".id.quarantine";
    // Per file, the identity zone holds one raw row per quarantined record of the ledger, under <drop>|<file>.
    List<Row> files = spark().sql("SELECT drop_id, file, rows_quarantined FROM " + wh.ops("ingest_ledger"))
        .collectAsList();
    Map<String, Long> kept = new java.util.HashMap<>();
    for (Row r : spark().sql("SELECT drop_id, count(*) FROM " + idQ + " GROUP BY drop_id").collectAsList()) {
      kept.put(r.getString(0), r.getLong(1));
    }
    long withQuarantine = 0;
    java.util.Set<String> dropsWithQuarantine = new java.util.TreeSet<>();
    for (Row f : files) {
      String key = f.getString(0) + "|" + f.getString(1);
      assertEquals(f.getLong(2), kept.getOrDefault(key, 0L).longValue(), key);
      if (f.getLong(2) > 0) {
        withQuarantine++;
        dropsWithQuarantine.add(f.getString(0));
      }
    }
    // The region's files are small (none over 200,000 rows): a drop's quarantined rows, whichever of its files
    // they come from, are appended in one commit per zone, not one per file. More files than drops quarantine
    // rows here, so one commit per file would show as more appends.
    assertTrue(withQuarantine > dropsWithQuarantine.size(), withQuarantine + " files, " + dropsWithQuarantine);
    for (String q : List.of(idQ, wh.ops("quarantine"))) {
      long appends = count("SELECT count(*) FROM " + q + ".snapshots WHERE operation = 'append' AND "
          + "CAST(summary['added-records'] AS BIGINT) > 0");
      assertEquals(dropsWithQuarantine.size(), appends, q + ": appends with rows, one per drop " + dropsWithQuarantine);
    }
  }

  /**
   * A key repeated in one file collapses to one row (the latest wins); a file without a repeated key skips that
   * step. The generator injects DUPLICATE_ROW defects (the same row delivered twice in one file) into several
   * tables: the ledger counts each accepted repeat, at most one per injected defect (a repeat of a quarantined row
   * is quarantined too), and no published table holds a key twice, whichever path its files took.
   */
  @Test
  void repeatedKeysInAFileCollapseToOneRowAndOtherFilesSkipThatStep() throws Exception {
    Warehouse wh = IngestedRegion.warehouse();
    long injected = defects().entrySet().stream().filter(e -> e.getKey().startsWith("DUPLICATE_ROW|"))
        .mapToLong(Map.Entry::getValue).sum();
    assertTrue(injected > 0, "the fixture region has repeated rows");
    List<Row> files = spark().sql("SELECT file, table_name, rows_duplicate FROM " + wh.ops("ingest_ledger")
        + " WHERE rows_accepted > 0").collectAsList();
    long counted = files.stream().mapToLong(r -> r.getLong(2)).sum();
    // Both paths ran: files with repeats (latest row per key) and files without (no shuffle).
    assertTrue(counted > 0 && counted <= injected, counted + " counted repeats, " + injected + " injected");
    assertTrue(files.stream().anyMatch(r -> r.getLong(2) == 0), "files without a repeated key");
    org.sanku.ingest.schema.SchemaCatalog catalog = org.sanku.ingest.schema.SchemaCatalog.load(IngestedRegion.SCHEMAS,
        IngestedRegion.CONF);
    for (String table : files.stream().map(r -> r.getString(1)).distinct().sorted().toList()) {
      String key = String.join(", ", catalog.get(table).primaryKey());
      assertEquals(0, count("SELECT count(*) FROM (SELECT " + key + " FROM " + wh.std(table) + " GROUP BY " + key
          + " HAVING count(*) > 1)"), table + ": one row per key");
    }
  }

  @Test
  void anEmptyDeltaFileIsInTheLedgerAndRunsNoSparkJob() {
    // The region's delta nights have files with no rows (no new enrollments on a night, …): each is verified (the
    // manifest's 0 rows against the records counted), recorded in the ledger with zeros, and costs no job.
    List<Row> empty = spark().sql("SELECT drop_id, file, rows_read, rows_accepted, rows_quarantined, rows_warned FROM "
        + IngestedRegion.warehouse().ops("ingest_ledger") + " WHERE manifest_rows = 0").collectAsList();
    assertFalse(empty.isEmpty(), "the region has empty delta files");
    String log = IngestedRegion.log();
    for (Row r : empty) {
      for (int i = 2; i < 6; i++) {
        assertEquals(0L, r.getLong(i), r.toString());
      }
      String line = log.lines().filter(l -> l.startsWith("ingest: " + r.getString(0) + " ")
          && l.contains(" " + r.getString(1) + " ")).findFirst().orElse("no line for " + r);
      assertTrue(line.endsWith("; 0 jobs, 0 snapshots: an empty delta file)"), line);
      assertTrue(r.getString(0).endsWith("20251230") || r.getString(0).endsWith("20251231"), "a delta night: " + r);
    }
    assertEquals(empty.size(), IngestedRegion.result().files().stream().filter(f -> f.manifestRows() == 0).count());
  }

  @Test
  void rowDefectsEndAsTheirQuarantineReason() throws Exception {
    Warehouse wh = IngestedRegion.warehouse();
    Map<String, Long> d = defects();
    Map<String, Long> q = new TreeMap<>();
    for (Row r : spark().sql("SELECT table_name, column_name, reason, count(*) FROM " + wh.ops("quarantine")
        + " GROUP BY table_name, column_name, reason").collectAsList()) {
      q.put(r.getString(0) + "." + r.getString(1) + ":" + r.getString(2), r.getLong(3));
    }
    System.out.println("quarantine reasons: " + q);
    // Row-local defects: each injected one is exactly one quarantined row with that reason.
    assertEquals(d.getOrDefault("BAD_BIRTH_DATE|pop_person", 0L), q.getOrDefault("pop_person.birth_date:BAD_DATE", 0L));
    assertEquals(d.getOrDefault("BAD_BIRTH_DATE|ehr_person", 0L), q.getOrDefault("ehr_person.birth_date:BAD_DATE", 0L));
    assertEquals(d.getOrDefault("BAD_BIRTH_DATE|emr_visit", 0L), q.getOrDefault("emr_visit.birth_date:BAD_DATE", 0L));
    assertEquals(d.getOrDefault("FUTURE_DATE|ehr_physical_exam", 0L),
        q.getOrDefault("ehr_physical_exam.exam_date:FUTURE_DATE", 0L));
    assertEquals(d.getOrDefault("BAD_DATE|ehr_physical_exam", 0L), q.getOrDefault("ehr_physical_exam.exam_date:BAD_DATE", 0L));
    assertEquals(d.getOrDefault("FUTURE_DATE|ehr_tcm_service", 0L),
        q.getOrDefault("ehr_tcm_service.service_date:FUTURE_DATE", 0L));
    assertEquals(d.getOrDefault("UNKNOWN_CODE_REJECT|ehr_followup", 0L),
        q.getOrDefault("ehr_followup.followup_mode_code:UNKNOWN_CODE", 0L));
    assertEquals(d.getOrDefault("BAD_DATE|ehr_fd_contract", 0L), q.getOrDefault("ehr_fd_contract.end_date:BAD_DATE", 0L));
    // Mangled links are orphans (children of a quarantined record are orphans too, hence at least).
    assertTrue(q.getOrDefault("ehr_physical_exam.ehr_no:ORPHAN", 0L) >= d.getOrDefault("ORPHAN_LINK|ehr_physical_exam", 0L));
    assertTrue(q.getOrDefault("ehr_followup.enrollment_id:ORPHAN", 0L) >= d.getOrDefault("ORPHAN_LINK|ehr_followup", 0L));
    assertTrue(d.getOrDefault("BAD_BIRTH_DATE|pop_person", 0L) > 0, "the region has quarantine cases");
    // The identity zone keeps the raw row of each quarantined record; the analytics summary never a value.
    long raw = count("SELECT count(*) FROM " + wh.identity + ".id.quarantine WHERE raw_text IS NOT NULL");
    assertEquals(count("SELECT count(DISTINCT drop_id, file, line) FROM " + wh.ops("quarantine")), raw);
  }

  @Test
  void fixableDefectsFlowOnWithTheirWarningOrStatus() throws Exception {
    Warehouse wh = IngestedRegion.warehouse();
    Map<String, Long> d = defects();
    for (String table : List.of("pop_person", "ehr_person")) {
      Map<String, Long> st = new HashMap<>();
      for (Row r : spark().sql("SELECT id_status, count(*) FROM " + wh.std(table) + " GROUP BY id_status")
          .collectAsList()) {
        st.put(r.getString(0), r.getLong(1));
      }
      assertEquals(d.getOrDefault("ID_CHECKSUM|" + table, 0L), st.getOrDefault("CHECKSUM_FAIL", 0L), table);
      assertEquals(d.getOrDefault("ID_15_DIGIT|" + table, 0L), st.getOrDefault("UPGRADED_15", 0L), table);
      assertEquals(d.getOrDefault("ID_EXCEL_DAMAGED|" + table, 0L), st.getOrDefault("DAMAGED", 0L), table);
      assertEquals(d.getOrDefault("ID_FAKE|" + table, 0L), st.getOrDefault("FAKE", 0L), table);
      assertEquals(d.getOrDefault("ID_MISSING|" + table, 0L), st.getOrDefault("MISSING", 0L), table);
    }
    // Local codes are mapped to national ones and flagged.
    assertEquals(0, count("SELECT count(*) FROM " + wh.std("ehr_followup") + " WHERE followup_mode_code NOT IN ('1','2','3','4')"));
    assertEquals(d.getOrDefault("LOCAL_CODE|ehr_followup", 0L), count("SELECT count(*) FROM " + wh.std("ehr_followup")
        + " WHERE array_contains(warnings, 'followup_mode_code:LOCAL_CODE')"));
    assertEquals(0, count("SELECT count(*) FROM " + wh.std("ehr_program_enrollment") + " WHERE program_code NOT IN ('HTN','T2DM')"));
    // Retired division codes resolve to their successor county; every registry county is a current one.
    assertEquals(d.getOrDefault("RETIRED_DIVISION|pop_person", 0L), count("SELECT count(*) FROM " + wh.std("pop_person")
        + " WHERE array_contains(warnings, 'residence_division_code:DIVISION_RETIRED')"));
    assertEquals(0, count("SELECT count(*) FROM " + wh.std("pop_person") + " WHERE residence_division_code_county "
        + "NOT IN ('511302','511303','511304','511321','511322','511323','511324','511325','511381')"));
  }

  @Test
  void deltasUpdateAndDeleteTheRightRows() throws Exception {
    Warehouse wh = IngestedRegion.warehouse();
    Path landing = IngestedRegion.landing();
    // Exams deleted on a later night ("…D" ids) are gone; exams completed on a later night have their glucose.
    List<String> deleted = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    for (String night : List.of("20251230", "20251231")) {
      for (String line : Files.readAllLines(landing.resolve("ehr/" + night + "/ehr_physical_exam.csv"))) {
        String[] f = line.split(",", -1);
        if (f[15].equals("D")) {
          deleted.add(f[0]);
        } else if (f[15].equals("U")) {
          updated.add(f[0]);
        }
      }
    }
    assertFalse(deleted.isEmpty());
    assertFalse(updated.isEmpty());
    assertEquals(0, count("SELECT count(*) FROM " + wh.std("ehr_physical_exam") + " WHERE exam_id IN ("
        + quote(deleted) + ")"));
    // (An update whose final row was itself quarantined leaves the earlier version in place.)
    long updatedQuarantined = count("SELECT count(DISTINCT record_key) FROM " + wh.ops("quarantine")
        + " WHERE table_name = 'ehr_physical_exam' AND record_key IN (" + quote(updated) + ")");
    assertEquals(updated.size() - updatedQuarantined, count("SELECT count(*) FROM " + wh.std("ehr_physical_exam")
        + " WHERE exam_id IN (" + quote(updated) + ") AND fbg_mmol_l IS NOT NULL AND op_type = 'U'"));
    // A death delivered on a later night is the person's current state, unless the update was rejected: then the
    // last good version (正常, delivered in the full drop) stays; when the full drop's version was rejected too,
    // the person is not there at all.
    java.util.Set<String> rejected = new java.util.HashSet<>();
    for (Row q : spark().sql("SELECT DISTINCT record_key FROM " + wh.ops("quarantine")
        + " WHERE table_name = 'pop_person'").collectAsList()) {
      rejected.add(q.getString(0));
    }
    long deadInDelta = 0;
    long keptAlive = 0;
    for (String night : List.of("20251230", "20251231")) {
      for (String line : Files.readAllLines(landing.resolve("population/" + night + "/pop_person.csv"))) {
        String[] f = line.split(",", -1);
        if (f.length > 17 && f[16].equals("U") && f[11].equals("2")) {
          List<Row> now = spark().sql("SELECT person_status_code, death_date FROM " + wh.std("pop_person")
              + " WHERE pop_record_id = '" + f[0] + "'").collectAsList();
          if (!rejected.contains(f[0])) {
            deadInDelta++;
            assertEquals("2", now.get(0).getString(0), f[0]);
          } else if (!now.isEmpty()) {
            keptAlive++;
            assertEquals("1", now.get(0).getString(0), f[0] + ": the last good version");
            assertTrue(now.get(0).isNullAt(1), f[0]);
          }
        }
      }
    }
    // Current state: one row per key.
    assertEquals(count("SELECT count(DISTINCT pop_record_id) FROM " + wh.std("pop_person")),
        count("SELECT count(*) FROM " + wh.std("pop_person")));
    // The region registers deaths late (as updates), and the truth says for how many the update was rejected
    // while the earlier version stood (its recoverable status is still 1).
    assertTrue(deadInDelta > 0, "deaths registered on a later night: " + deadInDelta);
    long truthKeptAlive = 0;
    List<String> persons = Files.readAllLines(landing.resolve("truth/clean/person.csv"));
    List<String> head = List.of(persons.get(0).split(",", -1));
    for (String l : persons.subList(1, persons.size())) {
      String[] f = l.split(",", -1);
      if (f[head.indexOf("person_status_code")].equals("2") && f[head.indexOf("rec_person_status_code")].equals("1")) {
        truthKeptAlive++;
      }
    }
    assertEquals(truthKeptAlive, keptAlive);
  }

  /**
   * A later version that fails: each file reports how many of its quarantined rows update a published row (whose
   * last good version stays). Per table they are the rows the generator delivered as such (truth/clean: a person
   * whose recoverable status is the earlier one, a record still 在册 in the recoverable view, an exam complete in
   * truth but not in the recoverable view), and the region has some of each.
   */
  @Test
  void rejectedUpdatesAreReportedAndTheirLastGoodVersionStays() throws Exception {
    Map<String, Long> reported = new TreeMap<>();
    for (IngestJob.FileResult f : IngestedRegion.result().files()) {
      reported.merge(f.table(), f.rejectedUpdates(), Long::sum);
    }
    Path clean = IngestedRegion.landing().resolve("truth/clean");
    Map<String, Long> truth = new TreeMap<>();
    truth.put("pop_person", differing(clean.resolve("person.csv"), "person_status_code", "rec_person_status_code"));
    truth.put("ehr_person", differing(clean.resolve("ehr_person.csv"), "record_status_code", "rec_record_status_code"));
    // Exams delivered without height or weight (measure_delivered = 0) are complete in truth but not in the
    // recoverable view too, with no update rejected: they are not among these.
    truth.put("ehr_physical_exam", keptExams(clean).size() + 0L);
    for (var e : truth.entrySet()) {
      assertTrue(e.getValue() > 0, e.getKey() + ": the region has rejected updates");
      assertEquals(e.getValue(), reported.getOrDefault(e.getKey(), 0L), e.getKey());
    }
    reported.keySet().removeAll(truth.keySet());
    reported.values().removeIf(n -> n == 0);
    assertEquals(Map.of(), reported, "no other table has rejected updates");
    // The kept exams are there in their earlier version: without the glucose value the update would have added.
    Warehouse wh = IngestedRegion.warehouse();
    List<String> kept = keptExams(clean);
    assertEquals(kept.size(), count("SELECT count(*) FROM " + wh.std("ehr_physical_exam") + " WHERE exam_id IN ("
        + quote(kept) + ") AND fbg_mmol_l IS NULL AND op_type = 'I'"));
  }

  /** Exams whose completing update was rejected: complete in truth, not in the recoverable view, fully measured. */
  private static List<String> keptExams(Path clean) throws Exception {
    List<String> exams = Files.readAllLines(clean.resolve("exam.csv"));
    List<String> head = List.of(exams.get(0).split(",", -1));
    List<String> kept = new ArrayList<>();
    for (String l : exams.subList(1, exams.size())) {
      String[] f = l.split(",", -1);
      if (!f[head.indexOf("complete")].equals(f[head.indexOf("rec_complete")])
          && f[head.indexOf("measure_delivered")].equals("1")) {
        kept.add(f[0]);
      }
    }
    return kept;
  }

  /** Rows of a clean-fact file whose two columns differ. */
  private static long differing(Path csv, String a, String b) throws Exception {
    List<String> lines = Files.readAllLines(csv);
    List<String> head = List.of(lines.get(0).split(",", -1));
    long n = 0;
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",", -1);
      if (!f[head.indexOf(a)].equals(f[head.indexOf(b)])) {
        n++;
      }
    }
    return n;
  }

  /**
   * Two delivery rules end to end. The region's reference source delivers a second full drop on the last night
   * without the nine private clinics (…P01, one per county) its first full drop held: a full drop deletes the keys
   * it lacks, so the published ref_org is exactly the later file's organisations. The EMR deltas are separated by
   * '|' (their manifests say so): read with the manifest's delimiter, nearly every row is accepted (read with a
   * comma, every row would be one field short of its header and none would be).
   */
  @Test
  void aLaterFullDropDeletesTheKeysItLacksAndPipeSeparatedDeltasAreRead() throws Exception {
    Path landing = IngestedRegion.landing();
    Warehouse wh = IngestedRegion.warehouse();
    List<String> first = orgCodes(landing.resolve("reference/20251229/ref_org.csv"));
    List<String> later = orgCodes(landing.resolve("reference/20251231/ref_org.csv"));
    List<String> gone = new ArrayList<>(first);
    gone.removeAll(later);
    assertEquals(9, gone.size(), gone.toString());
    assertTrue(gone.stream().allMatch(c -> c.endsWith("P01")), gone.toString());
    List<String> published = spark().sql("SELECT org_code FROM " + wh.std("ref_org") + " ORDER BY org_code")
        .collectAsList().stream().map(r -> r.getString(0)).toList();
    assertEquals(later.stream().sorted().toList(), published);
    for (String night : List.of("20251230", "20251231")) {
      String manifest = Files.readString(landing.resolve("emr/" + night + "/manifest.json"));
      assertTrue(manifest.replace(" ", "").contains("\"delimiter\":\"|\""), manifest);
      for (Row l : spark().sql("SELECT file, rows_read, rows_accepted FROM " + wh.ops("ingest_ledger")
          + " WHERE drop_id = 'emr/" + night + "'").collectAsList()) {
        assertTrue(l.getLong(1) > 0 && l.getLong(2) >= 0.9 * l.getLong(1), night + " " + l);
      }
    }
  }

  /** The org_code column of a delivered ref_org file (UTF-8, comma-separated, no quoted commas in codes). */
  private static List<String> orgCodes(Path csv) throws Exception {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    int k = List.of(lines.get(0).split(",", -1)).indexOf("org_code");
    return lines.subList(1, lines.size()).stream().filter(l -> !l.isEmpty()).map(l -> l.split(",", -1)[k])
        .toList();
  }

  private static String quote(List<String> ids) {
    return String.join(",", ids.stream().map(s -> "'" + s + "'").toList());
  }

  @Test
  void aSecondRunIngestsNothingAndChangesNothing() {
    Warehouse wh = IngestedRegion.warehouse();
    IcebergWriter store = new IcebergWriter(spark());
    Map<String, Long> before = snapshots(wh, store);
    IngestJob.Result again = IngestedRegion.ingest(wh, IngestedRegion.landing());
    assertEquals(0, again.dropsIngested());
    assertTrue(again.ok());
    assertEquals(before, snapshots(wh, store));
  }

  private static Map<String, Long> snapshots(Warehouse wh, IcebergWriter store) {
    Map<String, Long> out = new TreeMap<>();
    for (String cat : List.of(wh.analytics, wh.identity)) {
      for (Row ns : spark().sql("SHOW NAMESPACES IN " + cat).collectAsList()) {
        for (Row t : spark().sql("SHOW TABLES IN " + cat + "." + ns.getString(0)).collectAsList()) {
          String name = cat + "." + ns.getString(0) + "." + t.getString(1);
          out.put(name, store.currentSnapshotId(name));
        }
      }
    }
    return out;
  }

  @Test
  void noRawIdentifierReachesTheAnalyticsZoneAndTheKeyIsNowhere() throws Exception {
    Warehouse wh = IngestedRegion.warehouse();
    // Forbidden values: every person's ID (18 and 15 digits) and name, from the generator's clean facts.
    // IDs are looked for as whole values and as digit runs inside any value; names as whole values (a
    // two-character name is often part of a place name).
    List<String> ids = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> lines = Files.readAllLines(IngestedRegion.landing().resolve("truth/clean/person.csv"));
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",");
      ids.add(f[1]);
      ids.add(f[1].substring(0, 6) + f[1].substring(8, 17));
      names.add(f[2]);
    }
    spark().createDataset(ids, org.apache.spark.sql.Encoders.STRING()).toDF("v").distinct()
        .createOrReplaceTempView("forbidden");
    spark().createDataset(names, org.apache.spark.sql.Encoders.STRING()).toDF("v").distinct()
        .createOrReplaceTempView("forbidden_names");
    int columns = 0;
    for (Row ns : spark().sql("SHOW NAMESPACES IN " + wh.analytics).collectAsList()) {
      for (Row t : spark().sql("SHOW TABLES IN " + wh.analytics + "." + ns.getString(0)).collectAsList()) {
        String name = wh.analytics + "." + ns.getString(0) + "." + t.getString(1);
        List<String> values = new ArrayList<>();
        for (StructField f : spark().table(name).schema().fields()) {
          String c = "`" + f.name() + "`";
          values.add(f.dataType() instanceof org.apache.spark.sql.types.ArrayType
              ? "concat_ws('|', " + c + ")" : "CAST(" + c + " AS STRING)");
          columns++;
        }
        // Every value of every column; ID-like digit runs inside them are looked up as well.
        spark().sql("SELECT explode(array(" + String.join(", ", values) + ")) v FROM " + name)
            .createOrReplaceTempView("scan_values");
        long hits = count("SELECT count(*) FROM (SELECT v FROM scan_values UNION ALL "
            + "SELECT explode(regexp_extract_all(v, '([0-9]{15,17}[0-9Xx]?)', 1)) v FROM scan_values) x "
            + "WHERE x.v IN (SELECT v FROM forbidden) OR x.v IN (SELECT v FROM forbidden_names)");
        assertEquals(0, hits, name + " holds a raw ID or name");
      }
    }
    assertTrue(columns > 50, "columns scanned: " + columns);
    // The identity zone does hold them (the scan above would find them there).
    assertTrue(count("SELECT count(*) FROM " + wh.id("pop_person") + " p JOIN forbidden_names b ON p.name = b.v") > 0);
    // The key, in hex or base64, is in no file under the warehouse.
    byte[] hex = HexFormat.of().formatHex(IngestedRegion.KEY).getBytes(StandardCharsets.US_ASCII);
    byte[] b64 = Base64.getEncoder().encodeToString(IngestedRegion.KEY).getBytes(StandardCharsets.US_ASCII);
    try (Stream<Path> s = Files.walk(IngestedRegion.folder(wh))) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(p);
        assertFalse(contains(bytes, hex) || contains(bytes, b64) || contains(bytes, IngestedRegion.KEY),
            "key material in " + p);
      }
    }
  }

  static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
