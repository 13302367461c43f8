package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.storage.Warehouse;

/**
 * Rules about whole deliveries, on the 400-person one-night region: the first drop of a source is full; a full drop
 * that would wipe most of a table is held until the operator accepts it; a full drop deletes the keys it lacks but
 * not a key whose new version it holds and ingest rejects (the last good version stays); a drop folder that is not
 * a date is said.
 */
class DeliveryRulesTest {

  private static Path drop(Path landing, String source) throws Exception {
    try (Stream<Path> s = Files.list(landing.resolve(source))) {
      return s.filter(Files::isDirectory).findFirst().orElseThrow();
    }
  }

  private static String id(Path drop) {
    return drop.getParent().getFileName() + "/" + drop.getFileName();
  }

  private static void kind(Path drop, String kind) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode m = (ObjectNode) json.readTree(drop.resolve("manifest.json").toFile());
    m.put("kind", kind);
    json.writeValue(drop.resolve("manifest.json").toFile(), m);
  }

  private static long count(String sql) {
    return ((Number) HostileLanding.spark().sql(sql).first().get(0)).longValue();
  }

  @Test
  void wholeDeliveriesFollowTheContract(@TempDir Path dir) throws Exception {
    Path landing = HostileLanding.landing(dir);
    Path pop = drop(landing, "population");
    Path emr = drop(landing, "emr");
    Path ehr = drop(landing, "ehr");
    // 1. The population drop says delta: nothing of the source is in the warehouse yet.
    kind(pop, "delta");
    // 2. A folder that is not a date.
    Files.createDirectories(landing.resolve("ehr").resolve("latest"));

    Warehouse wh = IngestedRegion.newWarehouse();
    HostileLanding.Run run = HostileLanding.ingest(wh, landing, List.of());
    assertEquals(List.of("ehr/latest: folder name is not a date (expected ehr/<yyyyMMdd>/): the folder is not read",
        id(pop) + ": a delta drop, but no full drop of population has been ingested: the first drop of a source is "
            + "full (contract §1); the delta waits for one"), run.result().refusals());
    assertTrue(run.printed().contains("ingest: not read: ehr/latest: folder name is not a date"), run.printed());
    assertEquals(List.of(), run.result().warnings(), "the region's GBK drop is GBK");
    // The other sources are ingested.
    assertEquals(List.of(id(ehr), id(emr), id(drop(landing, "reference"))),
        HostileLanding.ledgerDrops(wh));
    assertFalse(HostileLanding.spark().catalog().tableExists(wh.std("pop_person")));

    // Delivered again as the full drop it is, population is ingested.
    kind(pop, "full");
    HostileLanding.Run full = HostileLanding.ingest(wh, landing, List.of());
    assertEquals(1, full.result().dropsIngested(), full.result().refusals().toString());
    long persons = count("SELECT count(*) FROM " + wh.std("pop_person"));
    assertTrue(persons > 300, "persons: " + persons);

    // 4. A later full drop of the registry holding 10 of its rows: it would remove more than 20% of the table
    // (persons − 10 of persons rows), so it is held, published nothing, and says how to apply it. Its first row
    // is a new version with an impossible birth date (20250230): ingest rejects it.
    Path later = landing.resolve("population").resolve("20260105");
    Files.createDirectories(later);
    List<String> lines = HostileLanding.lines(pop.resolve("pop_person.csv"));
    List<String> header = List.of(HostileLanding.fields(lines.get(0)));
    String[] broken = HostileLanding.fields(lines.get(1));
    String brokenKey = broken[header.indexOf("pop_record_id")];
    String birth = broken[header.indexOf("birth_date")];
    broken[header.indexOf("birth_date")] = "20250230";
    broken[header.indexOf("src_updated_at")] = "20260105090000";
    List<String> tenRows = new java.util.ArrayList<>(lines.subList(0, 11));
    tenRows.set(1, String.join(",", broken));
    byte[] ten = HostileLanding.write(later.resolve("pop_person.csv"), tenRows);
    Files.copy(pop.resolve("manifest.json"), later.resolve("manifest.json"));
    ObjectMapper json = new ObjectMapper();
    ObjectNode m = (ObjectNode) json.readTree(later.resolve("manifest.json").toFile());
    m.put("extract_date", "2026-01-05");
    json.writeValue(later.resolve("manifest.json").toFile(), m);
    HostileLanding.resign(later, "pop_person.csv", ten, 10);
    HostileLanding.Run held = HostileLanding.ingest(wh, landing, List.of());
    assertEquals(1, held.result().refusals().stream().filter(r -> r.startsWith("population/20260105/pop_person.csv: "
        + "this full drop would remove at least ")).count(), held.result().refusals().toString());
    assertTrue(held.result().refusals().stream().anyMatch(r -> r.contains("of the " + String.format("%,d", persons)
        + " rows of std.pop_person") && r.endsWith("run again with --accept-shrink")), held.result().refusals()
        .toString());
    assertEquals(persons, count("SELECT count(*) FROM " + wh.std("pop_person")), "nothing of it is published");
    assertEquals(0, count("SELECT count(*) FROM " + wh.ops("ingest_ledger")
        + " WHERE drop_id = 'population/20260105'"));
    // Accepted by the operator, it is applied: the registry is what the drop holds.
    PrintStream out = new PrintStream(System.out, true);
    IngestJob.Result accepted = IngestedRegion.job(wh, landing, out).acceptingShrink(true).run();
    assertEquals(1, accepted.dropsIngested(), accepted.refusals().toString());
    assertEquals(1, accepted.refusals().size(), "only ehr/latest, every run: " + accepted.refusals());
    long kept = count("SELECT rows_accepted FROM " + wh.ops("ingest_ledger") + " WHERE drop_id = "
        + "'population/20260105'");
    // The registry is what the drop holds: its 9 accepted rows, and the key of its rejected row in its last good
    // version (the full drop holds the key; only the new version failed), reported as a rejected update.
    assertEquals(9, kept);
    assertEquals(kept + 1, count("SELECT count(*) FROM " + wh.std("pop_person")));
    assertEquals(1, count("SELECT count(*) FROM " + wh.std("pop_person") + " WHERE pop_record_id = '" + brokenKey
        + "' AND birth_date = to_date('" + birth + "', 'yyyyMMdd')"));
    assertEquals(List.of(1L), accepted.files().stream().map(IngestJob.FileResult::rejectedUpdates).toList());
  }
}
