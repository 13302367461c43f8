package org.sanku.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.sanku.ids.IdNumbers;

/**
 * Person keys across three nights. A registry person keeps their key; a surrogate key gives way to the ID key when
 * the registry ID becomes usable, with an audit row in link.key_merge (also when that makes two registry rows one
 * person); a key made from an ID stays when the ID later arrives damaged; a row that leaves the registry keeps its
 * key for its return; a repeated night records nothing twice.
 */
class KeyStabilityTest {

  static final String L1 = IdNumbers.make("511302", LocalDate.parse("1945-01-01"), 11);
  static final String J2 = IdNumbers.make("511302", LocalDate.parse("1960-02-02"), 21);
  static final String K3 = IdNumbers.make("511302", LocalDate.parse("1970-03-03"), 31);
  static final String M6 = IdNumbers.make("511302", LocalDate.parse("1990-06-06"), 61);

  static String key(String id) {
    return TinyWarehouse.key(id);
  }

  static String surrogate(String pop) {
    return TinyWarehouse.surrogate(pop);
  }

  /** The registry of a night: R1's and R5's IDs are usable only from night 2, R3's is damaged from night 2. */
  static void registry(TinyWarehouse t, int night) {
    boolean later = night >= 2;
    t.person("R1", later ? L1 : LinkTiersTest.badCheck(L1), "周八", "1", "1945-01-01", "511302");
    t.person("R2", J2, "吴二", "1", "1960-02-02", "511302");
    t.person("R3", later ? "5.11302E+17" : K3, "郑三", "2", "1970-03-03", "511302");
    t.person("R4", "", "王四", "2", "1980-04-04", "511302");
    // R5 is a second registration of R2's person, first delivered with a broken ID.
    t.person("R5", later ? J2 : LinkTiersTest.badCheck(J2), "吴二", "1", "1960-02-02", "511302");
    if (!later) {
      t.person("R6", M6, "冯六", "1", "1990-06-06", "511302"); // leaves the registry after night 1
    }
    t.ehr("EA", "", "周八", "1", "1945-01-01", "511302", "511302001C");
    if (later) {
      t.ehr("EB", L1, "周八", "1", "1945-01-01", "511302", "511302001C");
    }
  }

  static LinkJob.Result night(TinyWarehouse t, int night) {
    t.clear();
    registry(t, night);
    t.write();
    return t.link();
  }

  /** registry_key as pop_record_id → "person_key kind in_registry". */
  static Map<String, String> registryKeys(TinyWarehouse t) {
    Map<String, String> out = new HashMap<>();
    for (Row r : t.rows(LinkJob.linkTable(t.wh, "registry_key"))) {
      out.put(r.getAs("pop_record_id"), r.getAs("person_key") + " " + r.getAs("key_kind") + " "
          + r.getAs("in_registry"));
    }
    return out;
  }

  static Map<String, String> links(TinyWarehouse t) {
    Map<String, String> out = new HashMap<>();
    for (Row r : t.rows(LinkJob.linkTable(t.wh, "record_link"))) {
      out.put(r.getAs("record_key"), r.getAs("person_key") + " " + r.getAs("tier"));
    }
    return out;
  }

  static Set<String> merges(TinyWarehouse t) {
    Set<String> out = new TreeSet<>();
    for (Row r : t.rows(LinkJob.linkTable(t.wh, "key_merge"))) {
      out.add(r.getAs("old_key") + " -> " + r.getAs("new_key") + " " + r.getAs("reason") + " "
          + r.getAs("pop_record_id"));
    }
    return out;
  }

