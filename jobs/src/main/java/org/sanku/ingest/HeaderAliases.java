package org.sanku.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** conf/aliases.yaml: the Chinese and pinyin-initial headers accepted for each contract column. */
public final class HeaderAliases {

  private final Map<String, String> toColumn = new HashMap<>();

  private HeaderAliases() {}

  public static HeaderAliases load(Path confDir) {
    HeaderAliases a = new HeaderAliases();
    Path f = confDir.resolve("aliases.yaml");
    if (!Files.exists(f)) {
      return a;
    }
    {
      JsonNode root = org.sanku.config.Yaml.read(f);
      var it = root.fields();
      while (it.hasNext()) {
        var e = it.next();
        if (!e.getValue().isArray()) {
          throw new org.sanku.config.ConfigException(f + ": " + e.getKey() + ": must list its aliases as [a, b, …]");
        }
        for (JsonNode alias : e.getValue()) {
          String key = norm(alias.asText());
          String prev = a.toColumn.put(key, e.getKey());
          if (prev != null && !prev.equals(e.getKey())) {
            throw new org.sanku.config.ConfigException(f + ": " + e.getKey() + ": alias '" + alias.asText()
                + "' is given for both '" + prev + "' and '" + e.getKey() + "'");
          }
        }
      }
      return a;
    }
  }

  static String norm(String header) {
    return header.strip().replace("\uFEFF", "").toLowerCase(Locale.ROOT);
  }

  /**
   * The contract column a delivered header stands for: the header itself when it is one of the table's
   * columns, else its alias, else null (an extra column, kept raw and ignored downstream).
   */
  public String columnFor(String header, java.util.Collection<String> tableColumns) {
    String h = norm(header);
    for (String c : tableColumns) {
      if (c.equals(h)) {
        return c;
      }
    }
    String c = toColumn.get(h);
    return c != null && tableColumns.contains(c) ? c : null;
  }
}
