package org.sanku.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sanku.indicators.Period;
import org.sanku.indicators.report.Cell;
import org.sanku.ingest.Warehouse;

/** Test access to {@code ./sanku indicators} without a process (the command's session is the shared one). */
public final class IndicatorsCommandAccess {

  private IndicatorsCommandAccess() {}

  public static List<Cell> cells(SparkSession spark, Warehouse wh, Period p) {
    return IndicatorsCommand.cells(spark, wh, p, false);
  }

  public static void write(List<Cell> cells, String format, Path out) throws Exception {
    write(cells, format, out, 5);
  }

  public static void write(List<Cell> cells, String format, Path out, int k) throws Exception {
    IndicatorsCommand c = new IndicatorsCommand();
    c.format = format;
    c.out = out;
    c.k = k;
    c.write(cells, new PrintStream(System.out, true));
  }
}
