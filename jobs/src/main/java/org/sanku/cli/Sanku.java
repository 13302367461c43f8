package org.sanku.cli;

import java.nio.file.Path;
import org.sanku.pipeline.SankuConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./sanku} command line. */
@Command(name = "sanku", mixinStandardHelpOptions = true, version = "Sanku 0.1.0",
    description = "Sanku (三库): the region's three databases in, county management rates out.",
    subcommands = {GenerateCommand.class, IngestCommand.class, LinkCommand.class, NightlyCommand.class,
        IndicatorsCommand.class, QualityCommand.class, ReportCommand.class, NotebooksCommand.class, SqlCommand.class,
        ServeCommand.class, UserCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Sanku implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code;
    try {
      code = run(args);
    } catch (Throwable t) {
      // An Error (out of memory) passes picocli's handler: the process still ends, with 1, for a supervisor (the
      // systemd unit of a nightly --daily-at) to see and restart.
      t.printStackTrace();
      code = 1;
    }
    System.exit(code);
  }

  public static int run(String... args) {
    confDirOption = null;
    located = null;
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

  /** {@code --conf-dir}, when given: it stands for {@code SANKU_CONF}. */
  private static String confDirOption;

  /** Where this command's configuration is, found once (a folder on HDFS is copied once). */
  private static SankuConfig.Locations located;

  @CommandLine.Option(names = "--conf-dir", scope = CommandLine.ScopeType.INHERIT, paramLabel = "DIR",
      description = "configuration folder (conf/), a local folder or a URI such as hdfs://…/sanku/conf; default: "
          + "SANKU_CONF, else conf/ of the installation, else the configuration built into the jar")
  void confDir(String dir) {
    confDirOption = dir;
    located = null;
  }

  /** Where the command line finds the configuration (see {@link SankuConfig.Locations#resolve}). */
  static synchronized SankuConfig.Locations locations() {
    if (located == null) {
      located = SankuConfig.Locations.resolve(k -> "SANKU_CONF".equals(k) && confDirOption != null ? confDirOption
          : System.getenv(k));
    }
    return located;
  }

  /** The configuration folder the command line finds. */
  static Path confDir() {
    return locations().conf();
  }

  /** The whole configuration, loaded and checked once for the command. */
  static SankuConfig config() {
    return SankuConfig.load(locations());
  }

  /**
   * The configuration found and loaded again (a folder on HDFS copied again): each run of a long-lived
   * {@code nightly --daily-at} reads the configuration as it stands.
   */
  static SankuConfig reloaded() {
    synchronized (Sanku.class) {
      located = null;
    }
    return config();
  }
}
