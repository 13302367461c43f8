package org.sanku.ingest.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.sanku.ingest.schema.ColumnSpec.Condition;
import org.sanku.ingest.schema.ColumnSpec.Requirement;

/**
 * The contract's tables as data: every {@code schemas/*.yaml}, with the value sets of
 * {@code conf/value_sets.yaml} and the local-code maps of {@code conf/code_maps.yaml}.
 *
 * <p>Everything is validated when loading, and all problems are reported together in one
 * {@link SchemaException} whose lines name the file and the field ("schemas/ehr_followup.yaml: column 'sbp':
 * unknown type 'integer' ..."). A mistake in configuration thus stops a run before any data is read, instead of
 * surfacing as a confusing Spark error, or worse, as silently wrong standardisation, half-way through a drop.
 *
 * <p>Instances are immutable.
 */
public final class SchemaCatalog {

  /** The drop folders of the contract (§1). */
  public static final List<String> SOURCES = List.of("population", "ehr", "emr", "reference");

  /** Value set every flag column uses unless its schema names another. */
  public static final String FLAG_VALUE_SET = "yes_no";

  public static final String VALUE_SETS_FILE = "value_sets.yaml";
  public static final String CODE_MAPS_FILE = "code_maps.yaml";

  static final Pattern COLUMN_NAME = Pattern.compile("[a-z][a-z0-9_]*");
  static final Set<String> TABLE_KEYS = Set.of("table", "source", "description", "primary_key", "columns");
  static final Set<String> COLUMN_KEYS = Set.of("name", "type", "required", "zh", "value_set", "min", "max", "max_length",
      "not_after_extract", "zone", "required_when", "default", "on_unknown", "marks_uncertain", "references", "on_missing",
      "notes");

  private final Map<String, TableSchema> tables;
  private final Map<String, Map<String, String>> valueSets;
  private final Map<String, Map<String, String>> codeMaps;

  private SchemaCatalog(Map<String, TableSchema> tables, Map<String, Map<String, String>> valueSets,
      Map<String, Map<String, String>> codeMaps) {
    this.tables = tables;
    this.valueSets = valueSets;
    this.codeMaps = codeMaps;
  }

  /**
   * Loads and validates the catalog.
   *
   * @param schemasDir folder holding one {@code <table>.yaml} per table (other files, such as README.md, are
   *                   ignored)
   * @param confDir    folder holding {@code value_sets.yaml} (required) and {@code code_maps.yaml} (optional)
   * @throws SchemaException listing every problem found
   */
  public static SchemaCatalog load(Path schemasDir, Path confDir) {
    SchemaLoader loader = new SchemaLoader();
    Map<String, Map<String, String>> valueSets = loader.readValueSets(confDir.resolve(VALUE_SETS_FILE));
    Path codeMapsFile = confDir.resolve(CODE_MAPS_FILE);
    Map<String, Map<String, String>> codeMaps = Files.exists(codeMapsFile)
        ? loader.readCodeMaps(codeMapsFile) : Map.of();
    Map<String, TableSchema> tables = new TreeMap<>();
    for (Path file : schemaFiles(schemasDir, loader)) {
      TableSchema t = loader.readTable(file, valueSets);
      if (t == null) {
        continue;
      }
      TableSchema previous = tables.put(t.table(), t);
      if (previous != null) {
        loader.problem(file, "table '" + t.table() + "' is also defined in " + previous.file());
      }
    }
    if (tables.isEmpty() && loader.problems.isEmpty()) {
      loader.problems.add(schemasDir + ": no table schemas (*.yaml) found");
    }
    loader.checkReferences(tables);
    loader.checkCodeMaps(codeMapsFile, codeMaps, tables, valueSets);
    if (!loader.problems.isEmpty()) {
      throw new SchemaException(loader.problems);
    }
    Map<String, TableSchema> ordered = new LinkedHashMap<>();
    for (TableSchema t : parentsFirst(tables)) {
      ordered.put(t.table(), t);
    }
    return new SchemaCatalog(Collections.unmodifiableMap(ordered), valueSets, codeMaps);
  }

  /** The table's schema. */
  public TableSchema get(String table) {
    TableSchema t = tables.get(table);
    if (t == null) {
      throw new IllegalArgumentException("no schema for table '" + table + "' (known: " + tables.keySet() + ")");
    }
    return t;
  }

  /** Every table, parents before the tables that reference them. */
  public List<TableSchema> tables() {
    return List.copyOf(tables.values());
  }

