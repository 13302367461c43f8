package org.sanku.serve;

import java.io.PrintStream;
import java.nio.file.Path;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.sql.Limits;

/**
 * How {@code ./sanku serve} runs: what it serves, where it listens, who may log in, and the limits of a statement.
 *
 * @param location    the warehouse (its analytics zone is served; the identity zone is never registered)
 * @param catalog     the name the analytics zone is registered under in every connection ({@code sanku})
 * @param bind        the address to listen on ({@code 127.0.0.1}; {@code 0.0.0.0} for every interface)
 * @param port        the port (10000 by default, 0 is refused: clients need to know it)
 * @param usersFile   the logins; null serves without logins ({@code --no-auth}, this machine only)
 * @param tlsKeystore a JKS or PKCS12 keystore with the server's key and certificate, or null for no TLS
 * @param tlsPassword the keystore's password (from the environment, never the command line)
 * @param limits      the statement timeout and the row cap of every statement
 * @param confDir     the configuration folder ({@code access.yaml})
 * @param contract    the contract's table schemas, for the comments of {@code std.*} (null: none)
 * @param log         where the server writes its log lines (logins, statements, refusals)
 */
public record ServeSettings(String location, String catalog, String bind, int port, Path usersFile,
    Path tlsKeystore, String tlsPassword, Limits limits, Path confDir, SchemaCatalog contract, PrintStream log) {

  /** Whether logins are checked. */
  public boolean checksLogins() {
    return usersFile != null;
  }

  /** The JDBC URL clients connect to (with {@code ssl=true} when the server speaks TLS). */
  public String url() {
    String host = bind.equals("0.0.0.0") || bind.isEmpty() ? hostName() : bind;
    return "jdbc:hive2://" + host + ":" + port + "/default" + (tlsKeystore != null ? ";ssl=true" : "");
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  /** Whether {@code bind} is this machine only. */
  public boolean loopbackOnly() {
    return bind.equals("127.0.0.1") || bind.equals("localhost") || bind.equals("::1");
  }
}
