package org.sanku.ingest.standardise;

import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.transform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.generate.RegionGenerator;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.spark.TestSpark;

/**
 * Standardises every file of a small generated dirty region and compares what was quarantined and warned with
 * the defects the generator says it injected (truth/defects.csv): the defects its truth rules call fatal must be
 * exactly the rows with errors, and the recoverable ones must come out as the matching warnings.
 *
 * <p>The CSV files are read here with Spark's reader and conf/aliases.yaml, standing in for the ingest job's
 * reader, so that only standardisation is under test.
 */
class GeneratedDropsTest {

  @TempDir
  static Path dir;

  static SparkSession spark;
  static SchemaCatalog catalog;
  /** table → reason → rows with at least one error (or warning) of that reason. */
  static final Map<String, Map<String, Long>> errorRows = new TreeMap<>();
  static final Map<String, Map<String, Long>> warningRows = new TreeMap<>();
  static final Map<String, Long> rowsWithErrors = new TreeMap<>();
  static final Map<String, Long> rowsRead = new TreeMap<>();
  /** "DEFECT|table" → injected count. */
  static final Map<String, Long> injected = new HashMap<>();

  @BeforeAll
  static void standardiseTheRegion() throws IOException {
    spark = TestSpark.get();
    Path conf = Path.of("..", "conf");
    catalog = SchemaCatalog.load(Path.of("..", "schemas"), conf);
    LocalDate asOf = LocalDate.of(2025, 12, 31);
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", 3000, 11, asOf, dir, 2, 0.05, null, conf, 2));
    Map<String, String> aliases = aliases(conf.resolve("aliases.yaml"));

    // Reference data first: the successor map and the known counties come from ref_division, as in ingest.
    Path refDrop = drops("reference").get(0);
    Map<String, String> successors = new HashMap<>();
    Set<String> counties = new HashSet<>();
    for (Row r : read(refDrop, "ref_division", aliases).select("division_code", "level", "successor_code")
        .collectAsList()) {
      if (r.getString(2) != null) {
        successors.put(r.getString(0), r.getString(2));
      } else if ("3".equals(r.getString(1))) {
        counties.add(r.getString(0).substring(0, 6));
      }
    }
    assertTrue(successors.containsKey("512922000000"), "南充's legacy county code is delivered");

    for (String source : SchemaCatalog.SOURCES) {
      for (Path drop : drops(source)) {
        LocalDate extract = LocalDate.parse(manifest(drop).get("extract_date").asText());
        StandardiseContext ctx = new StandardiseContext(extract, extract, successors, counties, catalog);
        for (TableSchema schema : catalog.tablesOf(source)) {
          // A drop may deliver some of its source's tables (the generator delivers no ref_population).
          if (!manifest(drop).get("files").has(schema.table() + ".csv")
              && !manifest(drop).get("files").has(schema.table() + ".csv.gz")) {
            continue;
          }
          Dataset<Row> std = Standardiser.standardise(read(drop, schema.table(), aliases), schema, ctx);
          tally(schema.table(), std);
        }
      }
    }
    List<String> lines = Files.readAllLines(dir.resolve("truth").resolve("defects.csv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", 4);
      injected.put(f[0] + "|" + f[1], Long.parseLong(f[2]));
    }
  }

