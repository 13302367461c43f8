package org.sanku.ingest.schema;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Logical column types of the export contract. In the CSV every value is text; the type says how ingest reads it
 * and which columns it derives (see {@link ColumnSpec#outputColumns()}).
 */
public enum ColumnType {
  /** Free text: trimmed, null placeholders read as null. */
  STRING("string"),
  /** A code, mapped through conf/code_maps.yaml and checked against its value set when it has one. */
  CODE("code"),
  /** {@code yyyyMMdd} or {@code yyyy-MM-dd}, strictly (30 February is an error, never rolled over). */
  DATE("date"),
  /** {@code yyyyMMddHHmmss} or {@code yyyy-MM-dd HH:mm:ss} (a bare date is accepted), Asia/Shanghai local time. */
  DATETIME("datetime"),
  /** A whole number. */
  INT("int"),
  /** A number with a fraction (measurements), read as double. */
  DECIMAL("decimal"),
  /** 0/1, a code column whose value set defaults to {@code yes_no}. */
  FLAG("flag"),
  /** {@code ;}-separated codes, each mapped and checked like a code; read as array&lt;string&gt;. */
  LIST("list"),
  /** A citizen identity number (GB 11643), normalised by {@link org.sanku.ids.IdNumbers}. */
  ID_NO("id_no"),
  /** A 12-digit NBS statistical division code (6 digits accepted); retired codes mapped to their successor. */
  DIVISION("division"),
  /** An ICD-10 code in any of the national spellings, normalised as standards §5.1. */
  ICD10("icd10");

  private final String yamlName;

  ColumnType(String yamlName) {
    this.yamlName = yamlName;
  }

  /** The name used in schemas/*.yaml. */
  public String yamlName() {
    return yamlName;
  }

  /** Whether values pass through a code map and a value set (code, flag and list columns). */
  public boolean isCoded() {
    return this == CODE || this == FLAG || this == LIST;
  }

  /** Whether the column keeps its verbatim text as {@code <name>_src} beside the standardised value. */
  public boolean keepsSource() {
    return this != STRING && this != INT && this != DECIMAL;
  }

  /**
   * The most characters a value of this type may have unless its column says otherwise ({@code max_length}), or 0
   * for types whose parsers accept only their own shape (dates, numbers, division codes) or whose problems are
   * never errors (identity numbers). A code is short and a name is not a page: a longer value is a record whose
   * fields ran into each other.
   */
  public int defaultMaxLength() {
    return switch (this) {
      case STRING, LIST -> 200;
      case CODE, ICD10 -> 32;
      case FLAG -> 8;
      default -> 0;
    };
  }

  /** Resolves a schema file's type name; null when unknown. */
  public static ColumnType fromYaml(String name) {
    for (ColumnType t : values()) {
      if (t.yamlName.equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** The accepted names, for error messages. */
  public static String names() {
    return Arrays.stream(values()).map(ColumnType::yamlName).collect(Collectors.joining(", "));
  }
}
