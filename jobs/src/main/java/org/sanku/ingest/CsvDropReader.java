package org.sanku.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.shiftright;
import static org.apache.spark.sql.functions.spark_partition_id;
import static org.apache.spark.sql.functions.udf;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sanku.ingest.drop.LineMap;
import org.sanku.ingest.schema.ColumnSpec;
import org.sanku.ingest.schema.TableSchema;

/**
 * Reads one delivered file with Spark's CSV reader as the contract describes it (header row, the manifest's
 * encoding and delimiter, quoted fields that may hold newlines, gzip by name), maps delivered headers to
 * contract columns through conf/aliases.yaml, and numbers the records so quarantine can name a line.
 */
final class CsvDropReader {

  private CsvDropReader() {}

  /** The column holding a record's unknown extra columns, when its file has any. */
  static final String EXTRA = "_extra";

  /** Files with more records than this are spread over all cores after numbering. */
  static final long SPREAD_ROWS = 50_000;

  /** The flag column of records whose number of fields differs from the header's (contract §2). */
  static final String WRONG_FIELDS = "_wrong_fields";

  static Dataset<Row> read(SparkSession spark, org.apache.hadoop.fs.Path file, String fileId, Charset encoding, char delimiter,
      DropHeaders.Layout layout, long records, LineMap lineMap) {
    return read(spark, file, fileId, encoding, delimiter, layout, records, lineMap, null);
  }

  /**
   * @param temporary where a large local gzip file's unpacked copy is listed, for the caller to delete once the rows
   *     are kept (null: gzip files are read as they are, by one task)
   */
  static Dataset<Row> read(SparkSession spark, org.apache.hadoop.fs.Path file, String fileId, Charset encoding,
      char delimiter, DropHeaders.Layout layout, long records, LineMap lineMap, List<java.nio.file.Path> temporary) {
    boolean local = spark.sparkContext().isLocal()
        && (file.toUri().getScheme() == null || "file".equals(file.toUri().getScheme()));
    if (local && temporary != null && records > SPREAD_ROWS && file.getName().endsWith(".gz")) {
      // Spark reads a gzip file in one task, parsing and spreading every record on one core. Unpacked to a local
      // copy (a few seconds), it is read like any other file: line by line over every core, or in pieces.
      java.nio.file.Path plain = CsvPieces.unpack(spark, java.nio.file.Path.of(file.toUri().getPath()));
      temporary.add(plain);
      file = new org.apache.hadoop.fs.Path(plain.toUri());
    }
    // Columns by position, never by the delivered header text: a header is only matched (DropHeaders), so that no
    // delivered text becomes a column name (Spark renames duplicates, and a header such as _line would clash). The
    // schema is given, as many text columns as the verifier found in the header, so Spark runs no job to read it.
    String[] positional = new String[layout.header().size()];
    StructType given = new StructType();
    for (int i = 0; i < positional.length; i++) {
      positional[i] = "__h" + i;
      given = given.add(positional[i], DataTypes.StringType);
    }
    // A file whose every record is one line, right after the one before (the verifier's line map has no quoted
    // line break, blank line or short or long record), is read line by line: Spark splits it over every core. Any
    // other file is read whole by one task (multiLine: quoted fields may span lines), in record order.
    boolean byLine = lineMap.changes() == 0 && lineMap.wrongFieldCounts() == 0 && lineMap.longestRecordLines() <= 1
        && !file.getName().endsWith(".gz");
    // The header line is read as a record and dropped by its number (below): Spark's own header handling would
    // compare it with the schema and log the delivered header's text.
    Map<String, String> options = new LinkedHashMap<>();
    options.put("header", "false");
    options.put("encoding", encoding.name());
    options.put("sep", String.valueOf(delimiter));
    options.put("multiLine", String.valueOf(!byLine));
    options.put("quote", "\"");
    options.put("escape", "\"");
    options.put("mode", "PERMISSIVE");
    options.put("ignoreLeadingWhiteSpace", "false");
    options.put("ignoreTrailingWhiteSpace", "false");
    options.put("nullValue", null);
    options.put("emptyValue", "");
    // A large local file read whole is cut into pieces at record starts and parsed side by side (CsvPieces).
    List<CsvPieces.Piece> pieces = null;
    if (!byLine && records > SPREAD_ROWS && !file.getName().endsWith(".gz") && local) {
      pieces = CsvPieces.plan(java.nio.file.Path.of(file.toUri().getPath()), lineMap, records,
          Math.max(2, spark.sparkContext().defaultParallelism() * 2));
    }
    Dataset<Row> df;
    long[] partitionRows = null;
    if (pieces != null) {
      df = CsvPieces.read(spark, java.nio.file.Path.of(file.toUri().getPath()), pieces, given, options);
      partitionRows = new long[pieces.size()];
      for (int i = 0; i < partitionRows.length; i++) {
        partitionRows[i] = pieces.get(i).records() + (i == 0 ? 1 : 0); // the first piece holds the header
      }
    } else {
      var reader = spark.read().schema(given);
      for (Map.Entry<String, String> o : options.entrySet()) {
        reader = reader.option(o.getKey(), o.getValue());
      }
      df = reader.csv(file.toString());
    }
    TableSchema schema = layout.schema();
    Map<String, String> mapped = new LinkedHashMap<>();
    layout.columns().forEach((c, i) -> mapped.put(positional[i], c));
    Set<String> present = new HashSet<>(layout.columns().keySet());
    // The raw text of a record, rebuilt from its fields, for the identity-zone quarantine.
    Column[] all = new Column[df.columns().length];
    for (int i = 0; i < all.length; i++) {
      all[i] = coalesce(col(df.columns()[i]), lit(""));
    }
    Dataset<Row> lines = number(df, lineMap, partitionRows);
    if (records > SPREAD_ROWS && lines.rdd().getNumPartitions() < 2) {
      // Parsing a file read whole is one task, but standardising (ID checks, HMAC-SM3, dates, codes) is most of
      // the work: spread the numbered records over every core. The raw text is rebuilt after the spread, so the
      // one parsing task does not write every value twice into the shuffle.
      lines = lines.repartition(Math.max(2, spark.sparkContext().defaultParallelism() * 2));
    }
    lines = lines.withColumn("_raw", concat_ws(String.valueOf(delimiter), all));
    List<Column> select = new ArrayList<>();
    for (Map.Entry<String, String> e : mapped.entrySet()) {
      select.add(col(e.getKey()).as(e.getValue()));
    }
    for (ColumnSpec c : schema.columns()) {
      if (!present.contains(c.name())) {
        select.add(lit(null).cast("string").as(c.name()));
      }
    }
    // Unknown extra columns (contract §2): kept for the raw zone as one map header → value, ignored downstream.
    List<Column> extra = new ArrayList<>();
    for (int i : layout.extra()) {
      extra.add(lit(layout.header().get(i)));
      extra.add(col(positional[i]));
    }
    if (!extra.isEmpty()) {
      select.add(org.apache.spark.sql.functions.map(extra.toArray(new Column[0])).as(EXTRA));
    }
    select.add(lit(fileId).as("_file"));
    select.add(col("_line"));
    select.add(col(WRONG_FIELDS));
    select.add(col("_raw"));
    return lines.select(select.toArray(new Column[0]));
  }

