package org.sanku.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.sanku.ingest.HeaderAliases;
import org.sanku.ingest.schema.ColumnSpec;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.ingest.schema.TableSchema;

/**
 * The DuckDB reference pipeline ({@code reference.sql}) over a landing folder: the views {@code src_<table>} over
 * every delivered file of the drops up to a date, then the script's stages, each timed. Runs in a JVM of its own
 * (started by {@link Bench}) so that its peak memory is measured apart from the benchmark's.
 *
 * <p>Output, one line each: {@code duckdb: stage <name> <seconds>}, {@code duckdb: total <seconds>}, and
 * {@code duckdb: value <indicator> <county> <numerator> <denominator>}.
 */
public final class DuckDbReference {

  private DuckDbReference() {}

  /** What the script is run over. */
  public record Options(Path landing, LocalDate until, LocalDate refDate, Path out, int threads, SchemaCatalog schemas,
      HeaderAliases aliases) {}

  /** One stage's wall time. */
  public record Stage(String name, double seconds) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i], args[i + 1]);
    }
    Path conf = Path.of(a.get("--conf"));
    org.sanku.pipeline.SankuConfig config = org.sanku.pipeline.SankuConfig.load(
        org.sanku.pipeline.SankuConfig.Locations.of(conf));
    LocalDate until = LocalDate.parse(a.get("--until"));
    Options o = new Options(Path.of(a.get("--landing")), until, LocalDate.parse(a.getOrDefault("--ref-date",
        until.toString())), Path.of(a.get("--out")), Integer.parseInt(a.getOrDefault("--threads", "2")),
        config.schemas(), config.aliases());
    run(o, System.out);
  }

  /** Runs the script; returns the stages (the last is {@code total}). */
  public static List<Stage> run(Options o, PrintStream out) throws IOException, SQLException {
    Files.createDirectories(o.out());
    List<Stage> stages = new ArrayList<>();
    long t0 = System.nanoTime();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET threads = " + o.threads());
      s.execute("SET temp_directory = '" + o.out().resolve("duckdb.tmp").toString().replace("'", "''") + "'");
      s.execute("SET preserve_insertion_order = false");
      for (Map.Entry<String, String> v : views(o).entrySet()) {
        s.execute("CREATE VIEW src_" + v.getKey() + " AS " + v.getValue());
      }
      String script = script(o);
      String stage = "setup";
      long ts = System.nanoTime();
      StringBuilder stmt = new StringBuilder();
      for (String line : script.split("\n")) {
        if (line.startsWith("-- stage: ")) {
          if (!stage.equals("setup")) {
            stages.add(new Stage(stage, (System.nanoTime() - ts) / 1e9));
            out.printf("duckdb: stage %s %.2f%n", stage, stages.get(stages.size() - 1).seconds());
          }
          stage = line.substring("-- stage: ".length()).trim();
          ts = System.nanoTime();
          continue;
        }
        if (line.startsWith("--") || line.isBlank()) {
          continue;
        }
        stmt.append(line).append('\n');
        if (line.stripTrailing().endsWith(";")) {
          try {
            s.execute(stmt.toString());
          } catch (SQLException e) {
            throw new SQLException("reference.sql, stage " + stage + ": " + e.getMessage() + "\n" + stmt, e);
          }
          stmt.setLength(0);
        }
      }
      stages.add(new Stage(stage, (System.nanoTime() - ts) / 1e9));
      out.printf("duckdb: stage %s %.2f%n", stage, stages.get(stages.size() - 1).seconds());
      double total = (System.nanoTime() - t0) / 1e9;
      stages.add(new Stage("total", total));
      out.printf("duckdb: total %.2f%n", total);
      try (ResultSet rs = s.executeQuery("SELECT indicator_id, county, numerator, denominator FROM indicator "
          + "ORDER BY indicator_id, county")) {
        while (rs.next()) {
          out.printf("duckdb: value %s %s %d %d%n", rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4));
        }
      }
    }
    return stages;
  }

  private static String script(Options o) throws IOException {
    String sql;
    try (InputStream in = DuckDbReference.class.getResourceAsStream("reference.sql")) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return sql.replace("${ref_date}", o.refDate().toString())
        .replace("${period_start}", o.refDate().withDayOfYear(1).toString())
        .replace("${out}", o.out().toAbsolutePath().toString().replace("'", "''"));
  }

  /**
   * Per contract table, a query over every delivered file of it in the drops up to {@code until}: each file read
   * as text, its headers mapped to the contract's columns through conf/aliases.yaml (as an analyst would map the
   * one file with Chinese headers), with the drop's date; files united by column name.
   */
  static Map<String, String> views(Options o) throws IOException {
    Map<String, List<String>> parts = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper();
    for (String source : o.schemas().sources()) {
      Path folder = o.landing().resolve(source);
      if (!Files.isDirectory(folder)) {
        continue;
      }
      List<Path> drops;
      try (Stream<Path> s = Files.list(folder)) {
        drops = s.filter(Files::isDirectory).sorted().toList();
      }
      for (Path drop : drops) {
        LocalDate date = LocalDate.parse(drop.getFileName().toString(), DateTimeFormatter.BASIC_ISO_DATE);
        if (date.isAfter(o.until())) {
          continue;
        }
        JsonNode m = json.readTree(drop.resolve("manifest.json").toFile());
        Charset cs = Charset.forName(m.path("encoding").asText("UTF-8"));
        if (!cs.equals(StandardCharsets.UTF_8)) {
          throw new IllegalArgumentException(drop + ": encoding " + cs + ": DuckDB reads only UTF-8 here (its "
              + "encodings extension cannot be downloaded); generate the region with --encoding UTF-8");
        }
        String delimiter = m.path("delimiter").asText(",");
        for (var it = m.path("files").fieldNames(); it.hasNext(); ) {
          String file = it.next();
          String table = file.replaceAll("\\.csv(\\.gz)?$", "");
          TableSchema schema = o.schemas().get(table);
          List<String> header = header(drop.resolve(file), cs, delimiter.charAt(0));
          List<String> select = new ArrayList<>();
          for (String h : header) {
            String col = o.aliases().columnFor(h, schema.columns().stream().map(ColumnSpec::name).toList());
            if (col != null) {
              select.add(quote(h) + " AS " + quote(col));
            }
          }
          select.add("DATE '" + date + "' AS _drop_date");
          parts.computeIfAbsent(table, k -> new ArrayList<>()).add("SELECT " + String.join(", ", select)
              + " FROM read_csv('" + drop.resolve(file).toAbsolutePath().toString().replace("'", "''")
              + "', header = true, all_varchar = true, delim = '" + delimiter.replace("'", "''")
              + "', quote = '\"', escape = '\"', strict_mode = false, null_padding = true)");
        }
      }
    }
    Map<String, String> views = new LinkedHashMap<>();
    for (TableSchema t : o.schemas().tables()) {
      List<String> p = parts.get(t.table());
      if (p == null) {
        // Nothing delivered: an empty view with the contract's columns.
        views.put(t.table(), "SELECT " + String.join(", ", t.columns().stream()
            .map(c -> "CAST(NULL AS VARCHAR) AS " + quote(c.name())).toList()) + ", CAST(NULL AS DATE) AS _drop_date"
            + " WHERE false");
      } else {
        views.put(t.table(), String.join(" UNION ALL BY NAME ", p));
      }
    }
    return views;
  }

  private static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** The header row of a delivered file (gzip by name). */
  private static List<String> header(Path file, Charset cs, char delimiter) throws IOException {
    InputStream in = Files.newInputStream(file);
    if (file.getFileName().toString().endsWith(".gz")) {
      in = new GZIPInputStream(in);
    }
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, cs))) {
      String line = r.readLine();
      if (line == null) {
        throw new UncheckedIOException(new IOException(file + ": empty file"));
      }
      if (line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      List<String> out = new ArrayList<>();
      for (String h : line.split(java.util.regex.Pattern.quote(String.valueOf(delimiter)), -1)) {
        out.add(h.replace("\"", "").trim());
      }
      return out;
    }
  }
}
