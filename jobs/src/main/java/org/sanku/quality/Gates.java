package org.sanku.quality;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sanku.indicators.Catalog;
import org.sanku.indicators.Catalog.Indicator;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.storage.TableLayouts;

/**
 * Which indicators depend on which delivered sources, read from the indicator catalog rather than kept as a list:
 * an indicator's conditions name person columns, derived columns and facts; a fact reads an event source; a source's
 * SQL names tables; an integrated table comes {@code from} std tables ({@code schemas/integrated}); a std table
 * belongs to a source ({@code schemas/<table>.yaml}). Every indicator also depends on the registry (its persons and
 * their counties, {@code model.person}) and the reference data (the roll-up by {@code ref_division}).
 *
 * <p>An {@code error} failure on a source blocks the indicators that depend on it; the others publish.
 */
public final class Gates {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern TABLE = Pattern.compile("(?<![\\w.`])(std|model|link)\\.([a-z_][a-z0-9_]*)");

  private Gates() {}

  /** Indicator id → the sources it depends on, in catalog order. */
  public static Map<String, Set<String>> dependencies(Catalog catalog, SchemaCatalog contract) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (Indicator i : catalog.indicators.values()) {
      Set<String> sources = new TreeSet<>();
      sources.addAll(sourcesOf("model", "person", contract));
      sources.add("reference");
      List<String> sql = new ArrayList<>();
      for (Catalog.Expr e : new Catalog.Expr[] {i.denominator(), i.numerator(), i.deaths(), i.deathAge(),
          i.population(), i.populationAge()}) {
        if (e != null) {
          sql.add(e.sql());
        }
      }
      if (i.county() != null) {
        sql.add(i.county());
      }
      Set<String> seen = new java.util.HashSet<>();
      if (i.source() != null) {
        sources.addAll(sourcesOfSql(catalog.sources.get(i.source()).sql(), contract));
      }
      for (String s : sql) {
        collect(s, catalog, contract, sources, seen);
      }
      out.put(i.id(), sources);
    }
    return out;
  }

  /** The indicators that depend on any of the failed sources, in catalog order. */
  public static List<String> blocked(Map<String, Set<String>> dependencies, Set<String> failedSources) {
    List<String> out = new ArrayList<>();
    for (var e : dependencies.entrySet()) {
      if (e.getValue().stream().anyMatch(failedSources::contains)) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** Follows the names an expression uses through derived columns and facts to their tables' sources. */
  private static void collect(String sql, Catalog catalog, SchemaCatalog contract, Set<String> sources,
      Set<String> seen) {
    Matcher m = NAME.matcher(sql);
    while (m.find()) {
      String name = m.group();
      if (!seen.add(name)) {
        continue;
      }
      if (catalog.derived.containsKey(name)) {
        collect(catalog.derived.get(name).sql(), catalog, contract, sources, seen);
      } else if (catalog.facts.containsKey(name)) {
        Catalog.Fact f = catalog.facts.get(name);
        sources.addAll(sourcesOfSql(catalog.sources.get(f.source()).sql(), contract));
      }
      // Person columns and the built-in ages come from model.person, which every indicator depends on.
    }
  }

  private static Set<String> sourcesOfSql(String sql, SchemaCatalog contract) {
    Set<String> out = new TreeSet<>();
    Matcher m = TABLE.matcher(sql);
    while (m.find()) {
      out.addAll(sourcesOf(m.group(1), m.group(2), contract));
    }
    return out;
  }

  /** The sources of a table: a std table's own, an integrated table's std tables'. */
  static Set<String> sourcesOf(String ns, String table, SchemaCatalog contract) {
    Set<String> out = new TreeSet<>();
    List<String> std = ns.equals("std") ? List.of(table) : from(table);
    for (String t : std) {
      for (TableSchema s : contract.tables()) {
        if (s.table().equals(t)) {
          out.add(s.source());
        }
      }
    }
    return out;
  }

  private static List<String> from(String table) {
    TableLayouts.Layout l = TableLayouts.folder("integrated").get(table);
    return l == null ? List.of() : l.from();
  }
}
