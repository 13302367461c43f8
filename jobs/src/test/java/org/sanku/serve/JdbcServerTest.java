package org.sanku.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sanku.serve.ServedRegion.connect;
import static org.sanku.serve.ServedRegion.count;
import static org.sanku.serve.ServedRegion.rows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.cli.SqlAccess;
import org.sanku.config.Yaml;
import org.sanku.link.LinkedRegion;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/**
 * {@code ./sanku serve} with real clients (the Hive JDBC driver 2.3.9 and beeline, over TLS) against one server
 * over the generated region ({@link ServedRegion}). Expected numbers are counted on the pipeline's own session,
 * straight from the Iceberg tables, with none of the server's views, rules or sessions in between.
 */
class JdbcServerTest {

  private static SparkSession spark;
  private static Warehouse wh;

  @BeforeAll
  static void start() throws Exception {
    ServedRegion.server();
    spark = TestSpark.get();
    wh = LinkedRegion.warehouse();
  }

  @AfterAll
  static void stop() {
    ServedRegion.stop();
    // The server leaves Spark's catalog as it found it.
    assertFalse(spark.catalog().databaseExists("ind"));
    assertFalse(spark.catalog().databaseExists(Warehouse.SERVER_NAMESPACE));
  }

  /** A count on the pipeline's session, straight from the Iceberg table. */
  private static long direct(String sql) {
    return spark.sql(sql).first().getLong(0);
  }

  @Test
  void indicatorValuesOverJdbcAreTheNumbersOfSankuSql() throws Exception {
    String query = "SELECT indicator_id, division_code, numerator, denominator, value FROM ind.indicator_value "
        + "WHERE period_end = DATE'2025-12-31' ORDER BY indicator_id, division_code";
    List<String> jdbc;
    try (Connection c = connect("prov")) {
      jdbc = rows(c, query);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, SqlAccess.run(spark, wh.analytics, query, new PrintStream(out, true, StandardCharsets.UTF_8)));
    List<String> sql = new ArrayList<>(List.of(out.toString(StandardCharsets.UTF_8).split("\r\n")));
    assertEquals("indicator_id,division_code,numerator,denominator,value", sql.remove(0));
    // 20 indicators × (9 counties + city + province).
    assertEquals(220, jdbc.size());
    assertEquals(sql.size(), jdbc.size());
    for (int i = 0; i < sql.size(); i++) {
      String[] s = sql.get(i).split(",", -1);
      String[] j = jdbc.get(i).split("\\|", -1);
      assertEquals(List.of(s[0], s[1], s[2], s[3]), List.of(j[0], j[1], j[2], j[3]), "row " + i);
      // ./sanku sql prints a double exactly (shortest form), JDBC hands the double over: the same number.
      assertEquals(s[4].isEmpty() ? null : Double.valueOf(s[4]), j[4].equals("null") ? null : Double.valueOf(j[4]));
    }
  }

