package org.sanku.ids;

import java.text.Normalizer;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.util.Objects;

/**
 * Validation, cleaning and normalisation of GB 11643 citizen identity numbers (公民身份号码)
 * and the other identity documents that turn up in the same column (standards §3.1–§3.3).
 *
 * <p>The class is stateless: every method is a pure function of its arguments, so it is safe to
 * call from any number of threads (for example inside Spark UDFs). The hot path of
 * {@link #normalise(String, LocalDate)} avoids regular expressions, exceptions and Unicode
 * normalisation for inputs that are already plain ASCII, because it runs once per record on
 * tables with tens of millions of rows.
 *
 * <p>Error messages never echo the identity number they were given: identity numbers are
 * personal data and exception messages end up in driver logs and the Spark UI.
 */
public final class IdNumbers {

    /**
     * The outcome of {@link #normalise(String, LocalDate)}.
     *
     * @param raw        the input exactly as given (may be null)
     * @param normalised the 18-character form for {@code VALID_18}, {@code UPGRADED_15} and
     *                   {@code NON_MAINLAND}; the cleaned string for {@code CHECKSUM_FAIL},
     *                   {@code BAD_DATE}, {@code BAD_AREA} and {@code FAKE} (for diagnostics
     *                   only, never for linkage); null for {@code MISSING}, {@code DAMAGED} and
     *                   {@code OTHER_DOC}
     * @param status     the validity status
     * @param birthDate  the birth date encoded in the number; set only for {@code VALID_18},
     *                   {@code UPGRADED_15} and {@code NON_MAINLAND}
     * @param sexFromId  {@code 'M'} for an odd sequence code, {@code 'F'} for an even one; set
     *                   only for the same three statuses as {@code birthDate}
     */
    public record Result(String raw, String normalised, IdStatus status,
                         LocalDate birthDate, Character sexFromId) {

        /** Returns whether the number may be used for deterministic linkage. */
        public boolean usable() {
            return isUsable(status);
        }
    }

    /** ISO 7064 MOD 11-2 weights for positions 1–17, i.e. 2^(18−i) mod 11 (§3.1). */
    private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

    /** Check character indexed by R = S mod 11 (§3.1). */
    private static final char[] CHECK_CHARS = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

    /**
     * Province-level prefixes of GB/T 2260 (11–15, 21–23, 31–37, 41–46, 50–54, 61–65), indexed
     * by the two-digit prefix. Prefixes are stable across every historical vintage, so checking
     * only the prefix never rejects a legitimate old county code such as {@code 510122}.
     */
    private static final boolean[] PROVINCE_PREFIX = new boolean[100];

    static {
        int[][] ranges = {{11, 15}, {21, 23}, {31, 37}, {41, 46}, {50, 54}, {61, 65}};
        for (int[] range : ranges) {
            for (int p = range[0]; p <= range[1]; p++) {
                PROVINCE_PREFIX[p] = true;
            }
        }
    }

    /** Ages above this at the as-of date are treated as impossible. */
    private static final int MAX_AGE_YEARS = 120;

    /**
     * Sequence codes from this value up were reportedly reserved for centenarians in 15-digit
     * numbers (§3.1, marked [M?]). Such a person may have been born in the 1800s, so inserting
     * "19" could give the wrong century and a wrong 18-digit number. We refuse to guess and
     * report {@link IdStatus#BAD_DATE}, since it is the century of the date that is in doubt.
     */
    private static final int FIRST_CENTENARIAN_SEQUENCE = 996;

    private IdNumbers() {
    }

