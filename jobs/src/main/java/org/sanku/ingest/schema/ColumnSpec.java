package org.sanku.ingest.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * One column of a table schema (schemas/&lt;table&gt;.yaml), already validated by {@link SchemaCatalog}.
 *
 * @param name            contract column name (snake_case)
 * @param type            logical type
 * @param required        the contract's Req column: Y required, C conditional, N optional
 * @param zh              Chinese name, for documentation and reports
 * @param valueSet        name of the value set in conf/value_sets.yaml (coded columns; flags default to
 *                        {@code yes_no}), or null
 * @param min             lower bound of a number column (a value below only warns), or null
 * @param max             upper bound of a number column, or null
 * @param notAfterExtract a date after the drop's extract date is an error (service and event dates)
 * @param identity        a raw identifier that must stay in the identity zone ({@code zone: identity})
 * @param requiredWhen    the condition under which a C column is expected, or null
 * @param defaultValue    value used when the delivered one is null (op_type: I), or null
 * @param unknownIsError  whether a code outside the value set quarantines the row (true) or only warns
 * @param marksUncertain  the column is a diagnosis name whose wording marks an uncertain diagnosis
 * @param references      "table.column" of the parent row this column points to, or null
 * @param notes           free text from the schema, or null
 * @param lookupOnly      a reference whose absent parent only warns ({@code on_missing: warning}: an organisation
 *                        code not in ref_org is UNKNOWN_ORG) instead of quarantining the row as ORPHAN
 * @param maxLength       the most characters a value may have (string, code, flag, list, icd10; 0 for the types
 *                        whose parsers check their shape): longer is the error TOO_LONG
 */
public record ColumnSpec(String name, ColumnType type, Requirement required, String zh, String valueSet,
    Double min, Double max, boolean notAfterExtract, boolean identity, Condition requiredWhen,
    String defaultValue, boolean unknownIsError, boolean marksUncertain, String references, String notes,
    boolean lookupOnly, int maxLength) {

  /** The contract's Req column. */
  public enum Requirement {
    /** Required: null is an error (MISSING_REQUIRED). */
    Y,
    /** Conditional: see {@link ColumnSpec#requiredWhen()}; a missing value only warns. */
    C,
    /** Optional. */
    N
  }

  /**
   * "Expected when {@code column}'s standardised code is one of {@code values}".
   *
   * @param column another column of the same table (a coded one)
   * @param values codes after mapping
   */
  public record Condition(String column, List<String> values) {
    public Condition {
      values = List.copyOf(values);
    }
  }

  /** Required by the contract (Req Y): a file without the column is refused, a null value quarantines the row. */
  public boolean isRequired() {
    return required == Requirement.Y;
  }

  public boolean isConditional() {
    return required == Requirement.C;
  }

  /** A raw identifier (zone: identity): it and its verbatim form never reach the analytics zone. */
  public boolean isIdentity() {
    return identity;
  }

  /** The referenced table, or null. */
  public String referencedTable() {
    return references == null ? null : references.substring(0, references.indexOf('.'));
  }

  /** The referenced column, or null. */
  public String referencedColumn() {
    return references == null ? null : references.substring(references.indexOf('.') + 1);
  }

  /**
   * The warning of a value its lookup table does not hold: {@code UNKNOWN_} and the referenced column without its
   * {@code _code} suffix ({@code ref_org.org_code} gives {@code UNKNOWN_ORG}).
   */
  public String lookupReason() {
    return "UNKNOWN_" + referencedColumn().replaceAll("_code$", "").toUpperCase(java.util.Locale.ROOT);
  }

  public boolean hasValueSet() {
    return valueSet != null;
  }

  /** Verbatim delivered text, kept beside the standardised value for every type except string and numbers. */
  public String srcColumn() {
    return name + "_src";
  }

  /**
   * Prefix of the columns derived from an identity number: the name without its {@code _no} suffix, so
   * {@code id_no} gives {@code id_status} and {@code mother_id_no} gives {@code mother_id_status}.
   */
  public String idPrefix() {
    return name.endsWith("_no") ? name.substring(0, name.length() - 3) : name;
  }

  public String idStatusColumn() {
    return idPrefix() + "_status";
  }

  public String idBirthDateColumn() {
    return idPrefix() + "_birth_date";
  }

  public String idSexColumn() {
    return idPrefix() + "_sex";
  }

  /** County (6 digits) of a division column after retired codes are mapped. */
  public String countyColumn() {
    return name + "_county";
  }

  /** Names of the ICD-10 category columns; a table has at most one icd10 column, so they are fixed. */
  public static final String ICD3 = "icd3";
  public static final String ICD4 = "icd4";
  /** Derived from a diagnosis name that {@link #marksUncertain()}. */
  public static final String IS_UNCERTAIN = "is_uncertain";

  /** Every column the standardiser writes for this one, in order, starting with the column itself. */
  public List<String> outputColumns() {
    List<String> out = new ArrayList<>();
    out.add(name);
    if (type.keepsSource()) {
      out.add(srcColumn());
    }
    switch (type) {
      case ID_NO -> {
        out.add(idStatusColumn());
        out.add(idBirthDateColumn());
        out.add(idSexColumn());
      }
      case DIVISION -> out.add(countyColumn());
      case ICD10 -> {
        out.add(ICD3);
        out.add(ICD4);
      }
      default -> { }
    }
    if (marksUncertain) {
      out.add(IS_UNCERTAIN);
    }
    return out;
  }
}
