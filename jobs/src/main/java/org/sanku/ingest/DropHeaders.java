package org.sanku.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sanku.ingest.drop.Drop;
import org.sanku.ingest.drop.ManifestVerifier.FileCheck;
import org.sanku.ingest.drop.Quoted;
import org.sanku.ingest.schema.ColumnSpec;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.ingest.schema.TableSchema;

/**
 * Checks a verified drop's files against the contract's tables before anything of it is read into Spark: every
 * file is a table of the drop's source, no header is given twice (two columns found as one would leave one
 * unread), and every required column is there (contract §2: a missing required column refuses the file). A problem
 * refuses the drop like a broken manifest does: it is recorded, its source waits, the other sources go on.
 *
 * <p>Messages never repeat a header line: a file could be a link to anything, and its first line would then be
 * somebody's secret. They name columns by the contract's names and quote at most one delivered header, cut short.
 */
final class DropHeaders {

  /** How a file's header was understood: the file's column index of each contract column found. */
  record Layout(TableSchema schema, Map<String, Integer> columns, List<Integer> extra, List<String> header) {}

  private DropHeaders() {}

  /** The table a delivered file holds, or null when its name is none of the source's tables. */
  static TableSchema tableOf(String file, String source, SchemaCatalog catalog) {
    for (TableSchema t : catalog.tablesOf(source)) {
      if (file.equals(t.table() + ".csv") || file.equals(t.table() + ".csv.gz")) {
        return t;
      }
    }
    return null;
  }

  /** Every file's layout, in the manifest's order; problems go to {@code problems}, each naming its file. */
  static Map<String, Layout> check(Drop drop, List<FileCheck> checks, SchemaCatalog catalog, HeaderAliases aliases,
      List<String> problems) {
    Map<String, Layout> out = new LinkedHashMap<>();
    for (FileCheck c : checks) {
      String where = drop.id() + "/" + c.name();
      TableSchema schema = tableOf(c.name(), drop.source(), catalog);
      if (schema == null) {
        problems.add(where + ": not a table of source " + drop.source() + " (expected "
            + String.join(", ", catalog.tablesOf(drop.source()).stream().map(t -> t.table() + ".csv").toList())
            + ", or .csv.gz)");
        continue;
      }
      Layout layout = layout(where, c.header(), schema, aliases, problems);
      if (layout != null) {
        out.put(c.name(), layout);
      }
    }
    return out;
  }

  /** The layout of one header, or null (with problems added) when the file cannot be read as its table. */
  static Layout layout(String where, List<String> header, TableSchema schema, HeaderAliases aliases,
      List<String> problems) {
    List<String> contract = schema.columns().stream().map(ColumnSpec::name).toList();
    Map<String, Integer> columns = new LinkedHashMap<>();
    List<Integer> extra = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    int before = problems.size();
    String firstUnknown = null;
    for (int i = 0; i < header.size(); i++) {
      String h = header.get(i);
      String c = aliases.columnFor(h, contract);
      Integer twice = seen.putIfAbsent(HeaderAliases.norm(h), i);
      if (twice != null) {
        problems.add(where + ": header " + (c != null ? c : Quoted.of(h)) + " is given twice (columns "
            + (twice + 1) + " and " + (i + 1) + "): the file is refused, one of them would go unread");
        continue;
      }
      if (c == null) {
        extra.add(i);
        if (firstUnknown == null) {
          firstUnknown = h;
        }
        continue;
      }
      Integer other = columns.putIfAbsent(c, i);
      if (other != null) {
        problems.add(where + ": columns " + (other + 1) + " and " + (i + 1) + " are both " + c
            + " (by name or alias): the file is refused, one of them would go unread");
      }
    }
    List<String> missing = new ArrayList<>();
    for (ColumnSpec c : schema.columns()) {
      if (c.isRequired() && !columns.containsKey(c.name())) {
        missing.add(c.name());
      }
    }
    if (!missing.isEmpty()) {
      problems.add(where + ": required column(s) " + String.join(", ", missing) + " missing (the header has "
          + header.size() + " column(s), " + extra.size() + " unknown"
          + (firstUnknown == null ? "" : ", the first unknown " + Quoted.of(firstUnknown)) + ")");
    }
    return problems.size() > before ? null : new Layout(schema, columns, extra, header);
  }
}
