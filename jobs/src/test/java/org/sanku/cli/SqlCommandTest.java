package org.sanku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.CatalogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.storage.Warehouse;
import org.sanku.spark.TestSpark;
import org.sanku.sql.DisplayWidth;
import org.sanku.sql.ReadOnly;
import org.sanku.sql.ReadOnlyCatalog;
import org.sanku.sql.ResultWriter;
import org.sanku.sql.SqlRunner;
import org.sanku.sql.SqlScript;

/**
 * {@code ./sanku sql} on a small warehouse: {@code sqltest_a} (writable, used only to set the data up) and
 * {@code sqltest_i} are the two zones as ingest registers them on the pipeline's session; the command runs on the
 * users' session ({@link TestSpark#readers}) and reads through {@code sqltest_r}, the analytics zone of the same
 * folder registered by {@link org.sanku.sql.AnalyticsCatalog#register}, as the command registers it.
 */
class SqlCommandTest {

  private static final String READ = "sqltest_r";

  @TempDir
  static Path dir;

  /** The pipeline's session: it writes the test data, and counts rows to check that nothing changed. */
  private static SparkSession pipeline;
  /** The users' session, which the command runs on. */
  private static SparkSession spark;
  private static String location;

  private String catalogBefore;
  private String[] namespaceBefore;
  private String timeZoneBefore;

  @BeforeAll
  static void warehouse() {
    pipeline = TestSpark.get();
    spark = TestSpark.readers();
    location = dir.resolve("wh").toUri().toString();
    new Warehouse(pipeline, location, "sqltest_a", "sqltest_i");
    pipeline.sql("CREATE NAMESPACE sqltest_a.ind");
    pipeline.sql("CREATE TABLE sqltest_a.ind.indicator_value (division_code STRING, division_name STRING, "
        + "note STRING, value DOUBLE, rate DECIMAL(9,4), as_of DATE, counts ARRAY<INT>, computed_at TIMESTAMP)");
    pipeline.sql("INSERT INTO sqltest_a.ind.indicator_value VALUES "
        + "('511302', '顺庆区', '含;分号, \"引号\"', 66.66666666666667D, 66.6667, DATE'2025-12-31', array(2, 3), "
        + "TIMESTAMP'2026-01-01 02:30:00'), "
        + "('511303', '高坪区', NULL, NULL, 12.5000, DATE'2025-12-31', CAST(array() AS ARRAY<INT>), "
        + "TIMESTAMP'2026-01-01 02:30:00'), "
        + "('511381', '阆中市', '', 0.1D, 0.0000, DATE'2025-12-31', array(7), NULL)");
    pipeline.sql("CREATE NAMESPACE sqltest_i.id");
    pipeline.sql("CREATE TABLE sqltest_i.id.person (id_no STRING, name STRING)");
    pipeline.sql("INSERT INTO sqltest_i.id.person VALUES ('51130219900101123X', '张三')");
    org.sanku.sql.AnalyticsCatalog.register(pipeline, location, READ);
    org.sanku.sql.AnalyticsCatalog.register(spark, location, READ);
  }

  @BeforeEach
  void remember() {
    CatalogManager catalogs = spark.sessionState().catalogManager();
    catalogBefore = catalogs.currentCatalog().name();
    namespaceBefore = catalogs.currentNamespace();
    timeZoneBefore = spark.conf().get("spark.sql.session.timeZone");
  }

  /** Other tests share the session: put back its current catalog and time zone whatever happened. */
  @AfterEach
  void restore() {
    CatalogManager catalogs = spark.sessionState().catalogManager();
    catalogs.setCurrentCatalog(catalogBefore);
    catalogs.setCurrentNamespace(namespaceBefore);
    spark.conf().set("spark.sql.session.timeZone", timeZoneBefore);
  }

  private record Run(int code, String out, String err) {}

