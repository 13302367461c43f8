package org.sanku.quality;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sanku.config.ConfigException;
import org.sanku.config.ConfigProblem;

/**
 * The data-quality check catalog as data: every {@code *.yaml} of {@code conf/checks/} merged (files in name order),
 * each holding {@code tables:} (what the checks read: a query, its source, its county, organisation, file and date
 * columns) and {@code checks:} (id, descriptions, kind, table, columns, grouping, a SQL predicate or aggregates, a
 * threshold, a severity and a recommendation). Every problem of every file is collected and reported together, each
 * naming its file and field ({@code conf/checks/ehr.yaml: checks.exam_fbg_missing.severity: …}); the SQL is checked
 * against the tables' layouts later, still before any data is read ({@link CheckPlan#validate}).
 */
public final class CheckCatalog {

  /** Where a definition came from: {@code conf/checks/ehr.yaml: checks.exam_fbg_missing.predicate}. */
  public record Origin(Path file, String field) {
    public Origin at(String sub) {
      return new Origin(file, field + "." + sub);
    }

    @Override
    public String toString() {
      return file + ": " + field;
    }
  }

  /** What a check is about; the report groups and names checks by it. */
  public enum Kind { COMPLETENESS, CONFORMANCE, PLAUSIBILITY, UNIQUENESS, REFERENTIAL, TIMELINESS, VOLUME, QUARANTINE,
    LINKAGE, CONSISTENCY }

  /** An {@code error} failure blocks the indicators depending on the check's source; the others inform. */
  public enum Severity { INFO, WARN, ERROR }

  /**
   * How a check counts: {@code ROWS} counts the rows where {@code where} holds and, of those, the ones where the
   * predicate holds; {@code AGGREGATE} takes its violated and denominator as SQL aggregates of the group's rows;
   * {@code DAILY} counts the rows dated each of the last nights (volume: modified z-score of the night; timeliness:
   * a group that usually has rows and has none the night).
   */
  public enum Form { ROWS, AGGREGATE, DAILY }

  /** The grouping levels a check may be reported at besides {@code source}. */
  public static final List<String> LEVELS = List.of("county", "org", "file");

  /** A table the checks read: a query over the analytics zone and its grouping columns. */
  public record Table(String name, String source, String sourceColumn, String description, String sql,
      String county, String org, String file, String date, Origin origin) {

    /** The SQL of a grouping level, or null when the table has none. */
    public String group(String level) {
      return switch (level) {
        case "county" -> county;
        case "org" -> org;
        case "file" -> file;
        default -> null;
      };
    }
  }

  /** The daily counts of a volume or timeliness check. */
  public record Daily(int nights, double minMedian, double usually) {}

  /** One check. Exactly the fields of its {@link #form()} are set. */
  public record Check(String id, String descriptionZh, String descriptionEn, Kind kind, String table,
      List<String> columns, List<String> groupBy, String where, String predicate, String violated,
      String denominator, String applies, Daily daily, long minDenominator, double threshold, Severity severity,
      String recommendation, Origin origin) {

    public Form form() {
      return daily != null ? Form.DAILY : violated != null ? Form.AGGREGATE : Form.ROWS;
    }
  }

  /** The placeholders a query may use; the stage renders them for the night it checks ({@link Night}). */
  public static final Set<String> PLACEHOLDERS = Set.of("night", "drop_date", "previous_drop_date", "night_drops");

  private static final Set<String> SECTIONS = Set.of("tables", "checks");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
  static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

  public final Map<String, Table> tables = new LinkedHashMap<>();
  public final Map<String, Check> checks = new LinkedHashMap<>();
  private final List<ConfigProblem> problems = new ArrayList<>();
  private final Map<String, Origin> defined = new LinkedHashMap<>();
  /** A file could not be read: its tables are unknown, so a check naming one is not reported as well. */
  private boolean unreadable;

  private CheckCatalog() {}

  /** A catalog without checks (a configuration folder without {@code checks/}). */
  public static CheckCatalog empty() {
    return new CheckCatalog();
  }

