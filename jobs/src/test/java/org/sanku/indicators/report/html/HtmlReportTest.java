package org.sanku.indicators.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.cli.IndicatorsCommand;
import org.sanku.cli.ReportCommand;
import org.sanku.indicators.Period;
import org.sanku.indicators.PublishedRegion;
import org.sanku.quality.CheckedRegion;
import org.sanku.indicators.PublishedRun;
import org.sanku.indicators.report.Reports;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.storage.Warehouse;

/**
 * {@code ./sanku report} on the published test region (3,000 persons of 南充), opened in a real headless Chromium
 * driven over the DevTools protocol. What the page shows is checked against what the test reads itself: the
 * published values straight from {@code ind.indicator_value} with Spark, and the suppression of the CSV that
 * {@code ./sanku indicators --format csv} writes for the same period and threshold.
 */
class HtmlReportTest {

  static final String CITY = "511300000000";
  static final int K = 5;

  private static Warehouse wh;
  private static Path dir;
  private static Chromium browser;

  @BeforeAll
  static void setUp() throws Exception {
    wh = PublishedRegion.warehouse();
    dir = Files.createTempDirectory("sanku-report-test");
    Path binary = Chromium.binary();
    assertNotNull(binary, "no Chromium to test the report in: install Debian's chromium-headless-shell (.ci/run "
        + "does) or name a browser in SANKU_CHROMIUM");
    browser = Chromium.start(binary, 1280, 1800);
    browser.openPage();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (browser != null) {
      browser.close();
    }
  }

  static HtmlReport.Options options(String scope) {
    return new HtmlReport.Options(scope, K, 0.1, IndicatorsCommand.HEADLINE);
  }

  static Path report(Period p, String name) throws Exception {
    Path out = dir.resolve(name);
    ReportCommand.write(TestSpark.get(), wh, TestConfig.get(), p, options("511300"), out,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    return out;
  }

  /** Opens a report and waits for its charts; returns the file URL. */
  static String open(Path file) throws Exception {
    String url = file.toUri().toString();
    browser.navigate(url, Duration.ofSeconds(60));
    browser.waitFor("document.body.hasAttribute('data-charts-drawn')", Duration.ofSeconds(60));
    return url;
  }

  /** The CSV of the period at the same threshold: indicator|division → its record. */
  static Map<String, CSVRecord> csv(Period p) throws Exception {
    List<org.sanku.indicators.report.Cell> cells = new Pipeline(RunContext.reading(TestSpark.get(), wh,
        TestConfig.get(), System.err)).publishedValues(p);
    Path f = dir.resolve("values-" + p.label() + ".csv");
    new Reports("csv", null, null, K, List.of()).write(cells, f, System.out);
    Map<String, CSVRecord> out = new HashMap<>();
    try (var r = Files.newBufferedReader(f)) {
      for (CSVRecord rec : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
        out.put(rec.get("indicator_id") + "|" + rec.get("division_code"), rec);
      }
    }
    return out;
  }

  /** How the page must write a published value: 2 decimals half up, or the CSV's suppression as * and **. */
  static String shown(Double value, String suppressed) {
    if ("SMALL_CELL".equals(suppressed)) {
      return "*";
    }
    if ("COMPLEMENTARY".equals(suppressed)) {
      return "**";
    }
    return value == null ? "—" : BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).toPlainString();
  }