  private static Run sql(String format, List<String> statements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SqlCommand.run(spark, READ, statements, format,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Run sql(String format, String... statements) {
    return sql(format, List.of(statements));
  }

  /** Counted on the pipeline's session, which reaches every zone and every metadata table. */
  private static long rows(String table) {
    return pipeline.sql("SELECT count(*) FROM " + table).first().getLong(0);
  }

  // ---- the catalog the command registers

  @Test
  void analyticsOnlyRegistersTheAnalyticsZoneAloneAndReadOnly(@TempDir Path fresh) {
    // The catalog on its own, on the pipeline's session: no read-only guard stands in front of it there.
    SparkSession spark = pipeline;
    String loc = fresh.toUri().toString();
    String name = org.sanku.sql.AnalyticsCatalog.register(spark, loc, "sqltest_fresh");
    assertEquals("sqltest_fresh", name);
    Map<String, String> conf = scala.collection.JavaConverters.mapAsJavaMap(spark.conf().getAll());
    assertEquals(Warehouse.analyticsUri(loc), conf.get("spark.sql.catalog.sqltest_fresh.warehouse"));
    assertEquals(ReadOnlyCatalog.class.getName(), conf.get("spark.sql.catalog.sqltest_fresh"));
    // No catalog of the session points at this warehouse's identity folder.
    String identity = Warehouse.identityUri(loc);
    conf.forEach((k, v) -> assertFalse(k.startsWith("spark.sql.catalog.") && v.startsWith(identity), k + " = " + v));
    // The writable registration of the same folder does name the identity zone (what analyticsOnly leaves out).
    assertEquals(Warehouse.identityUri(location), conf.get("spark.sql.catalog.sqltest_i.warehouse"));
    // DDL is refused by the catalog itself, whatever the statement check lets through.
    assertThrows(Exception.class, () -> spark.sql("CREATE NAMESPACE sqltest_r.other"));
    assertThrows(Exception.class, () -> spark.sql("CREATE TABLE sqltest_r.ind.other (a INT)"));
    assertThrows(Exception.class, () -> spark.sql("DROP TABLE sqltest_r.ind.indicator_value"));
    assertEquals(3, rows("sqltest_r.ind.indicator_value"));
  }

  @Test
  void theIdentityZoneIsNotReachable() {
    assumeFalse(spark.conf().contains("spark.sql.catalog." + Warehouse.DEFAULT_IDENTITY));
    // The identity data is there, beside the analytics folder ...
    assertEquals(1, rows("sqltest_i.id.person"));
    // ... but not by the identity catalog's name, nor by a path out of the analytics folder, nor as files.
    Run byName = sql("table", "SELECT * FROM sanku_identity.id.person");
    assertEquals(1, byName.code);
    assertTrue(byName.err.startsWith("sanku sql: ") && byName.err.contains("`sanku_identity`.`id`.`person`")
        && byName.err.contains("identity zone, is not available"), byName.err);
    String dataDir = location + "/identity/id/person/data";
    for (String s : List.of("SELECT * FROM `..`.identity.id.person",
        "SELECT * FROM sqltest_r.`..`.identity.id.person",
        "SELECT * FROM `../identity/id`.person",
        "SELECT * FROM IDENTIFIER('`..`.identity.id.person')",
        "SELECT * FROM parquet.`" + dataDir + "`",
        "SHOW TABLES IN `..`.identity.id",
        "DESCRIBE `..`.identity.id.person",
        "USE `..`.identity.id")) {
      Run r = sql("table", s);
      assertEquals(1, r.code, s);
      assertTrue(r.err.startsWith("sanku sql: "), s + ": " + r.err);
      assertFalse(r.out.contains("51130219900101123X") || r.out.contains("张三"), r.out);
    }
    assertTrue(sql("table", "SELECT * FROM `..`.identity.id.person").err.contains("paths are refused"));
  }

  // ---- formats

  @Test
  void tableOutputIsAlignedWithChineseNamesCountedTwice() {
    Run r = sql("table",
        "SELECT division_code, division_name, value, rate, as_of, counts FROM ind.indicator_value ORDER BY 1");
    assertEquals(0, r.code, r.err);
    // Worked out by hand: division_name is as wide as its header (13); 顺庆区 takes 6 columns, so 7 spaces pad it;
    // numbers are right-aligned, the double in full (17 wide), the decimal with its scale, NULL for the null.
    String expected = String.join("\n",
        " division_code | division_name |             value |    rate | as_of      | counts ",
        "---------------+---------------+-------------------+---------+------------+--------",
        " 511302        | 顺庆区        | 66.66666666666667 | 66.6667 | 2025-12-31 | [2, 3] ",
        " 511303        | 高坪区        |              NULL | 12.5000 | 2025-12-31 | []     ",
        " 511381        | 阆中市        |               0.1 |  0.0000 | 2025-12-31 | [7]    ",
        "(3 rows)", "");
    assertEquals(expected, r.out);
    String[] lines = r.out.split("\n");
    for (int i = 1; i < 5; i++) {
      assertEquals(DisplayWidth.of(lines[0]), DisplayWidth.of(lines[i]), lines[i]);
    }
  }

  @Test
  void csvReadsBackToTheSameValues() throws IOException {
    Run r = sql("csv", "SELECT division_code, division_name, note, value, rate, as_of, counts, computed_at "
        + "FROM sqltest_r.ind.indicator_value ORDER BY division_code");
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.startsWith("division_code,division_name,note,value,rate,as_of,counts,computed_at\r\n"), r.out);
    List<List<String>> records = new ArrayList<>();
    try (CSVParser p = CSVParser.parse(r.out, CSVFormat.RFC4180)) {
      for (CSVRecord rec : p) {
        records.add(rec.toList());
      }
    }
    // Quotes, the comma and the semicolon survive; the session time zone is Asia/Shanghai (+08:00); nulls are
    // empty fields (as is the empty string: csv cannot tell them apart, json can).
    assertEquals(List.of(
        List.of("division_code", "division_name", "note", "value", "rate", "as_of", "counts", "computed_at"),
        List.of("511302", "顺庆区", "含;分号, \"引号\"", "66.66666666666667", "66.6667", "2025-12-31", "[2, 3]",
            "2026-01-01T02:30:00+08:00"),
        List.of("511303", "高坪区", "", "", "12.5000", "2025-12-31", "[]", "2026-01-01T02:30:00+08:00"),
        List.of("511381", "阆中市", "", "0.1", "0.0000", "2025-12-31", "[7]", "")), records);
    assertEquals(200.0 / 3, Double.parseDouble(records.get(1).get(3)));
  }

  @Test
  void jsonLinesReadBackWithJackson() throws IOException {
    Run r = sql("json", "SELECT division_code, division_name, note, value, rate, as_of, counts, computed_at "
        + "FROM ind.indicator_value ORDER BY division_code");
    assertEquals(0, r.code, r.err);
    String[] lines = r.out.split("\n");
    assertEquals(3, lines.length, r.out);
    assertEquals("{\"division_code\":\"511302\",\"division_name\":\"顺庆区\",\"note\":\"含;分号, \\\"引号\\\"\","
        + "\"value\":66.66666666666667,\"rate\":66.6667,\"as_of\":\"2025-12-31\",\"counts\":[2,3],"
        + "\"computed_at\":\"2026-01-01T02:30:00+08:00\"}", lines[0]);
    ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    JsonNode first = json.readTree(lines[0]);
    assertEquals(200.0 / 3, first.get("value").doubleValue());
    assertEquals("含;分号, \"引号\"", first.get("note").textValue());
    JsonNode second = json.readTree(lines[1]);
    assertTrue(second.get("note").isNull() && second.get("value").isNull());
    assertTrue(lines[1].contains("\"rate\":12.5000,"), "the decimal keeps its scale: " + lines[1]);
    assertEquals(0, new BigDecimal("12.5").compareTo(second.get("rate").decimalValue()));
    assertEquals(0, second.get("counts").size());
    JsonNode third = json.readTree(lines[2]);
    assertEquals("", third.get("note").textValue());
    assertEquals(new BigDecimal("0.1"), third.get("value").decimalValue());
    assertTrue(third.get("computed_at").isNull());
    assertEquals(7, third.get("counts").get(0).intValue());
  }

  @Test
  void valuesArePrintedExactly() {
    // 0.1 + 0.2 is 0.30000000000000004 as a double; 1e-5 and 1e20 come out without an exponent; a decimal of
    // scale 18 keeps its 18 digits; 1/3 as a double in full.
    Run r = sql("csv", "SELECT CAST(0.1 AS DOUBLE) + CAST(0.2 AS DOUBLE) AS a, 1e-5D AS b, 1e20D AS c, "
        + "CAST(1 AS DECIMAL(38,18)) / 3 AS d, 1D / 3 AS e, CAST('NaN' AS DOUBLE) AS f, 9223372036854775807L AS g");
    assertEquals(0, r.code, r.err);
    assertEquals("a,b,c,d,e,f,g\r\n0.30000000000000004,0.00001,100000000000000000000.0,0.333333333333333333,"
        + "0.3333333333333333,NaN,9223372036854775807\r\n", r.out);
    assertEquals("66.66666666666667", ResultWriter.plain(200.0 / 3));
    assertEquals("-2.5E-7", Double.toString(-2.5e-7));
    assertEquals("-0.00000025", ResultWriter.plain(-2.5e-7));
    assertEquals("10000000.0", ResultWriter.plain(1e7));
  }

  @Test
  void setTimeZoneChangesTheTimestampsAndIsPutBackAfterwards() {
    Run r = sql("csv", "SET TIME ZONE 'UTC'",
        "SELECT computed_at FROM ind.indicator_value WHERE division_code = '511302'");
    assertEquals(0, r.code, r.err);
    // SET prints the setting; 02:30 in Shanghai is 18:30 UTC the day before.
    assertEquals("key,value\r\nspark.sql.session.timeZone,UTC\r\ncomputed_at\r\n2025-12-31T18:30:00Z\r\n", r.out);
    assertEquals("Asia/Shanghai", spark.conf().get("spark.sql.session.timeZone"));
  }

  // ---- statements other than queries

  @Test
  void showDescribeUseAndExplainPrintTheirResults() {
    Run r = sql("csv", "SHOW TABLES IN ind", "DESCRIBE ind.indicator_value", "USE ind",
        "SELECT count(*) AS n FROM indicator_value", "SHOW CURRENT NAMESPACE", "EXPLAIN SELECT 1", "SHOW VIEWS");
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.startsWith("namespace,tableName,isTemporary\r\nind,indicator_value,false\r\n"), r.out);
    assertTrue(r.out.contains("division_name,string,"), r.out);
    assertTrue(r.out.contains("n\r\n3\r\n"), r.out);
    assertTrue(r.out.contains("catalog,namespace\r\nsqltest_r,ind\r\n"), r.out);
    assertTrue(r.out.contains("Physical Plan"), r.out);
    // Iceberg's parser turns SHOW VIEWS in an Iceberg catalog into its own statement: it shows, so it runs.
    // (Temporary views of other tests sharing the session may follow the header.)
    assertTrue(r.out.contains("namespace,viewName,isTemporary\r\n"), r.out);
    Run root = sql("table", "SHOW TABLES");
    assertEquals(1, root.code);
    assertTrue(root.err.contains("SHOW TABLES IN std"), root.err);
    // run() put the session's current catalog back.
    assertEquals(catalogBefore, spark.sessionState().catalogManager().currentCatalog().name());
    assertEquals(Arrays.asList(namespaceBefore),
        Arrays.asList(spark.sessionState().catalogManager().currentNamespace()));
  }

