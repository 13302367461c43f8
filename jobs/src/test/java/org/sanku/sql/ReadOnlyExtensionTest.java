package org.sanku.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.storage.Warehouse;
import org.sanku.spark.SparkSessions;
import org.sanku.spark.TestSpark;
import scala.collection.JavaConverters;

/**
 * The read-only guard as part of the users' session ({@link SparkSessions#forReaders}): statements are run with
 * {@code spark.sql} directly, without {@code ./sanku sql}'s runner, and plans are built with the Dataset API, so
 * what is checked is the session itself. The pipeline's session, on the same Spark context, writes the data and
 * checks afterwards that nothing changed.
 */
class ReadOnlyExtensionTest {

  @TempDir
  static Path dir;

  private static SparkSession pipeline;
  private static SparkSession readers;
  private static Path jar;
  private static Path file;

  @BeforeAll
  static void warehouse() throws IOException {
    pipeline = TestSpark.get();
    readers = TestSpark.readers();
    String location = dir.resolve("wh").toUri().toString();
    new Warehouse(pipeline, location, "roe_a", "roe_i");
    pipeline.sql("CREATE NAMESPACE roe_a.ind");
    pipeline.sql("CREATE TABLE roe_a.ind.t (code STRING, value DOUBLE)");
    pipeline.sql("INSERT INTO roe_a.ind.t VALUES ('511302', 1.5), ('511303', 2.5)");
    pipeline.range(3).write().parquet(dir.resolve("files").toString());
    // A view whose body calls a Java method, in the session catalog both sessions share.
    pipeline.sql("CREATE OR REPLACE VIEW default.roe_reflecting AS SELECT reflect('java.lang.System', 'getenv', "
        + "'HOME') AS home");
    org.sanku.sql.AnalyticsCatalog.register(readers, location, "roe_r");
    readers.sql("USE roe_r");
    jar = Files.createFile(dir.resolve("x.jar"));
    file = Files.writeString(dir.resolve("x.txt"), "x");
  }

  /** The users' session is shared with other tests: leave it on the session catalog, as it started. */
  @AfterAll
  static void leave() {
    readers.sql("USE spark_catalog");
  }

  private static long count(String sql) {
    return pipeline.sql(sql).first().getLong(0);
  }

  private static String refusal(Executable e) {
    return assertThrows(RefusedException.class, e).getMessage();
  }

  // ---- which sessions carry the guard

  @Test
  void theUsersSessionCarriesTheGuardAndThePipelinesDoesNot() {
    assertTrue(ReadOnlyExtension.guards(readers));
    // Sessions derived from it (the JDBC server opens one per connection this way) carry it too.
    assertTrue(ReadOnlyExtension.guards(readers.newSession()));
    // The pipeline's builder, asked again, hands back the pipeline's session: no guard, it writes.
    SparkSession built = SparkSessions.create("sanku-tests", "local[2]");
    assertFalse(ReadOnlyExtension.guards(built));
    assertFalse(ReadOnlyExtension.guards(pipeline));
    assertFalse(pipeline.sparkContext().getConf().get("spark.sql.extensions", "")
        .contains(ReadOnlyExtension.class.getName()));
    pipeline.sql("CREATE TABLE roe_a.ind.scratch (a INT)");
    pipeline.sql("INSERT INTO roe_a.ind.scratch VALUES (1)");
    assertEquals(1, count("SELECT count(*) FROM roe_a.ind.scratch"));
    pipeline.sql("DROP TABLE roe_a.ind.scratch");
    // Each call gives a fresh users' session, guarded, which sees none of the other's catalogs.
    SparkSession other = SparkSessions.forReaders("sanku-tests", "local[2]");
    assertTrue(ReadOnlyExtension.guards(other));
    assertFalse(other.conf().contains("spark.sql.catalog.roe_r"));
    assertEquals("false", other.conf().get("spark.sql.runSQLOnFiles"));
  }

  // ---- refusals, and nothing changes

  /** What a statement could change, taken before and after the refusals. */
  private record State(long rows, long snapshots, Set<String> refs, List<String> tables, List<String> jars,
      List<String> files, boolean cacheEmpty, boolean view, Map<String, String> conf, boolean out) {

    static State now() {
      return new State(count("SELECT count(*) FROM roe_a.ind.t"), count("SELECT count(*) FROM roe_a.ind.t.snapshots"),
          new TreeSet<>(pipeline.sql("SELECT name FROM roe_a.ind.t.refs").collectAsList().stream()
              .map(r -> r.getString(0)).toList()),
          pipeline.sql("SHOW TABLES IN roe_a.ind").collectAsList().stream().map(r -> r.getString(1)).toList(),
          JavaConverters.seqAsJavaList(readers.sparkContext().listJars()),
          JavaConverters.seqAsJavaList(readers.sparkContext().listFiles()),
          readers.sharedState().cacheManager().isEmpty(),
          readers.sessionState().catalog().getTempView("roe_v").isDefined(),
          JavaConverters.mapAsJavaMap(readers.conf().getAll()), Files.exists(dir.resolve("out")));
    }
  }

