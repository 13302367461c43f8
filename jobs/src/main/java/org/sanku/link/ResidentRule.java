package org.sanku.link;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Resident on a day (常住人口, shared/indicators.md), as the indicator catalog defines it: linkage does not define it
 * again. The rule is the catalog's condition {@code resident_on(day)} rendered with its day bound to the column
 * {@code ref_date} (Spark SQL over the registry's columns: resident_type_code, birth_date, person_status_code,
 * death_date, move_out_date), so the link rates and every indicator count the same persons as resident.
 *
 * @param sql    the rule over the registry's columns and {@code ref_date}
 * @param origin where it is defined ({@code conf/indicators/model.yaml: conditions.resident_on}), for messages
 */
public record ResidentRule(String sql, String origin) {

  public ResidentRule {
    java.util.Objects.requireNonNull(sql, "sql");
  }

  /** {@code rows} with the boolean column {@code out}: whether each row's person is resident on {@code day}. */
  public Dataset<Row> onDay(Dataset<Row> rows, LocalDate day, String out) {
    boolean had = java.util.Arrays.asList(rows.columns()).contains("ref_date");
    if (had) {
      throw new IllegalArgumentException("the rows already have a column ref_date");
    }
    try {
      return rows.withColumn("ref_date", lit(Date.valueOf(day)))
          .withColumn(out, coalesce(expr(sql), lit(false)))
          .drop("ref_date");
    } catch (Exception e) {
      String msg = e instanceof org.apache.spark.sql.AnalysisException a ? a.getSimpleMessage() : e.getMessage();
      throw new IllegalStateException(origin + ": the resident rule cannot be evaluated over the registry's columns ("
          + (msg == null ? e : msg.lines().findFirst().orElse(msg)) + ")", e);
    }
  }
}
