package org.sanku.link;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.ids.IdNumbers;

/**
 * Each tier and each refusal on hand-built registry, health-record and visit rows (one warehouse, one run).
 *
 * <p>Registry (all resident type 1, status 1, unless said): P1 张三 m 1950-03-01 ID A, P2 钱二 m 1962-04-04 ID B,
 * P3 李四 f 1970-05-05, P4 and P5 王伟 m 1980-01-01 (IDs C and D, same county), P6 陈芳 f 1990-02-02 ID E (mother),
 * P7 陈小宝 m 2025-06-01 ID F (her baby), P8 赵六 m 1955-07-07 ID G, P12 郑十二 with a checksum-failing ID (surrogate
 * key), P13 孙七 ID I (died 2025-03-01), P14 冯十四 ID J (resident type 2, away). All live in 511302.
 */
class LinkTiersTest {

  static TinyWarehouse t;
  static LinkJob.Result result;
  static Map<String, Row> links = new HashMap<>();
  static Map<String, Row> unlinked = new HashMap<>();

  static final String A = IdNumbers.make("511302", LocalDate.parse("1950-03-01"), 11);
  static final String B = IdNumbers.make("511302", LocalDate.parse("1962-04-04"), 21);
  static final String C = IdNumbers.make("511302", LocalDate.parse("1980-01-01"), 31);
  static final String D = IdNumbers.make("511302", LocalDate.parse("1980-01-01"), 33);
  static final String E = IdNumbers.make("511302", LocalDate.parse("1990-02-02"), 40);
  static final String F = IdNumbers.make("511302", LocalDate.parse("2025-06-01"), 51);
  static final String G = IdNumbers.make("511302", LocalDate.parse("1955-07-07"), 61);
  static final String H = IdNumbers.make("511303", LocalDate.parse("1966-06-06"), 71);
  static final String I = IdNumbers.make("511302", LocalDate.parse("1940-01-01"), 81);
  static final String J = IdNumbers.make("511302", LocalDate.parse("1985-08-08"), 91);
  static final String P3_ID = IdNumbers.make("511302", LocalDate.parse("1970-05-05"), 102);
  static final String P12_ID = badCheck(IdNumbers.make("511302", LocalDate.parse("1972-02-02"), 111));

  static final String EHR_ORG = "511302001C";
  static final String HOSPITAL = "511302A01";
  static final String OTHER_HOSPITAL = "511303A01";

  /** The same number with a wrong check character: CHECKSUM_FAIL, not usable. */
  static String badCheck(String id) {
    char c = id.charAt(17) == '1' ? '2' : '1';
    return id.substring(0, 17) + c;
  }

