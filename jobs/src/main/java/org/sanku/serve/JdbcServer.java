package org.sanku.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hive.jdbc.HiveDriver;
import org.apache.hive.service.Service;
import org.apache.hive.service.cli.CLIService;
import org.apache.hive.service.cli.session.SessionManager;
import org.apache.hive.service.server.HiveServer2;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;
import org.sanku.config.ConfigException;
import org.sanku.config.ConfigProblem;
import org.sanku.spark.SparkSessions;
import org.sanku.sql.AnalyticsCatalog;

/**
 * {@code ./sanku serve}: Spark's HiveServer2 (Thrift) server in this JVM, serving the analytics zone of one
 * warehouse to any Hive JDBC or ODBC client, read-only, with logins and county scopes. See the README's design
 * section for how the pieces fit; in short:
 *
 * <ol>
 *   <li>Every {@code hive.server2.*} setting is a JVM system property, set before the server starts: the login
 *       check reads a fresh Hive configuration at every login, which sees system properties only.</li>
 *   <li>The analytics zone's tables are published as views in Spark's own catalog ({@link PublishedViews}).</li>
 *   <li>The server runs on a users' session ({@code SparkSessions.forReaders}: the read-only guard) that also
 *       carries the server's extension ({@link ServeExtension}); every connection's session derives from it.</li>
 *   <li>Spark's session manager is replaced by {@link SankuSessionManager} before any login is accepted: logins
 *       are refused until then, except the server's own one-time probe.</li>
 *   <li>{@code startWithContext} returns before the port accepts logins: the server logs in itself until that
 *       works, and only then reports the URL.</li>
 * </ol>
 */
public final class JdbcServer implements AutoCloseable {

  /** How often the server looks for new or changed tables and a changed users file. */
  private static final long REFRESH_SECONDS = 15;

  /** How long the server waits for its own first login. */
  private static final long READY_TIMEOUT_MILLIS = 180_000;

