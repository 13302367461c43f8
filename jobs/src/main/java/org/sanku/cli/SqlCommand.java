package org.sanku.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;
import org.sanku.storage.Warehouse;
import org.sanku.spark.SparkSessions;
import org.sanku.sql.Limits;
import org.sanku.sql.ResultWriter;
import org.sanku.sql.SqlRunner;
import org.sanku.sql.SqlScript;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./sanku sql}: read-only Spark SQL over the warehouse's analytics zone. */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = {
        "Run Spark SQL over the warehouse's analytics zone: tables by name (std.pop_person, model.person, "
            + "ind.indicator_value, or sanku.std.pop_person), values printed exactly. The identity zone is not "
            + "reachable. Read-only: queries, SHOW, DESCRIBE, EXPLAIN and USE run; writes and DDL are refused. "
            + "Tables are read on their main branch (the published data) only.",
        "Statements come from the SQL argument (several separated by ;), from -f FILE, from an interactive "
            + "prompt (sanku> , end a statement with ;, leave with quit;) or, when standard input is not a "
            + "terminal, from standard input.",
        "A statement running longer than --timeout is cancelled, and a result is cut at --max-rows rows; either "
            + "prints why on stderr and makes the exit code 1."})
public final class SqlCommand implements Callable<Integer> {

  private static final Pattern QUIT = Pattern.compile("(?i)(quit|exit|\\\\q)\\s*;?");

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI")
  String warehouse;

  @Option(names = "--format", defaultValue = "table",
      description = "table, csv (RFC 4180, UTF-8) or json (JSON Lines) (default: ${DEFAULT-VALUE})")
  String format;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE",
      description = "script of statements separated by ; (-- and /* */ comments allowed)")
  Path file;

  @Option(names = "--master", defaultValue = "local[*]",
      description = "Spark master when not started by spark-submit (default: ${DEFAULT-VALUE})")
  String master;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "" + Limits.DEFAULT_TIMEOUT_SECONDS,
      description = "cancel a statement that runs longer than this, 0 for no limit (default: ${DEFAULT-VALUE})")
  long timeout;

  @Option(names = "--max-rows", paramLabel = "N", defaultValue = "" + Limits.DEFAULT_MAX_ROWS,
      description = "print at most N rows of a result, 0 for no limit (default: ${DEFAULT-VALUE})")
  long maxRows;

  @Parameters(arity = "0..1", paramLabel = "SQL", description = "statement(s) to run, separated by ;")
  String sql;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    ResultWriter.Format fmt;
    try {
      fmt = ResultWriter.Format.parse(format);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format: " + e.getMessage());
    }
    Limits limits;
    try {
      limits = new Limits(timeout, maxRows);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (file != null && sql != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give either SQL or -f FILE, not both");
    }
    String location = Warehouse.locationOf(warehouse);
    requireWarehouse(location);
    List<String> statements = null;
    if (file != null) {
      statements = SqlScript.split(readScript(file));
    } else if (sql != null) {
      statements = SqlScript.split(sql);
    }
    Console console = System.console();
    if (statements == null && console == null) {
      statements = SqlScript.split(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
    }
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    // A statement failing in a task is reported once, as "sanku sql: <message>", not also as Spark's task logs.
    Configurator.setLevel(Map.of("org.apache.spark.executor.Executor", Level.OFF,
        "org.apache.spark.scheduler.TaskSetManager", Level.OFF));
    SparkSession spark = SparkSessions.forReaders("sanku-sql", master);
    try {
      String catalog = org.sanku.sql.AnalyticsCatalog.register(spark, location);
      if (statements != null) {
        return run(spark, catalog, statements, fmt.name(), limits, out, err);
      }
      out.println("Sanku SQL on " + warehouse + " (analytics zone, read-only). End statements with ; and leave "
          + "with quit;");
      try (SqlRunner runner = new SqlRunner(spark, catalog, fmt, limits, out, err)) {
        return interactive(runner, new BufferedReader(console.reader()), out);
      }
    } finally {
      out.flush();
      spark.stop();
    }
  }

  /** {@link #run(SparkSession, String, List, String, Limits, PrintStream, PrintStream)} with the default limits. */
  static int run(SparkSession spark, String analyticsCatalog, List<String> statements, String format,
      PrintStream out, PrintStream err) {
    return run(spark, analyticsCatalog, statements, format, Limits.defaults(), out, err);
  }

  /**
   * Runs statements in order on a users' session ({@link SparkSessions#forReaders}), with {@code analyticsCatalog}
   * (already registered) as the current catalog, and prints their results in {@code format} ({@code table},
   * {@code csv} or {@code json}) under {@code limits}. Stops at the first statement that is refused, fails, runs
   * past the timeout or has more rows than the cap: 1 then, 0 when all ran. The session's current catalog is put
   * back afterwards.
   */
  static int run(SparkSession spark, String analyticsCatalog, List<String> statements, String format, Limits limits,
      PrintStream out, PrintStream err) {
    try (SqlRunner runner = new SqlRunner(spark, analyticsCatalog, ResultWriter.Format.parse(format), limits, out,
        err)) {
      for (String statement : statements) {
        if (!runner.execute(statement)) {
          return 1;
        }
      }
      return 0;
    }
  }

  /**
   * The prompt: reads lines until one ends a statement with {@code ;}, runs what was typed, and again, until
   * {@code quit;}, {@code exit;} or the end of the input. 1 if a statement was refused or failed, else 0.
   */
  static int interactive(SqlRunner runner, BufferedReader in, PrintStream out) throws IOException {
    StringBuilder typed = new StringBuilder();
    boolean failed = false;
    while (true) {
      out.print(typed.length() == 0 ? "sanku> " : "    -> ");
      out.flush();
      String line = in.readLine();
      if (line == null) {
        out.println();
        break;
      }
      if (typed.length() == 0 && QUIT.matcher(line.strip()).matches()) {
        break;
      }
      if (typed.length() == 0 && line.isBlank()) {
        continue;
      }
      typed.append(line).append('\n');
      if (SqlScript.complete(typed.toString())) {
        for (String statement : SqlScript.split(typed.toString())) {
          failed |= !runner.execute(statement);
        }
        typed.setLength(0);
      }
    }
    out.flush();
    return failed ? 1 : 0;
  }

  private static String readScript(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the script " + file + " (" + e.getMessage() + ")");
    }
  }

  /**
   * A warehouse on the local disk or HDFS must exist (a typo would otherwise show an empty warehouse). An object
   * store's bucket is checked by the session's own credentials when the first table is read.
   */
  static void requireWarehouse(String location) {
    if (location.startsWith("file:") || location.startsWith("hdfs:")) {
      String analytics = Warehouse.analyticsUri(location);
      if (!org.sanku.storage.StorageFiles.exists(analytics, new org.apache.hadoop.conf.Configuration())) {
        throw new IllegalStateException("no warehouse at " + location + " (no analytics folder " + analytics + ")");
      }
    }
  }
}
