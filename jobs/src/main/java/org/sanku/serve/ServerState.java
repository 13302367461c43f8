package org.sanku.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.security.sasl.AuthenticationException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.util.QueryExecutionListener;
import org.sanku.config.ConfigException;
import org.sanku.config.ConfigProblem;
import org.sanku.sql.AnalyticsCatalog;
import scala.collection.JavaConverters;

/**
 * The running server as its parts see it: HiveServer2 creates the login check ({@link SankuAuthenticator}) by class
 * name on every login and the sessions' extension ({@link ServeExtension}) is Spark's, so they reach the server
 * through {@link #current()}. One server per JVM.
 *
 * <p>It keeps the connections' logins, keyed by their Spark session (HiveServer2 opens one per connection, in
 * {@link SankuSessionManager}, where the session is bound to its authenticated user before any statement can
 * run), the users file as last read, and the rows each statement returned (for the log).
 */
final class ServerState {

  private static volatile ServerState current;

  /** The name prefix of the observation that counts a statement's rows (see {@link ServeExtension}). */
  static final String ROWS = "sanku_rows_";

  private static final long VIEW_CHECK_MILLIS = 5_000;

  final ServeSettings settings;
  final AccessRules rules;
  final PublishedViews views;
  private final Map<SparkSession, Login> connections = Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<String, Long> rows = new ConcurrentHashMap<>();
  private final QueryExecutionListener rowCounter = new RowCounter();
  /** A one-time login of the server's own start-up check; refused once the server is ready. */
  final String probeUser = "sanku_probe_" + hex(6);
  final String probeSecret = hex(24);
  private volatile boolean ready;
  private Users users;
  private String usersDigest;
  private String usersProblem;
  private long viewsCheckedAt;
  /** A hash of a random password, checked for unknown names so that a refusal takes as long either way. */
  private final String decoy = Passwords.hash(hex(12).toCharArray(), Passwords.DEFAULT_ITERATIONS);

  ServerState(ServeSettings settings, AccessRules rules, PublishedViews views) {
    this.settings = settings;
    this.rules = rules;
    this.views = views;
  }

  static ServerState current() {
    return current;
  }

  static synchronized void install(ServerState s) {
    if (current != null && s != null) {
      throw new IllegalStateException("a Sanku JDBC server is already running in this JVM");
    }
    current = s;
  }

  static synchronized void uninstall(ServerState s) {
    if (current == s) {
      current = null;
    }
  }

  void ready() {
    ready = true;
  }

  boolean isReady() {
    return ready;
  }

  // ---- logins

  /**
   * Checks a login, as HiveServer2 asks at every connection (before any session exists). A refusal is one log
   * line with the name and the reason; the password is never logged.
   */
  void authenticate(String user, String password) throws AuthenticationException {
    if (!ready) {
      if (user.equals(probeUser) && MessageDigest.isEqual(password.getBytes(), probeSecret.getBytes())) {
        return;
      }
      throw new AuthenticationException("the server is starting");
    }
    if (!settings.checksLogins()) {
      return;
    }
    String shown = shown(user);
    Users u = users();
    if (u == null) {
      refuse(shown + ": the users file cannot be used (" + usersProblem + ")");
    }
    Users.User found = u.get(user).orElse(null);
    if (found == null) {
      Passwords.matches(password.toCharArray(), decoy);
      refuse(shown + ": no such user");
    }
    if (found.locked()) {
      refuse(shown + ": locked (./sanku user unlock " + shown + ")");
    }
    if (!Passwords.matches(password.toCharArray(), found.passwordHash())) {
      refuse(shown + ": wrong password");
    }
  }

  private void refuse(String why) throws AuthenticationException {
    settings.log().println("login refused: " + why);
    throw new AuthenticationException("login refused");
  }