  // ---- read-only

  @Test
  void writesAreRefusedAndNothingChanges() throws IOException {
    long snapshots = rows("sqltest_r.ind.indicator_value.snapshots");
    Path jar = Files.createFile(dir.resolve("x.jar"));
    List<String> writes = List.of(
        "INSERT INTO ind.indicator_value SELECT * FROM ind.indicator_value",
        "insert overwrite ind.indicator_value SELECT * FROM ind.indicator_value LIMIT 1",
        "WITH x AS (SELECT * FROM ind.indicator_value) INSERT INTO ind.indicator_value SELECT * FROM x",
        "FROM ind.indicator_value INSERT INTO ind.indicator_value SELECT *",
        "UPDATE ind.indicator_value SET value = 0",
        "DELETE FROM ind.indicator_value",
        "MERGE INTO ind.indicator_value t USING (SELECT '511302' AS c) s ON t.division_code = s.c "
            + "WHEN MATCHED THEN DELETE",
        "CREATE TABLE ind.copy AS SELECT * FROM ind.indicator_value",
        "CREATE TABLE ind.other (a INT)",
        "CREATE NAMESPACE scratch",
        "CREATE TEMPORARY VIEW v AS SELECT 1",
        "CREATE VIEW ind.v AS SELECT 1",
        "DROP VIEW ind.v",
        "DROP TABLE ind.indicator_value",
        "ALTER TABLE ind.indicator_value ADD COLUMN extra INT",
        "TRUNCATE TABLE ind.indicator_value",
        "CALL sqltest_r.system.expire_snapshots(table => 'ind.indicator_value')",
        "CACHE TABLE ind.indicator_value",
        "INSERT OVERWRITE DIRECTORY '" + dir.resolve("out") + "' USING parquet SELECT 1",
        "EXPLAIN INSERT INTO ind.indicator_value SELECT * FROM ind.indicator_value",
        "SET spark.sql.runSQLOnFiles=true",
        "SET spark.sql.catalog.x=org.apache.iceberg.spark.SparkCatalog",
        "RESET",
        "ADD JAR " + jar,
        "SELECT TRANSFORM(division_code) USING 'cat' AS (c) FROM ind.indicator_value",
        "SELECT reflect('java.lang.System', 'getenv', 'HOME')",
        "SELECT * FROM ind.indicator_value WHERE note = java_method('java.lang.System', 'getenv', 'HOME')");
    for (String w : writes) {
      Run r = sql("table", w);
      assertEquals(1, r.code, w);
      assertEquals("", r.out, w);
      assertTrue(r.err.startsWith("sanku sql: ") && r.err.contains("refused"), w + ": " + r.err);
    }
    assertEquals("sanku sql: sanku sql is read-only: DELETE statements are refused (it runs queries, SHOW, "
        + "DESCRIBE, EXPLAIN and USE)\n", sql("table", "DELETE FROM ind.indicator_value").err);
    // A script stops at the refused statement: the query before it ran, the one after did not.
    Run script = sql("csv", SqlScript.split("SELECT 1 AS one; DROP TABLE ind.indicator_value; SELECT 2 AS two"));
    assertEquals(1, script.code);
    assertEquals("one\r\n1\r\n", script.out);
    // Nothing changed: same rows, same snapshots, no new table, the setting still off.
    assertEquals(3, rows("sqltest_r.ind.indicator_value"));
    assertEquals(snapshots, rows("sqltest_r.ind.indicator_value.snapshots"));
    assertEquals(List.of("indicator_value"),
        pipeline.sql("SHOW TABLES IN sqltest_a.ind").collectAsList().stream().map(x -> x.getString(1)).toList());
    assertFalse(Files.exists(dir.resolve("out")));
    assertEquals(catalogBefore, spark.sessionState().catalogManager().currentCatalog().name());
  }