  @Test
  void metadataCallsListEveryPublishedTableWithItsColumnsAndTheirComments() throws Exception {
    try (Connection c = connect("carol")) {
      DatabaseMetaData md = c.getMetaData();
      Set<String> schemas = new TreeSet<>();
      try (ResultSet r = md.getSchemas()) {
        while (r.next()) {
          schemas.add(r.getString("TABLE_SCHEM"));
        }
      }
      assertTrue(schemas.containsAll(Warehouse.PUBLISHED_NAMESPACES), schemas.toString());
      for (String ns : Warehouse.PUBLISHED_NAMESPACES) {
        // The analytics zone's tables, as the pipeline's session lists them.
        Set<String> want = new TreeSet<>();
        for (Row t : spark.sql("SHOW TABLES IN " + wh.analytics + "." + ns).collectAsList()) {
          want.add(t.getString(1));
        }
        Set<String> got = new TreeSet<>();
        try (ResultSet r = md.getTables(null, ns, "%", null)) {
          while (r.next()) {
            got.add(r.getString("TABLE_NAME"));
            assertEquals("VIEW", r.getString("TABLE_TYPE"));
          }
        }
        assertEquals(want, got, ns);
      }
      // ind.indicator_value's columns, in order, each with the description its layout file gives.
      JsonNode layout = Yaml.read(java.nio.file.Path.of("..", "schemas", "ind", "indicator_value.yaml"));
      Map<String, String> want = new java.util.LinkedHashMap<>();
      layout.get("columns").forEach(col -> want.put(col.get("name").asText(), col.get("description").asText()));
      Map<String, String> got = new java.util.LinkedHashMap<>();
      try (ResultSet r = md.getColumns(null, "ind", "indicator_value", "%")) {
        while (r.next()) {
          got.put(r.getString("COLUMN_NAME"), r.getString("REMARKS"));
        }
      }
      assertEquals(want, got);
      // A contract column is described by its Chinese name (schemas/pop_person.yaml: sex_code, 性别代码), and its
      // verbatim twin says so.
      try (ResultSet r = md.getColumns(null, "std", "pop_person", "sex_code%")) {
        assertTrue(r.next());
        assertEquals("性别代码", r.getString("REMARKS"));
        assertTrue(r.next());
        assertEquals("sex_code_src", r.getString("COLUMN_NAME"));
        assertTrue(r.getString("REMARKS").startsWith("性别代码（原值）"), r.getString("REMARKS"));
      }
    }
  }

  /** Each snapshot id of every table of the analytics zone, read on the pipeline's session. */
  private static Map<String, List<Long>> snapshots() {
    Map<String, List<Long>> out = new TreeMap<>();
    for (String ns : Warehouse.PUBLISHED_NAMESPACES) {
      for (Row t : spark.sql("SHOW TABLES IN " + wh.analytics + "." + ns).collectAsList()) {
        String name = wh.analytics(ns, t.getString(1));
        out.put(name, spark.sql("SELECT snapshot_id FROM " + name + ".snapshots ORDER BY committed_at").collectAsList()
            .stream().map(r -> r.getLong(0)).toList());
      }
    }
    return out;
  }

  @Test
  void everyWriteCommandFileReadAndJavaCallIsRefusedOverJdbcWithNothingChanged() throws Exception {
    Map<String, List<Long>> before = snapshots();
    Set<String> views = new TreeSet<>(ServedRegion.server().published());
    long rows = direct("SELECT count(*) FROM " + wh.ind("indicator_value"));
    String location = wh.location.replace("file:", "");
    Map<String, String> refused = new java.util.LinkedHashMap<>();
    refused.put("INSERT INTO ind.indicator_value SELECT * FROM ind.indicator_value", "INSERT statements are refused");
    refused.put("INSERT INTO srvt.ind.indicator_value SELECT * FROM srvt.ind.indicator_value",
        "INSERT statements are refused");
    refused.put("DELETE FROM srvt.ind.indicator_value", "DELETE statements are refused");
    refused.put("UPDATE srvt.ind.indicator_value SET value = 0", "UPDATE statements are refused");
    refused.put("MERGE INTO srvt.ind.indicator_value t USING srvt.ind.indicator_value s ON t.run_id = s.run_id "
        + "WHEN MATCHED THEN DELETE", "MERGE statements are refused");
    refused.put("CREATE TABLE srvt.ind.copy AS SELECT * FROM ind.indicator_value", "CREATE statements are refused");
    refused.put("CREATE VIEW ind.mine AS SELECT 1", "CREATE statements are refused");
    refused.put("DROP VIEW ind.indicator_value", "DROP statements are refused");
    refused.put("ALTER TABLE srvt.ind.indicator_value SET TBLPROPERTIES ('x' = 'y')", "ALTER statements are refused");
    refused.put("CALL srvt.system.expire_snapshots('ind.indicator_value')", "CALL statements are refused");
    refused.put("SELECT * FROM parquet.`" + location + "/analytics/ind/indicator_value/data`", "reads files by path");
    refused.put("ADD JAR /tmp/evil.jar", "ADD statements are refused");
    refused.put("SET spark.sql.catalog.evil = org.apache.iceberg.spark.SparkCatalog", "SET with a value is refused");
    refused.put("SET spark.sql.runSQLOnFiles = true", "SET with a value is refused");
    refused.put("SELECT reflect('java.lang.System', 'exit', 0)", "the function reflect calls Java methods");
    refused.put("SELECT java_method('java.lang.System', 'getenv', 'HOME')", "the function java_method calls Java");
    refused.put("CACHE TABLE ind.indicator_value", "CACHE statements are refused");
    try (Connection c = connect("prov")) {
      for (Map.Entry<String, String> e : refused.entrySet()) {
        SQLException x = assertThrows(SQLException.class, () -> rows(c, e.getKey()), e.getKey());
        assertTrue(x.getMessage().contains(e.getValue()), e.getKey() + " → " + x.getMessage());
      }
      // The connection still works, and nothing it tried registered a catalog.
      assertEquals(rows, count(c, "SELECT count(*) FROM ind.indicator_value"));
      assertThrows(SQLException.class, () -> rows(c, "SELECT * FROM evil.ind.indicator_value"));
    }
    assertEquals(before, snapshots());
    assertEquals(rows, direct("SELECT count(*) FROM " + wh.ind("indicator_value")));
    assertEquals(views, new TreeSet<>(ServedRegion.server().published()));
    assertFalse(spark.catalog().tableExists("ind.mine"));
  }

