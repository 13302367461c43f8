package org.sanku.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sanku.indicators.Period;
import org.sanku.indicators.PublishedRun;
import org.sanku.notebooks.NotebookEnv;
import org.sanku.notebooks.NotebookExport;
import org.sanku.pipeline.Pipeline;
import org.sanku.pipeline.RunContext;
import org.sanku.spark.SparkSessions;
import org.sanku.storage.Warehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sanku notebooks setup|export|run}: the analysis notebooks' Python, their data, and a headless run. */
@Command(name = "notebooks", mixinStandardHelpOptions = true,
    description = "The analysis notebooks in notebooks/: make their Python environment, export a published period "
        + "for them, and run them headless.",
    subcommands = {NotebooksCommand.Setup.class, NotebooksCommand.Export.class, NotebooksCommand.Run.class})
public final class NotebooksCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static Path venv(Path option) {
    return option != null ? option : NotebookEnv.defaultLocation(System.getenv());
  }

  @Command(name = "setup", mixinStandardHelpOptions = true,
      description = "Make (or bring up to date) the notebooks' virtual environment from notebooks/requirements.txt, "
          + "installing from the package index pip is configured with.")
  static final class Setup implements Callable<Integer> {

    @Option(names = "--venv", description = "where (default: SANKU_VENV, else ~/.cache/sanku/notebooks-venv)")
    Path venv;

    @Option(names = "--python", description = "the Python that makes it (default: SANKU_PYTHON, else python3)")
    String python;

    @Override
    public Integer call() throws Exception {
      String py = python != null ? python : System.getenv().getOrDefault("SANKU_PYTHON", "python3");
      NotebookEnv env = NotebookEnv.setup(NotebookEnv.notebooksFolder(System.getenv()), venv(venv), py, System.err);
      System.out.println(env.location());
      return 0;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write a published period for the notebooks: its tables as Parquet files, each at one snapshot "
          + "(the indicators as published, the rest as the publishing run read them), the persons counted by "
          + "each rate, and export.json describing them.")
  static final class Export implements Callable<Integer> {

    @Option(names = "--warehouse", required = true, description = "warehouse folder or URI")
    String warehouse;

    @Option(names = "--period", required = true,
        description = "a published period: 2025, 2025-Q3, 2025-07 or ytd:2025-11-24")
    String period;

    @Option(names = "--out", required = true, description = "the export folder (replaced if it holds an export)")
    Path out;

    @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE})")
    String master;

    @Override
    public Integer call() throws Exception {
      Period p = Period.parse(period);
      var config = Sanku.config();
      SparkSession spark = SparkSessions.create("sanku-notebooks-export", master);
      try {
        Warehouse wh = Warehouse.open(spark, Warehouse.locationOf(warehouse));
        PublishedRun run = new Pipeline(RunContext.reading(spark, wh, config, System.err)).published(p);
        NotebookExport.Result r = NotebookExport.write(run, out, System.err);
        System.err.println("sanku notebooks export: wrote " + r.dir() + " (period " + PublishedRun.argument(p)
            + ", run " + r.runId() + ")");
        return 0;
      } finally {
        spark.stop();
      }
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Run every notebook headless against an export and write the executed copies, outputs included.")
  static final class Run implements Callable<Integer> {

    @Option(names = "--export", required = true, description = "an export folder (./sanku notebooks export)")
    Path export;

    @Option(names = "--out", defaultValue = "work/notebooks-run",
        description = "where the executed notebooks go (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--venv", description = "the environment (default: SANKU_VENV, else ~/.cache/sanku/notebooks-venv)")
    Path venv;

    @Override
    public Integer call() throws Exception {
      NotebookEnv env = NotebookEnv.existing(venv(venv));
      for (Path p : env.run(NotebookEnv.notebooksFolder(System.getenv()), export, out, System.err)) {
        System.out.println(p);
      }
      return 0;
    }
  }
}
