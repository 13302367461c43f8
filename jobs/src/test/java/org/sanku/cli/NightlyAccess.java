package org.sanku.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sanku.indicators.IndicatorJob;
import org.sanku.ingest.Warehouse;

/** Test access to {@code ./sanku nightly} on the shared session. */
public final class NightlyAccess {

  private NightlyAccess() {}

  public record Outcome(int exitCode, List<String[]> stages, String runId, List<IndicatorJob.Value> values) {
    /** indicator|division → numerator/denominator. */
    public java.util.Map<String, String> counts() {
      java.util.Map<String, String> m = new java.util.TreeMap<>();
      for (IndicatorJob.Value v : values) {
        m.put(v.indicator().id() + "|" + v.divisionCode(), v.numerator() + "/" + v.denominator());
      }
      return m;
    }
  }

  public static Outcome run(SparkSession spark, Warehouse wh, Path landing, byte[] key, PrintStream out) {
    NightlyCommand.Outcome o = NightlyCommand.run(spark, wh, landing, key, null, out);
    return new Outcome(o.exitCode(), o.stages(), o.indicators().runId(), o.indicators().values());
  }
}