  @Test
  void aWrongPasswordAnUnknownUserAndALockedUserAreRefusedWithOneLogLineEach() throws Exception {
    assertThrows(SQLException.class, () -> connect("carol", "not the password", "").close());
    assertThrows(SQLException.class, () -> connect("mallory", ServedRegion.PASSWORD, "").close());
    java.nio.file.Path file = ServedRegion.settings().usersFile();
    Users u = Users.load(file, Set.of("analyst", "detail"));
    u.with(u.get("city").orElseThrow().withLocked(true)).save();
    try {
      assertThrows(SQLException.class, () -> connect("city").close());
    } finally {
      Users.load(file, Set.of("analyst", "detail")).with(u.get("city").orElseThrow()).save();
    }
    String log = ServedRegion.log();
    assertEquals(1, log.lines().filter(l -> l.contains("login refused: carol: wrong password")).count(), log);
    assertEquals(1, log.lines().filter(l -> l.contains("login refused: mallory: no such user")).count(), log);
    assertEquals(1, log.lines().filter(l -> l.contains("login refused: city: locked")).count(), log);
    // One line each: nothing else of HiveServer2's (no stack trace) around them, and never a password.
    assertFalse(log.contains("not the password") || log.contains(ServedRegion.PASSWORD), log);
  }

