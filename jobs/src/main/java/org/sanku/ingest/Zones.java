package org.sanku.ingest;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.sanku.ids.PersonKeyFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.sanku.ingest.schema.ColumnSpec;
import org.sanku.ingest.schema.ColumnType;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.ingest.standardise.Reasons;

/**
 * Splits a standardised table into its two zones. The identity zone keeps the raw identifiers (columns the
 * schema marks {@code zone: identity}, their verbatim and normalised forms); the analytics zone keeps
 * everything else plus keyed HMAC-SM3 digests of the identifiers ({@code id_key}, {@code mother_key},
 * {@code health_card_key}), so records can be joined per person without a raw ID or name.
 */
final class Zones {

  /**
   * The two zones of a table; {@code identity} is null for a table without raw identifiers. When both are there
   * they are two projections of one result (latest row per key, HMAC-SM3 digests): kept once for both writes
   * ({@code shared}, which {@link #release()} frees), or computed by each write from the file's kept rows.
   */
  record Split(Dataset<Row> analytics, Dataset<Row> identity, Dataset<Row> shared) {
    void release() {
      if (shared != null) {
        org.sanku.spark.Kept.release(shared);
      }
    }
  }

  private Zones() {}

  /**
   * @param keep whether both zones' rows are kept once for their two writes (a small file: planning and computing
   *             them twice costs more than its few rows), or computed by each write (a large file, whose kept
   *             rows would otherwise be held twice)
   */
  static Split split(Dataset<Row> std, TableSchema schema, boolean keep) {
    Set<String> identityCols = new LinkedHashSet<>();
    for (ColumnSpec c : schema.columns()) {
      if (c.isIdentity()) {
        for (String f : std.columns()) {
          if (f.equals(c.name()) || f.startsWith(c.name() + "_src") || (c.name().equals("id_no") && f.equals("id_no_src"))
              || (c.name().equals("mother_id_no") && f.startsWith("mother_id_no"))) {
            identityCols.add(f);
          }
        }
      }
    }
    Dataset<Row> keyed = std;
    if (hasColumn(std, "id_no")) {
      keyed = keyed.withColumn("id_key", callUDF(PersonKeyFunction.NAME, col("id_no")));
    }
    if (hasColumn(std, "mother_id_no")) {
      keyed = keyed.withColumn("mother_key", callUDF(PersonKeyFunction.NAME, col("mother_id_no")));
    }
    if (hasColumn(std, "health_card_no")) {
      keyed = keyed.withColumn("health_card_key", callUDF(PersonKeyFunction.NAME,
          expr("concat('card:', health_card_no)")));
    }
    // Warnings go to the analytics zone as column:reason only: their values may be raw identifiers.
    keyed = keyed.withColumn("warnings", expr("transform(_warnings, w -> concat(w.column, ':', w.reason))"));
    // A warned value is one Sanku could not vouch for (an unknown code may be anything a shifted record put
    // there): the analytics zone gets no verbatim text of a column with a warning, only its standardised value
    // where that is a national code, a parsed number or a checked division code. The verbatim stays in the identity
    // zone (WarnedValues).
    // The warned columns of a row are listed once (two lambdas a row), then looked up per column with
    // array_contains, which Spark compiles: a lambda per column and row cost a full drop seconds.
    keyed = keyed.withColumn("_warned_columns", expr("transform(_warnings, w -> w.column)"))
        .withColumn("_unvouched_columns", expr("transform(filter(_warnings, w -> w.reason IN ('"
            + Reasons.UNKNOWN_CODE + "', '" + Reasons.NOT_ICD10 + "')), w -> w.column)"));
    java.util.Map<String, Column> vouched = new java.util.HashMap<>();
    for (ColumnSpec c : schema.columns()) {
      if (c.isIdentity()) {
        continue;
      }
      Column warned = array_contains(col("_warned_columns"), c.name());
      if (c.type().keepsSource()) {
        vouched.put(c.srcColumn(), when(warned, lit(null).cast(DataTypes.StringType)).otherwise(col(c.srcColumn()))
            .as(c.srcColumn()));
      }
      if (c.type().isCoded() || c.type() == ColumnType.ICD10) {
        Column unvouched = array_contains(col("_unvouched_columns"), c.name());
        vouched.put(c.name(), when(unvouched, lit(null)).otherwise(col(c.name())).as(c.name()));
      }
    }
    List<Column> analytics = new ArrayList<>();
    List<Column> identity = new ArrayList<>();
    for (String pk : schema.primaryKey()) {
      identity.add(col(pk));
    }
    for (String f : keyed.columns()) {
      if (f.startsWith("_")) {
        continue;
      }
      if (identityCols.contains(f)) {
        identity.add(col(f));
      } else {
        analytics.add(vouched.getOrDefault(f, col(f)));
      }
    }
    if (schema.hasChangeColumns()) {
      identity.add(col("op_type"));
      identity.add(col("src_updated_at"));
    }
    for (String k : new String[] {"id_key", "mother_key", "health_card_key"}) {
      if (hasColumn(keyed, k)) {
        identity.add(col(k));
      }
    }
    // Tables without raw identifiers (services, diagnoses, reference data) have no identity-zone part.
    if (identityCols.isEmpty()) {
      return new Split(keyed.select(analytics.toArray(new Column[0])), null, null);
    }
    if (!keep) {
      // Keeping the keyed rows for both writes held a second copy of a large file beside its standardised rows
      // (about 1 KB a row, both zones' columns): at 1,000,000 persons the visit file's partitions no longer fitted
      // in the heap and went to disk and back. Computing the digests twice costs less (an HMAC-SM3 of an ID is
      // under a microsecond).
      return new Split(keyed.select(analytics.toArray(new Column[0])), keyed.select(identity.toArray(new Column[0])),
          null);
    }
    // Kept as rows (Kept), not in Spark's columnar cache: building the columnar cache's dictionaries and
    // compression statistics was 18% of the executors' time in a 1,000,000-row person file's ingest (JFR), for
    // rows that are read twice and dropped.
    Dataset<Row> shared = org.sanku.spark.Kept.keep(keyed);
    return new Split(shared.select(analytics.toArray(new Column[0])), shared.select(identity.toArray(new Column[0])),
        shared);
  }

  static boolean hasColumn(Dataset<Row> df, String name) {
    for (String f : df.columns()) {
      if (f.equals(name)) {
        return true;
      }
    }
    return false;
  }
}