  @Test
  void readOnlyAcceptsQueriesAndShowingStatements() throws Exception {
    for (String s : List.of("SELECT 1", "WITH x AS (SELECT 1 AS a) SELECT * FROM x", "VALUES (1), (2)",
        "TABLE ind.indicator_value", "SELECT * FROM ind.indicator_value WHERE value IN (SELECT 1)",
        "SHOW TABLES IN std", "SHOW NAMESPACES", "SHOW VIEWS IN std", "DESCRIBE model.person",
        "DESCRIBE TABLE EXTENDED model.person", "DESCRIBE model.person person_key", "DESCRIBE NAMESPACE std",
        "SHOW COLUMNS IN model.person", "SHOW CREATE TABLE model.person", "SHOW TBLPROPERTIES model.person",
        "SHOW FUNCTIONS", "DESCRIBE FUNCTION upper", "EXPLAIN SELECT 1", "EXPLAIN EXTENDED SELECT 1",
        "DESCRIBE QUERY SELECT 1", "USE std", "USE sanku", "SHOW CURRENT NAMESPACE", "SHOW CATALOGS", "SET",
        "SET -v", "SET spark.sql.session.timeZone", "SET TIME ZONE 'UTC'", "SET TIME ZONE LOCAL")) {
      assertNull(ReadOnly.refusal(spark.sessionState().sqlParser().parsePlan(s), s), s);
    }
  }