  @Test
  void theReportOpensOfflineDrawsEveryChartAndShowsThePublishedNumbers() throws Exception {
    SparkSession spark = TestSpark.get();
    Path file = report(PublishedRegion.YEAR, "南充-2025.html");
    String html = Files.readString(file);
    // One file: the data island escapes every '<', the page forbids itself any request, the library is inlined.
    Matcher island = Pattern.compile("<script type=\"application/json\" id=\"sanku-data\">(.*?)</script>",
        Pattern.DOTALL).matcher(html);
    assertTrue(island.find());
    assertFalse(island.group(1).contains("<"));
    assertTrue(html.contains("default-src 'none'"));
    // Outside the scripts (the chart library's code holds markup in strings), no element loads anything.
    String markup = html.replaceAll("(?s)<script[^>]*>.*?</script>", "");
    assertFalse(Pattern.compile("<(script|link|img|iframe|object|embed)[^>]+(src|href|data)=",
        Pattern.CASE_INSENSITIVE).matcher(markup).find(), "an element that loads something");
    assertEquals(3, html.split("<script", -1).length - 1, "the data island, the chart library, the page's script");
    assertTrue(html.length() < 3_000_000, "size " + html.length());

    String url = open(file);

    // No request leaves the page: the only one is the file itself.
    List<String> requests = browser.events("Network.requestWillBeSent").stream()
        .map(e -> e.path("request").path("url").asText()).toList();
    assertEquals(List.of(url), requests.stream().filter(u -> !u.startsWith("data:")).toList(), "requests");
    assertEquals(List.of(), browser.events("Network.loadingFailed"));
    // No console error or uncaught exception.
    List<String> problems = new ArrayList<>();
    browser.events("Runtime.exceptionThrown").forEach(e -> problems.add(e.toString()));
    browser.events("Runtime.consoleAPICalled").stream()
        .filter(e -> Set.of("error", "assert").contains(e.path("type").asText())).forEach(e -> problems.add(e.toString()));
    browser.events("Log.entryAdded").stream().filter(e -> "error".equals(e.path("entry").path("level").asText()))
        .forEach(e -> problems.add(e.toString()));
    assertEquals(List.of(), problems);

    // Every chart drew as SVG. Expected: a bar chart per indicator published for the period, a trend wherever
    // the city has more than one published year or year-to-date value, the two 漏管 charts, link rates and
    // quarantine reasons.
    String values = wh.ind("indicator_value");
    long indicators = spark.sql("SELECT count(DISTINCT indicator_id) FROM " + values
        + " WHERE period_start = DATE'2025-01-01' AND period_end = DATE'2025-12-31'").first().getLong(0);
    long trends = spark.sql("SELECT count(*) FROM (SELECT indicator_id FROM " + values + " WHERE division_code = '"
        + CITY + "' AND period_type IN ('year', 'ytd') GROUP BY indicator_id HAVING count(*) > 1)").first().getLong(0);
    assertEquals(20, indicators);
    assertEquals(20, trends, "the city has 2025 and ytd:2025-12-30 of every indicator");
    long expectedCharts = indicators + trends + 2 + 1 + 1;
    JsonNode charts = browser.eval("[...document.querySelectorAll('[data-chart]')].map(b => ({id: b.dataset.chart,"
        + " drawn: b.dataset.drawn === 'true', svg: b.querySelectorAll('svg').length,"
        + " paths: b.querySelectorAll('svg path').length,"
        + " text: [...b.querySelectorAll('svg text')].map(t => t.textContent).join('|')}))");
    assertEquals(expectedCharts, charts.size());
    assertEquals(String.valueOf(expectedCharts), browser.eval("document.body.dataset.chartsDrawn").asText());
    for (JsonNode c : charts) {
      assertTrue(c.get("drawn").asBoolean() && c.get("svg").asInt() == 1 && c.get("paths").asInt() > 0, c.toString());
    }
    JsonNode bar = findChart(charts, "bar-elderly_health_mgmt");
    Row city = spark.sql("SELECT value, target FROM " + values + " WHERE indicator_id = 'elderly_health_mgmt' AND "
        + "division_code = '" + CITY + "' AND period_type = 'year'").first();
    String barText = bar.get("text").asText();
    assertTrue(barText.contains("顺庆区") && barText.contains("目标 ≥90.00")
        && barText.contains("南充市 " + shown(city.getDouble(0), null)), barText);

    // The front page: every headline number equals the published value as the CSV publishes it.
    Map<String, CSVRecord> csv = csv(PublishedRegion.YEAR);
    Map<String, Row> published = new HashMap<>();
    for (Row r : spark.sql("SELECT indicator_id, division_code, value FROM " + values
        + " WHERE period_start = DATE'2025-01-01' AND period_end = DATE'2025-12-31'").collectAsList()) {
      published.put(r.getString(0) + "|" + r.getString(1), r);
    }
    JsonNode cells = browser.eval("[...document.querySelectorAll('[data-cell]')].map(e => ({kind: e.dataset.cell,"
        + " indicator: e.dataset.indicator, division: e.dataset.division,"
        + " value: e.querySelector('.v').textContent}))");
    long counties = spark.sql("SELECT count(DISTINCT division_code) FROM " + values + " WHERE parent_code = '" + CITY
        + "'").first().getLong(0);
    assertEquals(9, counties);
    int cards = 0;
    int suppressed = 0;
    for (JsonNode c : cells) {
      String key = c.get("indicator").asText() + "|" + c.get("division").asText();
      Row r = published.get(key);
      assertNotNull(r, key);
      String want = shown(r.isNullAt(2) ? null : r.getDouble(2), csv.get(key).get("suppressed"));
      assertEquals(want, c.get("value").asText(), key);
      cards += c.get("kind").asText().equals("card") ? 1 : 0;
      suppressed += want.startsWith("*") ? 1 : 0;
    }
    assertEquals(IndicatorsCommand.HEADLINE.size(), cards);
    assertEquals(IndicatorsCommand.HEADLINE.size() * (1 + counties), cells.size() - cards);
    assertTrue(suppressed > 0, "the region has small cells among the headline numbers");

    // Each indicator's table: numerators, denominators and values as the CSV has them ("" there is * or **).
    JsonNode rows = browser.eval("[...document.querySelectorAll('section.indicator')].flatMap(s =>"
        + " [...s.querySelectorAll('tbody tr')].map(tr => ({indicator: s.dataset.indicator,"
        + " division: tr.dataset.division, cells: [...tr.children].map(td => td.textContent)})))");
    assertEquals(indicators * (1 + counties), rows.size());
    for (JsonNode r : rows) {
      CSVRecord rec = csv.get(r.get("indicator").asText() + "|" + r.get("division").asText());
      String mark = shown(null, rec.get("suppressed"));
      String numerator = r.get("cells").get(1).asText().replace(",", "");
      String denominator = r.get("cells").get(2).asText().replace(",", "");
      if (rec.get("suppressed").isEmpty()) {
        assertEquals(rec.get("numerator"), numerator, r.toString());
        assertEquals(rec.get("denominator"), denominator, r.toString());
      } else {
        assertEquals(mark, numerator, r.toString());
        assertEquals(mark, denominator, r.toString());
      }
    }

    // The three-database view: confirmed = denominator, managed = denominator − numerator, 漏管 = numerator.
    Row htn = spark.sql("SELECT numerator, denominator FROM " + values + " WHERE indicator_id = 'htn_unmanaged' AND "
        + "division_code = '" + CITY + "' AND period_type = 'year'").first();
    JsonNode cityRow = browser.eval("[...document.querySelectorAll('.disease[data-indicator=htn_unmanaged] tbody tr')]"
        + ".map(tr => [...tr.children].map(td => td.textContent)).find(c => c[0].startsWith('南充市'))");
    assertEquals(String.valueOf(htn.getLong(1)), cityRow.get(1).asText().replace(",", ""));
    assertEquals(String.valueOf(htn.getLong(1) - htn.getLong(0)), cityRow.get(2).asText().replace(",", ""));
    assertEquals(String.valueOf(htn.getLong(0)), cityRow.get(3).asText().replace(",", ""));

    // The run and its as-of date in the methods; no data-quality checks (the year's run predates them).
    Row run = spark.sql("SELECT DISTINCT run_id, as_of FROM " + values
        + " WHERE period_start = DATE'2025-01-01' AND period_end = DATE'2025-12-31'").first();
    String methods = browser.eval("document.getElementById('methods').textContent").asText();
    assertTrue(methods.contains(run.getString(0)) && methods.contains(run.getDate(1).toString()), methods);
    if (PublishedRegion.checksMadeHere()) {
      assertFalse(browser.eval("!!document.getElementById('dq-checks')").asBoolean());
    }

    // A4: in print media nothing sticks out of the 180 mm column (210 mm less the margins), and it prints.
    browser.send("Emulation.setEmulatedMedia", Chromium.obj("media", "print"));
    JsonNode fit = browser.eval("(() => { const m = document.querySelector('main').getBoundingClientRect();"
        + " let worst = 0; for (const e of document.querySelectorAll('main *')) { const r = e.getBoundingClientRect();"
        + " if (r.width > 0) worst = Math.max(worst, r.right - m.right); } return {width: m.width, worst}; })()");
    assertTrue(fit.get("width").asDouble() <= 180 / 25.4 * 96 + 0.5, fit.toString());
    assertTrue(fit.get("worst").asDouble() <= 0.5, fit.toString());
    byte[] pdf = browser.printA4();
    browser.send("Emulation.setEmulatedMedia", Chromium.obj("media", ""));
    assertEquals("%PDF-", new String(pdf, 0, 5, StandardCharsets.ISO_8859_1));
    int pages = pdfPages(pdf);
    assertTrue(pages >= indicators / 2 && pages <= 80, "pages: " + pages);

    // The screenshot is not blank: many colours, and most of it is not background.
    BufferedImage shot = ImageIO.read(new ByteArrayInputStream(browser.screenshot()));
    Set<Integer> colours = new HashSet<>();
    long ink = 0;
    for (int y = 0; y < shot.getHeight(); y += 2) {
      for (int x = 0; x < shot.getWidth(); x += 2) {
        int rgb = shot.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        if (rgb != 0xffffff && rgb != 0xeceff1) {
          ink++;
        }
      }
    }
    assertTrue(colours.size() > 50, "colours: " + colours.size());
    assertTrue(ink > shot.getWidth() * shot.getHeight() / 4 / 50, "ink: " + ink);
  }

