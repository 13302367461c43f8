package org.sanku.sql;

/**
 * How many terminal columns a string takes: East Asian wide and full-width characters (汉字, full-width digits and
 * punctuation, Hangul, kana) take two, combining marks and zero-width format characters none, the rest one.
 */
public final class DisplayWidth {

  private DisplayWidth() {}

  public static int of(String s) {
    int w = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      w += of(cp);
    }
    return w;
  }

  public static int of(int cp) {
    int type = Character.getType(cp);
    if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) {
      return 0;
    }
    return wide(cp) ? 2 : 1;
  }

  /** East Asian Width W or F (the ranges terminals use). */
  static boolean wide(int cp) {
    return cp >= 0x1100 && (cp <= 0x115F
        || cp == 0x2329 || cp == 0x232A
        || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F)
        || (cp >= 0xA960 && cp <= 0xA97F)
        || (cp >= 0xAC00 && cp <= 0xD7A3)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0xFE10 && cp <= 0xFE19)
        || (cp >= 0xFE30 && cp <= 0xFE6F)
        || (cp >= 0xFF00 && cp <= 0xFF60)
        || (cp >= 0xFFE0 && cp <= 0xFFE6)
        || (cp >= 0x1F300 && cp <= 0x1F64F)
        || (cp >= 0x1F900 && cp <= 0x1F9FF)
        || (cp >= 0x20000 && cp <= 0x2FFFD)
        || (cp >= 0x30000 && cp <= 0x3FFFD));
  }
}
