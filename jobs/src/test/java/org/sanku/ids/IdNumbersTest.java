package org.sanku.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tests for {@link IdNumbers}. Check characters used as expected values were worked out by hand
 * with the MOD 11-2 weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 and the table
 * R = 0..10 → 1 0 X 9 8 7 6 5 4 3 2 (standards §3.1); the working is in the comments.
 */
class IdNumbersTest {

    /** A fixed reference date, so that "future" and "age > 120" do not drift with the clock. */
    private static final LocalDate AS_OF = LocalDate.of(2025, 6, 30);

    /*
     * 11010519491231002X
     *   digits  1 1  0 1 0 5 1 9 4 9 1 2  3 1 0 0 2
     *   weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
     *   S = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → X.
     */
    private static final String BEIJING_1949 = "11010519491231002X";

    /*
     * 440524188001010014
     *   S = 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195; 195 mod 11 = 8 → 4.
     */
    private static final String SHANTOU_1880 = "440524188001010014";

    /*
     * 34052419800101001X
     *   S = 21+36+0+25+16+16+2+9+48+0+0+9+0+5+0+0+2 = 189; 189 mod 11 = 2 → X.
     */
    private static final String ANHUI_1980 = "34052419800101001X";

    /*
     * 51130219900101123X
     *   digits 5 1 1 3 0 2 1 9 9 0 0 1 0 1 1 2 3
     *   S = 35+9+10+15+0+8+2+9+54+0+0+9+0+5+8+8+6 = 178; 178 mod 11 = 2 → X.
     *   Sequence 123 is odd → male.
     */
    private static final String NANCHONG_X = "51130219900101123X";

    /*
     * 511302199001011248
     *   Same body as above with sequence 124: S = 178 − 3·2 + 4·2 = 180; 180 mod 11 = 4 → 8.
     *   Sequence 124 is even → female.
     */
    private static final String NANCHONG_8 = "511302199001011248";

    // ---- checkChar ------------------------------------------------------------------------

    @Test
    void checkCharMatchesHandWorkedExamples() {
        assertEquals('X', IdNumbers.checkChar("11010519491231002"));
        assertEquals('4', IdNumbers.checkChar("44052418800101001"));
        assertEquals('X', IdNumbers.checkChar("34052419800101001"));
        assertEquals('8', IdNumbers.checkChar("51130219900101124"));
        // A full 18-character number may be passed; the 18th character is ignored.
        assertEquals('X', IdNumbers.checkChar(BEIJING_1949));
        // All zeros: S = 0, R = 0 → 1.
        assertEquals('1', IdNumbers.checkChar("00000000000000000"));
    }