  @BeforeAll
  static void build() {
    t = new TinyWarehouse();
    t.person("P1", A, "张三", "1", "1950-03-01", "511302");
    t.person("P2", B, "钱二", "1", "1962-04-04", "511302");
    t.person("P3", P3_ID, "李四", "2", "1970-05-05", "511302");
    t.person("P4", C, "王伟", "1", "1980-01-01", "511302");
    t.person("P5", D, "王伟", "1", "1980-01-01", "511302");
    t.person("P6", E, "陈芳", "2", "1990-02-02", "511302");
    t.person("P7", F, "陈小宝", "1", "2025-06-01", "511302");
    t.person("P8", G, "赵六", "1", "1955-07-07", "511302");
    t.person("P12", P12_ID, "郑十二", "1", "1972-02-02", "511302");
    Map<String, Object> dead = t.person("P13", I, "孙七", "1", "1940-01-01", "511302");
    dead.put("person_status_code", "2");
    dead.put("death_date", Date.valueOf("2025-03-01"));
    t.person("P14", J, "冯十四", "1", "1985-08-08", "511302").put("resident_type_code", "2");

    // Health records, all managed by 511302001C except E17 (a retired county's organisation code).
    t.ehr("E1", A, "张三", "1", "1950-03-01", "511302", EHR_ORG);           // T1: ID + birth date
    t.ehr("E1b", A, "张三", "1", "1950-03-02", "511302", EHR_ORG);          // T1: ID + sex + name (birth typo)
    t.ehr("E2", IdNumbers.to15(B), "钱二", "1", "1962-04-04", "511302", EHR_ORG); // T1: 15-digit ID upgraded
    t.ehr("E3", "", "李\u3000四", "2", "1970-05-05", "511302", EHR_ORG);     // T2 K1 (name with a wide space)
    t.ehr("E3x", "", "李四", "2", "1970-05-05", "511303", EHR_ORG);          // K1 in another county: no match
    t.ehr("E10", H, "吴十", "1", "1966-06-06", "511303", EHR_ORG);           // ID nobody carries, no K1
    t.ehr("E12", "无", "郑十二", "1", "1972-02-02", "511302", EHR_ORG);       // K1 to a surrogate-keyed person
    t.ehr("E13", I, "孙七", "1", "1940-01-01", "511302", EHR_ORG);           // T1, person dead before R
    t.ehr("E14", J, "冯十四", "1", "1985-08-08", "511302", EHR_ORG);         // T1, person living away
    t.ehr("E17", "", "佚名", "2", "1977-07-07", "511321", "512922001C");     // no match; org in retired 512922

    // Visits at the county hospital of 511302 in 2025 unless said.
    t.visit("V5", "", "王伟", "1", "1980-01-01", "511302", null, HOSPITAL, "2025-03-03");   // K1 held by two
    // The baby under the mother's ID, with the baby's own name, sex and birth date: a conflict, even though the
    // baby's K1 would match P7 uniquely, and even though the baby's card is on a linked visit.
    t.visit("V7", E, "陈小宝", "1", "2025-06-01", "511302", "J7", HOSPITAL, "2025-06-20");
    t.visit("V7b", F, "陈小宝", "1", "2025-06-01", "511302", "J7", HOSPITAL, "2025-09-01"); // T1, baby
    t.visit("V8a", G, "赵六", "1", "1955-07-07", "511302", "J8", HOSPITAL, "2025-04-04");    // T1, carries card J8
    t.visit("V8b", "", "赵六", "1", "1955-07-07", null, "J8", HOSPITAL, "2025-05-05");       // no K1: card → P8
    t.visit("V8d", H, "赵六", "1", "1955-07-07", null, "J8", HOSPITAL, "2025-05-06");        // card, but another ID
    t.visit("V9", "", "无此人", "2", "1999-09-09", "511302", null, HOSPITAL, "2025-07-07");
    t.visit("V11", "", "刘十一", "1", "1960-01-01", null, null, HOSPITAL, "2025-08-08");     // K1 incomplete
    t.visit("V15", A, "张三", "1", "1950-03-01", "511303", null, OTHER_HOSPITAL, "2025-10-10"); // T1, county 511303
    t.visit("V16", A, "张三", "1", "1950-03-01", "511302", null, HOSPITAL, "2024-12-31");   // before the period

    t.row("ref_org", "org_code", EHR_ORG, "division_code", "511302001000");
    t.row("ref_org", "org_code", HOSPITAL, "division_code", "511302001000");
    t.row("ref_org", "org_code", OTHER_HOSPITAL, "division_code", "511303001000");
    t.row("ref_division", "division_code", "510000000000", "level", "1");
    t.row("ref_division", "division_code", "511300000000", "level", "2", "parent_code", "510000000000");
    for (String c : new String[] {"511302", "511303", "511321"}) {
      t.row("ref_division", "division_code", c + "000000", "level", "3", "parent_code", "511300000000");
    }
    t.row("ref_division", "division_code", "512922000000", "level", "3", "parent_code", "511300000000",
        "successor_code", "511321000000");
    t.row("ehr_physical_exam", "exam_id", "X1", "ehr_no", "E1", "exam_date", Date.valueOf("2025-05-01"));
    t.row("ehr_program_enrollment", "enrollment_id", "N3", "ehr_no", "E3", "program_code", "HTN");
    t.row("ehr_followup", "followup_id", "F3", "enrollment_id", "N3", "followup_date", Date.valueOf("2025-06-01"));
    t.row("emr_diagnosis", "visit_id", "V8b", "diag_seq", 1, "diag_code", "I10.X00");
    t.write();
    result = t.link();
    for (Row r : t.rows(LinkJob.linkTable(t.wh, "record_link"))) {
      links.put(r.getAs("record_key"), r);
    }
    for (Row r : t.rows(LinkJob.linkTable(t.wh, "unlinked"))) {
      unlinked.put(r.getAs("record_key"), r);
    }
  }