  @Test
  void dataQualityChecksAreShownAsTextWhenTheRunSawThem() throws Exception {
    Path file = report(PublishedRegion.EARLIER_NIGHT, "南充-ytd.html");
    open(file);
    assertTrue(browser.eval("!!document.getElementById('dq-checks')").asBoolean());
    JsonNode table = browser.eval("[...document.querySelectorAll('#dq-checks tr')].map(tr =>"
        + " [...tr.children].map(td => td.textContent))");
    assertEquals("[\"night\",\"check_id\",\"severity\",\"level\",\"group_name\",\"violated\",\"denominator\","
        + "\"share\"]", table.get(0).toString());
    // Failures only, the latest first: the added one (3 of 10 rows, 30.0%), then those of the two check runs of
    // 30 and 31 December, as their results counted them (at most 200 shown).
    List<String> first = new ArrayList<>();
    table.get(1).forEach(c -> first.add(c.asText()));
    assertEquals(List.of("2025-12-31", PublishedRegion.ESCAPING_CHECK, "warn", "org", PublishedRegion.CHECK_MESSAGE,
        "3", "10", "30.0%"), first);
    long failed = CheckedRegion.first().failures().size() + CheckedRegion.result().failures().size() + 1;
    assertEquals(Math.min(failed, QualityData.CHECKS_SHOWN) + 1, table.size());
    // The message's markup is text on the page: nothing of it ran or became an element.
    List<String> messages = new ArrayList<>();
    table.forEach(r -> messages.add(r.get(4).asText()));
    assertTrue(messages.contains(PublishedRegion.CHECK_MESSAGE), messages.toString());
    assertTrue(browser.eval("typeof window.injected === 'undefined' && document.scripts.length === 3"
        + " && !document.querySelector('#dq-checks b')").asBoolean());
    assertEquals(List.of(), browser.events("Runtime.exceptionThrown"));
    // The year's run read the warehouse before the checks existed: its report has none.
    PublishedRun year = new Pipeline(RunContext.reading(TestSpark.get(), wh, TestConfig.get(), System.err))
        .published(PublishedRegion.YEAR);
    if (PublishedRegion.checksMadeHere()) {
      assertNull(QualityData.checks(year));
    }
  }

