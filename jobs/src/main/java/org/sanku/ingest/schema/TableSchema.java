package org.sanku.ingest.schema;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table of the export contract as data (schemas/&lt;table&gt;.yaml): source, key and columns. Instances come from
 * {@link SchemaCatalog#load(Path, Path)}, which has validated them.
 */
public final class TableSchema {

  /** The change columns every data table carries (contract §2). */
  public static final String OP_TYPE = "op_type";
  public static final String SRC_UPDATED_AT = "src_updated_at";

  private final String table;
  private final String source;
  private final String description;
  private final List<String> primaryKey;
  private final List<ColumnSpec> columns;
  private final Map<String, ColumnSpec> byName;
  private final Path file;

  TableSchema(String table, String source, String description, List<String> primaryKey, List<ColumnSpec> columns,
      Path file) {
    this.table = table;
    this.source = source;
    this.description = description;
    this.primaryKey = List.copyOf(primaryKey);
    this.columns = List.copyOf(columns);
    Map<String, ColumnSpec> m = new LinkedHashMap<>();
    for (ColumnSpec c : columns) {
      m.put(c.name(), c);
    }
    this.byName = m;
    this.file = file;
  }

  public String table() {
    return table;
  }

  /** population, ehr, emr or reference: the drop folder the table is delivered in. */
  public String source() {
    return source;
  }

  public String description() {
    return description;
  }

  public List<String> primaryKey() {
    return primaryKey;
  }

  /** The columns whose value must be a key of another table (ORPHAN when it is not), in schema order. */
  public List<ColumnSpec> parentReferences() {
    return columns.stream().filter(c -> c.references() != null && !c.lookupOnly()).toList();
  }

  /** The columns looked up in a reference table, warned when the value is not there (UNKNOWN_ORG …). */
  public List<ColumnSpec> lookupReferences() {
    return columns.stream().filter(c -> c.references() != null && c.lookupOnly()).toList();
  }

  /** Columns in schema order. */
  public List<ColumnSpec> columns() {
    return columns;
  }

  /** The column, or null when the table has none of that name. */
  public ColumnSpec column(String name) {
    return byName.get(name);
  }

  public boolean hasColumn(String name) {
    return byName.containsKey(name);
  }

  /** Whether rows carry op_type and src_updated_at (every data table; not the reference tables). */
  public boolean hasChangeColumns() {
    return byName.containsKey(OP_TYPE) && byName.containsKey(SRC_UPDATED_AT);
  }

  /** The file the schema was read from (for messages). */
  public Path file() {
    return file;
  }

  /** Every column the standardiser writes, in order (see {@link ColumnSpec#outputColumns()}). */
  public List<String> outputColumns() {
    List<String> out = new ArrayList<>();
    for (ColumnSpec c : columns) {
      out.addAll(c.outputColumns());
    }
    return out;
  }

  @Override
  public String toString() {
    return "TableSchema[" + source + "/" + table + ", " + columns.size() + " columns]";
  }
}
