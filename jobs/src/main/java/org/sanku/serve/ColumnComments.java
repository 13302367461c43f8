package org.sanku.serve;

import java.util.HashMap;
import java.util.Map;
import org.sanku.ingest.schema.ColumnSpec;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.storage.TableLayouts;

/**
 * What a published view says of its table and columns, from the tables as data: the contract's schemas for
 * {@code std.*} (Chinese names, {@code schemas/*.yaml}) and Sanku's own layouts for the rest (English
 * descriptions, {@code schemas/integrated|ops|ind}). A BI tool's navigator shows these next to the names.
 */
final class ColumnComments {

  /** A table's comment and its columns' comments (a column without one is absent). */
  record Comments(String table, Map<String, String> columns) {}

  private final SchemaCatalog contract;

  /** @param contract the contract's schemas (null: std tables get no comments) */
  ColumnComments(SchemaCatalog contract) {
    this.contract = contract;
  }

  Comments of(String namespace, String table) {
    if (namespace.equals("std")) {
      return contract == null ? new Comments(null, Map.of()) : std(table);
    }
    String folder = switch (namespace) {
      case "model", "link" -> "integrated";
      case "ops" -> "ops";
      case "ind" -> "ind";
      default -> null;
    };
    TableLayouts.Layout layout = folder == null ? null : TableLayouts.folder(folder).get(table);
    if (layout == null || !layout.namespace().equals(namespace)) {
      return new Comments(null, Map.of());
    }
    Map<String, String> cols = new HashMap<>();
    layout.columns().forEach(c -> {
      if (!c.description().isBlank()) {
        cols.put(c.name(), c.description());
      }
    });
    return new Comments(blankToNull(layout.description()), cols);
  }

  /** The standardised table: each contract column's Chinese name, and what the columns derived from it hold. */
  private Comments std(String table) {
    TableSchema s;
    try {
      s = contract.get(table);
    } catch (RuntimeException unknown) {
      return new Comments(null, Map.of());
    }
    if (s == null) {
      return new Comments(null, Map.of());
    }
    Map<String, String> cols = new HashMap<>();
    for (ColumnSpec c : s.columns()) {
      String zh = c.zh() == null ? c.name() : c.zh();
      cols.put(c.name(), c.notes() == null ? zh : zh + " (" + c.notes() + ")");
      cols.put(c.srcColumn(), zh + "（原值）as delivered, before standardising");
      cols.put(c.countyColumn(), zh + "（所在县）6-digit county, retired codes mapped");
      cols.put(c.idStatusColumn(), zh + "（校验）ID classification: VALID_18, UPGRADED_15, CHECKSUM_FAIL …");
      cols.put(c.idBirthDateColumn(), zh + "（出生日期）birth date the ID number encodes");
      cols.put(c.idSexColumn(), zh + "（性别）sex the ID number encodes");
    }
    cols.put(ColumnSpec.ICD3, "ICD-10 类目（3位）category");
    cols.put(ColumnSpec.ICD4, "ICD-10 亚目（4位）subcategory");
    cols.put(ColumnSpec.IS_UNCERTAIN, "不确定诊断 uncertain diagnosis (疑似, 待查, ?)");
    cols.put("id_key", "身份证件号码（密钥摘要）HMAC-SM3 of the normalised ID under the person key");
    cols.put("mother_key", "母亲身份证号（密钥摘要）HMAC-SM3 of the mother's normalised ID");
    cols.put("health_card_key", "健康卡号（密钥摘要）HMAC-SM3 of the health-card number");
    cols.put("warnings", "警告 warnings of the row, column:REASON");
    return new Comments(blankToNull(s.description()), cols);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
