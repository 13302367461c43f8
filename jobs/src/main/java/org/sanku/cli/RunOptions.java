package org.sanku.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sanku.ids.PersonKeys;
import picocli.CommandLine.Option;

/** Options shared by the commands that open a warehouse: the person key and the Spark master. */
final class RunOptions {

  @Option(names = "--key-file", description = "file holding the person key (hex or base64); "
      + "default: the SANKU_PERSON_KEY environment variable")
  Path keyFile;

  @Option(names = "--master", defaultValue = "local[*]",
      description = "Spark master when not started by spark-submit (default: ${DEFAULT-VALUE})")
  String master;

  /** The person key from SANKU_PERSON_KEY or the key file; Sanku refuses to run without one. */
  byte[] personKey() {
    String env = System.getenv(PersonKeys.ENV_VAR);
    if (env != null && !env.isBlank()) {
      return PersonKeys.parseKey(env);
    }
    if (keyFile == null) {
      throw new IllegalStateException("no person key: set " + PersonKeys.ENV_VAR + " or pass --key-file");
    }
    try {
      return PersonKeys.parseKey(Files.readString(keyFile).trim());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the key file " + keyFile);
    }
  }
}
