package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.storage.Warehouse;

/**
 * A delivering platform that writes the landing as an attacker would, on a generated 400-person region (one full
 * drop per source): links to the person key's file, an unbalanced quote, a raw ID in a code column, a record with a
 * field too many, missing and duplicated columns. Each attack ends in a refusal or quarantine with its reason; the
 * other sources of the night are ingested; and the key, the raw IDs and the names of the persons concerned appear in
 * no printed or logged line, no refusal, no analytics table and no warehouse file.
 */
class HostileLandingTest {

  /** The single drop folder of a source in a one-night region. */
  private static Path drop(Path landing, String source) throws Exception {
    try (Stream<Path> s = Files.list(landing.resolve(source))) {
      List<Path> drops = s.filter(Files::isDirectory).toList();
      assertEquals(1, drops.size(), source);
      return drops.get(0);
    }
  }

  private static String id(Path drop) {
    return drop.getParent().getFileName() + "/" + drop.getFileName();
  }

  private static long count(String sql) {
    return ((Number) HostileLanding.spark().sql(sql).first().get(0)).longValue();
  }

  /** Forbidden text: the key in hex and base64, and the key file's sha256 (the "hash oracle" of the attack). */
  private static List<String> keyForms(Path keyFile) throws Exception {
    return List.of(HostileLanding.KEY_HEX, HostileLanding.KEY_B64, HostileLanding.KEY_HEX.substring(0, 24),
        HostileLanding.sha256(Files.readAllBytes(keyFile)));
  }

  @Test
  void dropFilesLinkedToTheKeyFileAreRefusedUnreadAndTheKeyIsInNoOutput(@TempDir Path dir) throws Exception {
    Path landing = HostileLanding.landing(dir);
    Path key = HostileLanding.keyFile(dir);
    // The attack of the report: pop_person.csv becomes a symbolic link to the key file, re-signed with the key
    // file's sha256 and 0 rows, so that the verification passes and the "header" (the key) is printed.
    Path pop = drop(landing, "population");
    Files.delete(pop.resolve("pop_person.csv"));
    Files.createSymbolicLink(pop.resolve("pop_person.csv"), key);
    HostileLanding.resign(pop, "pop_person.csv", Files.readAllBytes(key), 0);
    // The same with a hard link (a regular file, but the key file's own inode) in place of emr_visit.csv.
    Path emr = drop(landing, "emr");
    Files.delete(emr.resolve("emr_visit.csv"));
    Files.createLink(emr.resolve("emr_visit.csv"), key);
    HostileLanding.resign(emr, "emr_visit.csv", Files.readAllBytes(key), 0);
    // And a drop folder that is a link to a copy of a real drop elsewhere.
    Path ehr = drop(landing, "ehr");
    Path elsewhere = dir.resolve("elsewhere");
    IngestRecoveryTest.copyTree(ehr, elsewhere);
    Files.createSymbolicLink(landing.resolve("ehr").resolve("20260101"), elsewhere);

    Warehouse wh = IngestedRegion.newWarehouse();
    HostileLanding.Run run = HostileLanding.ingest(wh, landing, List.of(key));

    assertFalse(run.result().ok());
    List<String> refusals = run.result().refusals();
    assertTrue(refusals.contains(id(pop) + "/pop_person.csv: is a symbolic link: not read (a delivery file must be a "
        + "regular file inside the drop folder)"), refusals.toString());
    assertTrue(refusals.contains(id(emr) + "/emr_visit.csv: is a file Sanku protects (a link to it), not a "
        + "delivery: not read"), refusals.toString());
    assertTrue(refusals.contains("ehr/20260101: is a symbolic link: not read (a drop folder must be a real folder "
        + "inside the landing)"), refusals.toString());
    // The two refused drops are recorded; the reference and ehr drops of the night are ingested.
    assertEquals(2, count("SELECT count(DISTINCT drop_id) FROM " + wh.ops("drop_refusal")));
    assertEquals(List.of(id(ehr), id(drop(landing, "reference"))), HostileLanding.ledgerDrops(wh));
    assertTrue(count("SELECT count(*) FROM " + wh.std("ehr_person")) > 0);
    // Nowhere: not printed, not logged, not in a refusal, not in any analytics value, not in any warehouse file.
    List<String> forbidden = keyForms(key);
    HostileLanding.assertNoneIn("the run's output", run.all(), forbidden);
    HostileLanding.assertNoneIn("ops.drop_refusal", String.join("\n", HostileLanding.recordedRefusals(wh)),
        forbidden);
    HostileLanding.assertAnalyticsZoneHoldsNone(wh, forbidden);
    HostileLanding.assertKeyInNoFile(IngestedRegion.folder(wh));
  }