  /**
   * The tables delivered by one source, parents first (ehr_person before its exams, emr_visit before its
   * diagnoses), so a caller checking child rows against their parents can process them in this order.
   */
  public List<TableSchema> tablesOf(String source) {
    return tables.values().stream().filter(t -> t.source().equals(source)).collect(Collectors.toList());
  }

  /**
   * The sources in the order their drops are ingested: a source after every source whose tables its own depend on,
   * otherwise in the contract's order. A table depends on the tables its columns reference, and a table with a
   * division column on {@code ref_division} (retired codes are mapped through its successors): so reference data
   * comes first, then population, ehr and emr.
   */
  public List<String> sources() {
    List<String> out = new ArrayList<>();
    List<String> pending = new ArrayList<>(SOURCES);
    while (!pending.isEmpty()) {
      String next = pending.stream().filter(s -> pending.stream().noneMatch(o -> !o.equals(s) && dependsOn(s, o)))
          .findFirst().orElseThrow(() -> new IllegalStateException("sources depend on each other: " + pending));
      out.add(next);
      pending.remove(next);
    }
    return out;
  }

  /**
   * {@link #sources()} in levels: each source of a level depends only on sources of earlier levels (reference data
   * alone, then population, ehr and emr together), in {@link #sources()}'s order within a level.
   */
  public List<List<String>> sourceLevels() {
    List<List<String>> levels = new ArrayList<>();
    for (String s : sources()) {
      int level = 0;
      for (int i = 0; i < levels.size(); i++) {
        final int at = i;
        if (levels.get(at).stream().anyMatch(o -> dependsOn(s, o))) {
          level = at + 1;
        }
      }
      if (level == levels.size()) {
        levels.add(new ArrayList<>());
      }
      levels.get(level).add(s);
    }
    return levels.stream().map(List::copyOf).toList();
  }

  /** Whether a table of source {@code from} depends on a table of source {@code to}. */
  private boolean dependsOn(String from, String to) {
    for (TableSchema t : tables.values()) {
      if (!t.source().equals(from)) {
        continue;
      }
      for (ColumnSpec c : t.columns()) {
        String p = c.type() == ColumnType.DIVISION ? "ref_division" : c.referencedTable();
        if (p != null && tables.containsKey(p) && tables.get(p).source().equals(to)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The codes of a value set. */
  public Set<String> valueSet(String name) {
    return valueSetLabels(name).keySet();
  }

  /** The codes of a value set with their Chinese labels, in file order. */
  public Map<String, String> valueSetLabels(String name) {
    Map<String, String> vs = valueSets.get(name);
    if (vs == null) {
      throw new IllegalArgumentException("no value set '" + name + "' in " + VALUE_SETS_FILE);
    }
    return vs;
  }

  public Set<String> valueSetNames() {
    return valueSets.keySet();
  }

  /** Local code → national code for a column (conf/code_maps.yaml); empty when the column has no map. */
  public Map<String, String> codeMap(String column) {
    return codeMaps.getOrDefault(column, Map.of());
  }

  // ---------------------------------------------------------------------------------------------------------
  // Loading.

  private static List<Path> schemaFiles(Path dir, SchemaLoader loader) {
    if (!Files.isDirectory(dir)) {
      loader.problems.add(dir + ": schema folder not found");
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> {
        String n = p.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml");
      }).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /**
   * Orders tables so that a table comes after every table its columns reference (Kahn's algorithm; ties by
   * name, so the order is stable). Self-references and cycles cannot occur: references are checked to point to
   * another table, and the contract's parent links form a tree.
   */
  private static List<TableSchema> parentsFirst(Map<String, TableSchema> tables) {
    Map<String, Set<String>> parents = new TreeMap<>();
    for (TableSchema t : tables.values()) {
      Set<String> ps = new HashSet<>();
      for (ColumnSpec c : t.columns()) {
        if (c.references() != null) {
          String p = c.references().substring(0, c.references().indexOf('.'));
          if (!p.equals(t.table())) {
            ps.add(p);
          }
        }
      }
      parents.put(t.table(), ps);
    }
    List<TableSchema> out = new ArrayList<>();
    Set<String> done = new HashSet<>();
    while (out.size() < tables.size()) {
      boolean progress = false;
      for (Map.Entry<String, Set<String>> e : parents.entrySet()) {
        if (!done.contains(e.getKey()) && done.containsAll(e.getValue())) {
          done.add(e.getKey());
          out.add(tables.get(e.getKey()));
          progress = true;
          break; // restart from the smallest name so ties resolve alphabetically
        }
      }
      if (!progress) {
        throw new IllegalStateException("reference cycle among tables " + parents);
      }
    }
    return out;
  }

}