  private static void assertLinked(String record, String personKey, String tier, String evidence) {
    Row r = links.get(record);
    assertTrue(r != null, record + " is linked (unlinked: " + unlinked.get(record) + ")");
    assertEquals(personKey, r.getAs("person_key"), record);
    assertEquals(tier, r.getAs("tier"), record);
    assertEquals(evidence, r.getAs("evidence"), record);
  }

  private static void assertUnlinked(String record, String reason) {
    assertFalse(links.containsKey(record), record + " must not be linked");
    assertEquals(reason, unlinked.get(record).getAs("reason"), record);
  }

  @Test
  void sameIdAndBirthDateLinksInTier1() {
    assertLinked("E1", TinyWarehouse.key(A), "T1_ID", "id+birth_date");
    assertLinked("V8a", TinyWarehouse.key(G), "T1_ID", "id+birth_date");
  }

  @Test
  void sameIdWithSexAndNameLinksDespiteABirthDateTypo() {
    assertLinked("E1b", TinyWarehouse.key(A), "T1_ID", "id+sex+name");
  }

  @Test
  void fifteenDigitIdUpgradedLinksInTier1() {
    assertEquals("UPGRADED_15", TinyWarehouse.id(IdNumbers.to15(B))[0]);
    assertLinked("E2", TinyWarehouse.key(B), "T1_ID", "id+birth_date");
  }

  @Test
  void noIdAndUniqueK1LinksInTier2() {
    assertLinked("E3", TinyWarehouse.key(P3_ID), "T2_K1", "name+sex+birth_date+county");
    // The same name, sex and birth date in another county is nobody's K1.
    assertUnlinked("E3x", "NO_ID_NO_MATCH");
    // A registry person without a usable ID has the surrogate key, and K1 finds them.
    assertLinked("E12", TinyWarehouse.surrogate("P12"), "T2_K1", "name+sex+birth_date+county");
  }

  @Test
  void twoRegistryPersonsWithTheSameK1AreNeverMerged() {
    assertUnlinked("V5", "K1_AMBIGUOUS");
    List<Row> wangWei = t.spark.table(LinkJob.modelTable(t.wh, "person"))
        .filter(col("pop_record_id").isin("P4", "P5")).collectAsList();
    assertEquals(2, wangWei.size());
    assertNotEquals(wangWei.get(0).<String>getAs("person_key"), wangWei.get(1).getAs("person_key"));
  }

  @Test
  void borrowedIdIsAConflictNeverLinkedNorTriedInTier2() {
    assertUnlinked("V7", "CONFLICT");
    List<Row> conflicts = t.rows(LinkJob.linkTable(t.wh, "link_conflict"));
    assertEquals(1, conflicts.size());
    Row c = conflicts.get(0);
    assertEquals("V7", c.getAs("record_key"));
    assertEquals("emr", c.getAs("source"));
    // The registry person whose ID it is: the mother, P6; the visit disagrees on all three fields.
    assertEquals(TinyWarehouse.key(E), c.getAs("person_key"));
    assertEquals("birth_date,sex,name", c.getAs("disagreed"));
    assertEquals(1, result.conflicts());
    // The baby's own visit links in tier 1.
    assertLinked("V7b", TinyWarehouse.key(F), "T1_ID", "id+birth_date");
  }

  @Test
  void healthCardTiesAVisitToThePersonOfAnotherLinkedVisit() {
    assertLinked("V8b", TinyWarehouse.key(G), "T2_CARD", "health_card");
    // A visit with a usable ID of its own that is not the card holder's is not tied through the card.
    assertUnlinked("V8d", "CARD_ID_DISAGREES");
  }

  @Test
  void otherUnlinkedReasons() {
    assertUnlinked("E10", "NO_REGISTRY_PERSON");
    assertUnlinked("V9", "NO_ID_NO_MATCH");
    assertUnlinked("V11", "K1_INCOMPLETE");
    assertUnlinked("E17", "NO_ID_NO_MATCH");
    // Every record has exactly one outcome: 10 health records and 10 visits.
    assertEquals(20, links.size() + unlinked.size());
    assertEquals(10, result.records("ehr"));
    assertEquals(10, result.records("emr"));
  }

