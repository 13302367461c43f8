package org.sanku.cli;

import java.nio.file.Path;
import org.sanku.pipeline.SankuConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./sanku} command line. */
@Command(name = "sanku", mixinStandardHelpOptions = true, version = "Sanku 0.1.0",
    description = "Sanku (三库): the region's three databases in, county management rates out.",
    subcommands = {GenerateCommand.class, IngestCommand.class, LinkCommand.class, NightlyCommand.class,
        IndicatorsCommand.class, ReportCommand.class, NotebooksCommand.class, SqlCommand.class, ServeCommand.class,
        UserCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Sanku implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Sanku());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
      return 1;
    });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The configuration folder the command line finds (see {@link SankuConfig.Locations#resolve}). */
  static Path confDir() {
    return SankuConfig.Locations.resolve(System::getenv).conf();
  }

  /** The whole configuration, loaded and checked once for the command. */
  static SankuConfig config() {
    return SankuConfig.load(SankuConfig.Locations.resolve(System::getenv));
  }
}
