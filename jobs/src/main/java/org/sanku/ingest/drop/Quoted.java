package org.sanku.ingest.drop;

/**
 * Delivered text as it may appear in a message: cut short and with every character that is not plainly printable
 * escaped, inside double quotes. Messages are printed, logged and stored in {@code ops.drop_refusal}, which every
 * analyst reads, so a message never carries more of a delivered file than a short quoted piece: a header line
 * could be anything a hostile sender pointed the file at.
 */
public final class Quoted {

  /** The longest piece of delivered text a message quotes. */
  public static final int MAX = 24;

  private Quoted() {}

  /** {@code text} cut to {@link #MAX} characters, escaped and quoted; {@code null} as the word null. */
  public static String of(String text) {
    return of(text, MAX);
  }

  /**
   * A delivered name (a folder or file name, a header) as it is when it is short and plainly printable, else
   * quoted and escaped: names are chosen by the sender and must not bring control characters into a log.
   */
  public static String name(String text) {
    if (text != null && text.length() <= 100 && text.codePoints().allMatch(Quoted::plain)) {
      return text;
    }
    return of(text, 64);
  }

  private static boolean plain(int cp) {
    return cp > 0x20 && cp != '"' && cp != '\\' && !escaped(cp);
  }

  private static boolean escaped(int cp) {
    int t = Character.getType(cp);
    return Character.isISOControl(cp) || !Character.isDefined(cp) || t == Character.FORMAT
        || t == Character.PRIVATE_USE || t == Character.SURROGATE || t == Character.LINE_SEPARATOR
        || t == Character.PARAGRAPH_SEPARATOR || t == Character.SPACE_SEPARATOR && cp != ' ';
  }

  /** {@code text} cut to {@link #MAX} characters (an ellipsis marks the cut) and escaped, without quotes. */
  public static String inner(String text) {
    String q = of(text, MAX);
    int end = q.lastIndexOf('"');
    return q.substring(1, end) + (end < q.length() - 1 ? "…" : "");
  }

  public static String of(String text, int max) {
    if (text == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    int n = 0;
    for (int i = 0; i < text.length() && n < max; ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      n++;
      if (cp == '"' || cp == '\\') {
        b.append('\\').appendCodePoint(cp);
      } else if (escaped(cp)) {
        b.append(cp <= 0xFFFF ? String.format("\\u%04X", cp) : String.format("\\U%08X", cp));
      } else {
        b.appendCodePoint(cp);
      }
    }
    b.append('"');
    int total = text.codePointCount(0, text.length());
    if (total > max) {
      b.append(" (cut, ").append(total).append(" characters)");
    }
    return b.toString();
  }
}
