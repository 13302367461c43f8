package org.sanku.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;

/** Reads the YAML files of {@code conf/} and {@code schemas/}: one parser, one way of saying a file is broken. */
public final class Yaml {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Yaml() {}

  /**
   * The file's tree (a missing node for an empty file).
   *
   * @throws ConfigException naming the file and the first line of the parser's complaint
   */
  public static JsonNode read(Path file) {
    try {
      JsonNode n = YAML.readTree(file.toFile());
      return n == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : n;
    } catch (IOException e) {
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new ConfigException(file + ": not valid YAML: " + first);
    }
  }

  /** The shared mapper, for loaders that bind a tree to their own types. */
  public static ObjectMapper mapper() {
    return YAML;
  }
}
