package org.sanku.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.config.ConfigException;
import org.sanku.config.ConfigProblem;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.pipeline.SankuConfig;
import org.sanku.pipeline.SankuConfigTest;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.Warehouse;

/**
 * A broken check is refused before any data is read, naming its file and field: the structure when the
 * configuration is loaded (with every other problem of conf/), the SQL when the catalog is checked against the
 * tables' layouts (as a nightly does before it ingests). A table query that reads the identity zone is refused.
 */
class BrokenChecksTest {

  static final String BROKEN = """
      checks:
        misspelt_kind:
          description_zh: 出生日期缺失
          description_en: Missing birth dates
          kind: completness
          table: pop_person
          predicate: "birth_date IS NULL"
          threshold: 0
          severity: warn
          recommendation: 补录。
        no_severity:
          description_zh: 出生日期缺失
          description_en: Missing birth dates
          kind: completeness
          table: pop_person
          predicate: "birth_date IS NULL"
          threshold: 0.5
          recommendation: 补录。
        nowhere:
          description_zh: 无此表
          description_en: No such table
          kind: completeness
          table: pop_persons
          predicate: "birth_date IS NULL"
          threshold: 0
          severity: info
          recommendation: 无。
        two_forms:
          description_zh: 两种写法
          description_en: Two forms
          kind: plausibility
          table: ehr_physical_exam
          columns: [sbp]
          min: 60
          violated: count(*)
          denominator: count(*)
          threshold: "a lot"
          severity: warn
          recommendation: 无。
      """;

  @Test
  void aBrokenCheckFileIsRefusedWithItsFileAndFieldWhenTheConfigurationIsLoaded(@TempDir Path dir) throws Exception {
    Path conf = SankuConfigTest.copyConf(dir.resolve("etc"));
    Path local = conf.resolve("checks").resolve("local.yaml");
    Files.writeString(local, BROKEN);
    SankuConfig.Locations at = SankuConfig.Locations.resolve(Map.of("SANKU_CONF", conf.toString(), "SANKU_HOME",
        SankuConfigTest.PROJECT.toString())::get);
    ConfigException e = assertThrows(ConfigException.class, () -> SankuConfig.load(at));
    List<ConfigProblem> p = e.details();
    assertProblem(p, local, "checks.misspelt_kind.kind", "unknown kind 'completness'");
    assertProblem(p, local, "checks.no_severity.severity", "required");
    assertProblem(p, local, "checks.nowhere.table", "no table 'pop_persons'");
    assertProblem(p, local, "checks.two_forms", "give one of");
    assertProblem(p, local, "checks.two_forms.threshold", "expected a number");
    assertEquals(5, p.size(), e.getMessage());
  }

  @Test
  void checkSqlIsAnalysedAgainstTheLayoutsBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
    SparkSession spark = TestSpark.get();
    // An identity zone with a table, registered on the session as a nightly's is.
    Warehouse wh = new Warehouse(spark, Warehouse.locationOf(dir.resolve("wh").toString()), "bc_a", "bc_i");
    new IcebergWriter(spark).replace(wh.id("secret"), spark.createDataFrame(List.of(RowFactory.create("110101…")),
        new StructType().add("id_no", DataTypes.StringType)));
    Path checks = Files.createDirectories(dir.resolve("checks"));
    Files.writeString(checks.resolve("local.yaml"), """
        tables:
          peek:
            source: population
            sql: SELECT id_no FROM bc_i.id.secret
          typo:
            source: ehr
            sql: SELECT * FROM std.ehr_physical_exam
            org: exam_org
        checks:
          misspelt_column:
            description_zh: 出生日期缺失
            description_en: Missing birth dates
            kind: completeness
            table: pop_person
            predicate: "birth_dat IS NULL"
            threshold: 0
            severity: warn
            recommendation: 补录。
          not_an_aggregate:
            description_zh: 收缩压
            description_en: Systolic pressure
            kind: plausibility
            table: ehr_physical_exam
            violated: sbp
            denominator: count(*)
            threshold: 0
            severity: warn
            recommendation: 无。
          reads_identity:
            description_zh: 偷看
            description_en: Peeking
            kind: completeness
            table: peek
            predicate: "id_no IS NULL"
            threshold: 0
            severity: warn
            recommendation: 无。
        """);
    Files.copy(TestConfig.CONF.resolve("checks").resolve("tables.yaml"), checks.resolve("tables.yaml"));
    CheckCatalog catalog = CheckCatalog.load(checks, SchemaCatalog.SOURCES);
    ConfigException e = assertThrows(ConfigException.class,
        () -> QualityJob.validate(spark, catalog, TestConfig.get().schemas()));
    Path local = checks.resolve("local.yaml");
    List<ConfigProblem> p = e.details();
    assertProblem(p, local, "checks.misspelt_column.predicate", "birth_dat");
    assertProblem(p, local, "checks.not_an_aggregate.violated", "'sbp' is not an aggregate");
    assertProblem(p, local, "tables.peek.sql", "reads a table by its catalog name");
    assertProblem(p, local, "tables.typo.org", "exam_org");
    assertEquals(4, p.size(), e.getMessage());
    // The shipped catalog passes the same analysis.
    QualityJob.validate(spark, TestConfig.get().checks(), TestConfig.get().schemas());
  }

  static void assertProblem(List<ConfigProblem> problems, Path file, String key, String message) {
    for (ConfigProblem p : problems) {
      if (p.file().equals(file.toString()) && p.key().equals(key) && p.message().contains(message)) {
        return;
      }
    }
    throw new AssertionError("no problem " + file + ": " + key + ": …" + message + "… in " + problems);
  }

  @Test
  void theShippedCatalogHasEveryKindTheIssueAsksFor() {
    CheckCatalog c = TestConfig.get().checks();
    assertEquals(java.util.EnumSet.allOf(CheckCatalog.Kind.class), c.checks.values().stream()
        .map(CheckCatalog.Check::kind).collect(java.util.stream.Collectors.toCollection(
            () -> java.util.EnumSet.noneOf(CheckCatalog.Kind.class))));
    assertTrue(c.checks.values().stream().anyMatch(k -> k.severity() == CheckCatalog.Severity.ERROR));
    for (CheckCatalog.Check k : c.checks.values()) {
      assertTrue(k.recommendation().codePoints().anyMatch(cp -> Character.UnicodeScript.of(cp)
          == Character.UnicodeScript.HAN), k.id() + " has a recommendation in Chinese");
    }
  }
}