  // ---- statements and errors

  @Test
  void scriptsSplitAtSemicolonsOutsideStringsAndComments() {
    String script = "-- totals; by county\n"
        + "SELECT 'a;b' AS s;   /* a ; in a comment */\n"
        + "SELECT \"c;d\" AS t, `odd;name` FROM (SELECT 1 AS `odd;name`);\n"
        + ";\n"
        + "SELECT 'it\\'s; fine' AS u -- trailing ; comment\n";
    List<String> statements = SqlScript.split(script);
    assertEquals(List.of("-- totals; by county\nSELECT 'a;b' AS s",
        "/* a ; in a comment */\nSELECT \"c;d\" AS t, `odd;name` FROM (SELECT 1 AS `odd;name`)",
        "SELECT 'it\\'s; fine' AS u -- trailing ; comment"), statements);
    Run r = sql("csv", statements);
    assertEquals(0, r.code, r.err);
    assertEquals("s\r\na;b\r\nt,odd;name\r\nc;d,1\r\nu\r\nit's; fine\r\n", r.out);
    assertEquals(List.of(), SqlScript.split("-- nothing\n ; /* at all */ ;"));
    assertEquals(List.of("SELECT /*+ REPARTITION(2) */ 1"), SqlScript.split("SELECT /*+ REPARTITION(2) */ 1;"));
    assertEquals("INSERT", SqlScript.firstWord("-- note\n/* x */ insert into t values (1)"));
    assertTrue(SqlScript.complete("SELECT 1;"));
    assertTrue(SqlScript.complete("SELECT 1;  -- done"));
    assertFalse(SqlScript.complete("SELECT 1"));
    assertFalse(SqlScript.complete("SELECT 'a;"));
    assertFalse(SqlScript.complete("SELECT 1 -- x;"));
    assertFalse(SqlScript.complete("SELECT 1; SELECT 2"));
    assertFalse(SqlScript.complete("SELECT 1 /* ; */"));
  }