  /** Statements each refused for a reason, with a part of the refusal's message. */
  private static Map<String, String> refusedStatements() {
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("INSERT INTO ind.t VALUES ('x', 0)", "INSERT statements are refused");
    refused.put("INSERT OVERWRITE ind.t SELECT * FROM ind.t", "INSERT statements are refused");
    refused.put("UPDATE ind.t SET value = 0", "UPDATE statements are refused");
    refused.put("DELETE FROM ind.t", "DELETE statements are refused");
    refused.put("MERGE INTO ind.t t USING ind.t s ON t.code = s.code WHEN MATCHED THEN DELETE",
        "MERGE statements are refused");
    refused.put("INSERT OVERWRITE DIRECTORY '" + dir.resolve("out") + "' USING parquet SELECT 1",
        "INSERT statements are refused");
    refused.put("CREATE TABLE ind.u (a INT)", "CREATE statements are refused");
    refused.put("CREATE TEMPORARY VIEW roe_v AS SELECT 1", "CREATE statements are refused");
    refused.put("CREATE TEMPORARY FUNCTION roe_f AS 'java.lang.String'", "CREATE statements are refused");
    refused.put("DROP TABLE ind.t", "DROP statements are refused");
    refused.put("ALTER TABLE ind.t ADD COLUMN extra INT", "ALTER statements are refused");
    refused.put("ALTER TABLE ind.t CREATE BRANCH mine", "ALTER statements are refused");
    refused.put("TRUNCATE TABLE ind.t", "TRUNCATE statements are refused");
    refused.put("CACHE TABLE ind.t", "CACHE statements are refused");
    refused.put("UNCACHE TABLE ind.t", "UNCACHE statements are refused");
    refused.put("CALL roe_r.system.expire_snapshots(table => 'ind.t')", "CALL statements are refused");
    refused.put("ADD JAR " + jar, "ADD statements are refused");
    refused.put("ADD FILE " + file, "ADD statements are refused");
    refused.put("RESET", "RESET statements are refused");
    refused.put("RESET spark.sql.runSQLOnFiles", "RESET statements are refused");
    refused.put("SET spark.sql.runSQLOnFiles=true", "SET with a value is refused");
    refused.put("SET spark.sql.catalog.x=org.apache.iceberg.spark.SparkCatalog", "SET with a value is refused");
    refused.put("SELECT TRANSFORM(code) USING 'cat' AS (c) FROM ind.t", "TRANSFORM runs a program");
    refused.put("SELECT * FROM parquet.`" + dir.resolve("files") + "`", "reads files by path");
    refused.put("SELECT * FROM csv.`" + file + "`", "reads files by path");
    refused.put("SELECT reflect('java.lang.System', 'getenv', 'HOME')", "the function reflect calls Java methods");
    refused.put("SELECT * FROM ind.t WHERE code = java_method('java.lang.System', 'getenv', 'HOME')",
        "the function java_method calls Java methods");
    refused.put("SELECT (SELECT max(code) FROM ind.t WHERE reflect('java.lang.Thread', 'activeCount') > '0')",
        "the function reflect calls Java methods");
    refused.put("EXPLAIN INSERT INTO ind.t VALUES ('x', 0)", "EXPLAIN statements are refused");
    refused.put("DESCRIBE QUERY SELECT reflect('java.lang.System', 'getenv', 'HOME')", "calls Java methods");
    return refused;
  }

  @Test
  void everyRefusedStatementIsRefusedBeforeItRunsAndChangesNothing() {
    State before = State.now();
    refusedStatements().forEach((statement, why) -> {
      String message = refusal(() -> readers.sql(statement));
      assertTrue(message.contains(why) && message.contains("refused"), statement + ": " + message);
    });
    // Nothing changed: the same rows and snapshots, no new table or branch, no file written, no jar or file
    // added, nothing cached, no view, the settings as they were.
    assertEquals(before, State.now());
    assertFalse(readers.sessionState().catalog().isTemporaryFunction(FunctionIdentifier.apply("roe_f")));
  }