  /** A name as it may appear in the log: printable, at most 64 characters. */
  static String shown(String user) {
    String s = user == null ? "" : user.replaceAll("\\p{Cntrl}", "?");
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  /** The login of an authenticated user, for a new connection; null when it is gone since (removed, locked). */
  Login loginFor(String user) {
    if (!settings.checksLogins()) {
      return Login.unchecked(user);
    }
    Users u = users();
    Users.User found = u == null ? null : u.get(user).orElse(null);
    return found == null || found.locked() ? null : Login.of(found, rules);
  }

  /**
   * The users file, read again when its content changed; the table of scopes the views read follows it. Null
   * while the file cannot be used (then every login is refused, and the reason logged once).
   */
  synchronized Users users() {
    byte[] bytes;
    try {
      String perm = Users.permissionProblem(settings.usersFile());
      if (perm != null) {
        return unusable(perm);
      }
      bytes = Files.readAllBytes(settings.usersFile());
    } catch (IOException e) {
      return unusable("cannot read " + settings.usersFile() + ": " + e.getMessage());
    }
    String digest = digest(bytes);
    if (!digest.equals(usersDigest)) {
      try {
        Users loaded = Users.load(settings.usersFile(), rules.roles());
        views.publishScopes(loaded.all());
        users = loaded;
        usersDigest = digest;
        usersProblem = null;
        settings.log().println("users: " + loaded.all().size() + " login(s) from " + settings.usersFile());
      } catch (ConfigException e) {
        return unusable(e.getMessage());
      }
    }
    return users;
  }

  private Users unusable(String why) {
    if (!why.equals(usersProblem)) {
      settings.log().println("users: " + why);
    }
    usersProblem = why;
    usersDigest = null;
    users = null;
    return null;
  }

  // ---- connections

  /**
   * Makes a new connection's session the login's: the analytics zone registered (read-only, no table cache),
   * reading files by path off, the statement timeout, the row counter, and the binding the check rule reads.
   */
  void bind(SparkSession session, Login login) {
    AnalyticsCatalog.register(session, settings.location(), settings.catalog());
    session.conf().set("spark.sql.runSQLOnFiles", "false");
    session.conf().set("spark.sql.session.timeZone", "Asia/Shanghai");
    session.conf().set("spark.sql.thriftServer.queryTimeout", settings.limits().timeoutSeconds() + "s");
    session.conf().set("spark.sql.thriftServer.interruptOnCancel", "true");
    session.listenerManager().register(rowCounter);
    connections.put(session, login);
  }

  Login login(SparkSession session) {
    return connections.get(session);
  }

  void unbind(SparkSession session) {
    connections.remove(session);
  }

  /** Publishes the views of tables that appeared or changed since the last look (at most every 5 s). */
  void refreshViewsIfDue() {
    synchronized (views) {
      long now = System.currentTimeMillis();
      if (now - viewsCheckedAt < VIEW_CHECK_MILLIS) {
        return;
      }
      viewsCheckedAt = now;
    }
    for (ConfigProblem p : views.refresh()) {
      settings.log().println("views: " + p);
    }
  }

  /** The rows a finished statement returned, once (null when it returned none, e.g. a command). */
  Long takeRows(String statementId) {
    return rows.remove(statementId);
  }

  /** Counts the rows of each query: the observation {@link ServeExtension} puts on top of it. */
  private final class RowCounter implements QueryExecutionListener {
    @Override
    public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
      for (var e : JavaConverters.mapAsJavaMap(qe.observedMetrics()).entrySet()) {
        if (e.getKey().startsWith(ROWS)) {
          rows.put(e.getKey().substring(ROWS.length()), e.getValue().getLong(0));
        }
      }
    }

    @Override
    public void onFailure(String funcName, QueryExecution qe, Exception exception) {
      // A failed statement is logged with its error, without rows.
    }
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String digest(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The users at start, for the server's first check and message. */
  List<Users.User> startUsers() {
    Users u = users();
    if (u == null) {
      throw new IllegalStateException(usersProblem);
    }
    return u.all();
  }
}