  @Test
  void keysAreStableAndChangesAreAudited() {
    TinyWarehouse t = new TinyWarehouse();

    // Night 1: R1, R4 and R5 have no usable ID, so surrogate keys; the record EA links to R1 on K1.
    LinkJob.Result n1 = night(t, 1);
    assertEquals(0, n1.keyMerges());
    assertEquals(Map.of(
        "R1", surrogate("R1") + " SURROGATE true",
        "R2", key(J2) + " ID true",
        "R3", key(K3) + " ID true",
        "R4", surrogate("R4") + " SURROGATE true",
        "R5", surrogate("R5") + " SURROGATE true",
        "R6", key(M6) + " ID true"), registryKeys(t));
    assertEquals(Map.of("EA", surrogate("R1") + " T2_K1"), links(t));
    assertEquals(Set.of(), merges(t));

    // Night 2: R1's ID is usable: its key becomes the ID key, audited. R5's ID is now R2's: both rows are one
    // person, R5's surrogate is merged into R2's key, audited. R3's ID arrives damaged: it keeps its ID key. R6
    // left the registry: its key is kept. EA (K1) and EB (T1) now both link to R1's ID key.
    LinkJob.Result n2 = night(t, 2);
    assertEquals(2, n2.keyMerges());
    Set<String> expectedMerges = Set.of(
        surrogate("R1") + " -> " + key(L1) + " SURROGATE_TO_ID R1",
        surrogate("R5") + " -> " + key(J2) + " SURROGATE_TO_ID R5");
    assertEquals(expectedMerges, merges(t));
    assertEquals(Map.of(
        "R1", key(L1) + " ID true",
        "R2", key(J2) + " ID true",
        "R3", key(K3) + " ID true",
        "R4", surrogate("R4") + " SURROGATE true",
        "R5", key(J2) + " ID true",
        "R6", key(M6) + " ID false"), registryKeys(t));
    assertEquals(Map.of("EA", key(L1) + " T2_K1", "EB", key(L1) + " T1_ID"), links(t));
    Map<String, Integer> rowsPerPerson = new HashMap<>();
    for (Row r : t.rows(LinkJob.modelTable(t.wh, "person"))) {
      rowsPerPerson.put(r.getAs("person_key"), r.getAs("registry_rows"));
    }
    // Four persons: R1, R2+R5, R3, R4.
    assertEquals(Map.of(key(L1), 1, key(J2), 2, key(K3), 1, surrogate("R4"), 1), rowsPerPerson);

    // Night 3, the same registry again: nothing changes and nothing is recorded twice.
    Map<String, String> before = registryKeys(t);
    LinkJob.Result n3 = night(t, 3);
    assertEquals(0, n3.keyMerges());
    assertEquals(expectedMerges, merges(t));
    assertEquals(2, t.rows(LinkJob.linkTable(t.wh, "key_merge")).size());
    assertEquals(before, registryKeys(t));
  }
  /** The current snapshot of a table. */
  static long snapshot(TinyWarehouse t, String table) {
    try {
      org.apache.iceberg.Table ice = org.apache.iceberg.spark.Spark3Util.loadIcebergTable(t.spark, table);
      ice.refresh();
      return ice.currentSnapshot().snapshotId();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aRunOverTheInputsOfThePublishedLinkageRelinksNothingAndAnyChangeRelinks() {
    TinyWarehouse t = new TinyWarehouse();
    LinkJob.Result first = night(t, 2);
    String keys = LinkJob.linkTable(t.wh, "registry_key");
    String links = LinkJob.linkTable(t.wh, "record_link");
    String person = LinkJob.modelTable(t.wh, "person");
    long keysAt = snapshot(t, keys);
    long linksAt = snapshot(t, links);
    long personAt = snapshot(t, person);
    Map<String, String> registry = registryKeys(t);

    // Nothing written since: the same result (tiers, reasons, conflicts, undated persons), read from the published
    // tables, and no table of linkage has a new snapshot.
    LinkJob.Result again = t.link();
    assertEquals(first.outcomes(), again.outcomes());
    assertEquals(first.conflicts(), again.conflicts());
    assertEquals(first.undatedDepartures(), again.undatedDepartures());
    assertEquals(0, again.keyMerges());
    assertEquals(List.of(keysAt, linksAt, personAt), List.of(snapshot(t, keys), snapshot(t, links),
        snapshot(t, person)));
    assertEquals(registry, registryKeys(t));

    // Another reference date: relinked (the link rates count residents on that day).
    new LinkJob(t.spark, t.wh, TinyWarehouse.KEY, TinyWarehouse.R.plusDays(1), new java.io.PrintStream(
        java.io.OutputStream.nullOutputStream())).residentRule(TinyWarehouse.RESIDENT).run();
    long linksAfterDate = snapshot(t, links);
    assertTrue(linksAfterDate != linksAt, "a new reference date relinks");

    // The same rows written again are new snapshots of the inputs: relinked, to the same keys and links.
    t.write();
    LinkJob.Result rewritten = t.link();
    assertTrue(snapshot(t, links) != linksAfterDate, "new input snapshots relink");
    assertEquals(first.outcomes(), rewritten.outcomes());
    assertEquals(registry, registryKeys(t));
  }
}
