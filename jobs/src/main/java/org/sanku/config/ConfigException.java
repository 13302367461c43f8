package org.sanku.config;

import java.util.List;

/**
 * The configuration cannot be used: every problem found, each naming its file and key, so that one run tells a
 * deployment all it has to fix. The message of a single problem is that problem's line.
 */
public class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    this(message("invalid configuration", problems), problems);
  }

  /** A single problem given as its line ({@code file: key: message}). */
  public ConfigException(String line) {
    this(line, List.of(ConfigProblem.parse(line)));
  }

  protected ConfigException(String message, List<ConfigProblem> problems) {
    super(message);
    this.problems = List.copyOf(problems);
  }

  /** Each problem with its file and key. */
  public List<ConfigProblem> details() {
    return problems;
  }

  /** {@code what (n problems):} and one indented line per problem; a single problem is its own line. */
  protected static String message(String what, List<ConfigProblem> problems) {
    if (problems.size() == 1) {
      return problems.get(0).toString();
    }
    StringBuilder b = new StringBuilder(what + " (" + problems.size() + " problems):");
    for (ConfigProblem p : problems) {
      b.append("\n  ").append(p);
    }
    return b.toString();
  }
}
