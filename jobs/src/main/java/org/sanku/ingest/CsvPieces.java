package org.sanku.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.csv.CSVHeaderChecker;
import org.apache.spark.sql.catalyst.csv.CSVOptions;
import org.apache.spark.sql.catalyst.csv.UnivocityParser;
import org.apache.spark.sql.types.StructType;
import org.sanku.ingest.drop.LineMap;

/**
 * A large local CSV file whose records may span lines (quoted line breaks), read in pieces side by side: Spark's
 * multi-line CSV reader parses a file in one task, so a 3-million-row file kept one core busy while the other
 * waited. The verifier has already mapped every record to the line it starts on ({@link LineMap}); the file is cut
 * at lines where a record starts, near equal byte positions, and each piece is parsed by Spark's own CSV parser
 * ({@link UnivocityParser#parseStream}, as the multi-line reader does), with the reader's options, so the rows are the
 * ones a whole-file read gives, in the same order, one partition per piece.
 *
 * <p>A cut is made only where three things agree: the line is one a record starts on (the verifier's map), the
 * number of quote characters before it is even (no quoted value is open), and the file has no lone carriage
 * return (so lines are counted the same way as the verifier counted them). A file that offers no such cut, and a
 * file not on the local file system, are read whole, as before; a large local gzip file is unpacked first
 * ({@link #unpack}) and then read like any other file. Should a cut still be wrong, the file's records would not
 * add up to the manifest's count, and ingest stops the drop with its reconciliation error: nothing is published.
 */
final class CsvPieces {

  private CsvPieces() {}

  /** One piece: bytes [start, end) of the file, holding data records [firstRecord, firstRecord + records). */
  record Piece(long start, long end, long firstRecord, long records) implements Serializable {}

  /**
   * The file's pieces (at most {@code pieces}; the first holds the header), or null when it is not to be cut.
   *
   * @param records the file's data records (the header not counted), as verified
   */
  static List<Piece> plan(Path file, LineMap lines, long records, int pieces) {
    try {
      long size = Files.size(file);
      if (pieces < 2 || records < 2) {
        return null;
      }
      List<long[]> cuts = new ArrayList<>(); // {byte offset, first data record}
      long nextTarget = size / pieces;
      long line = 1; // the line the next byte belongs to
      long quotes = 0;
      long pos = 0;
      boolean afterCr = false;
      byte[] buf = new byte[1 << 20];
      try (InputStream in = Files.newInputStream(file)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          for (int i = 0; i < n; i++) {
            byte b = buf[i];
            if (afterCr && b != '\n') {
              return null; // a lone carriage return: lines may be counted differently
            }
            afterCr = b == '\r';
            if (b == '"') {
              quotes++;
            } else if (b == '\n') {
              line++;
              long at = pos + i + 1;
              if (cuts.size() < pieces - 1 && at >= nextTarget && (quotes & 1) == 0) {
                long record = recordStartingOn(lines, records, line);
                if (record > 0) {
                  cuts.add(new long[] {at, record});
                  nextTarget = size * (cuts.size() + 1) / pieces;
                }
              }
            }
          }
          pos += n;
        }
      }
      if (cuts.isEmpty()) {
        return null;
      }
      List<Piece> out = new ArrayList<>();
      long start = 0;
      long first = 0;
      for (long[] c : cuts) {
        out.add(new Piece(start, c[0], first, c[1] - first));
        start = c[0];
        first = c[1];
      }
      out.add(new Piece(start, size, first, records - first));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A gzip file unpacked into Spark's local directory (the first of {@code spark.local.dir}, else the JVM's
   * temporary directory), as a file the caller deletes.
   */
  static Path unpack(SparkSession spark, Path gz) {
    String dirs = spark.sparkContext().getConf().get("spark.local.dir", System.getProperty("java.io.tmpdir"));
    Path dir = Path.of(dirs.split(",")[0].trim());
    Path plain = null;
    try {
      Files.createDirectories(dir);
      plain = Files.createTempFile(dir, "sanku-unpacked-", ".csv");
      plain.toFile().deleteOnExit();
      try (InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz), 1 << 16);
          java.io.OutputStream out = Files.newOutputStream(plain)) {
        in.transferTo(out);
      }
      return plain;
    } catch (IOException e) {
      if (plain != null) {
        plain.toFile().delete();
      }
      throw new UncheckedIOException(gz + ": cannot be unpacked into " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The data record (0-based) that starts on {@code line}, or -1 when none does. */
  static long recordStartingOn(LineMap lines, long records, long line) {
    long lo = 0;
    long hi = records - 1;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (lines.lineOf(mid) < line) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lines.lineOf(lo) == line ? lo : -1;
  }

  /**
   * The pieces parsed side by side with Spark's CSV parser and {@code options} (the reader's options), as rows of
   * {@code schema} (all text columns), one partition per piece, in file order.
   */
  static Dataset<Row> read(SparkSession spark, Path file, List<Piece> pieces, StructType schema,
      Map<String, String> options) {
    String path = file.toAbsolutePath().toString();
    HashMap<String, String> opts = new HashMap<>(options);
    String zone = spark.conf().get("spark.sql.session.timeZone");
    JavaRDD<InternalRow> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(pieces, pieces.size())
        .mapPartitions(it -> {
          List<InternalRow> none = List.of();
          if (!it.hasNext()) {
            return none.iterator();
          }
          Piece p = it.next();
          CSVOptions csv = new CSVOptions(scala.collection.JavaConverters.mapAsScalaMapConverter(opts).asScala()
              .toMap(scala.Predef$.MODULE$.<scala.Tuple2<String, String>>$conforms()), false, zone, "");
          UnivocityParser parser = new UnivocityParser(schema, schema, csv);
          CSVHeaderChecker header = new CSVHeaderChecker(schema, csv, "CSV file: " + path, p.start() == 0);
          InputStream in = Files.newInputStream(Path.of(path));
          in.skipNBytes(p.start());
          InputStream bounded = new org.apache.commons.io.input.BoundedInputStream(in, p.end() - p.start());
          org.apache.spark.TaskContext.get().addTaskCompletionListener(ctx -> {
            try {
              in.close();
            } catch (IOException e) {
              // closing a read-only file
            }
          });
          return scala.collection.JavaConverters.asJavaIteratorConverter(
              org.apache.spark.sql.catalyst.csv.UnivocityParser$.MODULE$.parseStream(bounded, parser, header, schema))
              .asJava();
        });
    return spark.internalCreateDataFrame(rows.rdd(), schema, false);
  }
}
