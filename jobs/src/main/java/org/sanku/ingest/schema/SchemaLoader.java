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
 * Reads and validates the schema files, value sets and code maps for {@link SchemaCatalog#load}, collecting every
 * problem (file and field) instead of stopping at the first.
 */
final class SchemaLoader {

  private final ObjectMapper yaml = org.sanku.config.Yaml.mapper();
  final List<String> problems = new ArrayList<>();

  void problem(Path file, String message) {
    problems.add(file + ": " + message);
  }

  private JsonNode read(Path file) {
    if (!Files.isRegularFile(file)) {
      problem(file, "file not found");
      return null;
    }
    try {
      JsonNode n = yaml.readTree(file.toFile());
      if (n == null || !n.isObject()) {
        problem(file, "expected a YAML mapping at the top level");
        return null;
      }
      return n;
    } catch (IOException e) {
      problem(file, "not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
      return null;
    }
  }

  Map<String, Map<String, String>> readValueSets(Path file) {
    JsonNode root = read(file);
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    if (root == null) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String where = "value set '" + e.getKey() + "'";
      if (!e.getValue().isObject() || e.getValue().isEmpty()) {
        problem(file, where + ": expected a non-empty mapping of code to label, e.g. {\"1\": 男}");
        continue;
      }
      Map<String, String> codes = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> c = e.getValue().fields(); c.hasNext(); ) {
        Map.Entry<String, JsonNode> code = c.next();
        if (code.getKey().isBlank()) {
          problem(file, where + ": empty code");
        } else if (!code.getValue().isTextual() || code.getValue().asText().isBlank()) {
          problem(file, where + ": code '" + code.getKey() + "' needs a Chinese label");
        } else {
          codes.put(code.getKey(), code.getValue().asText());
        }
      }
      out.put(e.getKey(), Collections.unmodifiableMap(codes));
    }
    return Collections.unmodifiableMap(out);
  }

  Map<String, Map<String, String>> readCodeMaps(Path file) {
    JsonNode root = read(file);
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    if (root == null) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isObject()) {
        problem(file, "'" + e.getKey() + "': expected a mapping of local code to national code");
        continue;
      }
      Map<String, String> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> c = e.getValue().fields(); c.hasNext(); ) {
        Map.Entry<String, JsonNode> code = c.next();
        if (!code.getValue().isTextual()) {
          problem(file, "'" + e.getKey() + "': the national code for '" + code.getKey()
              + "' must be a quoted string (leading zeros matter), got " + code.getValue());
        } else {
          m.put(code.getKey(), code.getValue().asText());
        }
      }
      out.put(e.getKey(), Collections.unmodifiableMap(m));
    }
    return Collections.unmodifiableMap(out);
  }

  TableSchema readTable(Path file, Map<String, Map<String, String>> valueSets) {
    JsonNode root = read(file);
    if (root == null) {
      return null;
    }
    int before = problems.size();
    unknownKeys(file, "", root, SchemaCatalog.TABLE_KEYS);
    String stem = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    String table = text(file, "", root, "table", true);
    if (table != null && !table.equals(stem)) {
      problem(file, "table '" + table + "' does not match the file name (expected table: " + stem + ")");
    }
    String source = text(file, "", root, "source", true);
    if (source != null && !SchemaCatalog.SOURCES.contains(source)) {
      problem(file, "source '" + source + "' is not one of " + SchemaCatalog.SOURCES);
    }
    String description = text(file, "", root, "description", false);

    List<ColumnSpec> columns = new ArrayList<>();
    JsonNode cols = root.get("columns");
    if (cols == null || !cols.isArray() || cols.isEmpty()) {
      problem(file, "columns: expected a non-empty list of columns");
    } else {
      Set<String> names = new HashSet<>();
      for (int i = 0; i < cols.size(); i++) {
        ColumnSpec c = readColumn(file, i, cols.get(i), valueSets);
        if (c == null) {
          continue;
        }
        if (!names.add(c.name())) {
          problem(file, "column '" + c.name() + "': duplicate column");
          continue;
        }
        columns.add(c);
      }
    }
    Map<String, ColumnSpec> byName = new LinkedHashMap<>();
    columns.forEach(c -> byName.put(c.name(), c));
    checkColumnRelations(file, columns, byName, valueSets);
    checkChangeColumns(file, source, byName);

    List<String> primaryKey = new ArrayList<>();
    JsonNode pk = root.get("primary_key");
    if (pk == null || !pk.isArray() || pk.isEmpty()) {
      problem(file, "primary_key: expected a non-empty list of column names, e.g. [followup_id]");
    } else {
      for (JsonNode k : pk) {
        String name = k.asText();
        ColumnSpec c = byName.get(name);
        if (primaryKey.contains(name)) {
          problem(file, "primary_key: column '" + name + "' listed twice");
        } else if (c == null) {
          problem(file, "primary_key: column '" + name + "' is not among the columns");
        } else if (!c.isRequired()) {
          problem(file, "primary_key: column '" + name + "' must be required: Y");
        }
        primaryKey.add(name);
      }
    }
    if (problems.size() > before) {
      return null;
    }
    return new TableSchema(table, source, description, primaryKey, columns, file);
  }

  private ColumnSpec readColumn(Path file, int index, JsonNode n, Map<String, Map<String, String>> valueSets) {
    if (n == null || !n.isObject()) {
      problem(file, "columns[" + index + "]: expected a mapping such as {name: x, type: string, required: Y}");
      return null;
    }
    int before = problems.size();
    String name = n.path("name").asText(null);
    String where = name == null ? "columns[" + index + "]" : "column '" + name + "'";
    if (name == null || name.isEmpty()) {
      problem(file, where + ": name is missing");
    } else if (!SchemaCatalog.COLUMN_NAME.matcher(name).matches()) {
      problem(file, where + ": name must be snake_case (a-z, 0-9, _), starting with a letter");
    }
    unknownKeys(file, where + ": ", n, SchemaCatalog.COLUMN_KEYS);

    String typeName = text(file, where + ": ", n, "type", true);
    ColumnType type = typeName == null ? null : ColumnType.fromYaml(typeName);
    if (typeName != null && type == null) {
      problem(file, where + ": unknown type '" + typeName + "' (expected one of " + ColumnType.names() + ")");
    }
    String req = text(file, where + ": ", n, "required", true);
    Requirement required = null;
    if (req != null) {
      try {
        required = Requirement.valueOf(req);
      } catch (IllegalArgumentException e) {
        problem(file, where + ": required '" + req + "' must be Y, C or N");
      }
    }
    String zh = text(file, where + ": ", n, "zh", false);
    String notes = n.has("notes") ? n.get("notes").asText() : null;

    String valueSet = text(file, where + ": ", n, "value_set", false);
    if (type == ColumnType.FLAG && valueSet == null) {
      valueSet = SchemaCatalog.FLAG_VALUE_SET;
    }
    if (valueSet != null) {
      if (type != null && !type.isCoded()) {
        problem(file, where + ": value_set is only allowed on code, flag and list columns, not " + typeName);
      } else if (!valueSets.containsKey(valueSet)) {
        problem(file, where + ": value_set '" + valueSet + "' is not defined in " + SchemaCatalog.VALUE_SETS_FILE);
      }
    }

    Double min = number(file, where, n, "min");
    Double max = number(file, where, n, "max");
    if ((min != null || max != null) && type != null && type != ColumnType.INT && type != ColumnType.DECIMAL) {
      problem(file, where + ": min/max are only allowed on int and decimal columns");
    }
    if (min != null && max != null && min > max) {
      problem(file, where + ": min " + min + " is greater than max " + max);
    }

    Integer maxLength = null;
    JsonNode ml = n.get("max_length");
    if (ml != null) {
      if (!ml.isIntegralNumber() || !ml.canConvertToInt() || ml.asInt() < 1) {
        problem(file, where + ": max_length must be a whole number ≥ 1");
      } else if (type != null && type.defaultMaxLength() == 0) {
        problem(file, where + ": max_length is only allowed on string, code, flag, list and icd10 columns");
      } else {
        maxLength = ml.asInt();
      }
    }

    boolean notAfterExtract = bool(file, where, n, "not_after_extract");
    if (notAfterExtract && type != null && type != ColumnType.DATE && type != ColumnType.DATETIME) {
      problem(file, where + ": not_after_extract is only allowed on date and datetime columns");
    }
    String zone = text(file, where + ": ", n, "zone", false);
    if (zone != null && !zone.equals("identity") && !zone.equals("analytics")) {
      problem(file, where + ": zone '" + zone + "' must be identity or analytics");
    }
    boolean identity = "identity".equals(zone);

    Condition requiredWhen = null;
    JsonNode rw = n.get("required_when");
    if (rw != null) {
      if (!rw.isObject() || !rw.path("column").isTextual() || !rw.path("in").isArray() || rw.get("in").isEmpty()) {
        problem(file, where + ": required_when must look like {column: person_status_code, in: [\"2\"]}");
      } else {
        List<String> values = new ArrayList<>();
        for (JsonNode v : rw.get("in")) {
          if (!v.isTextual()) {
            problem(file, where + ": required_when: code " + v + " must be quoted (\"" + v.asText() + "\")");
          }
          values.add(v.asText());
        }
        requiredWhen = new Condition(rw.get("column").asText(), values);
        unknownKeys(file, where + ": required_when: ", rw, Set.of("column", "in"));
      }
      if (required != null && required != Requirement.C) {
        problem(file, where + ": required_when only makes sense on a conditional column (required: C)");
      }
    }

    String defaultValue = null;
    if (n.has("default")) {
      if (!n.get("default").isTextual()) {
        problem(file, where + ": default must be a quoted code");
      } else {
        defaultValue = n.get("default").asText();
        if (type != null && type != ColumnType.CODE && type != ColumnType.FLAG) {
          problem(file, where + ": default is only allowed on code and flag columns");
        } else if (valueSet != null && valueSets.containsKey(valueSet)
            && !valueSets.get(valueSet).containsKey(defaultValue)) {
          problem(file, where + ": default '" + defaultValue + "' is not in value set '" + valueSet + "'");
        }
      }
    }

    String onUnknown = text(file, where + ": ", n, "on_unknown", false);
    if (onUnknown != null && !onUnknown.equals("error") && !onUnknown.equals("warning")) {
      problem(file, where + ": on_unknown '" + onUnknown + "' must be error or warning");
    }
    if (onUnknown != null && n.get("value_set") == null) {
      problem(file, where + ": on_unknown needs a value_set");
    }

    boolean marksUncertain = bool(file, where, n, "marks_uncertain");
    if (marksUncertain && type != null && type != ColumnType.STRING) {
      problem(file, where + ": marks_uncertain is only allowed on a string column (the diagnosis name)");
    }
    String references = text(file, where + ": ", n, "references", false);
    if (references != null && !references.matches("[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*")) {
      problem(file, where + ": references '" + references + "' must be table.column");
    }

    String onMissing = text(file, where + ": ", n, "on_missing", false);
    if (onMissing != null && !onMissing.equals("error") && !onMissing.equals("warning")) {
      problem(file, where + ": on_missing '" + onMissing + "' must be error or warning");
    }
    if (onMissing != null && references == null) {
      problem(file, where + ": on_missing needs references");
    }

    if (problems.size() > before) {
      return null;
    }
    return new ColumnSpec(name, type, required, zh, valueSet, min, max, notAfterExtract, identity, requiredWhen,
        defaultValue, !"warning".equals(onUnknown), marksUncertain, references, notes, "warning".equals(onMissing),
        maxLength == null ? type.defaultMaxLength() : maxLength);
  }

  /** Checks that need the whole column list: conditions, derived names, one icd10 column. */
  private void checkColumnRelations(Path file, List<ColumnSpec> columns, Map<String, ColumnSpec> byName,
      Map<String, Map<String, String>> valueSets) {
    Map<String, String> outputs = new LinkedHashMap<>();
    int icd10 = 0;
    int uncertain = 0;
    for (ColumnSpec c : columns) {
      for (String out : c.outputColumns()) {
        String other = outputs.putIfAbsent(out, c.name());
        if (other != null) {
          problem(file, "column '" + c.name() + "': its output column '" + out + "' clashes with column '"
              + other + "'");
        }
      }
      icd10 += c.type() == ColumnType.ICD10 ? 1 : 0;
      uncertain += c.marksUncertain() ? 1 : 0;
      Condition w = c.requiredWhen();
      if (w != null) {
        ColumnSpec on = byName.get(w.column());
        if (on == null) {
          problem(file, "column '" + c.name() + "': required_when refers to unknown column '" + w.column() + "'");
        } else if (on.type() != ColumnType.CODE && on.type() != ColumnType.FLAG) {
          problem(file, "column '" + c.name() + "': required_when column '" + w.column()
              + "' must be a code or flag column");
        } else if (on.valueSet() != null && valueSets.containsKey(on.valueSet())) {
          for (String v : w.values()) {
            if (!valueSets.get(on.valueSet()).containsKey(v)) {
              problem(file, "column '" + c.name() + "': required_when value '" + v + "' is not in value set '"
                  + on.valueSet() + "' of column '" + w.column() + "'");
            }
          }
        }
      }
    }
    if (icd10 > 1) {
      problem(file, "at most one icd10 column per table (its categories are written as icd3/icd4)");
    }
    if (uncertain > 1) {
      problem(file, "at most one column may have marks_uncertain (it writes is_uncertain)");
    }
  }

  /** Data tables need the change columns of contract §2 with their fixed meaning. */
  private void checkChangeColumns(Path file, String source, Map<String, ColumnSpec> byName) {
    if (source == null || source.equals("reference")) {
      return;
    }
    ColumnSpec op = byName.get(TableSchema.OP_TYPE);
    if (op == null || op.type() != ColumnType.CODE || !"op_type".equals(op.valueSet())) {
      problem(file, "column 'op_type': a data table needs op_type (type code, value_set op_type, default I)");
    }
    ColumnSpec upd = byName.get(TableSchema.SRC_UPDATED_AT);
    if (upd == null || upd.type() != ColumnType.DATETIME) {
      problem(file, "column 'src_updated_at': a data table needs src_updated_at of type datetime");
    }
  }

  void checkReferences(Map<String, TableSchema> tables) {
    for (TableSchema t : tables.values()) {
      for (ColumnSpec c : t.columns()) {
        if (c.references() == null) {
          continue;
        }
        String[] parts = c.references().split("\\.");
        TableSchema parent = tables.get(parts[0]);
        if (parent == null || parent.table().equals(t.table())) {
          problem(t.file(), "column '" + c.name() + "': references unknown table '" + parts[0] + "'");
        } else if (!parent.hasColumn(parts[1])) {
          problem(t.file(), "column '" + c.name() + "': references unknown column '" + c.references() + "'");
        }
      }
    }
  }

  /**
   * Every code map must belong to a coded column, and map onto codes of that column's value set: a map whose
   * target is itself unknown would turn a LOCAL_CODE warning into an UNKNOWN_CODE quarantine.
   */
  void checkCodeMaps(Path file, Map<String, Map<String, String>> codeMaps, Map<String, TableSchema> tables,
      Map<String, Map<String, String>> valueSets) {
    for (Map.Entry<String, Map<String, String>> e : codeMaps.entrySet()) {
      boolean used = false;
      for (TableSchema t : tables.values()) {
        ColumnSpec c = t.column(e.getKey());
        if (c == null) {
          continue;
        }
        if (!c.type().isCoded()) {
          problem(file, "'" + e.getKey() + "': column of " + t.table() + " is " + c.type().yamlName()
              + ", not a code, flag or list column");
          continue;
        }
        used = true;
        Map<String, String> vs = c.valueSet() == null ? null : valueSets.get(c.valueSet());
        if (vs == null) {
          continue;
        }
        Set<String> bad = new LinkedHashSet<>();
        for (Map.Entry<String, String> m : e.getValue().entrySet()) {
          if (!vs.containsKey(m.getValue())) {
            bad.add(m.getKey() + " → " + m.getValue());
          }
        }
        if (!bad.isEmpty()) {
          problem(file, "'" + e.getKey() + "': " + bad + " map outside value set '" + c.valueSet() + "' ("
              + t.table() + ")");
        }
      }
      if (!used && tables.values().stream().noneMatch(t -> t.hasColumn(e.getKey()))) {
        problem(file, "'" + e.getKey() + "' is not a column of any table schema");
      }
    }
  }

  private void unknownKeys(Path file, String where, JsonNode n, Set<String> allowed) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        problem(file, where + "unknown field '" + k + "' (allowed: " + new TreeSet<>(allowed) + ")");
      }
    }
  }

  private String text(Path file, String where, JsonNode n, String field, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        problem(file, where + field + " is missing");
      }
      return null;
    }
    if (!v.isValueNode() || v.asText().isBlank()) {
      problem(file, where + field + ": expected a non-empty text value");
      return null;
    }
    return v.asText();
  }

  private Double number(Path file, String where, JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null) {
      return null;
    }
    if (!v.isNumber()) {
      problem(file, where + ": " + field + " must be a number, got " + v);
      return null;
    }
    return v.asDouble();
  }

  private boolean bool(Path file, String where, JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null) {
      return false;
    }
    if (!v.isBoolean()) {
      problem(file, where + ": " + field + " must be true or false, got " + v);
      return false;
    }
    return v.asBoolean();
  }
}