  @Test
  void anAnalysisErrorNamesTheMissingTable() {
    Run r = sql("table", SqlScript.split("SELECT 1 AS one; SELECT * FROM ind.no_such_table; SELECT 2 AS two"));
    assertEquals(1, r.code);
    assertTrue(r.err.startsWith("sanku sql: [TABLE_OR_VIEW_NOT_FOUND] The table or view `ind`.`no_such_table` "
        + "cannot be found."), r.err);
    assertFalse(r.err.contains("UnresolvedRelation"), "no plan dump: " + r.err);
    assertTrue(r.out.contains(" one ") && !r.out.contains(" two "), r.out);
    Run parse = sql("table", "SELEC 1");
    assertEquals(1, parse.code);
    assertTrue(parse.err.startsWith("sanku sql: [PARSE_SYNTAX_ERROR]"), parse.err);
    Run runtime = sql("table", "SELECT assert_true(division_code = 'x') FROM ind.indicator_value");
    assertEquals(1, runtime.code);
    assertTrue(runtime.err.startsWith("sanku sql: ") && runtime.err.contains("division_code"), runtime.err);
  }

  @Test
  void thePromptRunsEachStatementWhenALineEndsWithASemicolon() throws IOException {
    String typed = "SELECT 1 AS a\n  ;\nSELECT 'x;y' AS b; \n\nSELECT * FROM ind.nope;\nSELECT 2 AS c;\n"
        + "quit;\nSELECT 3 AS never;\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream po = new PrintStream(out, true, StandardCharsets.UTF_8);
    int code;
    try (SqlRunner runner = new SqlRunner(spark, READ, ResultWriter.Format.CSV, po,
        new PrintStream(err, true, StandardCharsets.UTF_8))) {
      code = SqlCommand.interactive(runner, new BufferedReader(new StringReader(typed)), po);
    }
    // The failed statement is reported and the prompt goes on; it makes the exit code 1.
    assertEquals(1, code);
    assertEquals("sanku>     -> a\r\n1\r\nsanku> b\r\nx;y\r\nsanku> sanku> sanku> c\r\n2\r\nsanku> ",
        out.toString(StandardCharsets.UTF_8));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("`ind`.`nope`"));
  }

  // ---- the command line (none of these starts Spark)

  private static String capturedErr(Runnable r) {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theCommandLineChecksItsArgumentsBeforeStartingSpark(@TempDir Path tmp) throws IOException {
    String missing = tmp.resolve("no-warehouse").toString();
    // No person key is needed: the command gets as far as looking for the warehouse.
    String err = capturedErr(() -> assertEquals(1, Sanku.run("sql", "--warehouse", missing, "SELECT 1")));
    assertTrue(err.startsWith("sanku sql: no warehouse at "), err);
    String fmt = capturedErr(() -> assertEquals(2,
        Sanku.run("sql", "--warehouse", missing, "--format", "xml", "SELECT 1")));
    assertTrue(fmt.contains("--format") && fmt.contains("table, csv or json"), fmt);
    Path script = Files.writeString(tmp.resolve("q.sql"), "SELECT 1;");
    String both = capturedErr(() -> assertEquals(2,
        Sanku.run("sql", "--warehouse", missing, "-f", script.toString(), "SELECT 1")));
    assertTrue(both.contains("not both"), both);
  }
}
