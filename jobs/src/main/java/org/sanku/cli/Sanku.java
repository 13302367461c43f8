package org.sanku.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./sanku} command line. */
@Command(name = "sanku", mixinStandardHelpOptions = true, version = "Sanku 0.1.0",
    description = "Sanku (三库): the region's three databases in, county management rates out.",
    subcommands = {GenerateCommand.class, IngestCommand.class, LinkCommand.class, NightlyCommand.class,
        IndicatorsCommand.class, SqlCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Sanku implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Sanku());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println("sanku " + cmd.getCommandName() + ": " + ex.getMessage());
      return 1;
    });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /**
   * The configuration folder: SANKU_CONF, else conf/ under SANKU_HOME (set by the launcher), else ./conf or
   * ../conf (a run from the jobs module).
   */
  static Path confDir() {
    String c = System.getenv("SANKU_CONF");
    if (c != null && !c.isBlank()) {
      return Paths.get(c);
    }
    String home = System.getenv("SANKU_HOME");
    if (home != null && !home.isBlank()) {
      return Paths.get(home, "conf");
    }
    for (Path p : new Path[] {Paths.get("conf"), Paths.get("..", "conf")}) {
      if (Files.isDirectory(p.resolve("regions"))) {
        return p;
      }
    }
    throw new IllegalStateException("configuration folder not found (set SANKU_CONF or run from the project folder)");
  }
}
