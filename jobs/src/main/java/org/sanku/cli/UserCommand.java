package org.sanku.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.sanku.serve.AccessRules;
import org.sanku.serve.Passwords;
import org.sanku.serve.Scope;
import org.sanku.serve.Users;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./sanku user add|passwd|list|remove|lock|unlock}: the logins of {@code ./sanku serve}. */
@Command(name = "user", mixinStandardHelpOptions = true,
    description = "Manage the logins of ./sanku serve in the users file (users.yaml in the configuration folder "
        + "unless --users names another; written with mode 600). The running server reads it at every login.",
    subcommands = {UserCommand.Add.class, UserCommand.Passwd.class, UserCommand.ListUsers.class,
        UserCommand.Remove.class, UserCommand.Lock.class, UserCommand.Unlock.class})
public final class UserCommand implements Runnable {

  static final String FILE = "users.yaml";
  static final int MIN_PASSWORD = 8;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The options every subcommand has. */
  static class FileOption {
    @Option(names = "--users", paramLabel = "FILE", description = "the users file (default: users.yaml in the "
        + "configuration folder)")
    Path users;

    Path file() {
      return users != null ? users : Sanku.confDir().resolve(FILE);
    }

    AccessRules rules() {
      return AccessRules.load(Sanku.confDir());
    }

    Users load() {
      return Users.loadOrEmpty(file(), rules().roles());
    }

    Users existing(String name, Users u) {
      if (u.get(name).isEmpty()) {
        throw new IllegalArgumentException("no user " + name + " in " + u.file());
      }
      return u;
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a login. The password is read from "
      + "standard input (asked twice, not shown, on a terminal; else the first line).")
  static final class Add extends FileOption implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "login name: a-z, 0-9, _ . - (starting with a "
        + "letter)")
    String name;

    @Option(names = "--scope", required = true, split = ",", paramLabel = "CODE",
        description = "the divisions whose rows it sees: 6-digit county, city or province codes (511302, 511300, "
            + "510000), comma-separated, or all")
    List<String> scope;

    @Option(names = "--role", description = "what it reads (conf/access.yaml; default: the file's default_role)")
    String role;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      if (!Users.NAME.matcher(name).matches()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "NAME: \"" + name + "\" is not a login name "
            + "(lower-case letters, digits, _ . -, starting with a letter, at most 64)");
      }
      AccessRules rules = rules();
      String r = role == null ? rules.defaultRole() : role;
      if (!rules.roles().contains(r)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--role: unknown role " + r + " (known: "
            + String.join(", ", rules.roles()) + ")");
      }
      Scope s;
      try {
        s = Scope.parse(scope);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--scope: " + e.getMessage());
      }
      Users u = Users.loadOrEmpty(file(), rules.roles());
      if (u.get(name).isPresent()) {
        throw new IllegalArgumentException("the user " + name + " exists in " + u.file() + " (./sanku user passwd "
            + name + " changes the password; remove it to change its role or scope)");
      }
      char[] password = readPassword(System.in, System.console());
      try {
        u.with(new Users.User(name, r, s, Passwords.hash(password), false)).save();
      } finally {
        Arrays.fill(password, '\0');
      }
      System.out.println("user " + name + " added (" + r + ", scope " + s + ") to " + u.file());
      return 0;
    }
  }

  @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Set a login's password (read as for "
      + "add).")
  static final class Passwd extends FileOption implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws IOException {
      Users u = existing(name, load());
      Users.User old = u.get(name).orElseThrow();
      char[] password = readPassword(System.in, System.console());
      try {
        u.with(new Users.User(name, old.role(), old.scope(), Passwords.hash(password), old.locked())).save();
      } finally {
        Arrays.fill(password, '\0');
      }
      System.out.println("user " + name + ": password changed in " + u.file());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the logins (never the hashes).")
  static final class ListUsers extends FileOption implements Callable<Integer> {
    @Override
    public Integer call() {
      Users u = load();
      PrintStream out = System.out;
      out.printf("%-20s %-10s %-30s %s%n", "name", "role", "scope", "locked");
      for (Users.User x : u.all()) {
        out.printf("%-20s %-10s %-30s %s%n", x.name(), x.role(), x.scope(), x.locked() ? "locked" : "");
      }
      out.println("(" + u.all().size() + " users in " + u.file() + ")");
      return 0;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a login: its open "
      + "connections see no rows from their next statement.")
  static final class Remove extends FileOption implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      Users u = existing(name, load());
      u.without(name).save();
      System.out.println("user " + name + " removed from " + u.file());
      return 0;
    }
  }

  @Command(name = "lock", mixinStandardHelpOptions = true, description = "Refuse a login's logins (kept in the "
      + "file); its open connections see no rows from their next statement.")
  static final class Lock extends FileOption implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      Users u = existing(name, load());
      u.with(u.get(name).orElseThrow().withLocked(true)).save();
      System.out.println("user " + name + " locked in " + u.file());
      return 0;
    }
  }

  @Command(name = "unlock", mixinStandardHelpOptions = true, description = "Accept a locked login again.")
  static final class Unlock extends FileOption implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      Users u = existing(name, load());
      u.with(u.get(name).orElseThrow().withLocked(false)).save();
      System.out.println("user " + name + " unlocked in " + u.file());
      return 0;
    }
  }

  /**
   * The new password: on a terminal asked twice without echo; otherwise the first line of standard input (so a
   * script can pipe it in). At least {@value #MIN_PASSWORD} characters.
   */
  static char[] readPassword(InputStream in, Console console) throws IOException {
    char[] password;
    if (console != null) {
      password = console.readPassword("password: ");
      char[] again = console.readPassword("again: ");
      if (password == null || !Arrays.equals(password, again)) {
        throw new IllegalArgumentException("the two passwords differ");
      }
      Arrays.fill(again, '\0');
    } else {
      String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
      password = line == null ? new char[0] : line.toCharArray();
    }
    if (password.length < MIN_PASSWORD) {
      throw new IllegalArgumentException("the password must have at least " + MIN_PASSWORD + " characters "
          + "(read from standard input: " + (password.length == 0 ? "nothing" : "too short") + ")");
    }
    return password;
  }
}
