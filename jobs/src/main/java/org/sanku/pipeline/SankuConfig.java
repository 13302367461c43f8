package org.sanku.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.sanku.config.BundledConfig;
import org.sanku.config.ConfigException;
import org.sanku.config.ConfigProblem;
import org.sanku.config.Settings;
import org.sanku.indicators.Catalog;
import org.sanku.indicators.Targets;
import org.sanku.ingest.HeaderAliases;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.quality.CheckCatalog;
import org.sanku.storage.StorageFiles;

/**
 * Everything a run reads from {@code conf/} and {@code schemas/}, loaded once, before any data is read: the
 * settings ({@code sanku.yaml}), the contract's table schemas with their value sets and code maps, the header
 * aliases, the indicator catalog, the targets and the data-quality check catalog ({@code conf/checks}). A broken file
 * or key anywhere is reported with every other problem found, each naming its file and key ({@link ConfigException}),
 * so a deployment fixes its configuration in one pass.
 *
 * @param locations where each part was read from
 * @param checks    the data-quality checks ({@code conf/checks/*.yaml}; empty when the folder is absent)
 */
public record SankuConfig(Locations locations, Settings settings, SchemaCatalog schemas, HeaderAliases aliases,
    Catalog indicators, Targets targets, CheckCatalog checks) {

  /**
   * Where the configuration is.
   *
   * @param conf       the configuration folder ({@code sanku.yaml}, aliases, code maps, value sets, targets, regions)
   * @param schemas    the contract's table schemas ({@code schemas/} of the installation)
   * @param indicators the indicator catalog folder ({@code conf/indicators})
   */
  public record Locations(Path conf, Path schemas, Path indicators) {

    /**
     * The folders for a configuration folder: the catalog inside it, the schemas where {@code sanku.yaml}'s
     * {@code schemas_dir} says, else beside it (an installation or a checkout keeps {@code conf/} and
     * {@code schemas/} side by side).
     */
    public static Locations of(Path conf) {
      return of(conf, null);
    }

    /**
     * As {@link #of(Path)}, with the installation folder to take the schemas from when the configuration folder
     * lies elsewhere (a copy of {@code conf/} in {@code /etc/sanku}: the contract's schemas belong to the
     * installation, not to the copy).
     */
    public static Locations of(Path conf, Path home) {
      Path schemas = Settings.schemasDir(conf);
      if (schemas == null) {
        Path beside = conf.toAbsolutePath().normalize().resolveSibling("schemas");
        schemas = home != null && !Files.isDirectory(beside) ? home.resolve("schemas") : beside;
      }
      return new Locations(conf, schemas, conf.resolve("indicators"));
    }

    /**
     * As the command line finds them: {@code SANKU_CONF} (a folder, or a URI such as {@code hdfs://…/conf}, copied
     * to a local folder first), else {@code conf/} under {@code SANKU_HOME} (set by the launcher), else
     * {@code ./conf} or {@code ../conf} (a run from the jobs module), else the configuration built into the jar
     * (the driver of {@code spark-submit}, which has nothing of Sanku but its jar).
     *
     * @param env the environment ({@code System::getenv}, or a map in a test)
     */
    public static Locations resolve(Function<String, String> env) {
      String home = blankToNull(env.apply("SANKU_HOME"));
      Path homeDir = home == null ? null : Path.of(home);
      String c = blankToNull(env.apply("SANKU_CONF"));
      if (c != null && StorageFiles.isRemote(c)) {
        return remote(c, homeDir);
      }
      if (c != null) {
        return of(Path.of(c.startsWith("file:") ? java.net.URI.create(c).getPath() : c), homeDir);
      }
      if (homeDir != null) {
        return of(homeDir.resolve("conf"), homeDir);
      }
      for (Path p : new Path[] {Path.of("conf"), Path.of("..", "conf")}) {
        if (Files.isDirectory(p.resolve("regions"))) {
          return of(p, null);
        }
      }
      if (BundledConfig.present()) {
        Path bundled = BundledConfig.home();
        return of(bundled.resolve("conf"), bundled);
      }
      throw new IllegalStateException("configuration folder not found (set SANKU_CONF or --conf-dir, or run from "
          + "the project folder)");
    }

    /**
     * A configuration folder on HDFS or an object store, copied to a local folder: with its sibling
     * {@code schemas/} when there is one, else the installation's or the jar's schemas.
     */
    private static Locations remote(String uri, Path homeDir) {
      org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
      Path local;
      try {
        local = Files.createTempDirectory("sanku-conf-");
        BundledConfig.removeAtExit(local);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      Path conf = StorageFiles.copyToLocal(uri, local.resolve("conf"), hadoop);
      String parent = new org.apache.hadoop.fs.Path(uri).getParent().toString();
      String schemas = parent + "/schemas";
      if (StorageFiles.exists(schemas, hadoop)) {
        StorageFiles.copyToLocal(schemas, local.resolve("schemas"), hadoop);
        return of(conf, local);
      }
      return of(conf, homeDir != null ? homeDir : BundledConfig.present() ? BundledConfig.home() : null);
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s;
    }
  }

  /** Loads every part, collecting every problem; throws one {@link ConfigException} listing them all. */
  public static SankuConfig load(Locations at) {
    List<ConfigProblem> problems = new ArrayList<>();
    Settings settings = part(problems, () -> Settings.load(at.conf()));
    SchemaCatalog schemas = part(problems, () -> SchemaCatalog.load(at.schemas(), at.conf()));
    HeaderAliases aliases = part(problems, () -> HeaderAliases.load(at.conf()));
    Catalog catalog = part(problems, () -> Catalog.load(at.indicators()));
    Set<String> ids = catalog == null ? null : catalog.indicators.keySet();
    Targets targets = ids == null ? null : part(problems, () -> Targets.load(at.conf().resolve("targets.yaml"), ids));
    CheckCatalog checks = part(problems, () -> CheckCatalog.load(checksDir(at), SchemaCatalog.SOURCES));
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new SankuConfig(at, settings, schemas, aliases, catalog, targets, checks);
  }

  /** The data-quality check catalog's folder: {@code checks/} of the configuration folder. */
  public static Path checksDir(Locations at) {
    return at.conf().resolve("checks");
  }

  /** Loads the configuration the command line finds. */
  public static SankuConfig load() {
    return load(Locations.resolve(System::getenv));
  }

  private static <T> T part(List<ConfigProblem> problems, java.util.function.Supplier<T> load) {
    try {
      return load.get();
    } catch (ConfigException e) {
      problems.addAll(e.details());
      return null;
    }
  }
}
