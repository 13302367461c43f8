package org.sanku.link;

import org.sanku.storage.TableLayouts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;

/**
 * The tables linkage writes, column by column: the integrated analytics tables in namespace {@code model} (keyed
 * by {@code person_key}) and the link tables in namespace {@code link}, as {@code schemas/integrated/<table>.yaml}
 * defines them (read through {@link TableLayouts}); a test checks that the written tables have these columns.
 */
public final class IntegratedTables {

  /** One column: name, type ({@code string date timestamp int long double boolean array<string>}), meaning. */
  public record Col(String name, String type, String description) {
    public DataType sparkType() {
      return TableLayouts.sparkType(type, name);
    }
  }

  /** One table: namespace ({@code model} or {@code link}), name, meaning, columns in order. */
  public record Spec(String namespace, String table, String description, List<Col> columns) {
    public List<String> names() {
      return columns.stream().map(Col::name).toList();
    }
  }

  private static final Map<String, Spec> TABLES = load();

  private IntegratedTables() {}

  /** Every table, model tables first, then by name. */
  public static List<Spec> all() {
    return List.copyOf(TABLES.values());
  }

  public static Spec get(String table) {
    Spec s = TABLES.get(table);
    if (s == null) {
      throw new IllegalArgumentException("no integrated table " + table);
    }
    return s;
  }

  private static Map<String, Spec> load() {
    Map<String, Spec> out = new LinkedHashMap<>();
    for (String ns : List.of("model", "link")) {
      for (TableLayouts.Layout l : TableLayouts.folder("integrated").values()) {
        if (l.namespace().equals(ns)) {
          out.put(l.table(), new Spec(ns, l.table(), l.description(),
              l.columns().stream().map(c -> new Col(c.name(), c.type(), c.description())).toList()));
        }
      }
    }
    return java.util.Collections.unmodifiableMap(out);
  }
}
