package org.sanku.ingest.standardise;

import java.time.LocalDate;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sanku.ids.IdNumbers;
import org.sanku.ids.IdStatus;

/**
 * The one UDF of standardisation: GB 11643 identity numbers through {@link IdNumbers#normalise}. White space of
 * every Unicode kind, NFKC, the MOD 11-2 checksum, 15 → 18 upgrade and the fake and Excel-damage patterns are not
 * expressible with Spark built-ins in a maintainable way, and this keeps one implementation of the rules for the
 * generator, the tests and the pipeline.
 *
 * <p>Returns {@code struct<normalised:string, status:string, birth_date:date, sex:string>}: the 18-character
 * number only when it is usable for linkage or a non-mainland document (VALID_18, UPGRADED_15, NON_MAINLAND),
 * else null; the {@link IdStatus} name; the birth date and sex ({@code "1"} male, {@code "2"} female, GB/T
 * 2261.1) encoded in the number, for the same statuses.
 */
final class IdNumberFunction implements UDF1<String, Row> {

  private static final long serialVersionUID = 1L;

  static final StructType RESULT = new StructType()
      .add("normalised", DataTypes.StringType)
      .add("status", DataTypes.StringType)
      .add("birth_date", DataTypes.DateType)
      .add("sex", DataTypes.StringType);

  private final LocalDate asOf;

  IdNumberFunction(LocalDate asOf) {
    this.asOf = asOf;
  }

  @Override
  public Row call(String raw) {
    IdNumbers.Result r = IdNumbers.normalise(raw, asOf);
    boolean kept = r.status() == IdStatus.VALID_18 || r.status() == IdStatus.UPGRADED_15
        || r.status() == IdStatus.NON_MAINLAND;
    String sex = r.sexFromId() == null ? null : r.sexFromId() == 'M' ? "1" : "2";
    // java.sql.Date rather than LocalDate: it is the external type of DateType whatever
    // spark.sql.datetime.java8API.enabled says.
    return RowFactory.create(kept ? r.normalised() : null, r.status().name(),
        r.birthDate() == null ? null : java.sql.Date.valueOf(r.birthDate()), sex);
  }
}