  /** link_rate row → {records, linked, linked_resident}. */
  private static Map<String, List<Long>> rates() {
    Map<String, List<Long>> out = new HashMap<>();
    for (Row r : t.rows(LinkJob.linkTable(t.wh, "link_rate"))) {
      out.put(r.getAs("source") + " " + r.getAs("level") + " " + r.getAs("code"),
          List.of(r.<Long>getAs("records"), r.<Long>getAs("linked"), r.<Long>getAs("linked_resident")));
    }
    return out;
  }

  @Test
  void linkRatesCountRecordsLinkedToResidentsOnR() {
    Map<String, List<Long>> rates = rates();
    // EHR, county 511302 (org 511302001C): E1 E1b E2 E3 E3x E10 E12 E13 E14 = 9 records; linked: all but E3x and
    // E10 = 7; to a resident on R: E1 E1b (P1), E2 (P2), E3 (P3), E12 (P12) = 5 (P13 died, P14 lives away).
    assertEquals(List.of(9L, 7L, 5L), rates.get("ehr county 511302000000"));
    // E17's organisation 512922001C is in the retired county 512922, now 511321.
    assertEquals(List.of(1L, 0L, 0L), rates.get("ehr county 511321000000"));
    assertEquals(List.of(10L, 7L, 5L), rates.get("ehr city 511300000000"));
    assertEquals(List.of(10L, 7L, 5L), rates.get("ehr province 510000000000"));
    assertEquals(List.of(9L, 7L, 5L), rates.get("ehr org 511302001C"));
    // EMR in 2025 at 511302A01: V5 V7 V7b V8a V8b V8d V9 V11 = 8; linked V7b (baby, born before R) V8a V8b = 3,
    // all residents. V15 at 511303A01: 1 of 1. V16 (2024-12-31) is outside the period.
    assertEquals(List.of(8L, 3L, 3L), rates.get("emr county 511302000000"));
    assertEquals(List.of(1L, 1L, 1L), rates.get("emr county 511303000000"));
    assertEquals(List.of(9L, 4L, 4L), rates.get("emr city 511300000000"));
    assertEquals(List.of(8L, 3L, 3L), rates.get("emr org 511302A01"));
    assertEquals(List.of(1L, 1L, 1L), rates.get("emr org 511303A01"));
    Row city = t.spark.table(LinkJob.linkTable(t.wh, "link_rate"))
        .filter(col("source").equalTo("emr").and(col("level").equalTo("city"))).first();
    assertEquals(4.0 / 9, city.<Double>getAs("link_rate"), 1e-12);
    assertEquals(Date.valueOf("2025-01-01"), city.getAs("period_start"));
    assertEquals(Date.valueOf("2025-12-31"), city.getAs("period_end"));
  }

  @Test
  void integratedTablesCarryThePersonKey() {
    Map<String, String> pk = new HashMap<>();
    for (Row r : t.rows(LinkJob.modelTable(t.wh, "ehr_record"))) {
      pk.put(r.getAs("ehr_no"), r.getAs("person_key"));
    }
    assertEquals(10, pk.size());
    assertEquals(TinyWarehouse.key(P3_ID), pk.get("E3"));
    assertNull(pk.get("E10"));
    // Services through their record: the exam of E1, the follow-up of E3's enrolment, the diagnosis of V8b.
    assertEquals(TinyWarehouse.key(A), t.rows(LinkJob.modelTable(t.wh, "ehr_exam")).get(0).getAs("person_key"));
    assertEquals(TinyWarehouse.key(P3_ID),
        t.rows(LinkJob.modelTable(t.wh, "ehr_followup")).get(0).getAs("person_key"));
    assertEquals("E3", t.rows(LinkJob.modelTable(t.wh, "ehr_followup")).get(0).getAs("ehr_no"));
    assertEquals(TinyWarehouse.key(G), t.rows(LinkJob.modelTable(t.wh, "emr_diagnosis")).get(0).getAs("person_key"));
    // Tables without source rows exist, empty, with their columns.
    assertEquals(0, t.spark.table(LinkJob.modelTable(t.wh, "ehr_contract")).count());
    Row v15 = t.spark.table(LinkJob.modelTable(t.wh, "emr_visit")).filter(col("visit_id").equalTo("V15")).first();
    assertEquals("511303", v15.getAs("org_county_code"));
    assertEquals("T1_ID", v15.getAs("link_tier"));
    // One person per registry row here: 11 persons; the surrogate-keyed one is marked.
    Dataset<Row> persons = t.spark.table(LinkJob.modelTable(t.wh, "person"));
    assertEquals(11, persons.count());
    Row p12 = persons.filter(col("pop_record_id").equalTo("P12")).first();
    assertEquals("SURROGATE", p12.getAs("key_kind"));
    assertEquals(TinyWarehouse.surrogate("P12"), p12.getAs("person_key"));
    assertEquals("511302", p12.getAs("county_code"));
  }