  /**
   * The check rule on its own: the statements are parsed by the pipeline's parser, which has no guard, and handed
   * to the users' session as {@code spark.sql} hands a parsed plan on ({@code Dataset.ofRows}, where commands run
   * eagerly). The analysed plan is refused before any of it runs.
   */
  @Test
  void theCheckRuleAloneRefusesParsedPlansBeforeTheyRun() {
    State before = State.now();
    for (String statement : refusedStatements().keySet()) {
      LogicalPlan plan;
      try {
        plan = pipeline.sessionState().sqlParser().parsePlan(statement.replace(" ind.t", " roe_r.ind.t"));
      } catch (ParseException e) {
        throw new AssertionError(statement, e);
      }
      Exception e = assertThrows(Exception.class, () -> Dataset.ofRows(readers, plan), statement);
      // CALL and the files by path fail earlier, in the analyser, refused by the read-only catalog: it has no
      // procedures to load, and with reading files by path off, parquet.`/x` is the table `/x` in it.
      boolean byCatalog = statement.startsWith("CALL") || statement.contains(".`");
      assertTrue(e instanceof RefusedException || byCatalog && e.getMessage().contains("refused"),
          statement + ": " + e);
    }
    assertEquals(before, State.now());
  }

  @Test
  void plansThatNeverWereSqlAreCheckedToo() {
    // Writes through the Dataset API are plans the parser never saw: the check rule refuses them once analysed.
    String append = refusal(() -> readers.table("roe_r.ind.t").writeTo("roe_r.ind.t").append());
    assertTrue(append.contains("the write AppendData is refused"), append);
    String insert = refusal(() -> readers.table("roe_r.ind.t").write().insertInto("roe_r.ind.t"));
    assertTrue(insert.contains("is refused"), insert);
    String files = refusal(() -> readers.read().parquet(dir.resolve("files").toString()));
    assertTrue(files.contains("reading files by path is refused"), files);
    // A function registered on the session runs code of its own, like reflect.
    readers.udf().register("roe_udf", (UDF1<Long, Long>) x -> x, DataTypes.LongType);
    String udf = refusal(() -> readers.sql("SELECT roe_udf(id) FROM range(3)"));
    assertTrue(udf.contains("the user-defined function roe_udf runs code of its own"), udf);
    // A view's body is analysed with the query that reads it.
    String view = refusal(() -> readers.sql("SELECT * FROM spark_catalog.default.roe_reflecting"));
    assertTrue(view.contains("the function reflect calls Java methods"), view);
    assertEquals(2, count("SELECT count(*) FROM roe_a.ind.t"));
  }

  /**
   * What may run does run, in its analysed form too: Iceberg's tables' statements stay as parsed, those on the
   * session catalog become Spark's v1 commands. (SHOW COLUMNS is Spark's v1 only, so it is shown on the view.)
   */
  @Test
  void queriesAndShowingStatementsRun() {
    for (String s : List.of("SELECT * FROM ind.t", "SELECT count(*) FROM roe_r.ind.t WHERE value > 1",
        "WITH x AS (SELECT * FROM ind.t) SELECT code FROM x", "VALUES (1), (2)", "TABLE ind.t",
        "SELECT * FROM range(3)", "SHOW TABLES IN ind", "SHOW NAMESPACES", "SHOW VIEWS IN ind", "SHOW CATALOGS",
        "SHOW CURRENT NAMESPACE", "SHOW CREATE TABLE ind.t", "SHOW TBLPROPERTIES ind.t",
        "SHOW FUNCTIONS", "DESCRIBE ind.t", "DESCRIBE TABLE EXTENDED ind.t", "DESCRIBE ind.t code",
        "DESCRIBE NAMESPACE ind", "DESCRIBE FUNCTION upper", "DESCRIBE QUERY SELECT * FROM ind.t",
        "EXPLAIN SELECT * FROM ind.t", "EXPLAIN EXTENDED SELECT 1", "USE ind", "USE roe_r", "SET", "SET -v",
        "SET spark.sql.session.timeZone", "SHOW TABLES IN spark_catalog.default",
        "DESCRIBE spark_catalog.default.roe_reflecting", "SHOW COLUMNS IN spark_catalog.default.roe_reflecting",
        "SHOW CREATE TABLE spark_catalog.default.roe_reflecting", "SELECT * FROM ind.t.history",
        "SELECT * FROM ind.t.files", "SELECT * FROM ind.t.partitions")) {
      try {
        readers.sql(s).collectAsList();
      } catch (RuntimeException e) {
        fail(s + ": " + e.getMessage());
      }
    }
    readers.sql("SET TIME ZONE 'UTC'");
    assertEquals("UTC", readers.conf().get("spark.sql.session.timeZone"));
    readers.sql("SET TIME ZONE 'Asia/Shanghai'");
    readers.sql("USE roe_r");
  }
}
