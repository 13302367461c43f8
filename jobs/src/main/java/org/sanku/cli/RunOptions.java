package org.sanku.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sanku.config.Settings;
import org.apache.spark.sql.SparkSession;
import org.sanku.ids.PersonKeys;
import org.sanku.pipeline.RunContext;
import org.sanku.pipeline.SankuConfig;
import org.sanku.storage.Warehouse;
import picocli.CommandLine.Option;

/** Options shared by the commands that open a warehouse: the person key and the Spark master. */
final class RunOptions {

  @Option(names = "--key-file", description = "file holding the person key (hex or base64); "
      + "default: the SANKU_PERSON_KEY environment variable, else person_key_file in conf/sanku.yaml")
  Path keyFile;

  @Option(names = "--master", defaultValue = "local[*]",
      description = "Spark master when not started by spark-submit (default: ${DEFAULT-VALUE})")
  String master;

  /**
   * The person key: the --key-file option, else SANKU_PERSON_KEY, else conf/sanku.yaml's person_key_file. Sanku
   * refuses to run without one. No message ever holds the key's text.
   */
  byte[] personKey() {
    return personKey(keyFile, System.getenv(PersonKeys.ENV_VAR), Sanku.confDir());
  }

  /**
   * The run's context for a command that keys persons: the configuration (loaded once), the warehouse, the person
   * key and its file.
   */
  RunContext context(SparkSession spark, SankuConfig config, String warehouse, java.time.LocalDate asOf) {
    return context(spark, config, warehouse, asOf, personKey());
  }

  /** {@link #context}, with the person key read before (a long-lived nightly reads its key file once). */
  RunContext context(SparkSession spark, SankuConfig config, String warehouse, java.time.LocalDate asOf,
      byte[] key) {
    return new RunContext(spark, Warehouse.open(spark, Warehouse.locationOf(warehouse)), config, asOf, key,
        keyFiles(), System.out);
  }

  /**
   * The file the person key is read from (the option, else person_key_file when the environment gives none), for
   * ingest to protect: no drop file may be it or a link to it. Empty when the key comes from the environment.
   */
  java.util.List<Path> keyFiles() {
    if (keyFile != null) {
      return java.util.List.of(keyFile);
    }
    String env = System.getenv(PersonKeys.ENV_VAR);
    if (env != null && !env.isBlank()) {
      return java.util.List.of();
    }
    Path f = Settings.load(Sanku.confDir()).personKeyFile();
    return f == null ? java.util.List.of() : java.util.List.of(f);
  }

  static byte[] personKey(Path option, String env, Path confDir) {
    Path file = option;
    if (file == null && env != null && !env.isBlank()) {
      return PersonKeys.parseKey(env);
    }
    if (file == null) {
      file = Settings.load(confDir).personKeyFile();
    }
    if (file == null) {
      throw new IllegalStateException("no person key: pass --key-file, set " + PersonKeys.ENV_VAR
          + " or name person_key_file in " + confDir.resolve(Settings.FILE));
    }
    String text;
    try {
      text = Files.readString(file).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the key file " + file);
    }
    if (text.isEmpty()) {
      throw new IllegalStateException("the key file " + file + " is empty");
    }
    return PersonKeys.parseKey(text);
  }
}
