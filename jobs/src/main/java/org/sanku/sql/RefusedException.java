package org.sanku.sql;

/**
 * A statement or plan that the read-only guard ({@link ReadOnlyExtension}) refuses. It is thrown while the statement
 * is parsed or analysed, so nothing of it has run; its message says what was refused and why.
 */
public final class RefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RefusedException(String message) {
    super(message);
  }
}
