package org.sanku.indicators;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The indicator catalog as data: every {@code *.yaml} of {@code conf/indicators/} merged (files in name order),
 * each holding any of the sections {@code params}, {@code conditions}, {@code person}, {@code sources},
 * {@code facts}, {@code derived} and {@code indicators}. A name defined twice, an unknown key, a missing field or
 * an unknown {@code ${parameter}} is an error naming the file and the field; SQL is checked later against the
 * tables ({@link IndicatorEngine#validate}).
 */
public final class Catalog {

  /** Where a definition came from, for messages: {@code conf/indicators/catalog.yaml: indicators.x.numerator}. */
  public record Origin(Path file, String field) {
    @Override
    public String toString() {
      return file + ": " + field;
    }
  }

  public record Expr(String sql, Origin origin) {}

  public record Source(String name, String sql, Origin origin) {}

  public enum Aggregate { EXISTS, COUNT, COUNT_DISTINCT, MAX, MIN, LAST }

  public record Fact(String name, String source, Aggregate aggregate, Expr when, Expr of, Origin origin) {}

  public enum Kind { RATE, RATIO, RECORD, LIFE_TABLE }

  /**
   * One indicator. For {@code rate}, {@code ratio} and {@code record}: denominator and numerator filters; for
   * {@code record} also the source and its county column; for {@code life_table}: deaths and population filters
   * with their age columns. {@code params} are the indicator's own parameters (already rendered into its
   * expressions; kept for the methods a report prints). {@code officialMinAge} is the age group of the official
   * year-end population ({@code std.ref_population}, its {@code min_age}: 0 for every age) that may replace the
   * registry's count in the denominator ({@code official_denominator:}), or null when the indicator always counts
   * over the registry.
   */
  public record Indicator(String id, String nameZh, String nameEn, String unit, double factor, Kind kind,
      boolean higherIsBetter, String description, Map<String, Object> params, Expr denominator, Expr numerator,
      String source, String county, Expr deaths, Expr deathAge, Expr population, Expr populationAge, Origin origin,
      Integer officialMinAge) {

    public Indicator {
      params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
  }

  public final Map<String, Object> params = new LinkedHashMap<>();
  public final Map<String, Expr> conditions = new LinkedHashMap<>();
  public final Map<String, Expr> person = new LinkedHashMap<>();
  public final Map<String, Source> sources = new LinkedHashMap<>();
  public final Map<String, Fact> facts = new LinkedHashMap<>();
  public final Map<String, Expr> derived = new LinkedHashMap<>();
  public final Map<String, Indicator> indicators = new LinkedHashMap<>();
  private final Map<String, Origin> paramOrigins = new LinkedHashMap<>();
  private final Map<String, Origin> defined = new LinkedHashMap<>();

  private static final Set<String> SECTIONS =
      Set.of("params", "conditions", "person", "sources", "facts", "derived", "indicators");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Pattern REF =
      Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?:\\(([A-Za-z0-9_]+)\\))?(\\|([a-z_]+))?}");
  /** A condition that takes one argument: {@code resident_on(day)}, used as {@code ${resident_on(ref_date)}}. */
  private static final Pattern CALLABLE = Pattern.compile("([a-z][a-z0-9_]*)\\(([a-z][a-z0-9_]*)\\)");
  /** The argument name of each condition that takes one. */
  private final Map<String, String> conditionArgs = new LinkedHashMap<>();

  private Catalog() {}

  /** Loads and checks every {@code *.yaml} of the folder. */
  public static Catalog load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CatalogException(dir + ": indicator catalog folder not found");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new CatalogException(dir + ": cannot list the folder: " + e.getMessage());
    }
    Catalog c = new Catalog();
    // Parameters and conditions first (any file may use any), then the rest in file order.
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Path f : files) {
      Map<String, Object> doc = read(f);
      docs.add(doc);
      for (String k : doc.keySet()) {
        if (!SECTIONS.contains(k)) {
          throw new CatalogException(f + ": " + k + ": unknown section (expected one of " + SECTIONS + ")");
        }
      }
      for (var e : map(doc.get("params"), new Origin(f, "params")).entrySet()) {
        c.define("params", e.getKey(), new Origin(f, "params." + e.getKey()));
        c.params.put(e.getKey(), e.getValue());
        c.paramOrigins.put(e.getKey(), new Origin(f, "params." + e.getKey()));
      }
      for (var e : map(doc.get("conditions"), new Origin(f, "conditions")).entrySet()) {
        Origin o = new Origin(f, "conditions." + e.getKey());
        String name = e.getKey();
        Matcher call = CALLABLE.matcher(name);
        if (call.matches()) {
          name = call.group(1);
          c.conditionArgs.put(name, call.group(2));
        }
        c.define("conditions", name, o);
        c.conditions.put(name, new Expr(string(e.getValue(), o), o));
      }
    }
    for (int i = 0; i < files.size(); i++) {
      c.readRest(files.get(i), docs.get(i));
    }
    if (c.indicators.isEmpty()) {
      throw new CatalogException(dir + ": no indicators defined");
    }
    c.check();
    return c;
  }

  private void define(String section, String name, Origin o) {
    if (!NAME.matcher(name).matches()) {
      throw new CatalogException(o + ": names are lower-case letters, digits and _ (got '" + name + "')");
    }
    Origin before = defined.put(section + ":" + name, o);
    if (before != null) {
      throw new CatalogException(o + ": " + name + " is already defined at " + before);
    }
  }

  private void readRest(Path f, Map<String, Object> doc) {
    for (var e : map(doc.get("person"), new Origin(f, "person")).entrySet()) {
      Origin o = new Origin(f, "person." + e.getKey());
      define("column", e.getKey(), o);
      person.put(e.getKey(), new Expr(render(string(e.getValue(), o), Map.of(), o), o));
    }
    for (var e : map(doc.get("sources"), new Origin(f, "sources")).entrySet()) {
      Origin o = new Origin(f, "sources." + e.getKey());
      define("sources", e.getKey(), o);
      Map<String, Object> m = map(e.getValue(), o);
      only(m, o, "sql", "description");
      Origin so = new Origin(f, o.field() + ".sql");
      sources.put(e.getKey(), new Source(e.getKey(), render(required(m, "sql", o), Map.of(), so), so));
    }
    for (var e : map(doc.get("facts"), new Origin(f, "facts")).entrySet()) {
      Origin o = new Origin(f, "facts." + e.getKey());
      define("column", e.getKey(), o);
      Map<String, Object> m = map(e.getValue(), o);
      only(m, o, "source", "aggregate", "when", "of", "description");
      Aggregate agg;
      String a = required(m, "aggregate", o);
      try {
        agg = Aggregate.valueOf(a.toUpperCase());
      } catch (IllegalArgumentException ex) {
        throw new CatalogException(o + ".aggregate: unknown aggregate '" + a
            + "' (exists, count, count_distinct, max, min, last)");
      }
      Expr when = expr(m, "when", o, Map.of(), "true");
      Expr of = m.containsKey("of") ? expr(m, "of", o, Map.of(), null) : null;
      if (of == null && agg != Aggregate.EXISTS && agg != Aggregate.COUNT) {
        throw new CatalogException(o + ".of: required for aggregate " + a);
      }
      facts.put(e.getKey(), new Fact(e.getKey(), required(m, "source", o), agg, when, of, o));
    }
    for (var e : map(doc.get("derived"), new Origin(f, "derived")).entrySet()) {
      Origin o = new Origin(f, "derived." + e.getKey());
      define("column", e.getKey(), o);
      derived.put(e.getKey(), new Expr(render(string(e.getValue(), o), Map.of(), o), o));
    }
    for (var e : map(doc.get("indicators"), new Origin(f, "indicators")).entrySet()) {
      Origin o = new Origin(f, "indicators." + e.getKey());
      define("indicators", e.getKey(), o);
      indicators.put(e.getKey(), indicator(e.getKey(), map(e.getValue(), o), o));
    }
  }

  private Indicator indicator(String id, Map<String, Object> m, Origin o) {
    only(m, o, "name_zh", "name_en", "unit", "factor", "kind", "higher_is_better", "description", "params",
        "denominator", "numerator", "source", "county", "deaths", "death_age", "population", "population_age",
        "official_denominator");
    String k = m.containsKey("kind") ? string(m.get("kind"), new Origin(o.file(), o.field() + ".kind")) : "rate";
    Kind kind;
    try {
      kind = Kind.valueOf(k.toUpperCase());
    } catch (IllegalArgumentException ex) {
      throw new CatalogException(o + ".kind: unknown kind '" + k + "' (rate, ratio, record, life_table)");
    }
    String unit = required(m, "unit", o);
    double factor;
    if (m.containsKey("factor")) {
      factor = number(m.get("factor"), new Origin(o.file(), o.field() + ".factor"));
    } else {
      factor = switch (unit) {
        case "%" -> 100.0;
        case "‰" -> 1000.0;
        case "岁", "years" -> 1.0;
        default -> throw new CatalogException(o + ".factor: required for unit '" + unit + "'");
      };
    }
    Map<String, Object> local = m.containsKey("params") ? map(m.get("params"), new Origin(o.file(),
        o.field() + ".params")) : Map.of();
    boolean higher = !m.containsKey("higher_is_better") || Boolean.parseBoolean(String.valueOf(
        m.get("higher_is_better")));
    String description = m.containsKey("description") ? String.valueOf(m.get("description")) : null;
    Integer officialMinAge = officialMinAge(m, kind, local, o);
    if (kind == Kind.LIFE_TABLE) {
      return new Indicator(id, required(m, "name_zh", o), required(m, "name_en", o), unit, factor, kind, higher,
          description, local, null, null, null, null, expr(m, "deaths", o, local, null),
          expr(m, "death_age", o, local, null), expr(m, "population", o, local, null),
          expr(m, "population_age", o, local, null), o, null);
    }
    String source = null;
    String county = null;
    if (kind == Kind.RECORD) {
      source = required(m, "source", o);
      county = required(m, "county", o);
    }
    return new Indicator(id, required(m, "name_zh", o), required(m, "name_en", o), unit, factor, kind, higher,
        description, local, expr(m, "denominator", o, local, null), expr(m, "numerator", o, local, null), source,
        county, null, null, null, null, o, officialMinAge);
  }

  /**
   * {@code official_denominator: {min_age: 65}} (or {@code ${min_age}}): the indicator's denominator is a count of
   * residents aged at least that many years (0: every age), which the official year-end population of that age
   * group may replace. Only a person count (rate or ratio) can take it.
   */
  private Integer officialMinAge(Map<String, Object> m, Kind kind, Map<String, Object> local, Origin o) {
    if (!m.containsKey("official_denominator")) {
      return null;
    }
    Origin oo = new Origin(o.file(), o.field() + ".official_denominator");
    if (kind != Kind.RATE && kind != Kind.RATIO) {
      throw new CatalogException(oo + ": only a rate or ratio counts residents (this indicator is a "
          + kind.name().toLowerCase() + ")");
    }
    Map<String, Object> od = map(m.get("official_denominator"), oo);
    only(od, oo, "min_age");
    Origin ao = new Origin(oo.file(), oo.field() + ".min_age");
    if (!od.containsKey("min_age") || od.get("min_age") == null) {
      throw new CatalogException(ao + ": required (0 for every age)");
    }
    String text = render(String.valueOf(od.get("min_age")), local, ao);
    try {
      int age = Integer.parseInt(text.trim());
      if (age < 0 || age > 150) {
        throw new NumberFormatException();
      }
      return age;
    } catch (NumberFormatException e) {
      throw new CatalogException(ao + ": '" + text + "' is not an age in whole years (0 for every age)");
    }
  }

  private void check() {
    for (Indicator i : indicators.values()) {
      if (i.source() != null && !sources.containsKey(i.source())) {
        throw new CatalogException(i.origin() + ".source: no source '" + i.source() + "' (defined: "
            + sources.keySet() + ")");
      }
    }
    for (Fact f : facts.values()) {
      if (!sources.containsKey(f.source())) {
        throw new CatalogException(f.origin() + ".source: no source '" + f.source() + "' (defined: "
            + sources.keySet() + ")");
      }
    }
  }

  private Expr expr(Map<String, Object> m, String key, Origin o, Map<String, Object> local, String dflt) {
    Origin eo = new Origin(o.file(), o.field() + "." + key);
    if (!m.containsKey(key) || m.get(key) == null) {
      if (dflt != null) {
        return new Expr(dflt, eo);
      }
      throw new CatalogException(eo + ": required");
    }
    return new Expr(render(string(m.get(key), eo), local, eo), eo);
  }

  /**
   * Replaces {@code ${name}} by the parameter (indicator's own first, then the catalog's; a list renders as a
   * SQL list of quoted strings, a number as itself, a string quoted only when listed), or by a named condition in
   * parentheses; {@code ${name|all_present}} renders a list of columns as "a IS NOT NULL AND …".
   */
  String render(String sql, Map<String, Object> local, Origin o) {
    return render(sql, local, o, 0);
  }

  private String render(String sql, Map<String, Object> local, Origin o, int depth) {
    if (depth > 20) {
      throw new CatalogException(o + ": conditions refer to each other in a cycle");
    }
    StringBuilder out = new StringBuilder();
    Matcher mm = REF.matcher(sql);
    while (mm.find()) {
      String name = mm.group(1);
      String arg = mm.group(2);
      String filter = mm.group(4);
      String rep;
      if (arg != null || conditionArgs.containsKey(name) && !local.containsKey(name)) {
        rep = call(name, arg, filter, local, o, depth);
      } else if (local.containsKey(name) || params.containsKey(name)) {
        Object v = local.containsKey(name) ? local.get(name) : params.get(name);
        rep = filter == null ? literal(v) : applyFilter(filter, v, o);
      } else if (conditions.containsKey(name) && filter == null) {
        rep = "(" + render(conditions.get(name).sql(), local, conditions.get(name).origin(), depth + 1) + ")";
      } else {
        throw new CatalogException(o + ": unknown parameter or condition ${" + name + "} (parameters: "
            + params.keySet() + (local.isEmpty() ? "" : ", " + local.keySet()) + "; conditions: "
            + conditions.keySet() + ")");
      }
      mm.appendReplacement(out, Matcher.quoteReplacement(rep));
    }
    mm.appendTail(out);
    return out.toString().trim();
  }

  /** {@code ${name(arg)}}: the condition's text with its argument name bound to {@code arg}, in parentheses. */
  private String call(String name, String arg, String filter, Map<String, Object> local, Origin o, int depth) {
    String param = conditionArgs.get(name);
    if (param == null || !conditions.containsKey(name)) {
      throw new CatalogException(o + ": ${" + name + "(" + arg + ")}: " + (conditions.containsKey(name)
          ? "the condition " + name + " takes no argument" : "no condition " + name + " taking an argument"));
    }
    if (arg == null || filter != null) {
      throw new CatalogException(o + ": ${" + name + "} takes one argument, the day it is evaluated on (e.g. ${"
          + name + "(ref_date)})");
    }
    Map<String, Object> bound = new LinkedHashMap<>(local);
    bound.put(param, arg);
    Expr c = conditions.get(name);
    return "(" + render(c.sql(), bound, c.origin(), depth + 1) + ")";
  }

  /**
   * A named condition rendered for use outside the catalog (linkage evaluates the resident rule with it):
   * {@code condition("resident_on", "ref_date")} is the rule with its argument bound to the column ref_date.
   *
   * @throws CatalogException when the catalog has no such condition taking an argument
   */
  public String condition(String name, String arg) {
    Expr c = conditions.get(name);
    Origin o = c != null ? c.origin() : new Origin(java.nio.file.Path.of("conf/indicators"), "conditions." + name);
    return render("${" + name + "(" + arg + ")}", Map.of(), o);
  }

  /**
   * The rule "resident on R" (condition {@code resident_on}, bound to the column {@code ref_date}) for linkage, so
   * that the link rates and the indicators count residents by one definition.
   */
  public org.sanku.link.ResidentRule residentRule() {
    return new org.sanku.link.ResidentRule(condition("resident_on", "ref_date"),
        String.valueOf(conditionOrigin("resident_on")));
  }

  /** Where a named condition is defined ({@code file: conditions.name}), for messages of its users. */
  public Origin conditionOrigin(String name) {
    Expr c = conditions.get(name);
    return c == null ? null : c.origin();
  }

  private static String literal(Object v) {
    if (v instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      for (Object x : l) {
        parts.add(x instanceof Number ? x.toString() : "'" + String.valueOf(x).replace("'", "''") + "'");
      }
      return String.join(", ", parts);
    }
    return String.valueOf(v);
  }

  private static String applyFilter(String filter, Object v, Origin o) {
    if (filter.equals("all_present")) {
      if (!(v instanceof List<?> l) || l.isEmpty()) {
        throw new CatalogException(o + ": |all_present needs a non-empty list of columns");
      }
      List<String> parts = new ArrayList<>();
      for (Object x : l) {
        String col = String.valueOf(x);
        if (!NAME.matcher(col).matches()) {
          throw new CatalogException(o + ": |all_present: '" + col + "' is not a column name");
        }
        parts.add(col + " IS NOT NULL");
      }
      return "(" + String.join(" AND ", parts) + ")";
    }
    throw new CatalogException(o + ": unknown filter |" + filter + " (all_present)");
  }

  // ---- YAML helpers ----

  @SuppressWarnings("unchecked")
  private static Map<String, Object> read(Path f) {
    try {
      Object o = org.sanku.config.Yaml.mapper().readValue(f.toFile(), Object.class);
      if (o == null) {
        return Map.of();
      }
      if (!(o instanceof Map)) {
        throw new CatalogException(f + ": expected a mapping of sections at the top level");
      }
      return (Map<String, Object>) o;
    } catch (IOException e) {
      throw new CatalogException(f + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, Origin where) {
    if (o == null) {
      return Map.of();
    }
    if (!(o instanceof Map)) {
      throw new CatalogException(where + ": expected a mapping");
    }
    return (Map<String, Object>) o;
  }

  private static void only(Map<String, Object> m, Origin o, String... keys) {
    Set<String> ok = Set.of(keys);
    for (String k : m.keySet()) {
      if (!ok.contains(k)) {
        throw new CatalogException(o + "." + k + ": unknown field (expected " + String.join(", ", keys) + ")");
      }
    }
  }

  private static String required(Map<String, Object> m, String key, Origin o) {
    Object v = m.get(key);
    if (v == null || String.valueOf(v).isBlank()) {
      throw new CatalogException(o + "." + key + ": required");
    }
    return string(v, new Origin(o.file(), o.field() + "." + key));
  }

  private static String string(Object v, Origin o) {
    if (v instanceof Map || v instanceof List) {
      throw new CatalogException(o + ": expected text");
    }
    return String.valueOf(v);
  }

  private static double number(Object v, Origin o) {
    try {
      return Double.parseDouble(String.valueOf(v));
    } catch (NumberFormatException e) {
      throw new CatalogException(o + ": expected a number, got '" + v + "'");
    }
  }

  /** An error in the catalog, naming the file and the field. */
  /** A broken definition: its file, field and what is wrong, as one configuration problem. */
  public static final class CatalogException extends org.sanku.config.ConfigException {
    private static final long serialVersionUID = 1L;

    public CatalogException(String message) {
      super(message);
    }
  }
}