  private static List<Path> drops(String source) throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve(source))) {
      return s.filter(p -> Files.exists(p.resolve("manifest.json"))).sorted().collect(Collectors.toList());
    }
  }

  private static JsonNode manifest(Path drop) throws IOException {
    return new ObjectMapper().readTree(drop.resolve("manifest.json").toFile());
  }

  /** Header alias → contract column, compared case-insensitively as conf/aliases.yaml says. */
  private static Map<String, String> aliases(Path file) throws IOException {
    Map<String, String> out = new HashMap<>();
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      for (JsonNode a : e.getValue()) {
        out.put(a.asText().trim().toLowerCase(Locale.ROOT), e.getKey());
      }
    }
    return out;
  }

  private static Dataset<Row> read(Path drop, String table, Map<String, String> aliases) throws IOException {
    JsonNode m = manifest(drop);
    String file = m.get("files").has(table + ".csv") ? table + ".csv" : table + ".csv.gz";
    Dataset<Row> df = spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"")
        .option("sep", m.path("delimiter").asText(","))
        .option("encoding", m.path("encoding").asText("UTF-8")).csv(drop.resolve(file).toString());
    List<Column> cols = new ArrayList<>();
    for (String h : df.columns()) {
      String name = catalog.get(table).hasColumn(h) ? h : aliases.get(h.trim().toLowerCase(Locale.ROOT));
      if (name != null) {
        cols.add(col("`" + h + "`").as(name));
      }
    }
    cols.add(lit(drop.getFileName() + "/" + file).as("_file"));
    cols.add(monotonically_increasing_id().as("_line"));
    return df.select(cols.toArray(new Column[0]));
  }

  private static void tally(String table, Dataset<Row> std) {
    Dataset<Row> issues = std.select(
        array_distinct(transform(col(Standardiser.ERRORS), i -> i.getField("reason"))).as("e"),
        array_distinct(transform(col(Standardiser.WARNINGS), i -> i.getField("reason"))).as("w")).cache();
    rowsRead.merge(table, issues.count(), Long::sum);
    rowsWithErrors.merge(table, issues.filter("size(e) > 0").count(), Long::sum);
    for (Row r : issues.select(explode(col("e"))).groupBy("col").count().collectAsList()) {
      errorRows.computeIfAbsent(table, k -> new TreeMap<>()).merge(r.getString(0), r.getLong(1), Long::sum);
    }
    for (Row r : issues.select(explode(col("w"))).groupBy("col").count().collectAsList()) {
      warningRows.computeIfAbsent(table, k -> new TreeMap<>()).merge(r.getString(0), r.getLong(1), Long::sum);
    }
    issues.unpersist();
  }

  private static long injected(String table, String... defects) {
    long n = 0;
    for (String d : defects) {
      n += injected.getOrDefault(d + "|" + table, 0L);
    }
    return n;
  }

  private static long errors(String table, String reason) {
    return errorRows.getOrDefault(table, Map.of()).getOrDefault(reason, 0L);
  }

  private static long warnings(String table, String reason) {
    return warningRows.getOrDefault(table, Map.of()).getOrDefault(reason, 0L);
  }

  @Test
  void everyTableWasRead() {
    assertEquals(11, rowsRead.size(), rowsRead.toString());
    rowsRead.forEach((t, n) -> assertTrue(n > 0, t));
  }

  /** The generator's fatal defects are exactly the quarantined rows, table by table. */
  @Test
  void quarantinedRowsAreTheFatalDefects() {
    String[] fatal = {"BAD_BIRTH_DATE", "BAD_DATE", "FUTURE_DATE", "UNKNOWN_CODE_REJECT"};
    for (String table : rowsRead.keySet()) {
      assertEquals(injected(table, fatal), (long) rowsWithErrors.get(table),
          table + ": errors " + errorRows.get(table) + ", injected fatal defects " + injected(table, fatal));
    }
    // And for the right reason.
    for (String t : List.of("pop_person", "ehr_person", "emr_visit")) {
      assertEquals(injected(t, "BAD_BIRTH_DATE"), errors(t, Reasons.BAD_DATE), t);
    }
    assertEquals(injected("ehr_fd_contract", "BAD_DATE"), errors("ehr_fd_contract", Reasons.BAD_DATE));
    assertEquals(injected("ehr_physical_exam", "BAD_DATE"), errors("ehr_physical_exam", Reasons.BAD_DATE));
    assertEquals(injected("ehr_physical_exam", "FUTURE_DATE"), errors("ehr_physical_exam", Reasons.FUTURE_DATE));
    assertEquals(injected("ehr_tcm_service", "FUTURE_DATE"), errors("ehr_tcm_service", Reasons.FUTURE_DATE));
    assertEquals(injected("ehr_followup", "UNKNOWN_CODE_REJECT"), errors("ehr_followup", Reasons.UNKNOWN_CODE));
    assertTrue(injected("ehr_followup", "UNKNOWN_CODE_REJECT") > 0, "the region has fatal defects to find");
  }

  /** Recoverable defects flow on, each with its warning. */
  @Test
  void recoverableDefectsAreWarnings() {
    for (String t : List.of("pop_person", "ehr_person", "emr_visit")) {
      assertEquals(injected(t, "ID_WHITESPACE", "ID_FULLWIDTH", "ID_LOWER_X", "ID_15_DIGIT", "ID_EXCEL_QUOTE"),
          warnings(t, Reasons.ID_NORMALISED), t);
      assertEquals(injected(t, "ID_CHECKSUM"), warnings(t, "ID_CHECKSUM_FAIL"), t);
      assertEquals(injected(t, "ID_EXCEL_DAMAGED"), warnings(t, "ID_DAMAGED"), t);
      assertEquals(injected(t, "ID_FAKE"), warnings(t, "ID_FAKE"), t);
      assertEquals(injected(t, "ID_MISSING"), warnings(t, "ID_MISSING"), t);
      assertEquals(injected(t, "SIX_DIGIT_DIVISION"), warnings(t, Reasons.DIVISION_6_DIGIT), t);
    }
    for (String t : List.of("pop_person", "ehr_person", "emr_visit", "ehr_followup", "ehr_program_enrollment")) {
      assertEquals(injected(t, "LOCAL_CODE"), warnings(t, Reasons.LOCAL_CODE), t);
    }
    // A baby under the mother's ID: the ID's birth date is the mother's.
    assertEquals(injected("emr_visit", "ID_BORROWED"), warnings("emr_visit", Reasons.ID_BIRTH_MISMATCH));
    assertEquals(injected("pop_person", "RETIRED_DIVISION"), warnings("pop_person", Reasons.DIVISION_RETIRED));
    assertTrue(injected("pop_person", "RETIRED_DIVISION") > 0);
    // A status 死亡/迁出 without its date, an enrolment 结案 without its close date: the conditional column warns.
    assertEquals(injected("pop_person", "EVENT_DATE_MISSING"), warnings("pop_person", Reasons.MISSING_CONDITIONAL));
    assertTrue(injected("pop_person", "EVENT_DATE_MISSING") > 0);
    assertEquals(injected("ehr_program_enrollment", "CLOSE_DATE_MISSING"),
        warnings("ehr_program_enrollment", Reasons.MISSING_CONDITIONAL));
  }

  @Test
  void referenceTablesAreClean() {
    for (String t : List.of("ref_division", "ref_org")) {
      assertEquals(0L, (long) rowsWithErrors.get(t), t);
      assertEquals(Map.of(), warningRows.getOrDefault(t, Map.of()), t);
    }
  }
}
