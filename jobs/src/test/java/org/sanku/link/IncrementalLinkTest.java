package org.sanku.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.sanku.ids.IdNumbers;

/**
 * A night's linkage links again only the records a change can concern, and its tables are those a relink of every
 * record gives. Forty registry persons with a health record and a visit each never change; around them, the cases
 * whose outcome a change elsewhere decides: a surrogate key that becomes an ID key (its K1 record, its K1 visit and
 * that visit's card companion follow), a second registry person with a record's K1 (the record becomes ambiguous),
 * a visit deleted, a card moved away from a card link's only anchor, a name corrected into a K1 match, a registry row
 * gone from under a tier-1 link, a new record, and a conflict nothing touches.
 */
class IncrementalLinkTest {

  static final String ORG = "511302001C";
  static final String HOSPITAL = "511302A01";
  static final String L1 = IdNumbers.make("511302", LocalDate.parse("1945-01-01"), 11);
  static final String K3 = IdNumbers.make("511302", LocalDate.parse("1970-03-03"), 31);
  static final String M4 = IdNumbers.make("511302", LocalDate.parse("1980-04-04"), 41);
  static final String M5 = IdNumbers.make("511302", LocalDate.parse("1985-05-05"), 51);

  static String filler(int i) {
    return IdNumbers.make("511302", LocalDate.parse("1950-01-01").plusDays(i * 37L), 100 + i);
  }

  static String fillerBirth(int i) {
    return LocalDate.parse("1950-01-01").plusDays(i * 37L).toString();
  }

  /** The rows of a night (4: night 3's, with a health card on VF5). */
  static void fill(TinyWarehouse t, int night) {
    t.clear();
    boolean later = night >= 2;
    t.row("ref_org", "org_code", ORG, "division_code", "511302001000");
    t.row("ref_org", "org_code", HOSPITAL, "division_code", "511302001000");
    t.row("ref_division", "division_code", "510000000000", "level", "1");
    t.row("ref_division", "division_code", "511300000000", "level", "2", "parent_code", "510000000000");
    t.row("ref_division", "division_code", "511302000000", "level", "3", "parent_code", "511300000000");
    for (int i = 1; i <= 40; i++) {
      String name = "居民" + i;
      t.person("F" + i, filler(i), name, "1", fillerBirth(i), "511302");
      t.ehr("EF" + i, filler(i), name, "1", fillerBirth(i), "511302", ORG);
      t.visit("VF" + i, filler(i), name, "1", fillerBirth(i), "511302", night >= 4 && i == 5 ? "C9" : null,
          HOSPITAL, "2025-06-01");
    }
    // R1 has no usable ID on night 1 (a surrogate key), its ID from night 2. EA and VB link on K1; VA, without a
    // county, through the card C1 that VB carries.
    t.person("R1", later ? L1 : LinkTiersTest.badCheck(L1), "周八", "1", "1945-01-01", "511302");
    t.ehr("EA", "", "周八", "1", "1945-01-01", "511302", ORG);
    t.visit("VB", "", "周八", "1", "1945-01-01", "511302", "C1", HOSPITAL, "2025-06-02");
    t.visit("VA", "", "周八", "1", "1945-01-01", null, "C1", HOSPITAL, "2025-06-03");
    // R2 has no ID; EC links to R2 on K1 until R7, with the same K1, is registered on night 2.
    t.person("R2", "", "吴二", "1", "1960-02-02", "511302");
    if (later) {
      t.person("R7", "", "吴二", "1", "1960-02-02", "511302");
    }
    t.ehr("EC", "", "吴二", "1", "1960-02-02", "511302", ORG);
    // VD (tier 1 to F1) is deleted on night 2.
    if (!later) {
      t.visit("VD", filler(1), "居民1", "1", fillerBirth(1), "511302", null, HOSPITAL, "2025-06-04");
    }
    // VG links to R3 on K1 and carries card C2; VE, without a county, links through C2 until VG's card is
    // corrected to C3 on night 2.
    t.person("R3", K3, "郑三", "2", "1970-03-03", "511302");
    t.visit("VG", "", "郑三", "2", "1970-03-03", "511302", later ? "C3" : "C2", HOSPITAL, "2025-06-05");
    t.visit("VE", "", "郑三", "2", "1970-03-03", null, "C2", HOSPITAL, "2025-06-06");
    // EG's name is corrected into R4's K1 on night 2.
    t.person("R4", M4, "王四", "2", "1980-04-04", "511302");
    t.ehr("EG", "", later ? "王四" : "王五", "2", "1980-04-04", "511302", ORG);
    // EH carries F2's ID with another birth date, sex and name: a conflict, the same on both nights.
    t.ehr("EH", filler(2), "错名", "2", "2000-01-01", "511302", ORG);
    // R5 leaves the registry on night 2: EI, linked on its ID, has no registry person then.
    if (!later) {
      t.person("R5", M5, "钱五", "1", "1985-05-05", "511302");
    }
    t.ehr("EI", M5, "钱五", "1", "1985-05-05", "511302", ORG);
    // EJ is new on night 2.
    if (later) {
      t.ehr("EJ", filler(3), "居民3", "1", fillerBirth(3), "511302", ORG);
    }
  }

