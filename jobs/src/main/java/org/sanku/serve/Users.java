package org.sanku.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.sanku.config.ConfigException;
import org.sanku.config.ConfigProblem;
import org.sanku.config.Yaml;

/**
 * The logins of {@code ./sanku serve}: a YAML file ({@code conf/users.yaml} unless {@code --users} names another)
 * that {@code ./sanku user add|remove|lock|unlock} writes and the server reads at every login, so a change counts
 * from the next login without a restart. Each user has a name, a password hash ({@link Passwords}), a role (what
 * tables it reads, {@code conf/access.yaml}), a {@link Scope} (the divisions whose rows it sees) and a lock.
 *
 * <p>The file is written whole to a new file beside it and moved over the old one, so a reader never sees half a
 * file, with mode 600: it holds the hashes, and the server refuses a file that others can read.
 */
public final class Users {

  /** One login. */
  public record User(String name, String role, Scope scope, String passwordHash, boolean locked) {
    public User withLocked(boolean lock) {
      return new User(name, role, scope, passwordHash, lock);
    }
  }

  /** Lower-case letters, digits, {@code _ . -}, starting with a letter: a name that needs no quoting anywhere. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

  private static final String HEADER = """
      # Logins of ./sanku serve, written by ./sanku user add|remove|lock|unlock (see README, "The JDBC server").
      # name: the login; role: what it reads (conf/access.yaml); scope: the divisions whose rows it sees
      # (6-digit county, city or province codes, or all); password: PBKDF2-HMAC-SHA256 hash, never the password;
      # locked: true refuses its logins. Keep this file readable by the Sanku user only (mode 600).
      """;

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private final Path file;
  private final Map<String, User> byName;

  private Users(Path file, Map<String, User> byName) {
    this.file = file;
    this.byName = byName;
  }

  /** No users yet, to be written to {@code file}. */
  public static Users empty(Path file) {
    return new Users(file, new LinkedHashMap<>());
  }

  /** The file's users, or none when it does not exist. */
  public static Users loadOrEmpty(Path file, Set<String> roles) {
    return Files.exists(file) ? load(file, roles) : empty(file);
  }

  /**
   * Reads the file, checking every user; every problem is reported together, each as {@code file: users[i].field:
   * what is wrong}.
   *
   * @param roles the roles {@code conf/access.yaml} defines
   */
  public static Users load(Path file, Set<String> roles) {
    JsonNode root = Yaml.read(file);
    List<ConfigProblem> problems = new ArrayList<>();
    Map<String, User> users = new LinkedHashMap<>();
    String f = file.toString();
    JsonNode list = root.path("users");
    if (!root.isObject() || !list.isArray()) {
      if (root.isMissingNode() || (root.isObject() && list.isMissingNode())) {
        return empty(file);
      }
      throw new ConfigException(f + ": users: expected a list of users");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode u = list.get(i);
      String at = "users[" + i + "]";
      if (!u.isObject()) {
        problems.add(new ConfigProblem(f, at, "expected a mapping with name, role, scope, password"));
        continue;
      }
      for (Iterator<String> it = u.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!Set.of("name", "role", "scope", "password", "locked").contains(k)) {
          problems.add(new ConfigProblem(f, at + "." + k, "unknown field (known: locked, name, password, role, "
              + "scope)"));
        }
      }
      String name = u.path("name").asText("");
      if (!NAME.matcher(name).matches()) {
        problems.add(new ConfigProblem(f, at + ".name", "\"" + name + "\" is not a login name (" + NAME.pattern()
            + ")"));
      } else if (users.containsKey(name)) {
        problems.add(new ConfigProblem(f, at + ".name", name + " is given twice"));
      }
      String role = u.path("role").asText("");
      if (!roles.contains(role)) {
        problems.add(new ConfigProblem(f, at + ".role", "unknown role \"" + role + "\" (known: "
            + String.join(", ", roles.stream().sorted().toList()) + ")"));
      }
      Scope scope = null;
      try {
        List<String> codes = new ArrayList<>();
        u.path("scope").forEach(c -> codes.add(c.asText()));
        if (u.path("scope").isValueNode()) {
          codes.add(u.path("scope").asText());
        }
        scope = Scope.parse(codes);
      } catch (IllegalArgumentException e) {
        problems.add(new ConfigProblem(f, at + ".scope", e.getMessage()));
      }
      String hash = u.path("password").asText("");
      String bad = Passwords.problem(hash);
      if (bad != null) {
        problems.add(new ConfigProblem(f, at + ".password", bad));
      }
      JsonNode locked = u.path("locked");
      if (!locked.isMissingNode() && !locked.isBoolean()) {
        problems.add(new ConfigProblem(f, at + ".locked", "expected true or false"));
      }
      if (problems.isEmpty()) {
        users.put(name, new User(name, role, scope, hash, locked.asBoolean(false)));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new Users(file, users);
  }

  public Path file() {
    return file;
  }

  public Optional<User> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The users in the order they were added. */
  public List<User> all() {
    return List.copyOf(byName.values());
  }

  /** These users with {@code u} added, or replacing the user of that name. */
  public Users with(User u) {
    Map<String, User> m = new LinkedHashMap<>(byName);
    m.put(u.name(), u);
    return new Users(file, m);
  }

  /** These users without {@code name}. */
  public Users without(String name) {
    Map<String, User> m = new LinkedHashMap<>(byName);
    m.remove(name);
    return new Users(file, m);
  }

  /** Writes the file (mode 600), replacing the old one in one move. */
  public void save() {
    ObjectNode root = Yaml.mapper().createObjectNode();
    ArrayNode list = root.putArray("users");
    for (User u : byName.values()) {
      ObjectNode n = list.addObject();
      n.put("name", u.name());
      n.put("role", u.role());
      ArrayNode scope = n.putArray("scope");
      u.scope().codes().forEach(c -> scope.add(c.equals(Scope.ALL) ? c : c.substring(0, 6)));
      n.put("password", u.passwordHash());
      n.put("locked", u.locked());
    }
    try {
      String yaml = Yaml.mapper().writeValueAsString(root).replaceFirst("^---\\s*\\n", "");
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp;
      try {
        tmp = Files.createTempFile(dir, ".users", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (UnsupportedOperationException notPosix) {
        tmp = Files.createTempFile(dir, ".users", ".tmp");
      }
      Files.writeString(tmp, HEADER + yaml, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the users file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Why the server must not use the file: it can be read or written by others than its owner (it holds every
   * login's password hash, and whoever can write it can add a login). Null when only the owner can.
   */
  public static String permissionProblem(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      Set<PosixFilePermission> others = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
      if (p.stream().anyMatch(others::contains)) {
        return file + " can be read or written by others (mode " + PosixFilePermissions.toString(p)
            + "): it holds the password hashes; make it the Sanku user's alone (chmod 600 " + file + ")";
      }
      return null;
    } catch (UnsupportedOperationException notPosix) {
      return null;
    } catch (IOException e) {
      return "cannot read the users file " + file + ": " + e.getMessage();
    }
  }
}