  /**
   * The records with their number in the file ({@code _line}, the physical line each starts on) and whether their
   * field count differs from the header's ({@link #WRONG_FIELDS}), without leaving Spark's binary rows: the record
   * index is the row's position in its partition plus the records of the partitions before it (partitions follow
   * the file's order), and the verifier's line map turns an index into a line.
   */
  private static Dataset<Row> number(Dataset<Row> df, LineMap lineMap, long[] partitionRows) {
    Column id = monotonically_increasing_id();
    // monotonically_increasing_id() is the partition index in the upper 31 bits, the position in the lower 33.
    Column partition = shiftright(id, 33).cast(DataTypes.IntegerType);
    Column position = id.bitwiseAND(lit((1L << 33) - 1));
    Column index = position;
    int partitions = df.rdd().getNumPartitions();
    if (partitions > 1) {
      long[] before = new long[partitions];
      if (partitionRows != null) {
        // Known from the verifier's count (a file read in pieces): no job to count them.
        System.arraycopy(partitionRows, 0, before, 1, partitions - 1);
      } else {
        for (Row r : df.select(spark_partition_id().as("p")).groupBy("p").count().collectAsList()) {
          if (r.getInt(0) + 1 < partitions) {
            before[r.getInt(0) + 1] = r.getLong(1);
          }
        }
      }
      List<Column> offsets = new ArrayList<>();
      long sum = 0;
      for (long b : before) {
        sum += b;
        offsets.add(lit(sum));
      }
      index = element_at(array(offsets.toArray(new Column[0])), partition.plus(1)).plus(position);
    }
    // Index 0 is the header line; data record i is index i + 1.
    Dataset<Row> indexed = df.withColumn("_index", index).filter(col("_index").gt(0))
        .withColumn("_index", col("_index").minus(1));
    index = col("_index");
    Column line;
    Column wrong;
    if (lineMap.changes() == 0 && lineMap.wrongFieldCounts() == 0) {
      line = index.plus(2);
      wrong = lit(false);
    } else {
      line = udf((UDF1<Long, Long>) lineMap::lineOf, DataTypes.LongType).apply(index);
      wrong = udf((UDF1<Long, Boolean>) lineMap::wrongFieldCount, DataTypes.BooleanType).apply(index);
    }
    // Never null (a record always has a line), as the tables that keep it declare.
    return indexed.withColumn("_line", coalesce(line, lit(-1L)))
        .withColumn(WRONG_FIELDS, coalesce(wrong, lit(false))).drop("_index");
  }
}
