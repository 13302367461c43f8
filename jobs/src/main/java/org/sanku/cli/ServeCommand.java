package org.sanku.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.ShutdownHookManager$;
import org.sanku.pipeline.SankuConfig;
import org.sanku.serve.JdbcServer;
import org.sanku.serve.ServeSettings;
import org.sanku.spark.SparkSessions;
import org.sanku.sql.Limits;
import org.sanku.storage.Warehouse;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scala.runtime.AbstractFunction0;
import scala.runtime.BoxedUnit;

/** {@code ./sanku serve}: the analytics zone over JDBC (HiveServer2 protocol), read-only, with logins and scopes. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {
        "Serve the warehouse's analytics zone to JDBC and ODBC clients (beeline, DBeaver, FineBI, Excel, Python) "
            + "over the HiveServer2 protocol: jdbc:hive2://HOST:PORT/default. Every table is a view (ind.*, "
            + "model.*, link.*, std.*, ops.*) with its columns described; queries read the latest published data.",
        "Read-only for every connection. Logins come from the users file (./sanku user add); each sees only the "
            + "rows of its scope (county, city, province or all) and the tables of its role (conf/access.yaml). "
            + "Without a users file the server refuses to start, unless --no-auth (this machine only).",
        "Each login, statement (user, statement, rows, time) and refusal is one line on standard output. SIGTERM "
            + "stops the server cleanly."})
public final class ServeCommand implements Callable<Integer> {

  /** The password of the TLS keystore: from the environment, so that it is not on the command line. */
  static final String TLS_PASSWORD_ENV = "SANKU_TLS_KEYSTORE_PASSWORD";

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI")
  String warehouse;

  @Option(names = "--port", defaultValue = "10000", description = "port to listen on (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1",
      description = "address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE})")
  String bind;

  @Option(names = "--users", paramLabel = "FILE",
      description = "the logins (default: users.yaml in the configuration folder)")
  Path users;

  @Option(names = "--no-auth", description = "serve without logins: every connection sees every row; only with "
      + "--bind 127.0.0.1")
  boolean noAuth;

  @Option(names = "--tls-keystore", paramLabel = "FILE", description = "JKS or PKCS12 keystore with the server's "
      + "key and certificate: clients connect with ssl=true (password in " + TLS_PASSWORD_ENV + ")")
  Path tlsKeystore;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "" + Limits.DEFAULT_TIMEOUT_SECONDS,
      description = "cancel a statement that runs longer than this, 0 for no limit (default: ${DEFAULT-VALUE})")
  long timeout;

  @Option(names = "--max-rows", paramLabel = "N", defaultValue = "" + Limits.DEFAULT_MAX_ROWS,
      description = "return at most N rows of a result, 0 for no limit (default: ${DEFAULT-VALUE})")
  long maxRows;

  @Option(names = "--master", defaultValue = "local[*]",
      description = "Spark master when not started by spark-submit (default: ${DEFAULT-VALUE})")
  String master;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (noAuth && users != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--no-auth serves without logins: leave out "
          + "--users");
    }
    Limits limits;
    try {
      limits = new Limits(timeout, maxRows);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    SankuConfig config = Sanku.config();
    Path usersFile = noAuth ? null : users != null ? users : config.locations().conf().resolve(UserCommand.FILE);
    String location = Warehouse.locationOf(warehouse);
    SqlCommand.requireWarehouse(location);
    PrintStream log = new TimedLines(System.out);
    ServeSettings settings = new ServeSettings(location, Warehouse.DEFAULT_ANALYTICS, bind, port, usersFile,
        tlsKeystore, System.getenv(TLS_PASSWORD_ENV), limits, config.locations().conf(), config.schemas(), log);
    JdbcServer.check(settings);
    SparkSession admin = SparkSessions.create("sanku-serve", master);
    JdbcServer server = JdbcServer.start(admin, settings);
    log.println("accepting logins at " + server.url() + " (" + server.published().size() + " tables of "
        + location + (noAuth ? "; no logins checked: this machine only" : "; logins from " + usersFile) + ")");
    CountDownLatch stopped = new CountDownLatch(1);
    // Before Spark's own hook (priority 50) stops the context under the open connections.
    ShutdownHookManager$.MODULE$.addShutdownHook(60, new AbstractFunction0<BoxedUnit>() {
      @Override
      public BoxedUnit apply() {
        log.println("stopping: closing the connections");
        server.close();
        log.println("stopped");
        stopped.countDown();
        return BoxedUnit.UNIT;
      }
    });
    stopped.await();
    return 0;
  }

  /** Standard output with each line stamped with the local time, as a service's log. */
  static final class TimedLines extends PrintStream {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    TimedLines(PrintStream out) {
      super(out, true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void println(String line) {
      super.println(LocalDateTime.now().format(TIME) + " sanku serve: " + line);
    }
  }
}
