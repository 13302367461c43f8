package org.sanku.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.sanku.config.ConfigException;
import org.sanku.config.ConfigProblem;
import org.sanku.config.Yaml;

/**
 * {@code conf/access.yaml}: the roles (which published tables a role reads) and, per table, how a row is placed in
 * a division so that a login sees only the rows of its {@link Scope}. Data, not code: a deployment adds a role or
 * places a new table by editing the file. A table the file does not place is seen only by logins of the whole
 * region, so a table added to the warehouse is closed until someone decides who may see it.
 */
public final class AccessRules {

  public static final String FILE = "access.yaml";

  /**
   * How a table's rows are placed: by a division expression over the row, by the county of the row's person
   * (then the expression, when the row has no person), or not at all (shared: rows about no division).
   */
  public record Rule(String division, String person, boolean shared) {}

  private final Path file;
  private final String defaultRole;
  private final Map<String, List<String>> roles;
  private final Map<String, Rule> tables;

  private AccessRules(Path file, String defaultRole, Map<String, List<String>> roles, Map<String, Rule> tables) {
    this.file = file;
    this.defaultRole = defaultRole;
    this.roles = roles;
    this.tables = tables;
  }

  /** Reads {@code confDir/access.yaml}, reporting every problem with its file and key. */
  public static AccessRules load(Path confDir) {
    Path file = confDir.resolve(FILE);
    String f = file.toString();
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(f + ": missing: the JDBC server needs the roles and the placing of rows it defines");
    }
    JsonNode root = Yaml.read(file);
    List<ConfigProblem> problems = new ArrayList<>();
    only(f, "", root, Set.of("default_role", "roles", "tables"), problems);
    Map<String, List<String>> roles = new LinkedHashMap<>();
    JsonNode rs = root.path("roles");
    if (!rs.isObject() || rs.isEmpty()) {
      problems.add(new ConfigProblem(f, "roles", "expected a mapping of roles, each with its tables"));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = rs.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = "roles." + e.getKey();
      if (!Users.NAME.matcher(e.getKey()).matches()) {
        problems.add(new ConfigProblem(f, at, "a role name is lower-case letters, digits, _ . -"));
      }
      only(f, at + ".", e.getValue(), Set.of("tables"), problems);
      List<String> patterns = new ArrayList<>();
      JsonNode ts = e.getValue().path("tables");
      if (!ts.isArray() || ts.isEmpty()) {
        problems.add(new ConfigProblem(f, at + ".tables", "expected a list of tables (ns.table, ns.* or *)"));
      }
      ts.forEach(t -> {
        if (!t.asText().matches("\\*|[a-z_]+\\.(\\*|[a-z0-9_]+)")) {
          problems.add(new ConfigProblem(f, at + ".tables", "\"" + t.asText() + "\" is not ns.table, ns.* or *"));
        }
        patterns.add(t.asText());
      });
      roles.put(e.getKey(), List.copyOf(patterns));
    }
    String defaultRole = root.path("default_role").asText("");
    if (!roles.containsKey(defaultRole)) {
      problems.add(new ConfigProblem(f, "default_role", "\"" + defaultRole + "\" is not one of the roles "
          + roles.keySet()));
    }
    Map<String, Rule> tables = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("tables").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = "tables." + e.getKey();
      JsonNode r = e.getValue();
      if (!e.getKey().matches("[a-z_]+\\.[a-z0-9_]+")) {
        problems.add(new ConfigProblem(f, at, "expected a table as namespace.table"));
      }
      only(f, at + ".", r, Set.of("division", "person", "shared"), problems);
      String division = text(r, "division");
      String person = text(r, "person");
      boolean shared = r.path("shared").asBoolean(false);
      if (shared == (division != null || person != null)) {
        problems.add(new ConfigProblem(f, at, "give shared: true, or division and/or person"));
      }
      if (division != null) {
        try {
          CatalystSqlParser$.MODULE$.parseExpression(division);
        } catch (Exception bad) {
          // Spark's ParseException, which Scala throws without declaring it.
          problems.add(new ConfigProblem(f, at + ".division", "not a Spark SQL expression: "
              + String.valueOf(bad.getMessage()).lines().filter(l -> !l.isBlank()).findFirst().orElse("")));
        }
      }
      if (person != null && !person.matches("[a-z_][a-z0-9_]*")) {
        problems.add(new ConfigProblem(f, at + ".person", "expected the name of the person-key column"));
      }
      tables.put(e.getKey(), new Rule(division, person, shared));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new AccessRules(file, defaultRole, roles, tables);
  }

  public Path file() {
    return file;
  }

  public String defaultRole() {
    return defaultRole;
  }

  public Set<String> roles() {
    return roles.keySet();
  }

  /** The role's tables as the file gives them, for messages ({@code ind.*, link.link_rate, ops.*}). */
  public String tablesOf(String role) {
    return String.join(", ", roles.getOrDefault(role, List.of()));
  }

  /** Whether {@code role} reads the table {@code namespace.table}. */
  public boolean reads(String role, String namespace, String table) {
    for (String p : roles.getOrDefault(role, List.of())) {
      if (p.equals("*") || p.equals(namespace + ".*") || p.equals(namespace + "." + table)) {
        return true;
      }
    }
    return false;
  }

  /** The roles that read the table. */
  public List<String> rolesReading(String namespace, String table) {
    return roles.keySet().stream().filter(r -> reads(r, namespace, table)).toList();
  }

  /** How the table's rows are placed; null when the file does not place them (whole-region logins only). */
  public Rule rule(String namespace, String table) {
    return tables.get(namespace + "." + table);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
  }

  private static void only(String f, String prefix, JsonNode node, Set<String> known, List<ConfigProblem> into) {
    if (!node.isObject()) {
      into.add(new ConfigProblem(f, prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1),
          "expected a mapping"));
      return;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        into.add(new ConfigProblem(f, prefix + k, "unknown key (known: " + String.join(", ",
            known.stream().sorted().toList()) + ")"));
      }
    }
  }
}
