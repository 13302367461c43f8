package org.sanku.ids;

/**
 * Validity status of an identity-document number, carried as {@code id_status} on every row
 * (standards §3.3, last paragraph).
 *
 * <p>Only {@link #VALID_18} and {@link #UPGRADED_15} are trusted enough for deterministic
 * (tier 1) record linkage; see {@link IdNumbers#isUsable(IdStatus)}.
 */
public enum IdStatus {
    /** An 18-character mainland citizen number that passed every check. */
    VALID_18,
    /** A valid 15-digit (GB 11643-1989) number, upgraded to 18 characters. */
    UPGRADED_15,
    /** Well-formed 18 characters with a plausible date and area, but the check character is wrong. */
    CHECKSUM_FAIL,
    /** The birth-date field is not a real calendar date (or, for 15-digit numbers, is implausible). */
    BAD_DATE,
    /** The address-code prefix is not a known province-level code. */
    BAD_AREA,
    /** A placeholder or invented number: repeated digits, digit runs, or an impossible birth date. */
    FAKE,
    /** The number was destroyed by spreadsheet software (scientific notation, zeroed tail). */
    DAMAGED,
    /** A Hong Kong, Macau or Taiwan residence permit (81/82/83) or a 2023 foreigner card (9...). */
    NON_MAINLAND,
    /** Something that is not shaped like a citizen number at all, e.g. a passport number. */
    OTHER_DOC,
    /** No number was given: null, blank, or a placeholder such as {@code 无} or {@code -}. */
    MISSING
}