  static final List<String> TABLES = List.of("link.record_link", "link.unlinked", "link.link_conflict",
      "link.registry_key", "link.key_merge", "link.link_rate", "model.person", "model.ehr_record",
      "model.emr_visit");

  /** Every row of linkage's tables as text (without the time a key change was recorded), sorted. */
  static Map<String, List<String>> tables(TinyWarehouse t) {
    return tables(t.spark, t.wh);
  }

  static Map<String, List<String>> tables(org.apache.spark.sql.SparkSession spark, org.sanku.storage.Warehouse wh) {
    return tables(spark, wh, TABLES);
  }

  static Map<String, List<String>> tables(org.apache.spark.sql.SparkSession spark, org.sanku.storage.Warehouse wh,
      List<String> names) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String name : names) {
      String[] p = name.split("\\.");
      String table = p[0].equals("link") ? LinkJob.linkTable(wh, p[1]) : LinkJob.modelTable(wh, p[1]);
      var df = spark.table(table);
      if (Arrays.asList(df.columns()).contains("recorded_at")) {
        df = df.drop("recorded_at");
      }
      List<String> rows = new ArrayList<>();
      for (Row r : df.collectAsList()) {
        rows.add(r.toString());
      }
      rows.sort(null);
      out.put(name, rows);
    }
    return out;
  }

  static LinkJob.Result link(TinyWarehouse t, boolean all, ByteArrayOutputStream log) {
    return new LinkJob(t.spark, t.wh, TinyWarehouse.KEY, TinyWarehouse.R, new PrintStream(log, true,
        StandardCharsets.UTF_8)).residentRule(TinyWarehouse.RESIDENT).relinkAll(all).run();
  }

  static Map<String, String> outcomes(TinyWarehouse t) {
    Map<String, String> out = new java.util.TreeMap<>();
    for (Row r : t.rows(LinkJob.linkTable(t.wh, "record_link"))) {
      out.put(r.getAs("record_key"), r.getAs("person_key") + " " + r.getAs("tier"));
    }
    for (Row r : t.rows(LinkJob.linkTable(t.wh, "unlinked"))) {
      out.put(r.getAs("record_key"), r.getAs("reason"));
    }
    return out;
  }

  /**
   * A night of each kind, applied as ingest applies deltas (merge-on-read: a changed row's old version marked deleted
   * in its data file, the new one in a new file, unchanged rows left in their files), with service rows, and from
   * night 2 a hospital in another county.
   */
  static void deltaNight(TinyWarehouse t, int night) {
    fill(t, night);
    services(t, night);
    if (night >= 2) {
      // The hospital moves to another county: every visit's organisation county changes, not its person.
      t.replaceRow("ref_org", "org_code", HOSPITAL, "division_code", "511303001000");
    }
    t.write();
  }

  @Test
  void aNightLinksAgainOnlyWhatAChangeConcernsAndEqualsARelinkOfEveryone() {
    double share = IncrementalLinks.maxFileShare;
    // A tiny table's night changes a large share of its rows: the files are used whatever the share.
    IncrementalLinks.maxFileShare = 1.0;
    try {
      nights();
    } finally {
      IncrementalLinks.maxFileShare = share;
    }
  }

  private void nights() {
    TinyWarehouse t = new TinyWarehouse();
    t.merging = true;
    deltaNight(t, 1);
    ByteArrayOutputStream log1 = new ByteArrayOutputStream();
    LinkJob.Result first = link(t, false, log1);
    // No published linkage yet: all 90 records (40 + 40 fillers, EA, VB, VA, EC, VD, VG, VE, EG, EH, EI).
    assertEquals(90, first.relinked());
    Map<String, String> n1 = outcomes(t);
    assertEquals(TinyWarehouse.surrogate("R1") + " T2_K1", n1.get("EA"));
    assertEquals(TinyWarehouse.surrogate("R1") + " T2_CARD", n1.get("VA"));
    assertEquals(TinyWarehouse.surrogate("R2") + " T2_K1", n1.get("EC"));
    assertEquals(TinyWarehouse.key(K3) + " T2_CARD", n1.get("VE"));
    assertEquals("NO_ID_NO_MATCH", n1.get("EG"));
    assertEquals("CONFLICT", n1.get("EH"));
    assertEquals(TinyWarehouse.key(M5) + " T1_ID", n1.get("EI"));

    deltaNight(t, 2);
    ByteArrayOutputStream log2 = new ByteArrayOutputStream();
    LinkJob.Result second;
    // Spark warns of nothing the night's plans do on purpose (a broadcast hint outside a join, for one).
    try (org.sanku.spark.LogCapture spark = org.sanku.spark.LogCapture.warnings("incremental-capture")) {
      second = link(t, false, log2);
      assertTrue(!spark.text().contains("join hint"), spark.text());
    }
    String text = log2.toString(StandardCharsets.UTF_8);
    // Worked out by hand. Changed records: VD (deleted), VG (card), EG (name), EJ (new): 4. Registry row versions
    // changed: R1 before and after (its ID), R7 (new), R5 (gone): 4. Their usable IDs L1 and M5 reach EI; their K1s
    // reach EA, VB (R1), EC (R2 = R7) and EI (R5); their person keys (surrogate R1, key M5) were the published
    // persons of EA, VB, VA and EI. The cards of those, now and before: C1 (VA, VB), C3 (VG now), C2 (VG before),
    // which add VE. Linked again: EA, VB, VA, EC, VG, VE, EG, EI, EJ = 9 of the 90 records; the 80 fillers and EH
    // keep their published links.
    assertEquals(9, second.relinked(), text);
    assertTrue(text.contains("link: 9 of 90 records linked again (4 changed since the published linkage, 4 registry "
        + "row version(s) changed"), text);
    Map<String, String> n2 = outcomes(t);
    assertEquals(TinyWarehouse.key(L1) + " T2_K1", n2.get("EA"));
    assertEquals(TinyWarehouse.key(L1) + " T2_K1", n2.get("VB"));
    assertEquals(TinyWarehouse.key(L1) + " T2_CARD", n2.get("VA"));
    assertEquals("K1_AMBIGUOUS", n2.get("EC"));
    assertEquals(null, n2.get("VD"));
    assertEquals(TinyWarehouse.key(K3) + " T2_K1", n2.get("VG"));
    assertEquals("K1_INCOMPLETE", n2.get("VE"));
    assertEquals(TinyWarehouse.key(M4) + " T2_K1", n2.get("EG"));
    assertEquals("CONFLICT", n2.get("EH"));
    assertEquals("NO_REGISTRY_PERSON", n2.get("EI"));
    assertEquals(TinyWarehouse.key(filler(3)) + " T1_ID", n2.get("EJ"));
    assertEquals(TinyWarehouse.key(filler(7)) + " T1_ID", n2.get("VF7"));
    assertEquals(90, n2.size());
    // Every table the night changed was compared on its changed files only.
    for (String table : List.of(t.wh.std("ehr_person"), t.wh.id("ehr_person"), t.wh.std("emr_visit"),
        t.wh.id("emr_visit"), t.wh.std("pop_person"), t.wh.id("pop_person"))) {
      assertTrue(text.contains("link: " + table + ": only the rows of its changed data files compared"),
          table + "\n" + text);
    }
    // ehr_record and emr_visit are written as deltas: the rows of the 4 changed and the 9 relinked records, and
    // those of a changed lookup. EA, EC, EG, EI, EJ are health records (EJ new): 4 rows deleted, 5 written. Every
    // visit is at the hospital that moved: the 45 of night 1 deleted (VD among them), the 44 of night 2 written.
    assertTrue(text.contains("link: " + LinkJob.modelTable(t.wh, "ehr_record") + " written as a delta: 4 row(s) "
        + "deleted, 5 written"), text);
    assertTrue(text.contains("link: " + LinkJob.modelTable(t.wh, "emr_visit") + " written as a delta: 45 row(s) "
        + "deleted, 44 written"), text);
    // The tables taking persons from those: the rows of a changed key or of a record written again.
    // ehr_exam: X3 moved to EF12 and X4 new (changed); X1 of EA (written again): 2 deleted (X1, X3), 3 written.
    // ehr_enrollment: N1 of EG: 1 and 1. ehr_followup: U3 gone (changed), U1 of N1: 2 deleted, 1 written.
    // emr_diagnosis: those of VB (relinked) and VD (deleted: its diagnosis stays, without a person): 2 and 2.
    for (String[] e : new String[][] {{"ehr_exam", "2", "3"}, {"ehr_enrollment", "1", "1"},
        {"ehr_followup", "2", "1"}, {"emr_diagnosis", "2", "2"}}) {
      assertTrue(text.contains("link: " + LinkJob.modelTable(t.wh, e[0]) + " written as a delta: " + e[1]
          + " row(s) deleted, " + e[2] + " written"), e[0] + "\n" + text);
    }
    List<String> compared = new ArrayList<>(TABLES);
    compared.addAll(List.of("model.ehr_exam", "model.ehr_enrollment", "model.ehr_followup", "model.emr_diagnosis"));
    Map<String, List<String>> incremental = tables(t.spark, t.wh, compared);
    assertTrue(incremental.get("model.emr_diagnosis").stream().anyMatch(r -> r.startsWith("[VD,1,null,")),
        incremental.toString());

    // Every record relinked over the same inputs: the same rows in every table of linkage.
    LinkJob.Result all = link(t, true, new ByteArrayOutputStream());
    assertEquals(90, all.relinked());
    assertEquals(second.outcomes(), all.outcomes());
    Map<String, List<String>> everyone = tables(t.spark, t.wh, compared);
    for (String table : compared) {
      assertEquals(everyone.get(table), incremental.get(table), table);
    }
    assertTrue(everyone.get("link.link_conflict").size() == 1 && everyone.get("model.person").size() == 45,
        everyone.toString());

    // Night 3 delivers night 2's rows again (new snapshots, no change; written whole, every row in a new file):
    // nothing is linked again, the same tables.
    t.merging = false;
    deltaNight(t, 3);
    t.merging = true;
    ByteArrayOutputStream log3 = new ByteArrayOutputStream();
    LinkJob.Result third = link(t, false, log3);
    assertEquals(0, third.relinked(), log3.toString(StandardCharsets.UTF_8));
    assertEquals(everyone, tables(t.spark, t.wh, compared));

    // The upkeep compacts the tables after a night (new snapshots, the same rows in other files): over them the
    // next run's inputs are the published linkage's, and nothing is linked again.
    List<String> compacted = new ArrayList<>();
    for (String std : List.of("pop_person", "ehr_person", "emr_visit", "ref_org")) {
      compacted.add(t.wh.std(std));
    }
    compacted.add(t.wh.id("emr_visit"));
    for (String m : MODEL) {
      compacted.add(LinkJob.modelTable(t.wh, m));
    }
    for (String table : compacted) {
      t.spark.sql("CALL " + table.substring(0, table.indexOf('.')) + ".system.rewrite_data_files(table => '"
          + table.substring(table.indexOf('.') + 1) + "', options => map('rewrite-all', 'true'))");
    }
    ByteArrayOutputStream compactedLog = new ByteArrayOutputStream();
    LinkJob.Result overCompacted = link(t, false, compactedLog);
    String compactedText = compactedLog.toString(StandardCharsets.UTF_8);
    assertEquals(0, overCompacted.relinked(), compactedText);
    assertTrue(compactedText.contains("nothing relinked, its tables stand"), compactedText);

    // Night 4: only the hospitals deliver, and only VF5 changes (a health card it did not have; it stays linked on
    // its ID). One record is linked again; no health record's link changes and no health-record table was
    // delivered, so the tables built from them alone (ehr_record and its services; emr_diagnosis, whose visits all
    // keep their persons) stand as published, with no new snapshot, except ehr_contract (below); emr_visit is
    // written again. They stand though the upkeep compacted them after the published linkage: their rows were
    // committed before it.
    Map<String, Long> before = new LinkedHashMap<>();
    for (String m : MODEL) {
      before.put(m, KeyStabilityTest.snapshot(t, LinkJob.modelTable(t.wh, m)));
    }
    // ehr_contract as a run leaves it that died after writing it and before registry_key (committed later than
    // registry_key): never kept, written again.
    String contract = LinkJob.modelTable(t.wh, "ehr_contract");
    t.spark.table(contract).writeTo(contract).replace();
    before.put("ehr_contract", KeyStabilityTest.snapshot(t, contract));
    fill(t, 4);
    t.write("std.emr_visit", "id.emr_visit");
    ByteArrayOutputStream log4 = new ByteArrayOutputStream();
    LinkJob.Result fourth = link(t, false, log4);
    String text4 = log4.toString(StandardCharsets.UTF_8);
    assertEquals(1, fourth.relinked(), text4);
    for (String m : MODEL) {
      long now = KeyStabilityTest.snapshot(t, LinkJob.modelTable(t.wh, m));
      assertEquals(!m.equals("emr_visit") && !m.equals("ehr_contract"), now == before.get(m), m + "\n" + text4);
    }
    assertTrue(text4.contains("stand as published (their inputs and links are unchanged)"), text4);
    Map<String, List<String>> kept = tables(t);
    link(t, true, new ByteArrayOutputStream());
    assertEquals(tables(t), kept);

  }

  /**
   * Service rows of a night: exams X1 (EA), X2 (EF10), X3 (EF11, on night 2 EF12), X4 (EJ, from night 2);
   * enrollments N1 (EG), N2 (EF13); follow-ups U1 (N1), U2 (N2), U3 (N2, night 1 only); diagnoses of VB, VF20 and
   * VD (delivered both nights, though VD is deleted on night 2).
   */
  static void services(TinyWarehouse t, int night) {
    t.row("ehr_physical_exam", "exam_id", "X1", "ehr_no", "EA");
    t.row("ehr_physical_exam", "exam_id", "X2", "ehr_no", "EF10");
    t.row("ehr_physical_exam", "exam_id", "X3", "ehr_no", night >= 2 ? "EF12" : "EF11");
    if (night >= 2) {
      t.row("ehr_physical_exam", "exam_id", "X4", "ehr_no", "EJ");
    }
    t.row("ehr_program_enrollment", "enrollment_id", "N1", "ehr_no", "EG");
    t.row("ehr_program_enrollment", "enrollment_id", "N2", "ehr_no", "EF13");
    t.row("ehr_followup", "followup_id", "U1", "enrollment_id", "N1");
    t.row("ehr_followup", "followup_id", "U2", "enrollment_id", "N2");
    if (night < 2) {
      t.row("ehr_followup", "followup_id", "U3", "enrollment_id", "N2");
    }
    for (String v : List.of("VB", "VF20", "VD")) {
      t.row("emr_diagnosis", "visit_id", v, "diag_seq", 1);
    }
  }

  /** The integrated tables a night can leave standing. */
  static final List<String> MODEL = List.of("ehr_record", "ehr_exam", "ehr_tcm_service", "ehr_enrollment",
      "ehr_followup", "ehr_contract", "emr_visit", "emr_diagnosis");
}
