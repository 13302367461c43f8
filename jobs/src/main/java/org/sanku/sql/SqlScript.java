package org.sanku.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a script of Spark SQL statements at the semicolons that end them: a semicolon inside a quoted string
 * ({@code '…'}, {@code "…"}, with backslash escapes), a back-quoted identifier or a comment ({@code -- …} to the
 * end of the line, {@code /* … *}{@code /}, nested as Spark allows) does not split. Comments stay in the statement
 * text (Spark reads hints from them); a piece holding nothing but white space and comments is no statement.
 */
public final class SqlScript {

  private SqlScript() {}

  /** The statements of a script, trimmed, in order; the last one needs no semicolon. */
  public static List<String> split(String script) {
    return scan(script).statements;
  }

  /**
   * Whether the text typed so far ends a statement: its last significant character is a semicolon outside any
   * string, identifier or block comment (what the interactive prompt waits for before running).
   */
  public static boolean complete(String text) {
    Scan s = scan(text);
    return s.sawSemicolon && s.closed && s.tailEmpty;
  }

  /** The first word of a statement, upper-case, skipping comments (e.g. {@code INSERT}); empty if none. */
  public static String firstWord(String statement) {
    int i = skipSpaceAndComments(statement, 0);
    int j = i;
    while (j < statement.length() && Character.isLetter(statement.charAt(j))) {
      j++;
    }
    return statement.substring(i, j).toUpperCase(Locale.ROOT);
  }

  private static final class Scan {
    final List<String> statements = new ArrayList<>();
    boolean sawSemicolon;
    /** The text ended outside any string, identifier or block comment. */
    boolean closed = true;
    /** Nothing significant follows the last semicolon. */
    boolean tailEmpty = true;
  }

  private static Scan scan(String text) {
    Scan scan = new Scan();
    int n = text.length();
    int start = 0;
    boolean significant = false;
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
        int nl = text.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int depth = 1;
        i += 2;
        while (i < n && depth > 0) {
          if (text.startsWith("/*", i)) {
            depth++;
            i += 2;
          } else if (text.startsWith("*/", i)) {
            depth--;
            i += 2;
          } else {
            i++;
          }
        }
        if (depth > 0) {
          scan.closed = false;
        }
      } else if (c == '\'' || c == '"') {
        significant = true;
        i++;
        boolean ended = false;
        while (i < n) {
          char d = text.charAt(i);
          if (d == '\\') {
            i += 2;
          } else if (d == c) {
            i++;
            ended = true;
            break;
          } else {
            i++;
          }
        }
        if (!ended) {
          scan.closed = false;
          i = n;
        }
      } else if (c == '`') {
        significant = true;
        i++;
        boolean ended = false;
        while (i < n) {
          if (text.charAt(i) == '`') {
            if (i + 1 < n && text.charAt(i + 1) == '`') {
              i += 2;
            } else {
              i++;
              ended = true;
              break;
            }
          } else {
            i++;
          }
        }
        if (!ended) {
          scan.closed = false;
        }
      } else if (c == ';') {
        scan.sawSemicolon = true;
        if (significant) {
          scan.statements.add(text.substring(start, i).strip());
        }
        significant = false;
        start = i + 1;
        i++;
      } else {
        if (!Character.isWhitespace(c)) {
          significant = true;
        }
        i++;
      }
    }
    if (significant) {
      scan.statements.add(text.substring(start).strip());
      scan.tailEmpty = false;
    }
    return scan;
  }

  private static int skipSpaceAndComments(String s, int i) {
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (s.startsWith("--", i)) {
        int nl = s.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (s.startsWith("/*", i)) {
        int depth = 1;
        i += 2;
        while (i < n && depth > 0) {
          if (s.startsWith("/*", i)) {
            depth++;
            i += 2;
          } else if (s.startsWith("*/", i)) {
            depth--;
            i += 2;
          } else {
            i++;
          }
        }
      } else {
        break;
      }
    }
    return i;
  }
}
