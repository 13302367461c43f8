package org.sanku.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.ids.IdNumbers;

/**
 * A health card number on two persons, and names written with white space inside, on hand-built rows (one
 * warehouse, one run). Registry, all in 511302: P1 张三 m 1950-03-01 (ID A), P2 李梅 f 1980-06-06 (ID B), P3 王五 m
 * 1960-01-01 (ID C), P4 赵丽 f 1985-05-05 (ID D), P5 钱六 m 1955-07-07 (ID E), P6 "欧阳 娜娜" f 1990-09-09 (ID F, an
 * ASCII space in the registry's name), P7 "司马　懿" m 1970-07-07 (ID G, an ideographic space).
 *
 * <p>Visits without a division code have no K1 (K1_INCOMPLETE) unless their card ties them.
 */
class SharedCardAndNamesTest {

  static TinyWarehouse t;
  static final Map<String, Row> links = new HashMap<>();
  static final Map<String, Row> unlinked = new HashMap<>();

  static final String A = IdNumbers.make("511302", LocalDate.parse("1950-03-01"), 11);
  static final String B = IdNumbers.make("511302", LocalDate.parse("1980-06-06"), 20);
  static final String C = IdNumbers.make("511302", LocalDate.parse("1960-01-01"), 31);
  static final String D = IdNumbers.make("511302", LocalDate.parse("1985-05-05"), 40);
  static final String E = IdNumbers.make("511302", LocalDate.parse("1955-07-07"), 51);
  static final String F = IdNumbers.make("511302", LocalDate.parse("1990-09-09"), 60);
  static final String G = IdNumbers.make("511302", LocalDate.parse("1970-07-07"), 71);
  static final String HOSPITAL = "511302A01";
  static final String EHR_ORG = "511302001C";

  @BeforeAll
  static void build() {
    t = new TinyWarehouse();
    t.person("P1", A, "张三", "1", "1950-03-01", "511302");
    t.person("P2", B, "李梅", "2", "1980-06-06", "511302");
    t.person("P3", C, "王五", "1", "1960-01-01", "511302");
    t.person("P4", D, "赵丽", "2", "1985-05-05", "511302");
    t.person("P5", E, "钱六", "1", "1955-07-07", "511302");
    t.person("P6", F, "欧阳 娜娜", "2", "1990-09-09", "511302");
    t.person("P7", G, "司马\u3000懿", "1", "1970-07-07", "511302");

    // Card J1 is P1's, and P2's visit carries it too. Only P1 has a linked visit carrying it (V1a), so the card
    // has one linked person; but V2b, unlinked, carries it and agrees with P1 on nothing (birth date, sex, name):
    // the card is seen on two persons and ties neither V1b nor V2b. (Tying both to P1 would merge 李梅's visit
    // into 张三.)
    t.visit("V1a", A, "张三", "1", "1950-03-01", "511302", "J1", HOSPITAL, "2025-03-01");   // T1 → P1
    t.visit("V1b", "", "张三", "1", "1950-03-01", null, "J1", HOSPITAL, "2025-04-01");
    t.visit("V2b", "", "李梅", "2", "1980-06-06", null, "J1", HOSPITAL, "2025-05-01");
    // Card J3 is on linked visits of two persons (P3 and P4): it ties nothing.
    t.visit("V3a", C, "王五", "1", "1960-01-01", "511302", "J3", HOSPITAL, "2025-03-03");   // T1 → P3
    t.visit("V4a", D, "赵丽", "2", "1985-05-05", "511302", "J3", HOSPITAL, "2025-03-04");   // T1 → P4
    t.visit("V3b", "", "王五", "1", "1960-01-01", null, "J3", HOSPITAL, "2025-06-06");
    // Card J5 is P5's alone: V5b (birth date mistyped, sex and name agree) and V5c (birth date agrees, name with
    // a space) agree with P5, so both are tied through the card.
    t.visit("V5a", E, "钱六", "1", "1955-07-07", "511302", "J5", HOSPITAL, "2025-02-02");   // T1 → P5
    t.visit("V5b", "", "钱六", "1", "1955-07-08", null, "J5", HOSPITAL, "2025-07-07");
    t.visit("V5c", "", "钱 六", "1", "1955-07-07", null, "J5", HOSPITAL, "2025-08-08");
    // Names with white space: V6 has no ID, 欧阳娜娜 without the registry's space: K1 (name + sex + birth + county)
    // finds P6. V7 carries P7's ID with the birth date mistyped, so tier 1 needs sex and name: 司马懿 is 司马　懿.
    t.visit("V6", "", "欧阳娜娜", "2", "1990-09-09", "511302", null, HOSPITAL, "2025-09-09");
    t.visit("V7", G, "司马懿", "1", "1970-07-08", "511302", null, HOSPITAL, "2025-10-10");
    // A health record of P6 with a tab inside and spaces around the name: K1 again.
    t.ehr("E6", "", " 欧阳\t娜娜 ", "2", "1990-09-09", "511302", EHR_ORG);
    // The name differs once the spaces are gone (欧阳娜 is not 欧阳娜娜): no K1.
    t.ehr("E6x", "", "欧阳 娜", "2", "1990-09-09", "511302", EHR_ORG);

    t.row("ref_org", "org_code", EHR_ORG, "division_code", "511302001000");
    t.row("ref_org", "org_code", HOSPITAL, "division_code", "511302001000");
    t.row("ref_division", "division_code", "510000000000", "level", "1");
    t.row("ref_division", "division_code", "511300000000", "level", "2", "parent_code", "510000000000");
    t.row("ref_division", "division_code", "511302000000", "level", "3", "parent_code", "511300000000");
    t.write();
    t.link();
    for (Row r : t.rows(LinkJob.linkTable(t.wh, "record_link"))) {
      links.put(r.getAs("record_key"), r);
    }
    for (Row r : t.rows(LinkJob.linkTable(t.wh, "unlinked"))) {
      unlinked.put(r.getAs("record_key"), r);
    }
  }

