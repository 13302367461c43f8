package org.sanku.config;

/**
 * One thing wrong in a configuration file: the file, the key (a dotted path inside the file, or a column, plan or
 * indicator it names; empty when the whole file is wrong) and what is wrong. Every loader of {@code conf/} and
 * {@code schemas/} reports its problems in this form, so a deployment reads them all alike.
 */
public record ConfigProblem(String file, String key, String message) {

  /** A problem from a line {@code file: key: message} (the form every loader's messages take). */
  public static ConfigProblem parse(String line) {
    String[] p = line.split(": ", 3);
    return switch (p.length) {
      case 3 -> new ConfigProblem(p[0], p[1], p[2]);
      case 2 -> new ConfigProblem(p[0], "", p[1]);
      default -> new ConfigProblem("", "", line);
    };
  }

  @Override
  public String toString() {
    return file + ": " + (key.isEmpty() ? "" : key + ": ") + message;
  }
}