  @Test
  void aCountyLoginSeesItsCountyByAnyQueryAndNothingOfAnother() throws Exception {
    long persons = direct("SELECT count(*) FROM " + wh.model("person") + " WHERE county_code = '511302'");
    assertTrue(persons > 100 && persons < direct("SELECT count(*) FROM " + wh.model("person")) / 4, "" + persons);
    // A visit belongs to its person's county; an unlinked visit to the county of the address on it.
    long visits = direct("SELECT count(*) FROM " + wh.model("emr_visit") + " v LEFT JOIN " + wh.model("person")
        + " p ON p.person_key = v.person_key WHERE coalesce(p.county_code, v.current_division_code_county) = '511302'");
    long values = direct("SELECT count(*) FROM " + wh.ind("indicator_value") + " WHERE division_code = '511302000000'");
    long snapshot = direct("SELECT snapshot_id FROM " + wh.model("person") + ".snapshots LIMIT 1");
    try (Connection c = connect("carol")) {
      assertEquals(persons, count(c, "SELECT count(*) FROM model.person"));
      assertEquals(visits, count(c, "SELECT count(*) FROM model.emr_visit"));
      assertEquals(values, count(c, "SELECT count(*) FROM ind.indicator_value"));
      assertEquals(List.of("511302000000"), rows(c, "SELECT DISTINCT division_code FROM ind.indicator_value"));
      // Another county, by a filter, a join or a subquery: nothing.
      assertEquals(0, count(c, "SELECT count(*) FROM model.person WHERE county_code = '511303'"));
      assertEquals(0, count(c, "SELECT count(*) FROM model.emr_visit v JOIN model.person p "
          + "ON p.person_key = v.person_key WHERE p.county_code <> '511302'"));
      assertEquals(0, count(c, "SELECT count(*) FROM ind.indicator_value WHERE division_code IN "
          + "(SELECT DISTINCT division_code FROM ind.indicator_value WHERE division_level <> 'county')"));
      // Around the views: the catalog itself, its metadata tables (their column bounds span every county), time
      // travel, the table of scopes, information_schema.
      for (String sql : List.of("SELECT count(*) FROM srvt.model.person", "SELECT count(*) FROM srvt.model.person.files",
          "SELECT count(*) FROM srvt.model.person VERSION AS OF " + snapshot, "DESCRIBE srvt.model.person",
          "SELECT * FROM spark_catalog.sanku_serve.user_scope",
          "SHOW CREATE TABLE spark_catalog.sanku_serve.user_scope",
          "WITH x AS (SELECT * FROM srvt.ind.indicator_value) SELECT count(*) FROM x")) {
        SQLException x = assertThrows(SQLException.class, () -> rows(c, sql), sql);
        assertTrue(x.getMessage().contains("is refused for carol") || x.getMessage().contains("sanku_serve is the"),
            sql + " → " + x.getMessage());
      }
      // EXPLAIN analyses its statement when it runs, and shows the refusal instead of a plan.
      String explained = String.join("\n", rows(c, "EXPLAIN SELECT * FROM srvt.model.person"));
      assertTrue(explained.contains("srvt.model.person is refused for carol") && !explained.contains("BatchScan"),
          explained);
      assertThrows(SQLException.class, () -> rows(c, "SELECT count(*) FROM model.person VERSION AS OF " + snapshot));
      assertThrows(SQLException.class, () -> rows(c, "SELECT * FROM information_schema.tables"));
    }
  }

  @Test
  void aCityLoginSeesItsCountiesAndCityAndAnAnalystOnlyAggregates() throws Exception {
    try (Connection c = connect("city")) {
      // 9 counties and the city, not the province: 10 divisions of every indicator.
      assertEquals(List.of("city|20", "county|180"), rows(c, "SELECT division_level, count(*) FROM "
          + "ind.indicator_value WHERE period_end = DATE'2025-12-31' GROUP BY 1 ORDER BY 1"));
      assertEquals(direct("SELECT count(*) FROM " + wh.model("person") + " WHERE county_code LIKE '5113%'"),
          count(c, "SELECT count(*) FROM model.person"));
    }
    try (Connection c = connect("ana")) {
      assertTrue(count(c, "SELECT count(*) FROM link.link_rate") > 1);
      assertEquals(direct("SELECT count(*) FROM " + wh.link("link_rate") + " WHERE (level = 'org' AND county_code = "
          + "'511302') OR (level <> 'org' AND code LIKE '511302%')"), count(c, "SELECT count(*) FROM link.link_rate"));
      SQLException x = assertThrows(SQLException.class, () -> rows(c, "SELECT count(*) FROM model.person"));
      assertTrue(x.getMessage().contains("the role analyst reads dq.*, ind.*, link.link_rate, ops.* only"),
          x.getMessage());
      // The data-quality results of the county's own groups: those grouped by the county, and those of an
      // organisation without a county in its group whose code starts with the county's; a whole source's or a
      // file's result is the region's, not the county's.
      long dq = direct("SELECT count(*) FROM " + wh.dq("check_result") + " WHERE group_keys['county'] = '511302' "
          + "OR (group_keys['county'] IS NULL AND group_keys['org'] LIKE '511302%')");
      assertTrue(dq > 0, "no data-quality result of county 511302 to see");
      assertEquals(dq, count(c, "SELECT count(*) FROM dq.check_result"));
      assertEquals(0, count(c, "SELECT count(*) FROM dq.check_result WHERE level IN ('source', 'file') "
          + "OR size(group_keys) = 0"));
      // The catalog as run is every login's to read.
      assertEquals(direct("SELECT count(*) FROM " + wh.dq("check")), count(c, "SELECT count(*) FROM dq.check"));
      assertThrows(SQLException.class, () -> rows(c, "SELECT count(*) FROM ind.indicator_value i JOIN "
          + "link.record_link r ON i.run_id = r.source"));
    }
  }

