package org.sanku.quality;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sanku.ingest.schema.ColumnSpec;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.storage.TableLayouts;

/**
 * The columns of every analytics table a check may read, without reading it: the std tables as ingest writes them
 * (from the contract's schemas: each column's standardised outputs, the identity columns left out, the keyed
 * digests and the warnings added), the integrated tables ({@code schemas/integrated}) and ingest's ledgers
 * ({@code schemas/ops}). The checks' SQL is analysed against these before a run reads any data, and a table a
 * warehouse does not have yet (a first night, a quarantine never written) reads as empty with these columns.
 */
final class TableShapes {

  private final SchemaCatalog contract;
  private final Map<String, StructType> cache = new HashMap<>();

  TableShapes(SchemaCatalog contract) {
    this.contract = contract;
  }

  /** The columns of {@code ns.table}, or null when no layout defines it. */
  synchronized StructType of(String ns, String table) {
    return cache.computeIfAbsent(ns + "." + table, k -> switch (ns) {
      case "std" -> contract.tables().stream().filter(t -> t.table().equals(table)).findFirst()
          .map(TableShapes::std).orElse(null);
      case "model", "link" -> layout("integrated", ns, table);
      case "ops" -> layout("ops", ns, table);
      default -> null;
    });
  }

  private static StructType layout(String folder, String ns, String table) {
    TableLayouts.Layout l = TableLayouts.folder(folder).get(table);
    return l == null || !l.namespace().equals(ns) ? null : l.schema();
  }

  /** A std table's analytics columns, as {@code ingest.Zones} leaves them. */
  static StructType std(TableSchema schema) {
    StructType s = new StructType();
    boolean idNo = false;
    boolean motherId = false;
    boolean card = false;
    for (ColumnSpec c : schema.columns()) {
      idNo |= c.name().equals("id_no");
      motherId |= c.name().equals("mother_id_no");
      card |= c.name().equals("health_card_no");
      for (String out : c.outputColumns()) {
        if (c.isIdentity() && (out.equals(c.name()) || out.startsWith(c.name() + "_src"))) {
          continue;
        }
        s = s.add(out, type(c, out), true);
      }
    }
    // The keyed digests Zones adds for the identity columns a table has.
    if (idNo) {
      s = s.add("id_key", DataTypes.StringType, true);
    }
    if (motherId) {
      s = s.add("mother_key", DataTypes.StringType, true);
    }
    if (card) {
      s = s.add("health_card_key", DataTypes.StringType, true);
    }
    return s.add("warnings", DataTypes.createArrayType(DataTypes.StringType), true);
  }

  private static DataType type(ColumnSpec c, String out) {
    if (out.equals(c.name())) {
      return switch (c.type()) {
        case DATE -> DataTypes.DateType;
        case DATETIME -> DataTypes.TimestampType;
        case INT -> DataTypes.IntegerType;
        case DECIMAL -> DataTypes.DoubleType;
        case LIST -> DataTypes.createArrayType(DataTypes.StringType);
        default -> DataTypes.StringType;
      };
    }
    if (out.equals(c.idBirthDateColumn())) {
      return DataTypes.DateType;
    }
    if (out.equals(ColumnSpec.IS_UNCERTAIN)) {
      return DataTypes.BooleanType;
    }
    return DataTypes.StringType;
  }
}
