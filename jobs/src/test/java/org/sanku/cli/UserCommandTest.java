package org.sanku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.serve.Passwords;
import org.sanku.serve.Scope;
import org.sanku.serve.Users;

/** {@code ./sanku user}: the logins of the JDBC server, with the password on standard input. */
class UserCommandTest {

  private record Run(int code, String out, String err) {}

  /** Runs the command line with {@code stdin} as standard input, capturing what it prints. */
  private static Run run(String stdin, String... args) {
    InputStream oldIn = System.in;
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Sanku.run(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setIn(oldIn);
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void addListLockPasswdAndRemoveALogin(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("users.yaml");
    String file = f.toString();
    Run add = run("first-password\n", "user", "add", "alice", "--scope", "511302,511303", "--users", file);
    assertEquals(0, add.code, add.err);
    assertEquals("user alice added (analyst, scope 511302,511303) to " + file + "\n", add.out);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    Users.User alice = Users.load(f, Set.of("analyst", "detail")).get("alice").orElseThrow();
    assertEquals("analyst", alice.role());
    assertEquals(Scope.parse(List.of("511302", "511303")), alice.scope());
    assertTrue(alice.passwordHash().startsWith("pbkdf2-sha256$" + Passwords.DEFAULT_ITERATIONS + "$"));
    assertTrue(Passwords.matches("first-password".toCharArray(), alice.passwordHash()));
    assertFalse(Files.readString(f).contains("first-password"));

    // Refused, each with why: a second alice, an unknown role, a township as scope, a short password, a name
    // that is not one.
    Run again = run("first-password\n", "user", "add", "alice", "--scope", "511302", "--users", file);
    assertEquals(1, again.code);
    assertTrue(again.err.startsWith("sanku user add: the user alice exists in " + file), again.err);
    Run role = run("first-password\n", "user", "add", "bob", "--scope", "511302", "--role", "boss", "--users", file);
    assertEquals(2, role.code);
    assertTrue(role.err.contains("--role: unknown role boss (known: analyst, detail)"), role.err);
    Run town = run("first-password\n", "user", "add", "bob", "--scope", "511302001000", "--users", file);
    assertEquals(2, town.code);
    assertTrue(town.err.contains("--scope: \"511302001000\" is a township or village"), town.err);
    Run shortPassword = run("short\n", "user", "add", "bob", "--scope", "all", "--users", file);
    assertEquals(1, shortPassword.code);
    assertTrue(shortPassword.err.contains("the password must have at least 8 characters"), shortPassword.err);
    Run name = run("first-password\n", "user", "add", "Bob", "--scope", "all", "--users", file);
    assertEquals(2, name.code);
    assertTrue(name.err.contains("NAME: \"Bob\" is not a login name"), name.err);

    assertEquals(0, run("second-password\n", "user", "add", "bob", "--scope", "all", "--role", "detail",
        "--users", file).code);
    assertEquals(0, run("", "user", "lock", "alice", "--users", file).code);
    Run list = run("", "user", "list", "--users", file);
    assertEquals(List.of("name                 role       scope                          locked",
        "alice                analyst    511302,511303                  locked",
        "bob                  detail     all                            ",
        "(2 users in " + file + ")"), list.out.lines().toList());

    assertEquals(0, run("new-password\n", "user", "passwd", "alice", "--users", file).code);
    alice = Users.load(f, Set.of("analyst", "detail")).get("alice").orElseThrow();
    assertTrue(Passwords.matches("new-password".toCharArray(), alice.passwordHash()));
    assertTrue(alice.locked(), "a new password does not unlock");
    assertEquals(0, run("", "user", "unlock", "alice", "--users", file).code);
    assertFalse(Users.load(f, Set.of("analyst", "detail")).get("alice").orElseThrow().locked());

    assertEquals(0, run("", "user", "remove", "alice", "--users", file).code);
    assertEquals(List.of("bob"), Users.load(f, Set.of("analyst", "detail")).all().stream().map(Users.User::name)
        .toList());
    Run gone = run("", "user", "remove", "alice", "--users", file);
    assertEquals(1, gone.code);
    assertEquals("sanku user remove: no user alice in " + file + "\n", gone.err);
  }

  @Test
  void serveRefusesToStartWithoutAUsersFileOrWithoutLoginsOnANetworkAddress(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("wh").resolve("analytics"));
    String wh = dir.resolve("wh").toString();
    Run noUsers = run("", "serve", "--warehouse", wh, "--users", dir.resolve("none.yaml").toString());
    assertEquals(1, noUsers.code);
    assertTrue(noUsers.err.contains("no users file " + dir.resolve("none.yaml") + ": add a login with ./sanku user "
        + "add NAME --scope CODE (or serve this machine only, without logins, with --no-auth)"), noUsers.err);
    Run open = run("", "serve", "--warehouse", wh, "--no-auth", "--bind", "0.0.0.0");
    assertEquals(1, open.code);
    assertTrue(open.err.contains("--no-auth serves this machine only"), open.err);
    Run both = run("", "serve", "--warehouse", wh, "--no-auth", "--users", dir.resolve("u.yaml").toString());
    assertEquals(2, both.code);
    assertTrue(both.err.contains("--no-auth serves without logins: leave out --users"), both.err);
  }
}
