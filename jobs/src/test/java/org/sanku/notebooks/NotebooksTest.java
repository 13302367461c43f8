package org.sanku.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.indicators.PublishedRegion;
import org.sanku.indicators.PublishedRun;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/**
 * The notebooks of {@code notebooks/}, executed headless (nbconvert, a real Python kernel) against an export of
 * the published test region, exactly as {@code ./sanku notebooks setup}, {@code export} and {@code run} do. A
 * cell error fails the run; the key numbers the notebooks print are compared with what the test reads itself from
 * the warehouse with Spark.
 */
class NotebooksTest {

  static final Path NOTEBOOKS = Path.of("..", "notebooks");
  static final String CITY = "511300000000";
  static final Pattern KEY = Pattern.compile("^key (\\S+) = (.+)$", Pattern.MULTILINE);

  @Test
  void everyNotebookRunsOnAnExportAndPrintsThePublishedNumbers(@TempDir Path dir) throws Exception {
    Warehouse wh = PublishedRegion.warehouse();
    SparkSession spark = TestSpark.get();
    PrintStream log = new PrintStream(System.out, true);
    // The environment is made once per machine (a no-op when it is up to date) from the local wheel indexes; on a
    // machine without it, beside the other classes from the start of the test plan (NotebookSetup).
    log.print(NotebookSetup.awaitIfStarted());
    NotebookEnv env = NotebookEnv.setup(NOTEBOOKS, NotebookEnv.defaultLocation(System.getenv()),
        System.getenv().getOrDefault("SANKU_PYTHON", "python3"), log);
    PublishedRun run = new Pipeline(RunContext.reading(spark, wh, TestConfig.get(), log))
        .published(PublishedRegion.YEAR);
    NotebookExport.Result export = NotebookExport.write(run, dir.resolve("export"), log);

    // export.json names the period, the run that published it and every table with its rows.
    JsonNode manifest = new ObjectMapper().readTree(export.dir().resolve(NotebookExport.MANIFEST).toFile());
    String values = wh.ind("indicator_value");
    Row published = spark.sql("SELECT DISTINCT run_id FROM " + values
        + " WHERE period_start = DATE'2025-01-01' AND period_end = DATE'2025-12-31'").first();
    assertEquals(published.getString(0), manifest.path("run").path("run_id").asText());
    assertEquals("2025", manifest.path("period").path("argument").asText());
    assertEquals(spark.table(values).count(), manifest.path("tables").path("ind.indicator_value").path("rows")
        .asLong());
    assertEquals(spark.table(wh.analytics("link", "link_rate")).count(),
        manifest.path("tables").path("link.link_rate").path("rows").asLong());

    List<Path> executed = env.run(NOTEBOOKS, export.dir(), dir.resolve("out"), log);
    assertEquals(3, executed.size());
    Map<String, String> keys = new TreeMap<>();
    for (Path nb : executed) {
      JsonNode book = new ObjectMapper().readTree(nb.toFile());
      int images = 0;
      for (JsonNode cell : book.path("cells")) {
        for (JsonNode out : cell.path("outputs")) {
          assertFalse("error".equals(out.path("output_type").asText()), nb + ": " + out);
          images += out.path("data").has("image/png") ? 1 : 0;
          if ("stream".equals(out.path("output_type").asText())) {
            String text = join(out.path("text"));
            assertFalse(text.contains("Glyph") && text.contains("missing"), nb + ": Chinese text without a font: "
                + text);
            Matcher m = KEY.matcher(text);
            while (m.find()) {
              keys.put(m.group(1), m.group(2).trim());
            }
          }
        }
      }
      assertTrue(images >= 2, nb + " drew " + images + " charts");
    }

    // 1: the city's rates as published, and its 65+ management recounted from the persons counted.
    for (String id : List.of("elderly_health_mgmt", "elderly_tcm_mgmt")) {
      Row r = spark.sql("SELECT value FROM " + values + " WHERE indicator_id = '" + id + "' AND division_code = '"
          + CITY + "' AND period_type = 'year'").first();
      assertEquals(r.getDouble(0), Double.parseDouble(keys.get("city." + CITY + "." + id)), id);
    }
    // The persons counted are the registry's: where the region delivers official population figures the published
    // denominator is the official one, and the registry's count is the published registry_denominator beside it.
    Row mgmt = spark.sql("SELECT numerator, coalesce(registry_denominator, denominator) FROM " + values
        + " WHERE indicator_id = 'elderly_health_mgmt' AND division_code = '" + CITY + "' AND period_type = 'year'")
        .first();
    assertEquals("'" + mgmt.getLong(0) + "/" + mgmt.getLong(1) + "'", keys.get("membership.elderly_health_mgmt"));

    // 2: 漏管 persons per county equal the published numerators; every one of them was seen at an institution
    // with a confirming diagnosis (the notebook's reading of the visits agrees with the catalog's).
    int counties = 0;
    for (Row r : spark.sql("SELECT indicator_id, substr(division_code, 1, 6), numerator FROM " + values
        + " WHERE indicator_id IN ('htn_unmanaged', 't2dm_unmanaged') AND division_level = 'county'"
        + " AND period_type = 'year'").collectAsList()) {
      assertEquals(String.valueOf(r.getLong(2)), keys.get("unmanaged." + r.getString(0) + "." + r.getString(1)),
          r.toString());
      counties++;
    }
    assertEquals(18, counties);
    for (String id : List.of("htn_unmanaged", "t2dm_unmanaged")) {
      long n = spark.sql("SELECT numerator FROM " + values + " WHERE indicator_id = '" + id
          + "' AND division_code = '" + CITY + "' AND period_type = 'year'").first().getLong(0);
      assertEquals("'" + n + "/" + n + "'", keys.get("seen." + id));
    }

    // 3: quarantined rows, the city's EMR link rate and the unlinked visits, as the warehouse holds them.
    assertEquals(String.valueOf(spark.sql("SELECT count(DISTINCT drop_id, line) FROM " + wh.ops("quarantine"))
        .first().getLong(0)), keys.get("quarantine.rows"));
    assertEquals(String.valueOf(spark.sql("SELECT sum(rows_quarantined) FROM " + wh.ops("ingest_ledger")).first()
        .getLong(0)), keys.get("ledger.rows_quarantined"));
    Row emr = spark.sql("SELECT link_rate FROM " + wh.link("link_rate") + " WHERE source = 'emr' AND level = 'city'")
        .first();
    assertEquals(emr.getDouble(0), Double.parseDouble(keys.get("link_rate.emr." + CITY)));
    assertEquals(String.valueOf(spark.sql("SELECT count(*) FROM " + wh.link("unlinked") + " WHERE source = 'emr'")
        .first().getLong(0)), keys.get("unlinked.emr"));
  }

