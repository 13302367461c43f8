package org.sanku.ingest.standardise;

/**
 * Reason codes of the {@code _errors} and {@code _warnings} entries the {@link Standardiser} writes. An error
 * quarantines the row; a warning lets it flow on, flagged.
 */
public final class Reasons {

  private Reasons() {}

  // Errors.
  /** A required (Y) column is null after trimming and null placeholders. */
  public static final String MISSING_REQUIRED = "MISSING_REQUIRED";
  /** A code outside its value set after the code map (a warning on columns with on_unknown: warning). */
  public static final String UNKNOWN_CODE = "UNKNOWN_CODE";
  /** A date or date-time that is not one of the contract's formats or not a real calendar date. */
  public static final String BAD_DATE = "BAD_DATE";
  /** A service or event date after the drop's extract date. */
  public static final String FUTURE_DATE = "FUTURE_DATE";
  /** A number column whose text is not a number. */
  public static final String BAD_NUMBER = "BAD_NUMBER";
  /** A division code that is neither 12 nor 6 digits. */
  public static final String BAD_DIVISION = "BAD_DIVISION";
  /** A value longer than its column's max_length (a code is short, a name is not a page). */
  public static final String TOO_LONG = "TOO_LONG";
  /**
   * A code-like value (code, ICD-10) holding a line break, another control character or the file's delimiter:
   * the record's fields have run into each other (an unbalanced quote) and its values cannot be trusted.
   */
  public static final String BAD_SHAPE = "BAD_SHAPE";
  /** A record with more or fewer fields than the header (column "record"): shifted or cut values. */
  public static final String FIELD_COUNT = "FIELD_COUNT";

  // Warnings.
  /** A local or form code mapped to the national one through conf/code_maps.yaml. */
  public static final String LOCAL_CODE = "LOCAL_CODE";
  /** A number outside the schema's [min, max]. */
  public static final String OUT_OF_RANGE = "OUT_OF_RANGE";
  /** A conditional column is null although its condition holds (death_date of a dead person). */
  public static final String MISSING_CONDITIONAL = "MISSING_CONDITIONAL";
  /** A usable identity number whose delivered text needed cleaning (white space, full width, x, 15 digits). */
  public static final String ID_NORMALISED = "ID_NORMALISED";
  /** Prefix of an unusable identity number's status: ID_CHECKSUM_FAIL, ID_DAMAGED, ID_FAKE, ID_MISSING, ... */
  public static final String ID_PREFIX = "ID_";
  /** The birth date in the identity number differs from the row's birth_date. */
  public static final String ID_BIRTH_MISMATCH = "ID_BIRTH_MISMATCH";
  /** The sex in the identity number differs from the row's sex_code. */
  public static final String ID_SEX_MISMATCH = "ID_SEX_MISMATCH";
  /** A 6-digit division code, padded to 12. */
  public static final String DIVISION_6_DIGIT = "DIVISION_6_DIGIT";
  /** A retired division code, mapped to its successor. */
  public static final String DIVISION_RETIRED = "DIVISION_RETIRED";
  /** A division whose county is not in the current ref_division. */
  public static final String UNKNOWN_DIVISION = "UNKNOWN_DIVISION";
  /** A diagnosis code that is not ICD-10 shaped (in-house or TCM code): no icd3/icd4, for the review list. */
  public static final String NOT_ICD10 = "NOT_ICD10";
}