  private final ServerState state;
  private final HiveThriftServer2 server;
  private final StatementLog statements;
  private final SparkSession admin;
  private final Map<String, String> previousProperties;
  private final Path databaseDir;
  private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "sanku-serve-refresh");
    t.setDaemon(true);
    return t;
  });

  private JdbcServer(ServerState state, HiveThriftServer2 server, StatementLog statements, SparkSession admin,
      Map<String, String> previousProperties, Path databaseDir) {
    this.state = state;
    this.server = server;
    this.statements = statements;
    this.admin = admin;
    this.previousProperties = previousProperties;
    this.databaseDir = databaseDir;
  }

  /**
   * Starts the server and returns once it accepts logins.
   *
   * @param admin the pipeline's session of this JVM (no read-only guard): it publishes the views
   * @throws ConfigException for a broken users file or access.yaml (every problem, with file and key)
   * @throws IllegalArgumentException for settings that cannot be served (no users file, --no-auth on a network
   *     address, a port set in the environment)
   */
  public static JdbcServer start(SparkSession admin, ServeSettings s) {
    check(s);
    AccessRules rules = AccessRules.load(s.confDir());
    Path databaseDir;
    try {
      databaseDir = Files.createTempDirectory("sanku-serve-catalog");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AnalyticsCatalog.register(admin, s.location(), s.catalog());
    PublishedViews views = new PublishedViews(admin, s.catalog(), rules, s.checksLogins(),
        new ColumnComments(s.contract()), databaseDir, s.log());
    ServerState state = new ServerState(s, rules, views);
    ServerState.install(state);
    Map<String, String> previous = null;
    HiveThriftServer2 server = null;
    StatementLog statements = null;
    try {
      if (s.checksLogins()) {
        List<Users.User> users = state.startUsers();
        if (users.isEmpty()) {
          s.log().println("users: " + s.usersFile() + " has no logins yet: nobody can log in until ./sanku user add");
        }
      }
      List<ConfigProblem> problems = views.refresh();
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      previous = setProperties(hiveSettings(s, databaseDir));
      SparkSession readers = SparkSessions.forReaders("sanku-serve", "local[*]", List.of(new ServeExtension()));
      server = HiveThriftServer2.startWithContext(readers.sqlContext());
      replaceSessionManager(server, readers);
      statements = new StatementLog(state);
      admin.sparkContext().addSparkListener(statements);
      probe(s, state);
      state.ready();
      JdbcServer started = new JdbcServer(state, server, statements, admin, previous, databaseDir);
      started.refresher.scheduleWithFixedDelay(started::refresh, REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
      return started;
    } catch (RuntimeException e) {
      new JdbcServer(state, server, statements, admin, previous, databaseDir).close();
      throw e;
    }
  }

  /**
   * Refuses settings that cannot be served, before anything starts: no users file (unless without logins), no
   * logins on a network address, a users file others can read, a port the environment would override, TLS without
   * a readable keystore and its password.
   */
  public static void check(ServeSettings s) {
    if (!s.checksLogins() && !s.loopbackOnly()) {
      throw new IllegalArgumentException("--no-auth serves this machine only: without logins every connection "
          + "sees every row, so --bind must be 127.0.0.1 (not " + s.bind() + ")");
    }
    if (s.checksLogins() && !Files.isRegularFile(s.usersFile())) {
      throw new IllegalArgumentException("no users file " + s.usersFile() + ": add a login with ./sanku user add "
          + "NAME --scope CODE (or serve this machine only, without logins, with --no-auth)");
    }
    if (s.checksLogins()) {
      String perm = Users.permissionProblem(s.usersFile());
      if (perm != null) {
        throw new IllegalArgumentException(perm);
      }
    }
    if (s.port() <= 0 || s.port() > 65535) {
      throw new IllegalArgumentException("--port must be 1 to 65535, not " + s.port());
    }
    for (String env : List.of("HIVE_SERVER2_THRIFT_PORT", "HIVE_SERVER2_THRIFT_BIND_HOST")) {
      if (System.getenv(env) != null) {
        throw new IllegalArgumentException("the environment variable " + env + " is set, and HiveServer2 would "
            + "take it over --port and --bind: unset it");
      }
    }
    if (s.tlsKeystore() != null && !Files.isReadable(s.tlsKeystore())) {
      throw new IllegalArgumentException("cannot read the TLS keystore " + s.tlsKeystore());
    }
    if (s.tlsKeystore() != null && (s.tlsPassword() == null || s.tlsPassword().isEmpty())) {
      throw new IllegalArgumentException("no password for the TLS keystore: set SANKU_TLS_KEYSTORE_PASSWORD");
    }
  }

  /** HiveServer2's settings for this server, as system properties (see the class comment). */
  static Map<String, String> hiveSettings(ServeSettings s, Path scratch) {
    Map<String, String> p = new LinkedHashMap<>();
    // Hive's sessions look for their leftover files here when they close (and complain when it does not exist).
    p.put("hive.exec.local.scratchdir", scratch.toAbsolutePath().toString());
    p.put("hive.server2.thrift.port", String.valueOf(s.port()));
    p.put("hive.server2.thrift.bind.host", s.bind());
    p.put("hive.server2.transport.mode", "binary");
    // Logins always go through Sanku's check, with --no-auth too: it also holds logins back until the server is
    // ready (its session manager in place).
    p.put("hive.server2.authentication", "CUSTOM");
    p.put("hive.server2.custom.authentication.class", SankuAuthenticator.class.getName());
    // A client may not claim to act for another user (hive.server2.proxy.user).
    p.put("hive.server2.allow.user.substitution", "false");
    p.put("hive.server2.enable.doAs", "false");
    // Clients such as beeline ask for each statement's operation log; kept in the server's temporary folder.
    p.put("hive.server2.logging.operation.enabled", "true");
    p.put("hive.server2.logging.operation.log.location", scratch.resolve("operation_logs").toAbsolutePath()
        .toString());
    p.put("hive.server2.use.SSL", String.valueOf(s.tlsKeystore() != null));
    if (s.tlsKeystore() != null) {
      p.put("hive.server2.keystore.path", s.tlsKeystore().toAbsolutePath().toString());
      p.put("hive.server2.keystore.password", s.tlsPassword());
    }
    return p;
  }

  private static Map<String, String> setProperties(Map<String, String> settings) {
    Map<String, String> previous = new LinkedHashMap<>();
    settings.forEach((k, v) -> {
      previous.put(k, System.getProperty(k));
      System.setProperty(k, v);
    });
    return previous;
  }

  /**
   * Puts {@link SankuSessionManager} where Spark's server put its own, in the CLI service (which every Thrift call
   * goes through) and in its list of services (so stopping the server stops it), and stops Spark's.
   */
  private static void replaceSessionManager(HiveThriftServer2 server, SparkSession readers) {
    CLIService cli = Reflect.field(HiveServer2.class, server, "cliService");
    SessionManager spark = cli.getSessionManager();
    // Spark's goes first: stopping removes the folder of operation logs, which the new one then makes again.
    spark.stop();
    SankuSessionManager sanku = new SankuSessionManager(server, readers.sqlContext());
    sanku.init(spark.getHiveConf());
    sanku.start();
    List<Service> services = Reflect.field(org.apache.hive.service.CompositeService.class, cli, "serviceList");
    synchronized (cli) {
      services.set(services.indexOf(spark), sanku);
      Reflect.set(CLIService.class, cli, "sessionManager", sanku);
    }
  }

  /** Logs in with the server's one-time credentials until that works: then the port is really ready. */
  private static void probe(ServeSettings s, ServerState state) {
    String host = s.loopbackOnly() || s.bind().equals("0.0.0.0") || s.bind().isEmpty() ? "127.0.0.1" : s.bind();
    String url = "jdbc:hive2://" + host + ":" + s.port() + "/default";
    if (s.tlsKeystore() != null) {
      url += ";ssl=true;sslTrustStore=" + s.tlsKeystore().toAbsolutePath() + ";trustStorePassword=" + s.tlsPassword();
    }
    Properties p = new Properties();
    p.put("user", state.probeUser);
    p.put("password", state.probeSecret);
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
    SQLException last = null;
    while (System.currentTimeMillis() < deadline) {
      try (Connection c = new HiveDriver().connect(url, p)) {
        return;
      } catch (SQLException e) {
        last = e;
        // Until the port is open a connection is refused; anything else (a certificate clients cannot verify, a
        // broken login check) will not mend by waiting.
        if (!String.valueOf(e.getMessage()).contains("Connection refused")) {
          String tls = s.tlsKeystore() == null ? "" : " (with TLS, the certificate must name the host clients "
              + "connect to, e.g. keytool -genkeypair ... -ext SAN=dns:HOST,ip:ADDRESS)";
          throw new IllegalStateException("the server does not accept a login on " + host + ":" + s.port() + ": "
              + e.getMessage() + tls, e);
        }
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException("the server did not accept a login on " + host + ":" + s.port() + " within "
        + READY_TIMEOUT_MILLIS / 1000 + " s" + (last == null ? "" : ": " + last.getMessage()));
  }

  /**
   * Publishes the views of tables a nightly added or changed and follows the users file, so that a removed or
   * locked login's open connections see nothing even when nobody logs in.
   */
  private void refresh() {
    try {
      if (state.settings.checksLogins()) {
        state.users();
      }
      state.refreshViewsIfDue();
    } catch (RuntimeException e) {
      state.settings.log().println("refresh failed: " + e.getMessage());
    }
  }

  /** The URL clients connect to. */
  public String url() {
    return state.settings.url();
  }

  /** The tables published as views ({@code ns.table}). */
  public List<String> published() {
    return state.views.published().stream().sorted().toList();
  }

  /** Stops the server: connections closed, views dropped, system properties put back. */
  @Override
  public void close() {
    refresher.shutdownNow();
    try {
      if (server != null) {
        server.stop();
        if (HiveThriftServer2.listener() != null) {
          admin.sparkContext().removeSparkListener(HiveThriftServer2.listener());
        }
      }
      if (statements != null) {
        admin.sparkContext().removeSparkListener(statements);
      }
      state.views.dropAll();
    } finally {
      if (previousProperties != null) {
        previousProperties.forEach((k, v) -> {
          if (v == null) {
            System.clearProperty(k);
          } else {
            System.setProperty(k, v);
          }
        });
      }
      ServerState.uninstall(state);
      deleteTree(databaseDir);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A temporary folder; the system cleans it up otherwise.
    }
  }
}
