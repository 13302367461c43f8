package org.sanku.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.link.LinkedRegion;
import org.sanku.spark.TestConfig;
import org.sanku.storage.Warehouse;

/**
 * The shipped check catalog on the generated dirty region (3,000 persons, 4% dirty rows, three nights; checked for
 * the nights of 30 and 31 December): every defect class the generator injects and records in truth/defects.csv makes
 * its check fail with exactly the injected count, and all the checks on a table cost one scan.
 */
class QualityRegionTest {

  static SparkSession spark;
  static QualityJob.Result night30;
  static QualityJob.Result night31;

  @BeforeAll
  static void check() {
    spark = CheckedRegion.spark();
    night31 = CheckedRegion.result();
    night30 = CheckedRegion.first();
  }

  /** truth/defects.csv: defect|table → the column's count (2: injected rows, 3: of those recoverable). */
  static Map<String, Long> defects(int column) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    List<String> lines = Files.readAllLines(LinkedRegion.truth().resolve("defects.csv"));
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",", -1);
      out.put(f[0] + "|" + f[1], Long.parseLong(f[column]));
    }
    return out;
  }

  /** The violated rows of a check at source level of the night of 31 December (current state of the tables). */
  static long sourceLevel(String checkId) {
    List<CheckResult> r = night31.results().stream().filter(x -> x.checkId().equals(checkId)
        && x.level().equals("source")).toList();
    assertEquals(1, r.size(), checkId + " has one source-level result");
    return r.get(0).violated();
  }

  /**
   * The violated rows of a delivery check over the files of one table, summed over the two nights' runs: each saw the
   * drops of its night (the 30 December run those dated up to then, the 31 December run those of the 31st), so
   * together they saw every delivered file once.
   */
  static long files(String checkId, String table) {
    long sum = 0;
    Set<String> seen = new HashSet<>();
    for (QualityJob.Result run : List.of(night30, night31)) {
      for (CheckResult x : run.results()) {
        String file = x.keys().get("file");
        if (x.checkId().equals(checkId) && x.level().equals("file")
            && file.substring(file.lastIndexOf('/') + 1).startsWith(table + ".csv")) {
          assertTrue(seen.add(file), file + " checked by one night only");
          sum += x.violated();
        }
      }
    }
    return sum;
  }

  @Test
  void eachInjectedDefectClassFailsItsCheckWithExactlyTheInjectedCount() throws Exception {
    Map<String, Long> injected = defects(2);
    Map<String, Long> recoverable = defects(3);
    // Defect class | table → the checks that see it; several classes a check sums (an unusable ID is missing,
    // damaged or fake; cleaning covers white space, full width, lower-case x, the quote and 15 digits, which also
    // has a check of its own).
    Map<String, String> checkOf = new HashMap<>();
    Map<String, String> prefix = Map.of("pop_person", "pop", "ehr_person", "ehr", "emr_visit", "emr");
    for (var p : prefix.entrySet()) {
      checkOf.put("ID_CHECKSUM|" + p.getKey(), p.getValue() + "_id_checksum");
      checkOf.put("ID_15_DIGIT|" + p.getKey(), p.getValue() + "_id_15_digit " + p.getValue() + "_id_normalised");
      for (String c : List.of("ID_EXCEL_DAMAGED", "ID_FAKE", "ID_MISSING")) {
        checkOf.put(c + "|" + p.getKey(), p.getValue() + "_id_unusable");
      }
      for (String c : List.of("ID_WHITESPACE", "ID_FULLWIDTH", "ID_LOWER_X", "ID_EXCEL_QUOTE")) {
        checkOf.put(c + "|" + p.getKey(), p.getValue() + "_id_normalised");
      }
      checkOf.put("LOCAL_CODE|" + p.getKey(), p.getValue() + "_local_code");
    }
    checkOf.put("LOCAL_CODE|ehr_program_enrollment", "enrollment_local_code");
    checkOf.put("LOCAL_CODE|ehr_followup", "followup_local_code");
    checkOf.put("SIX_DIGIT_DIVISION|pop_person", "pop_division_6_digit");
    checkOf.put("SIX_DIGIT_DIVISION|emr_visit", "emr_division_6_digit");
    checkOf.put("RETIRED_DIVISION|pop_person", "pop_division_retired");
    checkOf.put("UNKNOWN_CODE_WARN|ehr_person", "ehr_org_unknown");
    checkOf.put("UNKNOWN_CODE_WARN|ehr_physical_exam", "exam_org_unknown");
    checkOf.put("ID_BORROWED|emr_visit", "emr_id_birth_mismatch");
    // A status 死亡/迁出 without its date and a 结案 without its close date are each the last version the source
    // delivers of the row (no defect of its own, so never quarantined): the current tables hold every injected one,
    // and the clean rows always carry the date, so the conditional-completeness checks count exactly the tally.
    checkOf.put("EVENT_DATE_MISSING|pop_person", "pop_event_date_missing");
    checkOf.put("CLOSE_DATE_MISSING|ehr_program_enrollment", "enrollment_close_date_missing");
    // Quarantined and collapsed rows are seen per delivered file.
    Map<String, String> fileCheckOf = Map.of("BAD_BIRTH_DATE", "quarantine_bad_date", "BAD_DATE",
        "quarantine_bad_date", "FUTURE_DATE", "quarantine_future_date", "UNKNOWN_CODE_REJECT",
        "quarantine_unknown_code", "DUPLICATE_ROW", "delivery_duplicate_rows", "ORPHAN_LINK", "quarantine_orphan");
    // Not defects a check can or should see: a null placeholder is how the contract writes null (§2), and an
    // encoding, Chinese headers, a gzip file or a '|'-separated delta (the manifest names its delimiter) are
    // deliveries within the contract, read as such. So is a later full reference drop without some clinics: a full
    // drop replaces the table and may remove rows. Its tally counts ref_org rows (the clinics), not rows a check
    // looks at; their visits then show in emr_org_unknown together with any other unknown organisation code, a
    // count the tally does not give, so no check can be held to it exactly.
    // Nor are the cases the counting and linkage rules handle rather than a check: a name with white space inside
    // is the same name once compared (no check looks at names, which stay in the identity zone); an exam without
    // height or weight is one of the incomplete exams the completeness check counts together with the clean
    // model's own incomplete ones; a follow-up after its enrolment's close and a health card on two persons are
    // rows within the contract that the indicator and linkage rules leave uncounted (LinkRegionTest and
    // IndicatorRegionTest hold them to the truth).
    Set<String> within = Set.of("NULL_PLACEHOLDER", "GBK_ENCODING", "CHINESE_HEADERS", "GZIP_FILE",
        "PIPE_DELIMITER", "CLOSED_CLINIC", "NAME_WHITESPACE", "EXAM_MEASURE_MISSING", "FOLLOWUP_AFTER_CLOSE",
        "HEALTH_CARD_SHARED");

    Map<String, Long> expected = new TreeMap<>();
    Map<String, Long> expectedFiles = new TreeMap<>();
    for (var e : injected.entrySet()) {
      String cls = e.getKey().substring(0, e.getKey().indexOf('|'));
      String table = e.getKey().substring(e.getKey().indexOf('|') + 1);
      if (within.contains(cls)) {
        continue;
      }
      if (cls.equals("DUPLICATE_ROW")) {
        // A duplicate of a row that is quarantined (a contract of a quarantined record) is quarantined with it and
        // never collapses: the tally's recoverable count is the duplicates that reach the tables.
        expectedFiles.merge("delivery_duplicate_rows|" + table, recoverable.get(e.getKey()), Long::sum);
      } else if (fileCheckOf.containsKey(cls)) {
        expectedFiles.merge(fileCheckOf.get(cls) + "|" + table, e.getValue(), Long::sum);
      } else {
        String checks = checkOf.get(e.getKey());
        assertTrue(checks != null, "no check mapped for the injected defect class " + e.getKey());
        for (String check : checks.split(" ")) {
          expected.merge(check, e.getValue(), Long::sum);
        }
      }
    }
    // A service whose record (enrolment, visit) was quarantined is an orphan too: those come on top of the mangled
    // links, counted here from the delivered files (independently of ingest) as the rows whose parent key is among
    // the quarantined parents' keys and not in the published parent table.
    for (String[] child : new String[][] {{"ehr", "ehr_physical_exam", "ehr_no", "ehr_person"},
        {"ehr", "ehr_tcm_service", "ehr_no", "ehr_person"}, {"ehr", "ehr_fd_contract", "ehr_no", "ehr_person"},
        {"ehr", "ehr_program_enrollment", "ehr_no", "ehr_person"},
        {"ehr", "ehr_followup", "enrollment_id", "ehr_program_enrollment"},
        {"emr", "emr_diagnosis", "visit_id", "emr_visit"}}) {
      long cascade = cascadedOrphans(child[0], child[1], child[2], child[3]);
      if (cascade > 0) {
        expectedFiles.merge("quarantine_orphan|" + child[1], cascade, Long::sum);
      }
    }
    assertTrue(expected.size() >= 20 && expectedFiles.size() >= 15, expected + " " + expectedFiles);
    StringBuilder diff = new StringBuilder();
    for (var e : expected.entrySet()) {
      long got = sourceLevel(e.getKey());
      if (got != e.getValue()) {
        diff.append(e.getKey()).append(": injected ").append(e.getValue()).append(", check ").append(got).append('\n');
      }
      CheckResult r = night31.results().stream().filter(x -> x.checkId().equals(e.getKey())
          && x.level().equals("source")).findFirst().orElseThrow();
      assertFalse(r.passed(), e.getKey() + " fails on the dirty region");
    }
    for (var e : expectedFiles.entrySet()) {
      String[] k = e.getKey().split("\\|");
      long got = files(k[0], k[1]);
      if (got != e.getValue()) {
        diff.append(e.getKey()).append(": injected ").append(e.getValue()).append(", check ").append(got).append('\n');
      }
    }
    assertEquals("", diff.toString());
  }

  /**
   * Rows of a child table's delivered files (every night) whose parent key was quarantined in the parent table and
   * never published there: ingest quarantines them as orphans although their own link was not mangled.
   */
  private static long cascadedOrphans(String source, String table, String parentKey, String parentTable) {
    Warehouse wh = CheckedRegion.warehouse();
    Path landing = LinkedRegion.landing();
    List<Dataset<Row>> parts = new ArrayList<>();
    try (var nights = Files.list(landing.resolve(source))) {
      for (Path night : nights.sorted().toList()) {
        // Each drop is read as its manifest says: its encoding and its delimiter (the EMR deltas use '|').
        var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(night.resolve("manifest.json")
            .toFile());
        String encoding = manifest.path("encoding").asText("UTF-8");
        String delimiter = manifest.path("delimiter").asText(",");
        for (String name : List.of(table + ".csv", table + ".csv.gz")) {
          if (Files.exists(night.resolve(name))) {
            parts.add(spark.read().option("header", "true").option("encoding", encoding).option("sep", delimiter)
                .option("multiLine", "true").csv(night.resolve(name).toString()).select(parentKey));
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Dataset<Row> rows = parts.stream().reduce(Dataset::union).orElseThrow();
    rows.createOrReplaceTempView("child_rows");
    String parentPk = parentTable.equals("ehr_program_enrollment") ? "enrollment_id"
        : parentTable.equals("emr_visit") ? "visit_id" : "ehr_no";
    return spark.sql("SELECT count(*) FROM child_rows c WHERE c." + parentKey + " IN (SELECT record_key FROM "
        + wh.ops("quarantine") + " WHERE table_name = '" + parentTable + "') AND c." + parentKey + " NOT IN (SELECT "
        + parentPk + " FROM " + wh.std(parentTable) + ")").first().getLong(0);
  }

  @Test
  void allTheChecksOnATableCostOneScan() throws Exception {
    // Deequ's test counts the Spark work of its checks; here: a listener collects the SQL executions of each
    // table's jobs (the stage tags them with a job group per table), and each table's aggregation plan is inspected
    // before it runs. All the checks of a table are one query, and in it every table its SQL names is scanned at
    // most as often as the SQL names it: the checks add no scan of their own (emr_visit's 14 checks scan
    // model.emr_visit once).
    Map<String, Set<Object>> executions = new ConcurrentHashMap<>();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        String group = start.properties() == null ? null : start.properties().getProperty("spark.jobGroup.id");
        Object execution = start.properties() == null ? null : start.properties().get("spark.sql.execution.id");
        if (group != null && group.startsWith("sanku-quality:") && execution != null) {
          executions.computeIfAbsent(group.substring("sanku-quality:".length()), k -> ConcurrentHashMap.newKeySet())
              .add(execution);
        }
      }
    };
    Map<String, Map<String, Integer>> scans = new TreeMap<>();
    Map<String, int[]> lambdas = new TreeMap<>();
    CheckCatalog catalog = TestConfig.get().checks();
    org.sanku.spark.ListenerQueue.drain(spark);
    spark.sparkContext().addSparkListener(listener);
    try {
      QualityJob job = new QualityJob(spark, CheckedRegion.warehouse(), catalog, TestConfig.get().indicators(),
          TestConfig.get().schemas(), new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .observing((table, df) -> {
            scans.put(table, scannedTables(df));
            lambdas.put(table, lambdas(df.queryExecution().optimizedPlan(), new int[2]));
          });
      job.evaluate(job.night(CheckedRegion.NIGHT));
      spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    Set<String> tables = new java.util.TreeSet<>();
    catalog.checks.values().forEach(c -> tables.add(c.table()));
    assertEquals(tables, scans.keySet());
    for (String t : tables) {
      assertEquals(1, executions.get(t).size(), t + ": one query for all its checks");
      Map<String, Integer> named = namedTables(catalog.tables.get(t).sql());
      for (var e : scans.get(t).entrySet()) {
        assertTrue(e.getValue() <= named.getOrDefault(e.getKey(), 0), t + " scans " + e.getKey() + " "
            + e.getValue() + " time(s), its SQL names it " + named.getOrDefault(e.getKey(), 0));
      }
    }
    assertEquals(Map.of("model.emr_visit", 1, "model.person", 1, "std.ref_org", 1), scans.get("emr_visit"));
    // Row conditions are computed before the grouping, and the aggregation counts booleans: a condition Spark
    // cannot compile (emr_visit's local-code check, exists(warnings, w -> ...)) is evaluated in a projection, and
    // does not make the whole aggregation of the table run interpreted.
    assertTrue(lambdas.get("emr_visit")[0] > 0, "the lambda is evaluated below the aggregation");
    for (var e : lambdas.entrySet()) {
      assertEquals(0, e.getValue()[1], e.getKey() + ": a lambda inside the aggregation");
    }
    assertTrue(catalog.checks.values().stream().filter(c -> c.table().equals("emr_visit")).count() >= 14);
  }

  /** {lambdas outside aggregations, lambdas inside aggregations} of an optimised plan, added to {@code n}. */
  private static int[] lambdas(org.apache.spark.sql.catalyst.plans.logical.LogicalPlan p, int[] n) {
    boolean aggregate = p instanceof org.apache.spark.sql.catalyst.plans.logical.Aggregate;
    for (var e : scala.collection.JavaConverters.seqAsJavaList(p.expressions())) {
      n[aggregate ? 1 : 0] += lambdas(e);
    }
    for (var c : scala.collection.JavaConverters.seqAsJavaList(p.children())) {
      lambdas(c, n);
    }
    return n;
  }

  private static int lambdas(org.apache.spark.sql.catalyst.expressions.Expression e) {
    int n = e instanceof org.apache.spark.sql.catalyst.expressions.LambdaFunction ? 1 : 0;
    for (var c : scala.collection.JavaConverters.seqAsJavaList(e.children())) {
      n += lambdas(c);
    }
    return n;
  }

  /** ns.table → how often the optimised plan scans it. */
  private static Map<String, Integer> scannedTables(Dataset<Row> df) {
    Map<String, Integer> out = new TreeMap<>();
    var leaves = df.queryExecution().optimizedPlan().collectLeaves().iterator();
    while (leaves.hasNext()) {
      var leaf = leaves.next();
      if (leaf instanceof org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation r) {
        String[] parts = r.relation().name().split("\\.");
        out.merge(parts[1] + "." + parts[2], 1, Integer::sum);
      }
    }
    return out;
  }

  /** ns.table → how often a table query names it. */
  private static Map<String, Integer> namedTables(String sql) {
    Map<String, Integer> out = new TreeMap<>();
    var m = java.util.regex.Pattern.compile("(?<![\\w.])(std|model|link|ops)\\.([a-z_0-9]+)").matcher(sql);
    while (m.find()) {
      out.merge(m.group(1) + "." + m.group(2), 1, Integer::sum);
    }
    return out;
  }

  @Test
  void theStdLayoutsTheChecksAreValidatedAgainstAreTheTablesIngestWrites() {
    Warehouse wh = CheckedRegion.warehouse();
    TableShapes shapes = new TableShapes(TestConfig.get().schemas());
    for (var t : TestConfig.get().schemas().tables()) {
      Map<String, String> written = new TreeMap<>();
      for (StructField f : spark.table(wh.std(t.table())).schema().fields()) {
        written.put(f.name(), f.dataType().simpleString());
      }
      Map<String, String> derived = new TreeMap<>();
      for (StructField f : shapes.of("std", t.table()).fields()) {
        derived.put(f.name(), f.dataType().simpleString());
      }
      assertEquals(written, derived, t.table());
    }
  }
}
