package org.sanku.link;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.storage.Warehouse;

/**
 * Linkage of the generated region (3,000 persons, seed 11, 4% dirty rows, three nights) against the generator's
 * truth: the link rates per county and for the city, and the very records the recoverability rules link.
 */
class LinkRegionTest {

  static SparkSession spark;
  static Warehouse wh;
  static LinkJob.Result result;

  @BeforeAll
  static void link() {
    spark = LinkedRegion.spark();
    wh = LinkedRegion.warehouse();
    result = LinkedRegion.linked();
  }

  /** indicator|division_code → {numerator_recoverable, denominator_recoverable}. */
  static Map<String, long[]> truthRates() throws IOException {
    Map<String, long[]> out = new HashMap<>();
    List<String> lines = Files.readAllLines(LinkedRegion.truth().resolve("indicators.csv"));
    List<String> header = List.of(lines.get(0).split(",", -1));
    int id = header.indexOf("indicator_id");
    int div = header.indexOf("division_code");
    int level = header.indexOf("division_level");
    int num = header.indexOf("numerator_recoverable");
    int den = header.indexOf("denominator_recoverable");
    int start = header.indexOf("period_start");
    int end = header.indexOf("period_end");
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      // The year the link tables are for (the truth also holds other periods).
      if (!f[start].equals("2025-01-01") || !f[end].equals("2025-12-31")) {
        continue;
      }
      if (f[id].startsWith("link_rate_") && (f[level].equals("county") || f[level].equals("city")
          || f[level].equals("unassigned"))) {
        out.put(f[id] + "|" + f[level] + "|" + f[div], new long[] {Long.parseLong(f[num]), Long.parseLong(f[den])});
      }
    }
    return out;
  }

  @Test
  void linkRatesEqualTruthPerCountyAndCity() throws IOException {
    Map<String, long[]> truth = truthRates();
    // 9 counties + the city, for each of the two sources, and the visits at clinics the later full reference drop
    // no longer holds: in no county (linkage's county row without a code, the truth's unassigned row).
    assertEquals(21, truth.size(), truth.keySet().toString());
    Map<String, long[]> ours = new HashMap<>();
    for (Row r : spark.table(LinkJob.linkTable(wh, "link_rate"))
        .filter(col("level").isin("county", "city")).collectAsList()) {
      String where = r.getAs("code") == null ? "unassigned|" : r.getAs("level") + "|" + r.getAs("code");
      ours.put("link_rate_" + r.getAs("source") + "|" + where,
          new long[] {r.<Long>getAs("linked_resident"), r.<Long>getAs("records")});
    }
    StringBuilder diff = new StringBuilder();
    for (var e : truth.entrySet()) {
      long[] o = ours.get(e.getKey());
      String got = o == null ? "missing" : o[0] + "/" + o[1];
      String want = e.getValue()[0] + "/" + e.getValue()[1];
      if (!got.equals(want)) {
        diff.append(e.getKey()).append(": truth ").append(want).append(", linkage ").append(got).append('\n');
      }
    }
    assertEquals("", diff.toString());
    assertEquals(truth.keySet(), ours.keySet());
  }

  /**
   * Registry persons whose status is 死亡 or 迁出 without its date (resident on no day) are counted in the run's
   * summary: as many as the truth delivered so (status 2 or 3 in the recoverable view, its date empty).
   */
  @Test
  void registryPersonsGoneWithoutADateAreCounted() throws IOException {
    List<String> lines = Files.readAllLines(LinkedRegion.truth().resolve("clean").resolve("person.csv"));
    List<String> h = List.of(lines.get(0).split(",", -1));
    long undated = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      String st = f[h.indexOf("rec_person_status_code")];
      if (f[h.indexOf("recoverable")].equals("1") && (st.equals("2") && f[h.indexOf("rec_death_date")].isEmpty()
          || st.equals("3") && f[h.indexOf("rec_move_out_date")].isEmpty())) {
        undated++;
      }
    }
    assertTrue(undated > 0, "the region has such persons");
    assertEquals(undated, result.undatedDepartures());
  }

  /** Clean truth rows (recoverable = 1) as (record key, registry record ID of the true person). */
  private static Dataset<Row> truthLinks(String file, String key) {
    return spark.read().option("header", "true").csv(LinkedRegion.truth().resolve("clean").resolve(file).toString())
        .filter(col("recoverable").equalTo("1"))
        .select(col(key).as("record_key"),
            org.apache.spark.sql.functions.format_string("RK5113%09d", col("person_idx").cast("long"))
                .as("pop_record_id"));
  }

  /** Our links as (record key, registry record ID of the linked person). */
  private static Dataset<Row> ourLinks(String source) {
    Dataset<Row> persons = spark.table(LinkJob.modelTable(wh, "person"))
        .select(col("person_key").as("pk"), col("pop_record_id"));
    return spark.table(LinkJob.linkTable(wh, "record_link")).filter(col("source").equalTo(source))
        .join(persons, col("person_key").equalTo(col("pk")))
        .select(col("record_key"), col("pop_record_id"));
  }

  private static void assertSameLinks(String source, String file, String key) {
    Dataset<Row> truth = truthLinks(file, key);
    Dataset<Row> ours = ourLinks(source);
    List<Row> missing = truth.except(ours).collectAsList();
    List<Row> extra = ours.except(truth).collectAsList();
    assertEquals(List.of(), missing, source + " links the truth has and linkage does not");
    assertEquals(List.of(), extra, source + " links linkage made that the truth does not");
    assertEquals(truth.count(), result.linked(source));
  }

  @Test
  void linkedHealthRecordsAreExactlyTheRecoverableOnesToTheirTruePerson() {
    // truth/clean/ehr_person.csv: 2,490 records recoverable (accepted and linkable to their person).
    assertSameLinks("ehr", "ehr_person.csv", "ehr_no");
  }

  @Test
  void linkedVisitsAreExactlyTheRecoverableOnesToTheirTruePerson() {
    // truth/clean/visit.csv: 4,423 visits recoverable, among them the ones tied only through the health card.
    assertSameLinks("emr", "visit.csv", "visit_id");
    assertTrue(result.count("emr", LinkPlan.CARD) > 0, "some visits are linked through the health card");
    assertTrue(result.count("emr", "CONFLICT") > 0, "babies' visits under the mother's ID are conflicts");
  }

  /** truth/defects.csv: "DEFECT|table" → {injected, recoverable}. */
  static Map<String, long[]> defects() throws IOException {
    Map<String, long[]> out = new HashMap<>();
    List<String> lines = Files.readAllLines(LinkedRegion.truth().resolve("defects.csv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      out.put(f[0] + "|" + f[1], new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
    }
    return out;
  }

  /**
   * The comparisons above cover names written with white space inside (in the registry, health records and
   * visits, some of them still linked) and health card numbers on two persons' visits, which the linkage then
   * refuses to use (CARD_AMBIGUOUS).
   */
  @Test
  void theRegionHoldsSpacedNamesAndSharedCards() throws IOException {
    Map<String, long[]> d = defects();
    for (String table : List.of("pop_person", "ehr_person", "emr_visit")) {
      long[] n = d.getOrDefault("NAME_WHITESPACE|" + table, new long[2]);
      assertTrue(n[1] > 0, "names with white space in " + table + " that stay linkable: " + n[1]);
    }
    assertTrue(d.getOrDefault("HEALTH_CARD_SHARED|emr_visit", new long[2])[0] > 0, "visits with a shared card");
    assertTrue(result.count("emr", "CARD_AMBIGUOUS") > 0, "visits whose card is seen on two persons");
  }

  @Test
  void everyRecordHasOneOutcome() {
    assertEquals(spark.table(wh.std("ehr_person")).count(), result.records("ehr"));
    assertEquals(spark.table(wh.std("emr_visit")).count(), result.records("emr"));
    long links = spark.table(LinkJob.linkTable(wh, "record_link")).count();
    long unlinked = spark.table(LinkJob.linkTable(wh, "unlinked")).count();
    assertEquals(result.records("ehr") + result.records("emr"), links + unlinked);
    assertEquals(result.conflicts(), spark.table(LinkJob.linkTable(wh, "link_conflict")).count());
    assertFalse(result.outcomes().isEmpty());
  }

  @Test
  void writtenTablesHaveTheDocumentedColumns() {
    for (IntegratedTables.Spec spec : IntegratedTables.all()) {
      String table = spec.namespace().equals("model") ? LinkJob.modelTable(wh, spec.table())
          : LinkJob.linkTable(wh, spec.table());
      var schema = spark.table(table).schema();
      assertEquals(spec.names(), List.of(schema.fieldNames()), table);
      for (IntegratedTables.Col c : spec.columns()) {
        assertEquals(c.sparkType(), schema.apply(c.name()).dataType(), table + "." + c.name());
      }
    }
    // Every registry row is a person here (no duplicate registrations), every record a model row.
    assertEquals(spark.table(wh.std("pop_person")).count(), spark.table(LinkJob.modelTable(wh, "person")).count());
    assertEquals(result.records("emr"), spark.table(LinkJob.modelTable(wh, "emr_visit")).count());
    assertEquals(spark.table(wh.std("emr_diagnosis")).count(),
        spark.table(LinkJob.modelTable(wh, "emr_diagnosis")).count());
    assertEquals(spark.table(wh.std("ehr_followup")).count(),
        spark.table(LinkJob.modelTable(wh, "ehr_followup")).count());
  }

  @Test
  void noRawIdentifierReachesTheAnalyticsZone() {
    // Every name, ID number (normalised and as delivered), phone and card number of the identity zone.
    java.util.Set<String> secrets = new java.util.HashSet<>();
    for (String t : new String[] {"pop_person", "ehr_person", "emr_visit"}) {
      Dataset<Row> id = spark.table(wh.id(t));
      for (String c : new String[] {"name", "id_no", "id_no_src", "phone", "health_card_no", "mother_id_no"}) {
        if (List.of(id.columns()).contains(c)) {
          for (Row r : id.select(c).filter(col(c).isNotNull()).distinct().collectAsList()) {
            if (r.getString(0).length() >= 2) { // not "-" or "无" (placeholders in id_no_src)
              secrets.add(r.getString(0));
            }
          }
        }
      }
    }
    assertTrue(secrets.size() > 5000, "identity values collected: " + secrets.size());
    for (IntegratedTables.Spec spec : IntegratedTables.all()) {
      String table = spec.namespace().equals("model") ? LinkJob.modelTable(wh, spec.table())
          : LinkJob.linkTable(wh, spec.table());
      for (Row r : spark.table(table).collectAsList()) {
        for (int i = 0; i < r.size(); i++) {
          Object v = r.get(i);
          if (v instanceof String s) {
            assertFalse(secrets.contains(s), table + "." + r.schema().fieldNames()[i] + " holds a raw identifier");
          } else if (v instanceof scala.collection.Seq<?> seq) {
            seq.foreach(x -> {
              assertFalse(secrets.contains(x), table + " holds a raw identifier in an array");
              return null;
            });
          }
        }
      }
    }
  }
}
