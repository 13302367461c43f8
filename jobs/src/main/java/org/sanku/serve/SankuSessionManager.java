package org.sanku.serve;

import java.util.Map;
import java.util.Set;
import org.apache.hadoop.hive.conf.HiveConf;
import org.apache.hive.service.cli.HiveSQLException;
import org.apache.hive.service.cli.SessionHandle;
import org.apache.hive.service.cli.session.HiveSession;
import org.apache.hive.service.cli.session.SessionManager;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.server.HiveServer2;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;
import org.apache.spark.sql.hive.thriftserver.server.SparkSQLOperationManager;

/**
 * HiveServer2's session manager as Spark's server has it ({@code SparkSQLSessionManager}: one Spark session per
 * connection, derived from the server's, whose statements Spark's operation manager runs), with the connection made
 * the login's before the client gets it back:
 *
 * <ul>
 *   <li>A connection may not bring settings. Spark's manager would apply every {@code set:hiveconf:} and
 *       {@code set:hivevar:} entry of the JDBC URL to the new Spark session (registering a catalog, turning reading
 *       files by path back on), and Hive's sets JVM system properties from {@code set:system:} entries (among them
 *       the class that checks logins). Only the database ({@code use:database}) and the client's fetch size are
 *       accepted; anything else refuses the connection, naming the setting.</li>
 *   <li>The new Spark session is bound to the authenticated user's login ({@link ServerState#bind}): the analytics
 *       zone registered read-only, the statement timeout, and the login the check rule reads.</li>
 *   <li>Every login and logout is one log line.</li>
 * </ul>
 *
 * Spark's manager is not extended but followed: Spark fills in its fields by reflection relative to its own class,
 * which a subclass would break. The server puts this one in place of Spark's right after it starts, before any
 * login is accepted ({@link JdbcServer}), as Spark's server put its own in place of Hive's.
 */
final class SankuSessionManager extends SessionManager {

  /** Connection settings that change nothing Sanku relies on (how many rows a client fetches at a time). */
  private static final Set<String> HARMLESS = Set.of("set:hiveconf:hive.server2.thrift.resultset.default.fetch.size");

  private final SQLContext sqlContext;
  private final SparkSQLOperationManager operations = new SparkSQLOperationManager();

  SankuSessionManager(HiveServer2 hiveServer, SQLContext sqlContext) {
    super(hiveServer);
    this.sqlContext = sqlContext;
  }

  @Override
  public synchronized void init(HiveConf hiveConf) {
    Reflect.set(SessionManager.class, this, "operationManager", operations);
    super.init(hiveConf);
  }

  @Override
  public SessionHandle openSession(TProtocolVersion protocol, String username, String passwd, String ipAddress,
      Map<String, String> sessionConf, boolean withImpersonation, String delegationToken) throws HiveSQLException {
    ServerState state = ServerState.current();
    if (state == null) {
      throw new HiveSQLException("the Sanku JDBC server is not running");
    }
    boolean probe = username != null && username.equals(state.probeUser);
    String database = null;
    for (Map.Entry<String, String> e : (sessionConf == null ? Map.<String, String>of() : sessionConf).entrySet()) {
      if (e.getKey().equals("use:database")) {
        database = e.getValue();
      } else if (!HARMLESS.contains(e.getKey())) {
        state.settings.log().println("connection refused: " + ServerState.shown(username) + " from " + ipAddress
            + ": it brings the setting " + ServerState.shown(e.getKey()));
        throw new HiveSQLException("the connection setting " + ServerState.shown(e.getKey()) + " is refused: the "
            + "Sanku server takes no settings from a connection (only the database; SET TIME ZONE works in SQL)");
      }
    }
    Login login = probe ? null : state.loginFor(username);
    if (!probe && login == null) {
      throw new HiveSQLException("the login " + ServerState.shown(username) + " is no longer valid");
    }
    if (!probe) {
      state.refreshViewsIfDue();
    }
    SessionHandle handle = super.openSession(protocol, username, passwd, ipAddress, Map.of(), withImpersonation,
        delegationToken);
    try {
      HiveSession session = getSession(handle);
      HiveThriftServer2.eventManager().onSessionCreated(session.getIpAddress(), handle.getSessionId().toString(),
          session.getUsername());
      SQLContext ctx = sqlContext.newSession();
      ctx.setConf("spark.sql.datetime.java8API.enabled", "true");
      if (!probe) {
        state.bind(ctx.sparkSession(), login);
        if (database != null && !database.isBlank() && !database.equalsIgnoreCase("default")) {
          if (!database.matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("not a database name: " + ServerState.shown(database));
          }
          ctx.sql("USE `" + database + "`");
        }
      }
      operations.sessionToContexts().put(handle, ctx);
    } catch (RuntimeException e) {
      closeSession(handle);
      throw new HiveSQLException("cannot open the connection: " + e.getMessage(), e);
    }
    if (!probe) {
      state.settings.log().println("login: " + login.describe() + " from " + ipAddress + ", session "
          + shortId(handle));
    }
    return handle;
  }

  @Override
  public void closeSession(SessionHandle handle) throws HiveSQLException {
    HiveThriftServer2.eventManager().onSessionClosed(handle.getSessionId().toString());
    ServerState state = ServerState.current();
    SQLContext ctx = operations.sessionToContexts().get(handle);
    Login login = null;
    // (Spark's manager uncaches the session's temporary views here: a connection of this server cannot make any.)
    if (ctx != null && state != null) {
      login = state.login(ctx.sparkSession());
      state.unbind(ctx.sparkSession());
    }
    try {
      super.closeSession(handle);
    } finally {
      operations.sessionToContexts().remove(handle);
      if (login != null) {
        state.settings.log().println("logout: " + login.name() + ", session " + shortId(handle));
      }
    }
  }

  /** The first 8 characters of the session's id, as the log shows it. */
  static String shortId(SessionHandle handle) {
    return handle.getSessionId().toString().substring(0, 8);
  }
}