  @Test
  void aManifestLinkedElsewhereIsRefusedAndAKeyFileInsideTheLandingStopsTheRun(@TempDir Path dir) throws Exception {
    Path landing = HostileLanding.landing(dir);
    Path key = HostileLanding.keyFile(dir);
    // manifest.json as a link to the key file: parsing it would quote the "token" it found.
    Path pop = drop(landing, "population");
    Files.delete(pop.resolve("manifest.json"));
    Files.createSymbolicLink(pop.resolve("manifest.json"), key);
    // A manifest that is not JSON, in a regular file: the parse error says where, never what it found.
    Path emr = drop(landing, "emr");
    String secret = "SECRET".repeat(5);
    Files.writeString(emr.resolve("manifest.json"), secret + "-not-json\n");

    Warehouse wh = IngestedRegion.newWarehouse();
    HostileLanding.Run run = HostileLanding.ingest(wh, landing, List.of(key));
    List<String> refusals = run.result().refusals();
    assertTrue(refusals.contains(id(pop) + "/manifest.json: is a symbolic link: not read (a delivery file must be a "
        + "regular file inside the drop folder)"), refusals.toString());
    String bad = refusals.stream().filter(m -> m.startsWith(id(emr))).findFirst().orElseThrow();
    assertTrue(bad.startsWith(id(emr) + "/manifest.json: malformed JSON at line 1, column "), bad);
    // At most a cut token of the sender's own text: 24 characters of the 30 and an ellipsis.
    assertTrue(bad.contains("'" + secret.substring(0, 24) + "…'"), bad);
    assertEquals(List.of(id(drop(landing, "ehr")), id(drop(landing, "reference"))), HostileLanding.ledgerDrops(wh));
    List<String> forbidden = new ArrayList<>(keyForms(key));
    forbidden.add(secret);
    HostileLanding.assertNoneIn("the run's output", run.all(), forbidden);
    HostileLanding.assertAnalyticsZoneHoldsNone(wh, forbidden);

    // A key file kept inside the landing is refused before anything is read: a sender could reach it.
    Path inside = landing.resolve("person.key");
    Files.copy(key, inside);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> HostileLanding.ingest(IngestedRegion.newWarehouse(), landing, List.of(inside)));
    assertTrue(e.getMessage().startsWith("the person key file lies inside the landing folder"), e.getMessage());
  }

  /**
   * An unbalanced quote, a raw ID in an optional code column, and a record with a field too many, in one night:
   * <ul>
   *   <li>pop_person.csv: data record 10 (line 12) gets {@code "} before its ethnicity code and record 12 (line 14)
   *       one after its own: one record of 3 lines (within the 10 allowed) whose ethnicity is the text of
   *       records 10–12 (the IDs and names of three persons). 2 records fewer: the sender signs n − 2 rows. The
   *       record is quarantined BAD_SHAPE (a line break in a code), its text only in the identity zone.</li>
   *   <li>pop_person.csv: record 20 (line 22) gets another person's raw ID as its ethnicity code: a short code-like
   *       value, so only the warning UNKNOWN_CODE; the analytics zone gets neither the value nor its verbatim
   *       form.</li>
   *   <li>pop_person.csv: record 30 (line 32) gets one field more than the header: FIELD_COUNT.</li>
   *   <li>ehr_person.csv gets a quote opened on record 30 (line 32) and closed 20 records later: a record of 21
   *       lines, more than 10, refuses the ehr drop.</li>
   * </ul>
   */
  @Test
  void anUnbalancedQuoteIsRefusedOrQuarantinedAndNoRawValueReachesTheAnalyticsZone(@TempDir Path dir)
      throws Exception {
    Path landing = HostileLanding.landing(dir);
    Path pop = drop(landing, "population");
    Path popFile = pop.resolve("pop_person.csv");
    List<String> lines = HostileLanding.lines(popFile);
    List<String> header = List.of(HostileLanding.fields(lines.get(0)));
    int eth = header.indexOf("ethnicity_code");
    int idNo = header.indexOf("id_no");
    int name = header.indexOf("name");
    // The three swallowed persons' IDs and names, and the ID put in a code column.
    List<String> forbidden = new ArrayList<>();
    for (int r : new int[] {10, 11, 12, 20, 40}) {
      String[] f = HostileLanding.fields(lines.get(r + 1));
      assertFalse(lines.get(r + 1).contains("\""), "a plain generated line");
      assertEquals(header.size(), f.length);
      if (!f[idNo].isEmpty() && f[idNo].matches("[0-9]{17}[0-9X]")) {
        forbidden.add(f[idNo]);
      }
      if (r != 40) {
        forbidden.add(f[name]);
      }
    }
    String foreignId = HostileLanding.fields(lines.get(41))[idNo];
    assertTrue(foreignId.matches("[0-9]{17}[0-9X]"), foreignId);
    int n = lines.size() - 1;
    lines.set(11, withField(lines.get(11), eth, "\"" + HostileLanding.fields(lines.get(11))[eth]));
    lines.set(13, withField(lines.get(13), eth, HostileLanding.fields(lines.get(13))[eth] + "\""));
    lines.set(21, withField(lines.get(21), eth, foreignId));
    lines.set(31, lines.get(31) + ",extra");
    HostileLanding.resign(pop, "pop_person.csv", HostileLanding.write(popFile, lines), n - 2);

    Path ehr = drop(landing, "ehr");
    Path ehrPerson = ehr.resolve("ehr_person.csv");
    List<String> ep = HostileLanding.lines(ehrPerson);
    List<String> epHeader = List.of(HostileLanding.fields(ep.get(0)));
    int rt = epHeader.indexOf("resident_type_code");
    ep.set(31, withField(ep.get(31), rt, "\"" + HostileLanding.fields(ep.get(31))[rt]));
    ep.set(51, withField(ep.get(51), rt, HostileLanding.fields(ep.get(51))[rt] + "\""));
    HostileLanding.resign(ehr, "ehr_person.csv", HostileLanding.write(ehrPerson, ep), ep.size() - 1 - 20);

    Warehouse wh = IngestedRegion.newWarehouse();
    HostileLanding.Run run = HostileLanding.ingest(wh, landing, List.of());

    // The long record refuses the ehr drop, naming the file and the line it starts on, and nothing else of it.
    assertEquals(List.of(id(ehr) + "/ehr_person.csv: the record starting on line 32 spans 21 lines (at most 10 "
        + "allowed): a quote that opens there seems not to close where it should, and the records in those lines "
        + "would be lost"), run.result().refusals());
    assertEquals(List.of(id(drop(landing, "emr")), id(pop), id(drop(landing, "reference"))),
        HostileLanding.ledgerDrops(wh));
    assertFalse(HostileLanding.spark().catalog().tableExists(wh.std("ehr_person")));
    // The 3-line record is quarantined on its first line; the file reconciles with the rows its sender signed.
    assertTrue(quarantine(wh, "pop_person", 12).contains("ethnicity_code:BAD_SHAPE"),
        quarantine(wh, "pop_person", 12).toString());
    assertTrue(quarantine(wh, "pop_person", 32).contains("record:FIELD_COUNT"),
        quarantine(wh, "pop_person", 32).toString());
    assertEquals(n - 2, count("SELECT rows_read FROM " + wh.ops("ingest_ledger") + " WHERE file = 'pop_person.csv'"));
    assertEquals(1, count("SELECT count(*) FROM " + wh.identity + ".id.quarantine WHERE line = 12 AND "
        + "instr(raw_text, '\n') > 0"));
    // The raw ID in the code column: the row flows on with the warning and no ethnicity; the value itself is only in
    // the identity zone's warned values.
    String key20 = HostileLanding.fields(lines.get(21))[header.indexOf("pop_record_id")];
    Row r = HostileLanding.spark().sql("SELECT ethnicity_code, ethnicity_code_src, "
        + "array_contains(warnings, 'ethnicity_code:UNKNOWN_CODE') FROM " + wh.std("pop_person")
        + " WHERE pop_record_id = '" + key20 + "'").first();
    assertTrue(r.isNullAt(0) && r.isNullAt(1) && r.getBoolean(2), r.toString());
    assertEquals(1, count("SELECT count(*) FROM " + wh.identity + ".id.warning_value WHERE table_name = "
        + "'pop_person' AND column_name = 'ethnicity_code' AND reason = 'UNKNOWN_CODE' AND value = '" + foreignId
        + "' AND rows = 1 AND first_line = 22"));
    HostileLanding.assertAnalyticsZoneHoldsNone(wh, forbidden);
    HostileLanding.assertNoneIn("the run's output", run.all(), forbidden);
  }

  /**
   * Missing and duplicated columns refuse their drop (contract §2), recorded with the reason, without stopping the
   * run: the other sources are ingested and the result is a refusal (exit code 3), not a crash.
   */
  @Test
  void aMissingOrDuplicatedColumnRefusesItsDropAndTheOtherSourcesGoOn(@TempDir Path dir) throws Exception {
    Path landing = HostileLanding.landing(dir);
    // ehr_person.csv without its birth_date column, and a long unknown header in its place.
    Path ehr = drop(landing, "ehr");
    Path ehrPerson = ehr.resolve("ehr_person.csv");
    List<String> ep = HostileLanding.lines(ehrPerson);
    int birth = List.of(HostileLanding.fields(ep.get(0))).indexOf("birth_date");
    ep.set(0, withField(ep.get(0), birth, "a_header_that_goes_on_and_on_and_on_and_on"));
    List<String> ehrColumns = List.of(HostileLanding.fields(ep.get(0)));
    HostileLanding.resign(ehr, "ehr_person.csv", HostileLanding.write(ehrPerson, ep), ep.size() - 1);
    // pop_person.csv with sex_code twice (in place of the optional ethnicity_code).
    Path pop = drop(landing, "population");
    Path popFile = pop.resolve("pop_person.csv");
    List<String> pp = HostileLanding.lines(popFile);
    List<String> popHeader = List.of(HostileLanding.fields(pp.get(0)));
    int sex = popHeader.indexOf("sex_code");
    int eth = popHeader.indexOf("ethnicity_code");
    pp.set(0, withField(pp.get(0), eth, "sex_code"));
    HostileLanding.resign(pop, "pop_person.csv", HostileLanding.write(popFile, pp), pp.size() - 1);

    Warehouse wh = IngestedRegion.newWarehouse();
    HostileLanding.Run run = HostileLanding.ingest(wh, landing, List.of());

    assertFalse(run.result().ok());
    assertEquals(List.of(
        id(pop) + "/pop_person.csv: header sex_code is given twice (columns " + (sex + 1) + " and " + (eth + 1)
            + "): the file is refused, one of them would go unread",
        id(ehr) + "/ehr_person.csv: required column(s) birth_date missing (the header has " + ehrColumns.size()
            + " column(s), 1 unknown, the first unknown \"a_header_that_goes_on_an\" (cut, 42 characters))"),
        run.result().refusals());
    assertEquals(2, count("SELECT count(DISTINCT drop_id) FROM " + wh.ops("drop_refusal")));
    assertEquals(List.of(id(drop(landing, "emr")), id(drop(landing, "reference"))), HostileLanding.ledgerDrops(wh));
    assertTrue(count("SELECT count(*) FROM " + wh.std("emr_visit")) > 0);
    assertFalse(HostileLanding.spark().catalog().tableExists(wh.std("pop_person")));
    assertFalse(HostileLanding.spark().catalog().tableExists(wh.std("ehr_person")));
    // The refusal is in the ledger of refusals with the same words.
    assertTrue(HostileLanding.recordedRefusals(wh).containsAll(run.result().refusals()));

    // Corrected and re-delivered, both drops are ingested on the next run.
    for (Path d : List.of(ehr, pop)) {
      try (Stream<Path> s = Files.walk(d)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
      IngestRecoveryTest.copyTree(HostileLanding.region().resolve(landing.relativize(d).toString()), d);
    }
    HostileLanding.Run again = HostileLanding.ingest(wh, landing, List.of());
    assertTrue(again.result().ok(), again.result().refusals().toString());
    assertEquals(2, again.result().dropsIngested());
  }

  /** The rows's reasons in ops.quarantine for one line of a table, as column:reason. */
  private static List<String> quarantine(Warehouse wh, String table, long line) {
    List<String> out = new ArrayList<>();
    for (Row r : HostileLanding.spark().sql("SELECT column_name, reason FROM " + wh.ops("quarantine")
        + " WHERE table_name = '" + table + "' AND line = " + line + " ORDER BY 1, 2").collectAsList()) {
      out.add(r.getString(0) + ":" + r.getString(1));
    }
    return out;
  }

  /** The line with field {@code index} replaced by {@code value} (written as given: the caller quotes). */
  private static String withField(String line, int index, String value) {
    String[] f = line.split(",", -1);
    f[index] = value;
    return String.join(",", f);
  }
}
