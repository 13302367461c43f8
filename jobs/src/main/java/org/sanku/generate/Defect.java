package org.sanku.generate;

/**
 * The problem classes the generator injects (shared/contract/standards.md §3.3 and the contract's CSV rules),
 * each with what the pipeline is expected to do with it and whether the affected fact stays countable.
 */
enum Defect {
  ID_WHITESPACE("white space (space, tab, NBSP, U+3000, zero-width) inside the ID", "normalised", true),
  ID_FULLWIDTH("full-width digits in the ID", "normalised (NFKC)", true),
  ID_LOWER_X("lower-case x check character", "normalised", true),
  ID_15_DIGIT("legacy 15-digit ID", "upgraded to 18 (UPGRADED_15)", true),
  ID_EXCEL_QUOTE("Excel text quote before the ID", "normalised", true),
  ID_CHECKSUM("one digit of the ID mistyped", "CHECKSUM_FAIL; linked by name+sex+birth+county when unique", false),
  ID_EXCEL_DAMAGED("ID turned into scientific notation by Excel", "DAMAGED; linked by name+sex+birth+county when unique", false),
  ID_FAKE("placeholder ID (all one digit)", "FAKE; linked by name+sex+birth+county when unique", false),
  ID_MISSING("ID left empty or a null placeholder", "MISSING; linked by name+sex+birth+county when unique", false),
  ID_BORROWED("baby treated under the mother's ID", "conflict reported, never merged", false),
  BAD_BIRTH_DATE("impossible birth date (e.g. 30 February)", "row quarantined (birth_date is required)", false),
  FUTURE_DATE("service dated after the drop's extract date", "row quarantined", false),
  BAD_DATE("impossible service date", "row quarantined", false),
  UNKNOWN_CODE_WARN("organisation code not in ref_org", "flows on with a warning flag", true),
  UNKNOWN_CODE_REJECT("follow-up mode outside the value set", "row quarantined", false),
  LOCAL_CODE("local or form code (男/女, 门诊/电话, GXY/TNB) instead of the national one", "mapped through conf/code_maps.yaml", true),
  NULL_PLACEHOLDER("optional field holds a null placeholder (-, 无, 不详, NULL)", "read as null", true),
  DUPLICATE_ROW("the same row delivered twice in one file", "deduplicated by primary key", true),
  ORPHAN_LINK("the row's link to its record (ehr_no / enrollment_id) mangled", "row quarantined as an orphan", false),
  SIX_DIGIT_DIVISION("6-digit division code instead of 12", "accepted (county known)", true),
  RETIRED_DIVISION("residence under a retired county code", "mapped to the successor through ref_division", true),
  EVENT_DATE_MISSING("status 死亡 or 迁出 without its death or move-out date",
      "warned MISSING_CONDITIONAL; resident on no day", false),
  CLOSE_DATE_MISSING("enrolment 结案 (status 2) without its close date",
      "warned MISSING_CONDITIONAL; closed before every period", false),
  NAME_WHITESPACE("white space inside the name (张 三, or the ideographic space U+3000)",
      "ignored: names are compared without white space (K1, and the sex + name check of tier 1)", true),
  EXAM_MEASURE_MISSING("an exam delivered without its height_cm or weight_kg",
      "not a complete exam (elderly_health_mgmt needs both); still a service for ehr_usage", true),
  FOLLOWUP_AFTER_CLOSE("follow-up dated after its enrolment's close date (结案)",
      "not counted for that enrolment (neither a follow-up in P nor the last one); still a service for ehr_usage",
      false),
  HEALTH_CARD_SHARED("a visit carrying a health card number that another person's visits carry too",
      "the card links no visit (CARD_AMBIGUOUS); never merged", false);

  final String description;
  final String expected;
  /** Whether the fact the defect touches can still be counted once the pipeline has handled it. */
  final boolean recoverable;

  Defect(String description, String expected, boolean recoverable) {
    this.description = description;
    this.expected = expected;
    this.recoverable = recoverable;
  }
}