  @Test
  void anUnpublishedPeriodOrAnUnknownScopeIsRefusedSayingWhatThereIs() {
    Pipeline pipeline = new Pipeline(RunContext.reading(TestSpark.get(), wh, TestConfig.get(), System.err));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipeline.published(Period.year(2024)));
    assertTrue(e.getMessage().contains("period 2024 is not published") && e.getMessage().contains("2025")
        && e.getMessage().contains("ytd:2025-12-30"), e.getMessage());
    PublishedRun run = pipeline.published(PublishedRegion.YEAR);
    IllegalArgumentException scope = assertThrows(IllegalArgumentException.class,
        () -> HtmlReport.render(run, TestConfig.get().schemas(), options("511399"), java.time.Instant.now()));
    assertTrue(scope.getMessage().contains("--scope 511399") && scope.getMessage().contains("511300 南充市"),
        scope.getMessage());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> HtmlReport.render(run, TestConfig.get().schemas(), options("5113"), java.time.Instant.now()));
    assertTrue(bad.getMessage().contains("6- or 12-digit"), bad.getMessage());
  }

  private static JsonNode findChart(JsonNode charts, String id) {
    for (JsonNode c : charts) {
      if (c.get("id").asText().equals(id)) {
        return c;
      }
    }
    throw new AssertionError("no chart " + id);
  }

  /** Pages of a PDF: its page objects ("/Type /Page", not "/Pages"). */
  static int pdfPages(byte[] pdf) {
    Matcher m = Pattern.compile("/Type\\s*/Page(?![a-zA-Z])").matcher(new String(pdf, StandardCharsets.ISO_8859_1));
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