  /**
   * Loads and checks every {@code *.yaml} of the folder; none (or no folder) is an empty catalog.
   *
   * @param sources the delivered sources a table may name (population, ehr, emr, reference)
   * @throws ConfigException with every problem found, each naming its file and field
   */
  public static CheckCatalog load(Path dir, Collection<String> sources) {
    CheckCatalog c = new CheckCatalog();
    if (!Files.isDirectory(dir)) {
      return c;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new ConfigException(dir + ": cannot list the folder: " + e.getMessage());
    }
    // Tables first (any file's checks may read any file's tables), then the checks.
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Path f : files) {
      Map<String, Object> doc = c.read(f);
      docs.add(doc);
      for (String k : doc.keySet()) {
        if (!SECTIONS.contains(k)) {
          c.problem(new Origin(f, k), "unknown section (expected tables or checks)");
        }
      }
      for (var e : c.map(doc.get("tables"), new Origin(f, "tables")).entrySet()) {
        Origin o = new Origin(f, "tables." + e.getKey());
        if (c.define("tables", e.getKey(), o)) {
          Table t = c.table(e.getKey(), c.map(e.getValue(), o), o, sources);
          if (t != null) {
            c.tables.put(t.name(), t);
          }
        }
      }
    }
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      for (var e : c.map(docs.get(i).get("checks"), new Origin(f, "checks")).entrySet()) {
        Origin o = new Origin(f, "checks." + e.getKey());
        if (c.define("checks", e.getKey(), o)) {
          Check k = c.check(e.getKey(), c.map(e.getValue(), o), o);
          if (k != null) {
            c.checks.put(k.id(), k);
          }
        }
      }
    }
    if (!c.problems.isEmpty()) {
      throw new ConfigException(c.problems);
    }
    return c;
  }

  private Table table(String name, Map<String, Object> m, Origin o, Collection<String> sources) {
    if (!only(m, o, "source", "source_column", "description", "sql", "county", "org", "file", "date")) {
      return null;
    }
    String source = text(m, "source", o);
    String column = text(m, "source_column", o);
    if ((source == null) == (column == null)) {
      problem(o.at("source"), "give either source (" + String.join(", ", sources) + ") or source_column");
      return null;
    }
    if (source != null && !sources.contains(source)) {
      problem(o.at("source"), "unknown source '" + source + "' (" + String.join(", ", sources) + ")");
      return null;
    }
    String sql = text(m, "sql", o);
    sql = sql == null ? "SELECT * FROM std." + name : sql;
    if (!placeholders(sql, o.at("sql"), source != null)) {
      return null;
    }
    return new Table(name, source, column, text(m, "description", o), sql, text(m, "county", o), text(m, "org", o),
        text(m, "file", o), text(m, "date", o), o);
  }

  private Check check(String id, Map<String, Object> m, Origin o) {
    if (!only(m, o, "description_zh", "description_en", "kind", "table", "columns", "group_by", "where", "predicate",
        "min", "max", "values", "violated", "denominator", "applies", "daily", "min_denominator", "threshold",
        "severity", "recommendation")) {
      return null;
    }
    int before = problems.size();
    String zh = required(m, "description_zh", o);
    String en = required(m, "description_en", o);
    String rec = required(m, "recommendation", o);
    Kind kind = choice(Kind.class, m, "kind", o);
    Severity severity = choice(Severity.class, m, "severity", o);
    Double threshold = number(m, "threshold", o, true);
    if (threshold != null && threshold < 0) {
      problem(o.at("threshold"), "expected a number ≥ 0, found " + threshold);
    }
    String tableName = required(m, "table", o);
    Table table = tableName == null ? null : tables.get(tableName);
    if (tableName != null && table == null) {
      if (unreadable) {
        return null;
      }
      problem(o.at("table"), "no table '" + tableName + "' (defined: " + tables.keySet() + ")");
    }
    List<String> columns = list(m, "columns", o);
    List<String> groupBy = list(m, "group_by", o);
    for (String g : groupBy) {
      if (!LEVELS.contains(g)) {
        problem(o.at("group_by"), "unknown level '" + g + "' (county, org, file; source is always reported)");
      } else if (table != null && table.group(g) == null) {
        problem(o.at("group_by"), "table '" + table.name() + "' has no " + g + " column (" + table.origin() + ")");
      }
    }
    Double minDen = number(m, "min_denominator", o, false);
    long minDenominator = minDen == null ? 1 : Math.round(minDen);
    if (minDen != null && (minDen < 1 || minDen != Math.rint(minDen))) {
      problem(o.at("min_denominator"), "expected a whole number ≥ 1, found " + m.get("min_denominator"));
    }
    String where = text(m, "where", o);
    String predicate = text(m, "predicate", o);
    String violated = text(m, "violated", o);
    String denominator = text(m, "denominator", o);
    String applies = text(m, "applies", o);
    Daily daily = null;
    boolean rows = predicate != null || m.containsKey("min") || m.containsKey("max") || m.containsKey("values");
    boolean aggregate = violated != null || denominator != null;
    int forms = (rows ? 1 : 0) + (aggregate ? 1 : 0) + (m.containsKey("daily") ? 1 : 0);
    if (forms != 1) {
      problem(o, "give one of: predicate (or min/max, values), violated with denominator, or daily");
    } else if (rows) {
      predicate = rowPredicate(m, predicate, columns, o);
      if (applies != null) {
        problem(o.at("applies"), "only with violated and denominator (use where and min_denominator)");
      }
    } else if (aggregate) {
      if (violated == null || denominator == null) {
        problem(o.at(violated == null ? "violated" : "denominator"), "required with "
            + (violated == null ? "denominator" : "violated"));
      }
      if (where != null) {
        problem(o.at("where"), "not with aggregates (filter inside them, e.g. sum(x) FILTER (WHERE …))");
      }
    } else {
      daily = daily(m.get("daily"), kind, table, o.at("daily"));
    }
    for (String[] f : new String[][] {{"where", where}, {"predicate", predicate}, {"violated", violated},
        {"denominator", denominator}, {"applies", applies}}) {
      if (f[1] != null) {
        placeholders(f[1], o.at(f[0]), table == null || table.source() != null);
      }
    }
    if (problems.size() > before) {
      return null;
    }
    return new Check(id, zh, en, kind, tableName, columns, groupBy, where, predicate, violated, denominator, applies,
        daily, minDenominator, threshold, severity, rec, o);
  }

  /** The row predicate: given, or made from min/max (a range of one column) or values (a value list of one). */
  private String rowPredicate(Map<String, Object> m, String predicate, List<String> columns, Origin o) {
    boolean range = m.containsKey("min") || m.containsKey("max");
    boolean values = m.containsKey("values");
    if (predicate != null) {
      if (range || values) {
        problem(o.at("predicate"), "give a predicate, or min/max, or values, not several");
      }
      return predicate;
    }
    if (range && values) {
      problem(o.at("values"), "give min/max or values, not both");
      return null;
    }
    if (columns.size() != 1) {
      problem(o.at("columns"), (range ? "min/max" : "values") + " need exactly one column");
      return null;
    }
    String c = columns.get(0);
    if (range) {
      Double min = number(m, "min", o, false);
      Double max = number(m, "max", o, false);
      List<String> parts = new ArrayList<>();
      if (min != null) {
        parts.add(c + " < " + plain(min));
      }
      if (max != null) {
        parts.add(c + " > " + plain(max));
      }
      return parts.isEmpty() ? null : String.join(" OR ", parts);
    }
    List<String> list = list(m, "values", o);
    if (list.isEmpty()) {
      problem(o.at("values"), "expected a non-empty list of codes");
      return null;
    }
    return c + " IS NOT NULL AND " + c + " NOT IN (" + String.join(", ", list.stream()
        .map(v -> "'" + v.replace("'", "''") + "'").toList()) + ")";
  }

  private Daily daily(Object v, Kind kind, Table table, Origin o) {
    Map<String, Object> d = map(v, o);
    if (!only(d, o, "nights", "min_median", "usually")) {
      return null;
    }
    if (kind != Kind.VOLUME && kind != Kind.TIMELINESS) {
      problem(o, "daily counts are for kind volume or timeliness");
      return null;
    }
    if (table != null && table.date() == null) {
      problem(o, "table '" + table.name() + "' has no date column to count nights by (" + table.origin() + ")");
    }
    Double nights = number(d, "nights", o, true);
    if (nights != null && (nights < 2 || nights > 366 || nights != Math.rint(nights))) {
      problem(o.at("nights"), "expected a whole number of nights from 2 to 366, found " + d.get("nights"));
      return null;
    }
    Double minMedian = number(d, "min_median", o, false);
    Double usually = number(d, "usually", o, false);
    if (usually != null && (usually <= 0 || usually > 1)) {
      problem(o.at("usually"), "expected a share above 0 and at most 1, found " + usually);
    }
    if (kind == Kind.VOLUME && usually != null) {
      problem(o.at("usually"), "usually is for timeliness");
    }
    if (minMedian != null && minMedian < 0) {
      problem(o.at("min_median"), "expected a number ≥ 0, found " + minMedian);
    }
    // A volume needs a few rows a night to score; a silence needs a median of one row (a group with rows on most
    // nights has it anyway).
    double defaultMedian = kind == Kind.VOLUME ? 5 : 1;
    return nights == null ? null : new Daily(nights.intValue(), minMedian == null ? defaultMedian : minMedian,
        usually == null ? 0.8 : usually);
  }

  /** Whether every ${…} of the text is a placeholder the table may use. */
  private boolean placeholders(String sql, Origin o, boolean fixedSource) {
    Matcher mm = REF.matcher(sql);
    boolean ok = true;
    while (mm.find()) {
      String name = mm.group(1);
      if (!PLACEHOLDERS.contains(name)) {
        problem(o, "unknown placeholder ${" + name + "} (" + String.join(", ", PLACEHOLDERS.stream().sorted()
            .map(p -> "${" + p + "}").toList()) + ")");
        ok = false;
      } else if (!fixedSource && name.contains("drop_date")) {
        problem(o, "${" + name + "} needs a table with one source (this one has source_column)");
        ok = false;
      }
    }
    return ok;
  }

  // ---- YAML helpers: each records a problem and returns null (or an empty value) instead of throwing ----

  private void problem(Origin o, String message) {
    problems.add(new ConfigProblem(o.file().toString(), o.field(), message));
  }

  private boolean define(String section, String name, Origin o) {
    if (!NAME.matcher(name).matches()) {
      problem(o, "names are lower-case letters, digits and _ (got '" + name + "')");
      return false;
    }
    Origin before = defined.putIfAbsent(section + ":" + name, o);
    if (before != null) {
      problem(o, name + " is already defined at " + before);
      return false;
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> read(Path f) {
    try {
      Object o = org.sanku.config.Yaml.mapper().readValue(f.toFile(), Object.class);
      if (o == null) {
        return Map.of();
      }
      if (o instanceof Map) {
        return (Map<String, Object>) o;
      }
      problems.add(new ConfigProblem(f.toString(), "", "expected a mapping of sections at the top level"));
    } catch (IOException e) {
      String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
          ? " (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")" : "";
      problems.add(new ConfigProblem(f.toString(), "", "not valid YAML" + where + ": "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
      unreadable = true;
    }
    return Map.of();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> map(Object v, Origin o) {
    if (v == null) {
      return Map.of();
    }
    if (v instanceof Map) {
      return (Map<String, Object>) v;
    }
    problem(o, "expected a mapping");
    return Map.of();
  }

  private boolean only(Map<String, Object> m, Origin o, String... keys) {
    Set<String> ok = Set.of(keys);
    boolean clean = true;
    for (String k : m.keySet()) {
      if (!ok.contains(k)) {
        problem(o.at(k), "unknown field (expected " + String.join(", ", keys) + ")");
        clean = false;
      }
    }
    return clean;
  }

  private String text(Map<String, Object> m, String key, Origin o) {
    Object v = m.get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Map || v instanceof List) {
      problem(o.at(key), "expected text");
      return null;
    }
    String s = String.valueOf(v).trim();
    if (s.isEmpty()) {
      problem(o.at(key), "empty");
      return null;
    }
    return s;
  }

  private String required(Map<String, Object> m, String key, Origin o) {
    if (!m.containsKey(key) || m.get(key) == null) {
      problem(o.at(key), "required");
      return null;
    }
    return text(m, key, o);
  }

  private <E extends Enum<E>> E choice(Class<E> type, Map<String, Object> m, String key, Origin o) {
    String v = required(m, key, o);
    if (v == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v)) {
        return e;
      }
    }
    List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase()).toList();
    problem(o.at(key), "unknown " + key + " '" + v + "' (" + String.join(", ", names) + ")");
    return null;
  }

  private Double number(Map<String, Object> m, String key, Origin o, boolean required) {
    Object v = m.get(key);
    if (v == null) {
      if (required) {
        problem(o.at(key), "required");
      }
      return null;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    problem(o.at(key), "expected a number, found '" + v + "'");
    return null;
  }

  private List<String> list(Map<String, Object> m, String key, Origin o) {
    Object v = m.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> l)) {
      problem(o.at(key), "expected a list, e.g. [a, b]");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Object x : l) {
      if (x == null || x instanceof Map || x instanceof List) {
        problem(o.at(key), "expected a list of names or codes");
        return List.of();
      }
      out.add(String.valueOf(x));
    }
    return List.copyOf(out);
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