  @Test
  void aLoginLockedWhileConnectedIsRefusedFromItsNextStatement() throws Exception {
    java.nio.file.Path file = ServedRegion.settings().usersFile();
    Users u = Users.load(file, Set.of("analyst", "detail"));
    try (Connection c = connect("ana")) {
      assertTrue(count(c, "SELECT count(*) FROM ind.indicator_value") > 0);
      u.with(u.get("ana").orElseThrow().withLocked(true)).save();
      SQLException x = assertThrows(SQLException.class, () -> rows(c, "SELECT count(*) FROM ind.indicator_value"));
      assertTrue(x.getMessage().contains("was removed, locked or changed"), x.getMessage());
    } finally {
      u.save();
    }
  }

  @Test
  void aConnectionMayNotBringSettingsNorActForAnotherUser() {
    for (String extra : List.of("?spark.sql.runSQLOnFiles=true", "#spark.sql.catalog.evil=x",
        ";hive.server2.proxy.user=prov")) {
      SQLException x = assertThrows(SQLException.class, () -> connect("carol", ServedRegion.PASSWORD, extra).close());
      assertTrue(x.getMessage().contains("is refused") || x.getMessage().contains("Proxy user substitution is not "
          + "allowed"), extra + " → " + x.getMessage());
    }
  }

  @Test
  void resultsStopAtTheRowCapAndEveryStatementIsLoggedWithItsRows() throws Exception {
    try (Connection c = connect("prov")) {
      assertEquals(ServedRegion.MAX_ROWS, rows(c, "SELECT person_key FROM model.person").size());
      assertEquals(20, rows(c, "SELECT * FROM ind.indicator_value WHERE division_code = '511302000000' "
          + "AND period_end = DATE'2025-12-31'").size());
    }
    ServedRegion.awaitLog("statement: prov [", "SELECT person_key FROM model.person → 500 rows, ");
    ServedRegion.awaitLog("statement: prov [", "division_code = '511302000000' AND period_end = DATE'2025-12-31' → "
        + "20 rows, ");
  }

  @Test
  void aStatementIsCancelledAtItsTimeout() throws Exception {
    try (Connection c = connect("prov"); java.sql.Statement s = c.createStatement()) {
      // The server's --timeout is every connection's (300 s here); a client may ask for less.
      assertEquals(List.of("spark.sql.thriftServer.queryTimeout|300s"),
          rows(c, "SET spark.sql.thriftServer.queryTimeout"));
      s.setQueryTimeout(2);
      long t0 = System.nanoTime();
      // A trillion rows to count: hours of work, cancelled after two seconds.
      assertThrows(java.sql.SQLTimeoutException.class,
          () -> s.executeQuery("SELECT count(*) FROM range(0, 1000000000000)"));
      assertTrue((System.nanoTime() - t0) / 1e9 < 120);
    }
    ServedRegion.awaitLog("statement cancelled: prov [", "range(0, 1000000000000) → it ran past the timeout");
  }