    /**
     * Computes the ISO 7064 MOD 11-2 check character of a citizen identity number.
     *
     * @param first17 at least 17 characters, the first 17 of which must be ASCII digits; a full
     *                18-character number may be passed, its 18th character is ignored
     * @return the check character, {@code '0'}–{@code '9'} or {@code 'X'}
     * @throws IllegalArgumentException if there are fewer than 17 characters or a non-digit
     */
    public static char checkChar(CharSequence first17) {
        Objects.requireNonNull(first17, "first17");
        if (first17.length() < 17) {
            throw new IllegalArgumentException("need at least 17 characters to compute a check character");
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            char c = first17.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("the first 17 characters must be ASCII digits");
            }
            sum += (c - '0') * WEIGHTS[i];
        }
        return CHECK_CHARS[sum % 11];
    }

    /**
     * Builds a valid 18-character number, mainly for tests and synthetic data.
     *
     * <p>The area code is not checked against GB/T 2260, so invalid areas can be produced on
     * purpose.
     *
     * @param area6     six ASCII digits
     * @param birth     birth date with a year from 0 to 9999
     * @param sequence3 sequence code 0–999; odd means male, even means female
     * @return the 18-character number including its check character
     */
    public static String make(String area6, LocalDate birth, int sequence3) {
        Objects.requireNonNull(area6, "area6");
        Objects.requireNonNull(birth, "birth");
        if (area6.length() != 6 || !allDigits(area6, 0, 6)) {
            throw new IllegalArgumentException("area code must be six ASCII digits");
        }
        if (birth.getYear() < 0 || birth.getYear() > 9999) {
            throw new IllegalArgumentException("birth year must have four digits");
        }
        if (sequence3 < 0 || sequence3 > 999) {
            throw new IllegalArgumentException("sequence code must be between 0 and 999");
        }
        char[] id = new char[18];
        area6.getChars(0, 6, id, 0);
        putDigits(id, 6, birth.getYear(), 4);
        putDigits(id, 10, birth.getMonthValue(), 2);
        putDigits(id, 12, birth.getDayOfMonth(), 2);
        putDigits(id, 14, sequence3, 3);
        id[17] = check(id);
        return new String(id);
    }

    /**
     * Returns the legacy 15-digit (GB 11643-1989) form: the century digits and the check
     * character are dropped. The check character is not verified, since it is discarded.
     *
     * @param id18 a cleaned 18-character number (17 digits then a digit or upper-case X) born
     *             in 1900–1999
     * @throws IllegalArgumentException for any other input, because the 15-digit form can only
     *                                  express the 1900s
     */
    public static String to15(String id18) {
        Objects.requireNonNull(id18, "id18");
        if (!isShaped18(id18)) {
            throw new IllegalArgumentException("expected 17 digits followed by a digit or X");
        }
        if (id18.charAt(6) != '1' || id18.charAt(7) != '9') {
            throw new IllegalArgumentException("only numbers born in 1900-1999 have a 15-digit form");
        }
        return id18.substring(0, 6) + id18.substring(8, 17);
    }

    /**
     * Applies steps 1–3 of §3.3: removes whitespace and Excel quotes, applies NFKC, and
     * upper-cases {@code x}.
     *
     * <p>Removed characters: everything {@link Character#isWhitespace(int)} or
     * {@link Character#isSpaceChar(int)} accepts (ASCII space, tab, CR, LF, U+00A0, U+3000, …),
     * every format character (Unicode category Cf, which covers the zero-width space U+200B and
     * the byte-order mark U+FEFF), other ISO control characters, the ASCII quotes {@code '} and
     * {@code "} (including full-width {@code ＇＂}, which NFKC maps to them), and the curly
     * quotes {@code ‘’“”} that Chinese input methods produce. None of these can be part of an
     * identity number, and all of them are invisible or easy to overlook in source systems.
     *
     * @param raw the value as read, may be null
     * @return the cleaned value, or null if {@code raw} is null
     */
    public static String clean(String raw) {
        if (raw == null) {
            return null;
        }
        // Fast path: printable ASCII without quotes is already NFKC-normal and has no whitespace,
        // which is the case for the vast majority of rows.
        boolean hasLowerX = false;
        boolean plain = true;
        for (int i = 0, n = raw.length(); i < n; i++) {
            char c = raw.charAt(i);
            if (c <= ' ' || c >= 0x7F || c == '\'' || c == '"') {
                plain = false;
                break;
            }
            if (c == 'x') {
                hasLowerX = true;
            }
        }
        if (plain) {
            return hasLowerX ? raw.replace('x', 'X') : raw;
        }

        // Normalising first means full-width quotes and spaces become ASCII ones and are then
        // removed by the same filter as their ASCII counterparts.
        String nfkc = Normalizer.normalize(raw, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(nfkc.length());
        for (int i = 0, n = nfkc.length(); i < n; ) {
            int cp = nfkc.codePointAt(i);
            i += Character.charCount(cp);
            if (isRemovable(cp)) {
                continue;
            }
            if (cp == 'x') {
                out.append('X');
            } else {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    /**
     * Cleans, classifies and normalises one identity-document number (§3.3).
     *
     * <p>Rules, applied in this order after {@link #clean(String)}:
     * <ol>
     *   <li>null, empty or a placeholder ({@code - 无 不详 NULL N/A /}, or a run of {@code -} or
     *       {@code /}) → {@code MISSING};</li>
     *   <li>Excel scientific notation such as {@code 5.11302E+17} → {@code DAMAGED};</li>
     *   <li>15 or 18 identical digits, or a run ascending or descending by one (mod 10) over the
     *       whole length → {@code FAKE};</li>
     *   <li>18 digits ending in {@code 0000} with a wrong checksum → {@code DAMAGED};</li>
     *   <li>15 digits: the date 19YYMMDD must be real, not after {@code asOf}, and give an age of
     *       at most 120, and the sequence must be below 996, else {@code BAD_DATE}; the province
     *       prefix must be valid, else {@code BAD_AREA}; otherwise upgrade →
     *       {@code UPGRADED_15};</li>
     *   <li>17 digits then a digit or {@code X}: an unreal date → {@code BAD_DATE}; a date after
     *       {@code asOf} or an age above 120 → {@code FAKE}; prefix 81/82/83, or 9 followed by a
     *       valid province prefix, marks a non-mainland document; otherwise an invalid province
     *       prefix → {@code BAD_AREA}; a wrong check character → {@code CHECKSUM_FAIL}; otherwise
     *       {@code NON_MAINLAND} or {@code VALID_18};</li>
     *   <li>anything else → {@code OTHER_DOC}.</li>
     * </ol>
     *
     * <p>The 15-digit area check is an addition to the brief: an upgraded number is usable for
     * linkage, so it has to meet the same area rule as an 18-character one. Non-mainland
     * prefixes did not exist in the 15-digit era, so they are {@code BAD_AREA} there.
     *
     * @param raw  the value as read, may be null
     * @param asOf the reference date for "future" and "older than 120" (usually the extract date;
     *             passed explicitly so that reruns are reproducible)
     */
    public static Result normalise(String raw, LocalDate asOf) {
        Objects.requireNonNull(asOf, "asOf");
        String s = clean(raw);
        if (s == null || s.isEmpty() || IdPatterns.isPlaceholder(s)) {
            return new Result(raw, null, IdStatus.MISSING, null, null);
        }
        if (IdPatterns.isScientificNotation(s)) {
            return new Result(raw, null, IdStatus.DAMAGED, null, null);
        }
        int n = s.length();
        boolean digitsOnly = allDigits(s, 0, n);
        if (digitsOnly && (n == 15 || n == 18) && IdPatterns.isFakePattern(s)) {
            return new Result(raw, s, IdStatus.FAKE, null, null);
        }
        if (digitsOnly && n == 18 && IdPatterns.hasZeroTail(s) && check(s) != s.charAt(17)) {
            return new Result(raw, null, IdStatus.DAMAGED, null, null);
        }
        int asOfKey = dateKey(asOf.getYear(), asOf.getMonthValue(), asOf.getDayOfMonth());
        if (digitsOnly && n == 15) {
            return normalise15(raw, s, asOfKey);
        }
        if (isShaped18(s)) {
            return normalise18(raw, s, asOfKey);
        }
        return new Result(raw, null, IdStatus.OTHER_DOC, null, null);
    }

    /** Returns true for the statuses trusted for deterministic linkage (§3.4 tier 1). */
    public static boolean isUsable(IdStatus status) {
        return status == IdStatus.VALID_18 || status == IdStatus.UPGRADED_15;
    }

    // ---------------------------------------------------------------------------------------
    // Implementation.

    private static Result normalise15(String raw, String s, int asOfKey) {
        int year = 1900 + digits(s, 6, 2);
        int month = digits(s, 8, 2);
        int day = digits(s, 10, 2);
        if (!isRealDate(year, month, day)
                || !isPlausibleBirth(dateKey(year, month, day), asOfKey)
                || digits(s, 12, 3) >= FIRST_CENTENARIAN_SEQUENCE) {
            return new Result(raw, s, IdStatus.BAD_DATE, null, null);
        }
        if (!PROVINCE_PREFIX[digits(s, 0, 2)]) {
            return new Result(raw, s, IdStatus.BAD_AREA, null, null);
        }
        char[] id = new char[18];
        s.getChars(0, 6, id, 0);
        id[6] = '1';
        id[7] = '9';
        s.getChars(6, 15, id, 8);
        id[17] = check(id);
        return new Result(raw, new String(id), IdStatus.UPGRADED_15,
                LocalDate.of(year, month, day), sexOf(id[16]));
    }

    private static Result normalise18(String raw, String s, int asOfKey) {
        int year = digits(s, 6, 4);
        int month = digits(s, 10, 2);
        int day = digits(s, 12, 2);
        if (!isRealDate(year, month, day)) {
            return new Result(raw, s, IdStatus.BAD_DATE, null, null);
        }
        if (!isPlausibleBirth(dateKey(year, month, day), asOfKey)) {
            return new Result(raw, s, IdStatus.FAKE, null, null);
        }
        int prefix = digits(s, 0, 2);
        // 81/82/83: residence permits for Hong Kong, Macau and Taiwan residents (§3.2).
        // 9 + province: the 2023 foreigner permanent residence card, whose second and third
        // digits are reportedly the province that accepted the application; "99..." and the
        // like therefore stay BAD_AREA.
        boolean nonMainland = prefix == 81 || prefix == 82 || prefix == 83
                || (s.charAt(0) == '9' && PROVINCE_PREFIX[digits(s, 1, 2)]);
        if (!nonMainland && !PROVINCE_PREFIX[prefix]) {
            return new Result(raw, s, IdStatus.BAD_AREA, null, null);
        }
        if (check(s) != s.charAt(17)) {
            return new Result(raw, s, IdStatus.CHECKSUM_FAIL, null, null);
        }
        return new Result(raw, s, nonMainland ? IdStatus.NON_MAINLAND : IdStatus.VALID_18,
                LocalDate.of(year, month, day), sexOf(s.charAt(16)));
    }

    private static boolean isRemovable(int cp) {
        return Character.isWhitespace(cp)
                || Character.isSpaceChar(cp)
                || Character.isISOControl(cp)
                || Character.getType(cp) == Character.FORMAT
                || cp == '\'' || cp == '"'
                || cp == '\u2018' || cp == '\u2019' || cp == '\u201C' || cp == '\u201D';
    }

    /** 17 ASCII digits followed by an ASCII digit or upper-case X. */
    private static boolean isShaped18(String s) {
        if (s.length() != 18 || !allDigits(s, 0, 17)) {
            return false;
        }
        char last = s.charAt(17);
        return isDigit(last) || last == 'X';
    }

    /**
     * A birth date is plausible if it is not after the as-of date and the age at that date is at
     * most 120. Dates are compared as yyyymmdd integers: the difference divided by 10,000 is the
     * age in completed years, which avoids allocating LocalDate or Period objects.
     */
    private static boolean isPlausibleBirth(int birthKey, int asOfKey) {
        return birthKey <= asOfKey && asOfKey - birthKey < (MAX_AGE_YEARS + 1) * 10_000;
    }

    private static boolean isRealDate(int year, int month, int day) {
        if (month < 1 || month > 12 || day < 1) {
            return false;
        }
        return day <= Month.of(month).length(Year.isLeap(year));
    }

    private static int dateKey(int year, int month, int day) {
        return year * 10_000 + month * 100 + day;
    }

    private static Character sexOf(char sequenceLastDigit) {
        // Character.valueOf caches ASCII values, so this does not allocate.
        return ((sequenceLastDigit - '0') & 1) == 1 ? Character.valueOf('M') : Character.valueOf('F');
    }

    /** Check character of the first 17 characters, which the caller has verified are digits. */
    private static char check(String s) {
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (s.charAt(i) - '0') * WEIGHTS[i];
        }
        return CHECK_CHARS[sum % 11];
    }

    private static char check(char[] id) {
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (id[i] - '0') * WEIGHTS[i];
        }
        return CHECK_CHARS[sum % 11];
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean allDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Parses {@code count} ASCII digits starting at {@code from}; the caller has checked them. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            value = value * 10 + (s.charAt(i) - '0');
        }
        return value;
    }

    private static void putDigits(char[] target, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            target[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
