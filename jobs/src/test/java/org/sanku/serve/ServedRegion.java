package org.sanku.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.hive.jdbc.HiveDriver;
import org.apache.spark.sql.SparkSession;
import org.sanku.indicators.Period;
import org.sanku.link.LinkedRegion;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;
import org.sanku.sql.Limits;
import org.sanku.storage.Warehouse;

/**
 * One JDBC server for the tests of {@code ./sanku serve}, over the generated region every linkage and indicator
 * test uses ({@link LinkedRegion}: 3,000 persons of 南充, nine counties), with the year 2025's indicators published,
 * TLS on, a row cap of 500, and four logins:
 *
 * <pre>
 *   prov   detail   all              every table, every row (may read the catalog itself)
 *   carol  detail   511302 顺庆区     every table, the rows of one county
 *   city   detail   511300 南充市     every table, the rows of the city's counties and the city
 *   ana    analyst  511302           dq.*, ind.*, link.link_rate, ops.*, the rows of one county
 * </pre>
 *
 * The passwords are hashed with 10,000 PBKDF2 iterations rather than the default 600,000, so that the tests'
 * hundred or so logins cost milliseconds, not minutes; the check is the same code.
 */
final class ServedRegion {

  static final String CATALOG = "srvt";
  static final int MAX_ROWS = 500;
  static final String PASSWORD = "correct-horse-battery";
  static final String TLS_PASSWORD = "keystore-secret";

  private static JdbcServer server;
  private static ServeSettings settings;
  private static Path dir;
  private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

  private ServedRegion() {}

  /** The server, started once for the JVM (and stopped by {@link #stop}). */
  static synchronized JdbcServer server() throws Exception {
    if (server == null) {
      dir = java.nio.file.Files.createTempDirectory("sanku-serve-test");
      SparkSession spark = TestSpark.get();
      Warehouse wh = LinkedRegion.warehouse();
      LinkedRegion.linked();
      // The data-quality results of the region's nights (once per JVM: the quality tests share them).
      org.sanku.quality.CheckedRegion.result();
      // The values of 2025, published as the nightly publishes them (once per JVM: another test may have).
      new Pipeline(RunContext.reading(spark, wh, TestConfig.get(), new PrintStream(OutputStreamNull.INSTANCE)))
          .values(Period.year(2025), false);
      Path users = dir.resolve("users.yaml");
      Users u = Users.empty(users);
      u = u.with(user("prov", "detail", "all"));
      u = u.with(user("carol", "detail", "511302"));
      u = u.with(user("city", "detail", "511300"));
      u = u.with(user("ana", "analyst", "511302"));
      u.save();
      Path keystore = keystore(dir);
      settings = new ServeSettings(wh.location, CATALOG, "127.0.0.1", freePort(), users, keystore, TLS_PASSWORD,
          new Limits(300, MAX_ROWS), TestConfig.CONF, TestConfig.get().schemas(),
          new PrintStream(LOG, true, StandardCharsets.UTF_8));
      long t0 = System.nanoTime();
      server = JdbcServer.start(spark, settings);
      System.out.printf("sanku serve test server: started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
    return server;
  }

  static Users.User user(String name, String role, String scope) {
    return new Users.User(name, role, Scope.parse(List.of(scope)), Passwords.hash(PASSWORD.toCharArray(), 10_000),
        false);
  }

  static synchronized void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  static ServeSettings settings() {
    return settings;
  }

  static Path dir() {
    return dir;
  }

  /** What the server has logged so far. */
  static String log() {
    synchronized (LOG) {
      return LOG.toString(StandardCharsets.UTF_8);
    }
  }

  /** Waits up to 20 s for a log line containing all of {@code parts} (statements are logged when they end). */
  static String awaitLog(String... parts) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      for (String line : log().split("\n")) {
        if (java.util.Arrays.stream(parts).allMatch(line::contains)) {
          return line;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no log line with " + List.of(parts) + " in:\n" + log());
  }

  /** The JDBC URL with TLS, trusting the server's own certificate, plus {@code extra} (session variables …). */
  static String url(String extra) {
    return "jdbc:hive2://127.0.0.1:" + settings.port() + "/default;ssl=true;sslTrustStore="
        + settings.tlsKeystore() + ";trustStorePassword=" + TLS_PASSWORD + extra;
  }

  static Connection connect(String user) throws SQLException {
    return connect(user, PASSWORD, "");
  }

  static Connection connect(String user, String password, String extra) throws SQLException {
    Properties p = new Properties();
    p.put("user", user);
    p.put("password", password);
    return new HiveDriver().connect(url(extra), p);
  }

  /** Every row of a query as strings, columns joined by {@code |}. */
  static List<String> rows(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          b.append(i > 1 ? "|" : "").append(r.getString(i));
        }
        out.add(b.toString());
      }
      return out;
    }
  }

  static long count(Connection c, String sql) throws SQLException {
    return Long.parseLong(rows(c, sql).get(0));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A self-signed key for 127.0.0.1, made by the JDK's keytool. */
  private static Path keystore(Path dir) throws IOException, InterruptedException {
    Path ks = dir.resolve("server.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "sanku", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", TLS_PASSWORD,
        "-keypass", TLS_PASSWORD).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
    return ks;
  }

  /** Discards what is written. */
  static final class OutputStreamNull extends java.io.OutputStream {
    static final OutputStreamNull INSTANCE = new OutputStreamNull();

    @Override
    public void write(int b) {
      // Nothing.
    }
  }
}
