package org.sanku.ids;

import java.util.Locale;
import java.util.Set;

/**
 * Recognisers of the values that stand in an ID column without being a usable number: placeholders for "no
 * number", numbers Excel turned into doubles, and made-up runs of digits. Each takes a value already cleaned by
 * {@link IdNumbers#clean(String)}.
 */
final class IdPatterns {

    /**
     * Placeholders that mean "no number", compared after cleaning and ASCII upper-casing, so
     * {@code null}, {@code Null} and {@code n/a} all match.
     */
    private static final Set<String> PLACEHOLDERS = Set.of("-", "无", "不详", "NULL", "N/A", "/");

    /**
     * Length of the all-zero tail that marks an 18-digit number Excel stored as a double. A
     * double keeps about 15 significant digits, so Excel writes the last three digits as zeros;
     * we require four zeros (and a failing checksum) to keep genuine numbers with sequence code
     * {@code x00} and check {@code 0} out of this bucket. Damaged numbers with only three zeros
     * still fail the checksum and are reported as {@link IdStatus#CHECKSUM_FAIL}.
     */
    private static final int DAMAGED_ZERO_TAIL = 4;

    private IdPatterns() {
    }

    static boolean isPlaceholder(String s) {
        if (s.length() > 4) {
            // Every listed placeholder is at most four characters; only runs can be longer.
            return isRunOf(s, '-') || isRunOf(s, '/');
        }
        return PLACEHOLDERS.contains(s.toUpperCase(Locale.ROOT)) || isRunOf(s, '-') || isRunOf(s, '/');
    }

    private static boolean isRunOf(String s, char c) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) != c) {
                return false;
            }
        }
        return true;
    }

    /**
     * Matches {@code digits [. digits] (E|e) [+|-] digits}, the way Excel displays and exports a
     * long number it has converted to a double (e.g. {@code 5.10104E+17}, {@code 5.11302E17}).
     */
    static boolean isScientificNotation(String s) {
        int n = s.length();
        int i = 0;
        int start = i;
        while (i < n && IdNumbers.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == start) {
            return false;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && IdNumbers.isDigit(s.charAt(i))) {
                i++;
            }
        }
        if (i >= n || (s.charAt(i) != 'E' && s.charAt(i) != 'e')) {
            return false;
        }
        i++;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        start = i;
        while (i < n && IdNumbers.isDigit(s.charAt(i))) {
            i++;
        }
        return i > start && i == n;
    }

    /** Identical digits, or a run ascending or descending by one (mod 10) over the whole string. */
    static boolean isFakePattern(String s) {
        boolean same = true;
        boolean up = true;
        boolean down = true;
        for (int i = 1, n = s.length(); i < n && (same || up || down); i++) {
            int prev = s.charAt(i - 1) - '0';
            int cur = s.charAt(i) - '0';
            same &= cur == prev;
            up &= cur == (prev + 1) % 10;
            down &= cur == (prev + 9) % 10;
        }
        return same || up || down;
    }

    static boolean hasZeroTail(String s) {
        for (int i = s.length() - DAMAGED_ZERO_TAIL; i < s.length(); i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