    @Test
    void checkCharRejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.checkChar("1101051949123100"));
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.checkChar("1101051949123100A"));
        assertThrows(NullPointerException.class, () -> IdNumbers.checkChar(null));
    }

    // ---- the verified examples -------------------------------------------------------------

    @Test
    void verifiedExamplesAreValid() {
        assertValid(BEIJING_1949, BEIJING_1949, LocalDate.of(1949, 12, 31), 'F', AS_OF);
        assertValid(ANHUI_1980, ANHUI_1980, LocalDate.of(1980, 1, 1), 'M', AS_OF);
        // Born 1880: valid only at an as-of date when the holder would be at most 120
        // (here 119 on 1999-12-31); in 2025 the age is 145, which the rules call FAKE.
        assertValid(SHANTOU_1880, SHANTOU_1880, LocalDate.of(1880, 1, 1), 'M', LocalDate.of(1999, 12, 31));
        assertStatus(IdStatus.FAKE, SHANTOU_1880);
    }

    @Test
    void fifteenDigitNumberIsUpgraded() {
        // 110105 491231 002 → insert 19, append the check of 11010519491231002 (X, see above).
        IdNumbers.Result r = IdNumbers.normalise("110105491231002", AS_OF);
        assertEquals(IdStatus.UPGRADED_15, r.status());
        assertEquals(BEIJING_1949, r.normalised());
        assertEquals(LocalDate.of(1949, 12, 31), r.birthDate());
        assertEquals('F', r.sexFromId());
        assertTrue(r.usable());
    }

    // ---- cleaning --------------------------------------------------------------------------

    @Test
    void cleanHandlesNullAndPlainInput() {
        assertNull(IdNumbers.clean(null));
        assertEquals("", IdNumbers.clean(""));
        assertEquals(NANCHONG_X, IdNumbers.clean("51130219900101123x"));
        // The fast path returns the very same instance when nothing needs changing.
        String plain = NANCHONG_8;
        assertTrue(plain == IdNumbers.clean(plain));
    }

    @Test
    void cleanRemovesEveryWhitespaceKindAndQuotes() {
        assertEquals(NANCHONG_X, IdNumbers.clean(" \t5113\u00A002\u300019900101\u200B123\uFEFFx\r\n"));
        assertEquals(NANCHONG_8, IdNumbers.clean("'511302199001011248"));
        assertEquals(NANCHONG_8, IdNumbers.clean("\"511302199001011248\""));
        // Full-width quotes become ASCII quotes under NFKC and are then removed.
        assertEquals(NANCHONG_8, IdNumbers.clean("＇511302199001011248＂"));
        // Curly quotes from Chinese input methods.
        assertEquals(NANCHONG_8, IdNumbers.clean("“511302199001011248”"));
        // U+2028 line separator and U+2009 thin space are space characters too.
        assertEquals(NANCHONG_8, IdNumbers.clean("511302\u2028199001011248\u2009"));
    }

    @Test
    void cleanAppliesNfkcToFullWidthCharacters() {
        assertEquals(NANCHONG_X, IdNumbers.clean("５１１３０２１９９００１０１１２３Ｘ"));
        assertEquals(NANCHONG_X, IdNumbers.clean("５１１３０２１９９００１０１１２３ｘ"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "51130219900101123x",                       // lower-case x
            "５１１３０２１９９００１０１１２３Ｘ",           // full-width digits and X
            "５１１３０２１９９００１０１１２３ｘ",           // full-width lower-case x
            "5113 0219 9001 0112 3X",                   // embedded ASCII spaces
            "511302\u00A019900101\u00A0123X",           // no-break spaces
            "511302\u300019900101\u3000123X",           // ideographic (full-width) spaces
            "511302\u200B19900101123X\uFEFF",           // zero-width space and BOM
            "'51130219900101123X",                      // Excel text-prefix quote
            "\t51130219900101123X\t",                   // tabs
            "\r\n51130219900101123X\r\n",               // line breaks
    })
    void dirtyInputIsValidAfterCleaning(String dirty) {
        assertValid(dirty, NANCHONG_X, LocalDate.of(1990, 1, 1), 'M', AS_OF);
    }

    @Test
    void dirtyInputWithDigitCheckIsValid() {
        assertValid("'５１１３０２１９９００１０１１２４８", NANCHONG_8, LocalDate.of(1990, 1, 1), 'F', AS_OF);
    }

    // ---- statuses --------------------------------------------------------------------------

    @Test
    void oneChangedDigitFailsTheChecksum() {
        // Sequence 002 → 003 adds 1 × weight 2 to S: 169 mod 11 = 4 → check 8, but X is given.
        assertStatus(IdStatus.CHECKSUM_FAIL, "11010519491231003X");
        // Changing the check character itself.
        assertStatus(IdStatus.CHECKSUM_FAIL, "110105194912310021");
        // Swapping the two day digits (a common typing error): 31 → 13 moves 3 from weight 10
        // to weight 5 and 1 from weight 5 to weight 10, so S = 167 − 35 + 25 = 157;
        // 157 mod 11 = 3 → 9, not X. The date 1949-12-13 is real, so only the checksum fails.
        assertStatus(IdStatus.CHECKSUM_FAIL, "11010519491213002X");
        IdNumbers.Result r = IdNumbers.normalise("11010519491231003X", AS_OF);
        // The cleaned string is kept for diagnostics, but no birth date or sex is derived.
        assertEquals("11010519491231003X", r.normalised());
        assertNull(r.birthDate());
        assertNull(r.sexFromId());
        assertFalse(r.usable());
    }

    @ParameterizedTest
    @ValueSource(strings = {"5.11302E+17", "5.10104E+17", "5.11302E17", "5.11302e+17", "5E17", "5.11302E-17",
            "5.11302Ｅ+17", " 5.11302E+17 "})
    void excelScientificNotationIsDamaged(String raw) {
        IdNumbers.Result r = IdNumbers.normalise(raw, AS_OF);
        assertEquals(IdStatus.DAMAGED, r.status());
        assertNull(r.normalised());
    }

    @Test
    void zeroTailWithWrongChecksumIsDamaged() {
        // 511302199001010000: S of the first 17 digits 5 1 1 3 0 2 1 9 9 0 0 1 0 1 0 0 0 is
        // 35+9+10+15+0+8+2+9+54+0+0+9+0+5+0+0+0 = 156; 156 mod 11 = 2 → X, not 0.
        IdNumbers.Result r = IdNumbers.normalise("511302199001010000", AS_OF);
        assertEquals(IdStatus.DAMAGED, r.status());
        assertNull(r.normalised());
        // A zero tail with a correct checksum is a genuine number (sequence 000 is unusual but
        // structurally fine). 110105199001080000: digits 1 1 0 1 0 5 1 9 9 0 0 1 0 8 0 0 0,
        // S = 7+9+0+5+0+20+2+9+54+0+0+9+0+40+0+0+0 = 155; 155 mod 11 = 1 → 0.
        assertStatus(IdStatus.VALID_18, "110105199001080000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"000000000000000000", "111111111111111111", "123456789012345678",
            "987654321098765432", "890123456789012345", "111111111111111", "123456789012345"})
    void placeholderDigitPatternsAreFake(String raw) {
        IdNumbers.Result r = IdNumbers.normalise(raw, AS_OF);
        assertEquals(IdStatus.FAKE, r.status());
        assertEquals(raw, r.normalised());
        assertNull(r.birthDate());
    }

    @Test
    void impossibleDateIsBadDate() {
        // 11010520991301001X: month 13. The check is correct, so only the date is wrong:
        // digits 1 1 0 1 0 5 2 0 9 9 1 3 0 1 0 0 1,
        // S = 7+9+0+5+0+20+4+0+54+27+7+27+0+5+0+0+2 = 167; 167 mod 11 = 2 → X.
        assertStatus(IdStatus.BAD_DATE, "11010520991301001X");
        // 30 February and 29 February in a non-leap year (1900 is not a leap year).
        assertStatus(IdStatus.BAD_DATE, fixCheck("11010519900230001"));
        assertStatus(IdStatus.BAD_DATE, fixCheck("11010519000229001"));
        assertStatus(IdStatus.BAD_DATE, fixCheck("11010519900100001"));
        // 29 February 2000 is real (divisible by 400).
        assertStatus(IdStatus.VALID_18, fixCheck("11010520000229001"));
    }

    @Test
    void futureBirthOrAgeOver120IsFake() {
        assertStatus(IdStatus.FAKE, IdNumbers.make("110105", LocalDate.of(2099, 1, 1), 1));
        assertStatus(IdStatus.FAKE, IdNumbers.make("110105", AS_OF.plusDays(1), 1));
        assertStatus(IdStatus.VALID_18, IdNumbers.make("110105", AS_OF, 1));
        // Exactly 120 on the as-of date is still plausible; 121 is not.
        assertStatus(IdStatus.VALID_18, IdNumbers.make("110105", LocalDate.of(1905, 6, 30), 1));
        assertStatus(IdStatus.VALID_18, IdNumbers.make("110105", LocalDate.of(1904, 7, 1), 1));
        assertStatus(IdStatus.FAKE, IdNumbers.make("110105", LocalDate.of(1904, 6, 30), 1));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "\u3000", "无", "不详", "-", "--", "NULL", "null", "Null", "N/A", "n/a", "/",
            "－", "'无'"})
    void absentValuesAreMissing(String raw) {
        IdNumbers.Result r = IdNumbers.normalise(raw, AS_OF);
        assertEquals(IdStatus.MISSING, r.status());
        assertNull(r.normalised());
        assertEquals(raw, r.raw());
    }

    @ParameterizedTest
    @ValueSource(strings = {"E12345678", "H12345678", "M1234567890", "12345678", "1234567890123456",
            "11010519491231002XX", "1101051949123100X2", "USA110105490101", "A123456789", "11010519491231002Y"})
    void otherShapesAreOtherDocuments(String raw) {
        IdNumbers.Result r = IdNumbers.normalise(raw, AS_OF);
        assertEquals(IdStatus.OTHER_DOC, r.status());
        assertNull(r.normalised());
    }

    @Test
    void hongKongMacauTaiwanPermitsAreNonMainland() {
        // 810000199001010019: digits 8 1 0 0 0 0 1 9 9 0 0 1 0 1 0 0 1,
        // S = 56+9+0+0+0+0+2+9+54+0+0+9+0+5+0+0+2 = 146; 146 mod 11 = 3 → 9.
        IdNumbers.Result r = IdNumbers.normalise("810000199001010019", AS_OF);
        assertEquals(IdStatus.NON_MAINLAND, r.status());
        assertEquals("810000199001010019", r.normalised());
        assertEquals(LocalDate.of(1990, 1, 1), r.birthDate());
        assertEquals('M', r.sexFromId());
        assertFalse(r.usable(), "non-mainland documents are not used for tier-1 linkage");

        assertStatus(IdStatus.NON_MAINLAND, IdNumbers.make("820000", LocalDate.of(1985, 5, 5), 2));
        assertStatus(IdStatus.NON_MAINLAND, IdNumbers.make("830000", LocalDate.of(1985, 5, 5), 3));
        // Still checksum-validated.
        assertStatus(IdStatus.CHECKSUM_FAIL, "810000199001010018");
        // And date-validated.
        assertStatus(IdStatus.BAD_DATE, fixCheck("81000019901301001"));
    }

    @Test
    void foreignerCardWithProvinceIsNonMainland() {
        // 2023 foreigner permanent residence card: 9 + two-digit province + nationality code.
        assertStatus(IdStatus.NON_MAINLAND, IdNumbers.make("931156", LocalDate.of(1975, 3, 9), 11));
        assertStatus(IdStatus.NON_MAINLAND, IdNumbers.make("911840", LocalDate.of(1975, 3, 9), 12));
    }

    @Test
    void unknownProvincePrefixIsBadArea() {
        // 990000199001010017: digits 9 9 0 0 0 0 1 9 9 0 0 1 0 1 0 0 1,
        // S = 63+81+0+0+0+0+2+9+54+0+0+9+0+5+0+0+2 = 225; 225 mod 11 = 5 → 7. The checksum is
        // right, "9" + "90" is not a province, so the area is the problem.
        IdNumbers.Result r = IdNumbers.normalise("990000199001010017", AS_OF);
        assertEquals(IdStatus.BAD_AREA, r.status());
        assertEquals("990000199001010017", r.normalised());
        assertNull(r.birthDate());
        // 71 (Taiwan in GB/T 2260), 10, 16, 20, 38, 47, 55, 60, 66 are not valid prefixes.
        for (String area : new String[] {"710000", "100000", "160000", "200000", "380000", "470000", "550000",
                "600000", "660000", "010000"}) {
            assertStatus(IdStatus.BAD_AREA, IdNumbers.make(area, LocalDate.of(1990, 1, 1), 1));
        }
        // Every valid prefix passes, including old county codes such as 510122.
        for (int p : new int[] {11, 15, 21, 23, 31, 37, 41, 46, 50, 54, 61, 65}) {
            assertStatus(IdStatus.VALID_18, IdNumbers.make(p + "0101", LocalDate.of(1990, 1, 1), 1));
        }
        assertStatus(IdStatus.VALID_18, IdNumbers.make("510122", LocalDate.of(1990, 1, 1), 1));
    }

    @Test
    void fifteenDigitRules() {
        // Month 13 and 31 April.
        assertStatus(IdStatus.BAD_DATE, "110105491301002");
        assertStatus(IdStatus.BAD_DATE, "110105490431002");
        // Sequence 996–999 may be a centenarian born in the 1800s: the century is unknown.
        assertStatus(IdStatus.BAD_DATE, "110105491231996");
        assertStatus(IdStatus.BAD_DATE, "110105491231999");
        assertStatus(IdStatus.UPGRADED_15, "110105491231995");
        // Born 1901 is 124 on the as-of date.
        assertStatus(IdStatus.BAD_DATE, "110105010101001");
        // Unknown province, and non-mainland prefixes, which did not exist in the 15-digit era.
        assertStatus(IdStatus.BAD_AREA, "990105491231002");
        assertStatus(IdStatus.BAD_AREA, "810000491231002");
        // Full-width 15-digit input is cleaned and upgraded too.
        assertEquals(BEIJING_1949, IdNumbers.normalise("１１０１０５４９１２３１００２", AS_OF).normalised());
    }

    @Test
    void isUsableOnlyForValidAndUpgraded() {
        for (IdStatus s : IdStatus.values()) {
            assertEquals(s == IdStatus.VALID_18 || s == IdStatus.UPGRADED_15, IdNumbers.isUsable(s), s.name());
        }
    }

    // ---- make and to15 ---------------------------------------------------------------------

    @Test
    void makeBuildsTheVerifiedExamples() {
        assertEquals(BEIJING_1949, IdNumbers.make("110105", LocalDate.of(1949, 12, 31), 2));
        assertEquals(SHANTOU_1880, IdNumbers.make("440524", LocalDate.of(1880, 1, 1), 1));
        assertEquals(ANHUI_1980, IdNumbers.make("340524", LocalDate.of(1980, 1, 1), 1));
        assertEquals("110105199001080000", IdNumbers.make("110105", LocalDate.of(1990, 1, 8), 0));
    }

    @Test
    void makeRejectsBadArguments() {
        LocalDate d = LocalDate.of(1990, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.make("11010", d, 1));
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.make("11010A", d, 1));
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.make("110105", d, -1));
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.make("110105", d, 1000));
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.make("110105", LocalDate.of(10000, 1, 1), 1));
    }

    @Test
    void to15DropsCenturyAndCheck() {
        assertEquals("110105491231002", IdNumbers.to15(BEIJING_1949));
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.to15(ANHUI_1980.replace("1980", "2080")));
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.to15(SHANTOU_1880));
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.to15("110105491231002"));
        assertThrows(IllegalArgumentException.class, () -> IdNumbers.to15("11010519491231002x"));
    }

    @Test
    void exceptionMessagesDoNotEchoTheNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdNumbers.to15("11010520101231002X"));
        assertFalse(e.getMessage().contains("11010520101231002X"));
    }

    @Test
    void makeRoundTripsThroughNormalise() {
        Random random = new Random(20250630L);
        int[] prefixes = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                50, 51, 52, 53, 54, 61, 62, 63, 64, 65};
        LocalDate earliest = AS_OF.minusYears(120);
        int span = (int) (AS_OF.toEpochDay() - earliest.toEpochDay());
        int upgraded = 0;
        for (int i = 0; i < 5000; i++) {
            String area = prefixes[random.nextInt(prefixes.length)] + String.format("%04d", random.nextInt(10_000));
            LocalDate birth = earliest.plusDays(random.nextInt(span + 1));
            int sequence = random.nextInt(1000);
            String id = IdNumbers.make(area, birth, sequence);

            assertEquals(18, id.length());
            assertEquals(IdNumbers.checkChar(id), id.charAt(17));
            IdNumbers.Result r = IdNumbers.normalise(id, AS_OF);
            assertEquals(IdStatus.VALID_18, r.status(), "status");
            assertEquals(id, r.normalised());
            assertEquals(birth, r.birthDate());
            assertEquals(sequence % 2 == 1 ? 'M' : 'F', r.sexFromId());
            // The same number typed with a lower-case x, if it has one, normalises identically.
            assertEquals(id, IdNumbers.normalise(id.toLowerCase(), AS_OF).normalised());

            if (birth.getYear() >= 1900 && birth.getYear() <= 1999) {
                String old = IdNumbers.to15(id);
                IdNumbers.Result up = IdNumbers.normalise(old, AS_OF);
                if (sequence >= 996) {
                    assertEquals(IdStatus.BAD_DATE, up.status());
                } else {
                    assertEquals(IdStatus.UPGRADED_15, up.status());
                    assertEquals(id, up.normalised());
                    assertEquals(birth, up.birthDate());
                    assertEquals(r.sexFromId(), up.sexFromId());
                    upgraded++;
                }
            }
        }
        assertTrue(upgraded > 1000, "enough 1900s births to exercise the 15-digit path: " + upgraded);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static void assertStatus(IdStatus expected, String raw) {
        assertEquals(expected, IdNumbers.normalise(raw, AS_OF).status(), "status");
    }

    private static void assertValid(String raw, String normalised, LocalDate birth, char sex, LocalDate asOf) {
        IdNumbers.Result r = IdNumbers.normalise(raw, asOf);
        assertEquals(IdStatus.VALID_18, r.status(), "status");
        assertEquals(normalised, r.normalised());
        assertEquals(birth, r.birthDate());
        assertEquals(sex, r.sexFromId());
        assertEquals(raw, r.raw());
        assertTrue(r.usable());
    }

    /** Appends the correct check character to a 17-digit body. */
    private static String fixCheck(String first17) {
        return first17 + IdNumbers.checkChar(first17);
    }

}