  @Test
  void beelineConnectsOverTlsAndGetsARefusalForAnInsert() throws Exception {
    List<String> cmd = List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "org.apache.hive.beeline.BeeLine", "-u", ServedRegion.url(""),
        "-n", "carol", "-p", ServedRegion.PASSWORD, "--outputformat=csv2", "-e",
        "SELECT count(*) AS n FROM model.person; INSERT INTO ind.indicator_value SELECT * FROM ind.indicator_value");
    Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    long persons = direct("SELECT count(*) FROM " + wh.model("person") + " WHERE county_code = '511302'");
    assertTrue(out.contains("n\n" + persons + "\n"), out);
    assertTrue(out.contains("INSERT statements are refused"), out);
  }

  @Test
  void sixteenClientsQueryingWhileANightlyPublishesSeeOnlyWholePublishedStates() throws Exception {
    String query = "SELECT count(*), count(DISTINCT run_id), max(run_id), sum(numerator) FROM %s "
        + "WHERE period_end = DATE'2025-12-31'%s";
    String before;
    try (Connection c = connect("prov")) {
      before = rows(c, String.format(query, "ind.indicator_value", "")).get(0);
    }
    int clients = 16;
    java.util.concurrent.atomic.AtomicBoolean published = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.CountDownLatch queried = new java.util.concurrent.CountDownLatch(clients);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
    List<java.util.concurrent.Future<List<String>>> seen = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      // Half the clients see the whole region, half one county: each statement must run for its own login.
      String user = i % 2 == 0 ? "prov" : "carol";
      seen.add(pool.submit(() -> {
        List<String> results = new ArrayList<>();
        try (Connection c = connect(user)) {
          boolean last;
          do {
            last = published.get();
            results.add(user + " " + rows(c, String.format(query, "ind.indicator_value", "")).get(0));
            if (results.size() == 1) {
              queried.countDown();
            }
            // A second between statements, as people and dashboards send them, leaves the nightly some of the
            // two cores.
            Thread.sleep(1000);
          } while (!last);
        }
        return results;
      }));
    }
    assertTrue(queried.await(10, java.util.concurrent.TimeUnit.MINUTES));
    // The nightly's publishing stage: the year's values computed again and merged in, one commit.
    String run = new org.sanku.pipeline.Pipeline(org.sanku.pipeline.RunContext.reading(spark, wh,
        org.sanku.spark.TestConfig.get(), new PrintStream(ServedRegion.OutputStreamNull.INSTANCE)))
        .indicators(List.of(org.sanku.indicators.Period.year(2025))).runId();
    published.set(true);
    List<String> results = new ArrayList<>();
    for (java.util.concurrent.Future<List<String>> f : seen) {
      List<String> r = f.get(10, java.util.concurrent.TimeUnit.MINUTES);
      results.addAll(r);
      // The last query of every client, after the publication, sees it.
      assertTrue(r.get(r.size() - 1).contains("|1|" + run + "|"), r.toString());
    }
    pool.shutdown();
    // Every published state of the table, by time travel on the pipeline's session: what each login may see.
    Set<String> states = new TreeSet<>();
    for (Row snap : spark.sql("SELECT snapshot_id FROM " + wh.ind("indicator_value") + ".snapshots").collectAsList()) {
      String at = wh.ind("indicator_value") + " VERSION AS OF " + snap.getLong(0);
      for (String[] who : new String[][] {{"prov", ""}, {"carol", " AND division_code LIKE '511302%'"}}) {
        Row r = spark.sql(String.format(query, at, who[1])).first();
        states.add(who[0] + " " + r.getLong(0) + "|" + r.getLong(1) + "|" + r.getString(2) + "|" + r.get(3));
      }
    }
    for (String r : results) {
      assertTrue(states.contains(r), r + " is no published state: " + states);
    }
    // Whole states only: one run's 220 values (or the county's 20), never two runs or a part of one.
    assertTrue(results.stream().allMatch(r -> r.startsWith("prov 220|1|") || r.startsWith("carol 20|1|")),
        results.toString());
    // Some queries ran before the publication, and saw the state before it.
    assertTrue(results.stream().anyMatch(r -> r.equals("prov " + before)), results.toString());
  }
}
