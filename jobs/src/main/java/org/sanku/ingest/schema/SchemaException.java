package org.sanku.ingest.schema;

import java.util.List;

/**
 * The schema files or value sets are inconsistent. Thrown once at load time with every problem found, each line
 * naming the file and the field, so a deployment fixes its configuration in one pass instead of one error per run.
 */
public final class SchemaException extends org.sanku.config.ConfigException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public SchemaException(List<String> problems) {
    super("invalid table schemas (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  "
        + String.join("\n  ", problems), problems.stream().map(org.sanku.config.ConfigProblem::parse).toList());
    this.problems = List.copyOf(problems);
  }

  /** One line per problem, each starting with the file it is in. */
  public List<String> problems() {
    return problems;
  }
}