  @Test
  void theNotebooksAreCommittedWithoutOutputs() throws Exception {
    List<Path> books;
    try (Stream<Path> s = Files.list(NOTEBOOKS)) {
      books = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertTrue(books.size() >= 3, books.toString());
    for (Path nb : books) {
      for (JsonNode cell : new ObjectMapper().readTree(nb.toFile()).path("cells")) {
        if ("code".equals(cell.path("cell_type").asText())) {
          assertEquals(0, cell.path("outputs").size(), nb + ": committed with outputs");
          assertTrue(cell.path("execution_count").isNull(), nb + ": committed executed");
        }
      }
    }
  }

  @Test
  void anExportDoesNotOverwriteAFolderThatIsNotOne(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("notes.txt"), "mine");
    PublishedRun run = new Pipeline(RunContext.reading(TestSpark.get(), PublishedRegion.warehouse(),
        TestConfig.get(), System.err)).published(PublishedRegion.YEAR);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NotebookExport.write(run, dir, System.err));
    assertTrue(e.getMessage().contains("is not a Sanku export"), e.getMessage());
    assertEquals("mine", Files.readString(dir.resolve("notes.txt")));
  }

  @Test
  void setupNeverRemovesAFolderItDidNotMake(@TempDir Path dir) throws Exception {
    // A virtual environment of someone else's at the chosen place: refused, not replaced.
    Path theirs = Files.createDirectories(dir.resolve("venv"));
    Files.writeString(theirs.resolve("pyvenv.cfg"), "home = /usr/bin\n");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NotebookEnv.setup(NOTEBOOKS, theirs, "python3", System.err));
    assertTrue(e.getMessage().contains("was not made by ./sanku notebooks setup"), e.getMessage());
    assertEquals("home = /usr/bin\n", Files.readString(theirs.resolve("pyvenv.cfg")));
  }

  @Test
  void pipIsPointedAtTheIndexItIsConfiguredWith() {
    // As `pip config list` prints a machine with two local indexes and no index-url of its own.
    Map<String, String> config = NotebookEnv.parsePipConfig(":env:.default-timeout='180'\n"
        + "global.cert='/etc/ssl/certs/ca-certificates.crt'\n"
        + "global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'\n"
        + "global.find-links='/opt/wheels'\n");
    assertEquals(List.of("--index-url", "file:///opt/pypi/simple", "--extra-index-url", "file:///opt/pypi-more/simple"),
        NotebookEnv.indexOptions(config));
    // A configured index-url stays the index; every extra one follows it.
    assertEquals(List.of("--index-url", "https://mirror.example/simple", "--extra-index-url", "file:///x"),
        NotebookEnv.indexOptions(NotebookEnv.parsePipConfig("global.index-url='https://mirror.example/simple'\n"
            + "user.extra-index-url='file:///x'\n")));
    // Nothing configured: pip's own default.
    assertEquals(List.of(), NotebookEnv.indexOptions(NotebookEnv.parsePipConfig("")));
  }

  private static String join(JsonNode text) {
    if (text.isArray()) {
      StringBuilder b = new StringBuilder();
      text.forEach(t -> b.append(t.asText()));
      return b.toString();
    }
    return text.asText();
  }
}
