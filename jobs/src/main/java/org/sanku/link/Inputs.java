package org.sanku.link;

import org.sanku.storage.PinnedReads;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The tables linkage reads, each pinned to the snapshot that was current when the run started (so every plan of
 * the run, however often Spark recomputes it, sees one state of the warehouse even while an ingest publishes),
 * and reduced to the columns linkage needs. A column or table that is absent reads as typed nulls (or no rows),
 * with a line in the log: linkage degrades, it does not guess.
 */
final class Inputs {

  private final SparkSession spark;
  private final PrintStream log;
  private final PinnedReads reads;
  private final Set<String> missing = new HashSet<>();

  Inputs(SparkSession spark, PrintStream log) {
    this.spark = spark;
    this.log = log;
    this.reads = new PinnedReads(spark);
  }

  boolean exists(String table) {
    return reads.exists(table);
  }

  /** The snapshot the run reads of {@code table} (pinned now if it was not yet), -1 when it has none. */
  long snapshot(String table) {
    return reads.snapshot(table);
  }

  /** The tables read so far and their pinned snapshots. */
  java.util.Map<String, Long> snapshots() {
    return reads.snapshots();
  }

  /** The tables read so far that did not exist (read as empty). */
  Set<String> absent() {
    return Set.copyOf(missing);
  }

  /** Every column of the pinned table (null when the table does not exist). */
  Dataset<Row> all(String table) {
    return reads.read(table);
  }

  /** The pinned table reduced to {@code needed} (in that order, cast to those types). */
  Dataset<Row> read(String table, StructType needed) {
    Dataset<Row> df = all(table);
    if (df == null) {
      if (missing.add(table)) {
        log.println("link: " + table + " does not exist: read as empty");
      }
      return spark.createDataFrame(new ArrayList<Row>(), needed);
    }
    return conform(df, needed, table, log);
  }

  /** Selects the fields of {@code schema} from {@code df}; a missing one becomes a typed null (logged). */
  static Dataset<Row> conform(Dataset<Row> df, StructType schema, String what, PrintStream log) {
    Set<String> have = new HashSet<>(Arrays.asList(df.columns()));
    List<Column> cols = new ArrayList<>();
    for (var f : schema.fields()) {
      if (have.contains(f.name())) {
        cols.add(functions.col(f.name()).cast(f.dataType()).as(f.name()));
      } else {
        log.println("link: " + what + " has no column " + f.name() + ": written as null");
        cols.add(functions.lit(null).cast(f.dataType()).as(f.name()));
      }
    }
    return df.select(cols.toArray(new Column[0]));
  }

  /** A struct type from name/type pairs ({@link IntegratedTables.Col} type names). */
  static StructType schema(String... nameType) {
    StructType s = new StructType();
    for (int i = 0; i < nameType.length; i += 2) {
      s = s.add(nameType[i], type(nameType[i + 1]));
    }
    return s;
  }

  static DataType type(String t) {
    return new IntegratedTables.Col("x", t, "").sparkType();
  }

  /** The columns of an integrated table's spec, less those linkage adds. */
  static StructType sourceColumns(String integratedTable, String... added) {
    Set<String> skip = new HashSet<>(Arrays.asList(added));
    StructType s = new StructType();
    for (IntegratedTables.Col c : IntegratedTables.get(integratedTable).columns()) {
      if (!skip.contains(c.name())) {
        s = s.add(c.name(), c.sparkType());
      }
    }
    return s;
  }

  static StructType specSchema(IntegratedTables.Spec spec) {
    StructType s = new StructType();
    for (IntegratedTables.Col c : spec.columns()) {
      s = s.add(c.name(), c.sparkType());
    }
    return s;
  }

  static final DataType STRING = DataTypes.StringType;
}