  private static void assertLinked(String record, String personKey, String tier) {
    Row r = links.get(record);
    assertTrue(r != null, record + " is linked (unlinked: " + unlinked.get(record) + ")");
    assertEquals(personKey, r.getAs("person_key"), record);
    assertEquals(tier, r.getAs("tier"), record);
  }

  private static void assertUnlinked(String record, String reason) {
    assertFalse(links.containsKey(record), record + " must not be linked");
    assertEquals(reason, unlinked.get(record).getAs("reason"), record);
  }

  @Test
  void aCardWhoseUnlinkedVisitsDisagreeWithItsPersonTiesNothing() {
    assertLinked("V1a", TinyWarehouse.key(A), "T1_ID");
    assertUnlinked("V1b", "CARD_AMBIGUOUS");
    assertUnlinked("V2b", "CARD_AMBIGUOUS");
  }

  @Test
  void aCardOnLinkedVisitsOfTwoPersonsTiesNothing() {
    assertLinked("V3a", TinyWarehouse.key(C), "T1_ID");
    assertLinked("V4a", TinyWarehouse.key(D), "T1_ID");
    assertUnlinked("V3b", "CARD_AMBIGUOUS");
  }

  @Test
  void aCardOfOnePersonTiesVisitsThatAgreeWithThem() {
    assertLinked("V5b", TinyWarehouse.key(E), "T2_CARD");
    assertLinked("V5c", TinyWarehouse.key(E), "T2_CARD");
  }

  @Test
  void namesCompareWithoutWhiteSpace() {
    assertLinked("V6", TinyWarehouse.key(F), "T2_K1");
    assertLinked("E6", TinyWarehouse.key(F), "T2_K1");
    assertLinked("V7", TinyWarehouse.key(G), "T1_ID");
    assertEquals("id+sex+name", links.get("V7").getAs("evidence"));
    assertUnlinked("E6x", "NO_ID_NO_MATCH");
    // Every record has one outcome: 2 health records and 11 visits.
    assertEquals(13, links.size() + unlinked.size());
  }
}