  @Test
  void noPlanJoinsWithoutKeys() {
    // The linkage plans use equi-joins only. With broadcasting off (as at scale) every join must be a sort-merge
    // join: a join without keys would show up as a CartesianProduct or a BroadcastNestedLoopJoin.
    String threshold = t.spark.conf().get("spark.sql.autoBroadcastJoinThreshold");
    try {
      for (String setting : new String[] {threshold, "-1"}) {
        t.spark.conf().set("spark.sql.autoBroadcastJoinThreshold", setting);
        LinkPlan plan = new LinkPlan(t.wh, new Inputs(t.spark, new PrintStream(System.out, true)), TinyWarehouse.R,
            TinyWarehouse.RESIDENT);
        Dataset<Row> registry = plan.registry();
        for (Dataset<Row> df : List.of(LinkPlan.tier1AndK1(plan.records(), registry),
            LinkPlan.links(plan.records(), registry))) {
          String physical = df.queryExecution().executedPlan().toString();
          assertFalse(physical.contains("CartesianProduct"), physical);
          assertFalse(physical.contains("NestedLoopJoin"), physical);
          assertTrue(physical.contains("Join"), physical);
          if (setting.equals("-1")) {
            assertTrue(physical.contains("SortMergeJoin"), physical);
          }
        }
      }
    } finally {
      t.spark.conf().set("spark.sql.autoBroadcastJoinThreshold", threshold);
    }
  }

  @Test
  void noNameOrIdNumberReachesTheAnalyticsZone() {
    List<String> secrets = List.of(A, B, C, D, E, F, G, H, I, J, P3_ID, P12_ID, IdNumbers.to15(B), "张三", "钱二",
        "李四", "王伟", "陈芳", "陈小宝", "赵六", "郑十二", "孙七", "冯十四", "吴十", "无此人", "刘十一", "佚名", "J7", "J8");
    for (IntegratedTables.Spec spec : IntegratedTables.all()) {
      String table = spec.namespace().equals("model") ? LinkJob.modelTable(t.wh, spec.table())
          : LinkJob.linkTable(t.wh, spec.table());
      for (String column : spec.names()) {
        assertFalse(List.of("name", "id_no", "id_no_src", "phone", "health_card_no", "mother_id_no").contains(column));
      }
      for (Row r : t.rows(table)) {
        String text = r.toString();
        for (String s : secrets) {
          assertFalse(text.contains(s), table + " holds a raw identifier");
        }
      }
    }
  }

  @Test
  void aKeyOtherThanTheIngestKeyIsRefused() {
    byte[] other = new byte[32];
    other[0] = 1;
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> new LinkJob(t.spark, t.wh, other, TinyWarehouse.R, new PrintStream(System.out, true))
              .residentRule(TinyWarehouse.RESIDENT).run());
      assertTrue(e.getMessage().contains("not the one"), e.getMessage());
    } finally {
      t.spark.udf().register(org.sanku.ids.PersonKeyFunction.NAME, new org.sanku.ids.PersonKeyFunction(TinyWarehouse.KEY), DataTypes.StringType);
    }
  }

  @Test
  void anEmptyWarehouseLinksNothingAndWritesEveryTable() {
    // A fresh warehouse with nothing in it links nothing and still writes every table (empty).
    TinyWarehouse empty = new TinyWarehouse();
    LinkJob.Result r = empty.link();
    assertEquals(0, r.records("ehr") + r.records("emr"));
    for (IntegratedTables.Spec spec : IntegratedTables.all()) {
      String table = spec.namespace().equals("model") ? LinkJob.modelTable(empty.wh, spec.table())
          : LinkJob.linkTable(empty.wh, spec.table());
      assertTrue(empty.spark.catalog().tableExists(table), table);
    }
  }
}
