package org.sanku.indicators.report.html;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.sanku.indicators.PublishedRun;
import org.sanku.indicators.report.ReportRows;
import org.sanku.ingest.schema.SchemaCatalog;

/**
 * The HTML report of a published period ({@code ./sanku report}): one self-contained file a county bureau opens
 * offline and prints on A4. The chart library (Apache ECharts, from its WebJar) is inlined once, the charts'
 * data travel as a JSON island, and a Content-Security-Policy forbids the page any request. Values are published
 * as the CSV and the workbook publish them: small cells and their complements suppressed.
 */
public final class HtmlReport {

  /**
   * What to report.
   *
   * @param scope       a 6- or 12-digit division code, or null for the only city (else the only province)
   * @param k           the suppression threshold (as {@code --suppress-below} of the CSV and workbook)
   * @param amberWithin a missed target is amber rather than red within this share of the target (0.1 = 10%)
   * @param headline    the indicators of the front page, in order
   */
  public record Options(String scope, int k, double amberWithin, List<String> headline) {

    public Options {
      if (k < 0) {
        throw new IllegalArgumentException("--suppress-below must not be negative (got " + k + ")");
      }
      if (!(amberWithin >= 0 && amberWithin <= 1)) {
        throw new IllegalArgumentException("--amber-within: a percentage from 0 to 100 (got " + amberWithin * 100
            + ")");
      }
      headline = List.copyOf(headline);
    }
  }

  private static final String RESOURCES = "org/sanku/indicators/report/html/";
  private static final String WEBJAR_PROPERTIES = "META-INF/maven/org.webjars/echarts/pom.properties";
  private static final Pattern SCRIPT_END = Pattern.compile("(?i)</(script)");

  private HtmlReport() {}

  /** Writes the report to {@code out} (through a file beside it, so a half-written report is never seen). */
  public static Path write(PublishedRun run, SchemaCatalog schemas, Options options, Path out) throws IOException {
    String html = render(run, schemas, options, Instant.now());
    Path dir = out.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // Not Files.createTempFile: its owner-only permissions would stay on the report, which is for circulation.
    Path tmp = dir.resolve("." + out.getFileName() + "." + ProcessHandle.current().pid() + "."
        + Long.toHexString(System.nanoTime()) + ".tmp");
    try {
      Files.writeString(tmp, html, StandardCharsets.UTF_8);
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return out;
  }

  /** The report as one HTML text. */
  public static String render(PublishedRun run, SchemaCatalog schemas, Options options, Instant generated) {
    ReportModel model = new ReportModel(run, options);
    View.Front front = model.front();
    List<View.Section> sections = model.sections(run.history());
    View.ThreeDb threeDb = model.threeDb();
    View.Quality quality = QualityData.build(run, model.scope, options.k(), schemas, model.charts);
    String version = echartsVersion();
    View.Methods methods = MethodsSection.build(run, model, options, generated, version);
    var p = run.period();
    String title = model.scope.top.name() + ReportRows.periodLabel(p.type(), p.start(), p.end()) + "卫生健康指标报告";
    View.Facts facts = new View.Facts(model.scope.top.name(), ReportRows.periodLabel(p.type(), p.start(), p.end()),
        p.end().toString(), String.valueOf(run.run().asOf()), run.run().runId(),
        MethodsSection.time(run.run().publishedAt()), MethodsSection.time(generated), version);
    View.Page page = new View.Page(title, "Sanku " + version(), resource("report.css"), inlineScript(echarts(version)),
        inlineScript(resource("report.js")), jsonIsland(Map.of("charts", model.charts)), facts, front, sections,
        threeDb, quality, methods);
    Mustache template = new DefaultMustacheFactory(RESOURCES).compile("report.mustache");
    StringWriter w = new StringWriter(2 << 20);
    template.execute(w, page);
    return w.toString();
  }

  /**
   * Data for a {@code <script type="application/json">} element: JSON with every {@code <} written as
   * {@code \u003c}, so no text in it (a division or institution name, a check's message) can end the element or
   * open a comment, whatever it holds. JSON has {@code <} only inside strings, where the escape means the same.
   */
  static String jsonIsland(Object data) {
    try {
      return new ObjectMapper().writeValueAsString(data).replace("<", "\\u003c");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report's data: " + e.getMessage(), e);
    }
  }

  /**
   * A script inlined into the page: a {@code </script} inside it (which would end the element early) becomes
   * {@code <\/script}, the same text to JavaScript inside a string or a regular expression, the only places it
   * can occur.
   */
  static String inlineScript(String js) {
    return SCRIPT_END.matcher(js).replaceAll("<\\\\/$1");
  }

  /** The version of the ECharts WebJar on the class path. */
  static String echartsVersion() {
    Properties p = new Properties();
    try (InputStream in = stream(WEBJAR_PROPERTIES)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  /**
   * ECharts' "common" build (line, bar, pie and scatter with markers, legends and tooltips, SVG renderer
   * included): two thirds of the full build, and everything the report draws.
   */
  static String echarts(String version) {
    return text("META-INF/resources/webjars/echarts/" + version + "/echarts.common.min.js");
  }

  private static String resource(String name) {
    return text(RESOURCES + name);
  }

  private static String text(String path) {
    try (InputStream in = stream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream stream(String path) {
    InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("missing from the class path: " + path);
    }
    return in;
  }

  private static String version() {
    String v = HtmlReport.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0" : v;
  }
}
