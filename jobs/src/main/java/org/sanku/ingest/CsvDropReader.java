package org.sanku.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
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

  static Dataset<Row> read(SparkSession spark, Path file, String fileId, Charset encoding, char delimiter,
      DropHeaders.Layout layout, long records, LineMap lineMap) {
    // Columns by position, never by the delivered header text: a header is only matched (DropHeaders), so that no
    // delivered text becomes a column name (Spark renames duplicates, and a header such as _line would clash). The
    // schema is given, as many text columns as the verifier found in the header, so Spark runs no job to read it.
    String[] positional = new String[layout.header().size()];
    StructType given = new StructType();
    for (int i = 0; i < positional.length; i++) {
      positional[i] = "__h" + i;
      given = given.add(positional[i], DataTypes.StringType);
    }
    // multiLine: quoted fields may span lines; each file is then read whole by one task, which also keeps
    // record order for the line numbers.
    Dataset<Row> read = spark.read().schema(given).option("header", "true").option("encoding", encoding.name())
        .option("sep", String.valueOf(delimiter)).option("multiLine", "true").option("quote", "\"")
        .option("escape", "\"").option("mode", "PERMISSIVE").option("ignoreLeadingWhiteSpace", "false")
        .option("ignoreTrailingWhiteSpace", "false").option("nullValue", null).option("emptyValue", "")
        .csv(file.toUri().toString());
    TableSchema schema = layout.schema();
    Dataset<Row> df = read;
    Map<String, String> mapped = new LinkedHashMap<>();
    layout.columns().forEach((c, i) -> mapped.put(positional[i], c));
    Set<String> present = new HashSet<>(layout.columns().keySet());
    // The raw text of a record, rebuilt from its fields, for the identity-zone quarantine.
    Column[] all = new Column[df.columns().length];
    for (int i = 0; i < all.length; i++) {
      all[i] = coalesce(col(df.columns()[i]), lit(""));
    }
    Dataset<Row> withRaw = df.withColumn("_raw", concat_ws(String.valueOf(delimiter), all));
    // Record numbers: zipWithIndex over the single ordered partition, turned into the line each record starts on
    // by the verifier's line map (record index + 2 unless quoted newlines or blank lines came before).
    StructType in = withRaw.schema();
    StructType out = in.add(new StructField("_line", DataTypes.LongType, false,
        org.apache.spark.sql.types.Metadata.empty())).add(new StructField(WRONG_FIELDS, DataTypes.BooleanType, false,
        org.apache.spark.sql.types.Metadata.empty()));
    JavaRDD<Row> numbered = withRaw.javaRDD().zipWithIndex().map(t -> {
      Object[] v = new Object[t._1().size() + 2];
      for (int i = 0; i < t._1().size(); i++) {
        v[i] = t._1().get(i);
      }
      v[v.length - 2] = lineMap.lineOf(t._2());
      v[v.length - 1] = lineMap.wrongFieldCount(t._2());
      return RowFactory.create(v);
    });
    Dataset<Row> lines = spark.createDataFrame(numbered, out);
    if (records > SPREAD_ROWS) {
      // Parsing stays one task per file, but standardising (ID checks, HMAC-SM3, dates, codes) is most of the
      // work: spread the numbered records over every core.
      lines = lines.repartition(Math.max(2, spark.sparkContext().defaultParallelism() * 2));
    }
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
}
