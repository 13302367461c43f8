package org.sanku.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.sanku.indicators.Catalog;
import org.sanku.spark.TestConfig;
import org.sanku.spark.TestSpark;

/**
 * "Resident on R" has one definition, the catalog's condition {@code resident_on(day)}: the indicators' person
 * columns are that condition on R and on the mid-period date, and linkage (the link rates) evaluates the very same
 * text over the registry's rows. Worked by hand on eleven registry rows, on R = 2025-12-31 and on 2025-06-30:
 *
 * <pre>
 * row  type  status  born        death / move-out       2025-06-30  2025-12-31  why
 * A    1     1       1980-01-01  -                      yes         yes
 * B    2     1       1980-01-01  -                      no          no          户籍外出 is not resident
 * C    3     1       1980-01-01  -                      yes         yes         流入 is
 * D    1     2       1950-01-01  died 2025-09-01        yes         no
 * E    1     2       1950-01-01  no death date          no          no          dead on a day nobody knows
 * F    1     3       1980-01-01  moved out 2025-06-30   no          no          gone on the day itself
 * G    1     3       1980-01-01  no move-out date       no          no          moved out on a day nobody knows
 * H    1     4       1980-01-01  -                      no          no          注销
 * I    1     1       2025-07-01  -                      no          yes         born after the first day
 * J    1     1       1950-01-01  death date 2025-03-01  no          no          the date decides, not the status
 * K    -     1       1980-01-01  -                      no          no          no resident type
 * </pre>
 */
class ResidentRuleTest {

  private static final Catalog CATALOG = TestConfig.get().indicators();

  @Test
  void theIndicatorsAndLinkageCountResidentsByOneRule() {
    // The catalog's person columns are the condition itself, on R and on the mid-period date: no second text.
    assertEquals(CATALOG.condition("resident_on", "ref_date"), CATALOG.person.get("resident").sql());
    assertEquals(CATALOG.condition("resident_on", "mid_date"), CATALOG.person.get("resident_mid").sql());
    // Linkage is given that condition on ref_date (the rule a run passes to LinkJob).
    assertEquals(CATALOG.person.get("resident").sql(), CATALOG.residentRule().sql());
    assertTrue(CATALOG.residentRule().origin().endsWith("model.yaml: conditions.resident_on(day)"),
        CATALOG.residentRule().origin());
  }

  @Test
  void residentOnADayAsWorkedOutByHand() {
    SparkSession spark = TestSpark.get();
    List<Row> rows = new ArrayList<>();
    rows.add(row("A", "1", "1", "1980-01-01", null, null));
    rows.add(row("B", "2", "1", "1980-01-01", null, null));
    rows.add(row("C", "3", "1", "1980-01-01", null, null));
    rows.add(row("D", "1", "2", "1950-01-01", "2025-09-01", null));
    rows.add(row("E", "1", "2", "1950-01-01", null, null));
    rows.add(row("F", "1", "3", "1980-01-01", null, "2025-06-30"));
    rows.add(row("G", "1", "3", "1980-01-01", null, null));
    rows.add(row("H", "1", "4", "1980-01-01", null, null));
    rows.add(row("I", "1", "1", "2025-07-01", null, null));
    rows.add(row("J", "1", "1", "1950-01-01", "2025-03-01", null));
    rows.add(row("K", null, "1", "1980-01-01", null, null));
    Dataset<Row> registry = spark.createDataFrame(rows, Inputs.schema("pop_record_id", "string",
        "resident_type_code", "string", "person_status_code", "string", "birth_date", "date", "death_date", "date",
        "move_out_date", "date"));
    // Every row gets a value (never null), and the residents are those of the table above.
    assertEquals("A=true B=false C=true D=false E=false F=false G=false H=false I=true J=false K=false",
        resident(registry, LocalDate.parse("2025-12-31")));
    assertEquals("A=true B=false C=true D=true E=false F=false G=false H=false I=false J=false K=false",
        resident(registry, LocalDate.parse("2025-06-30")));
  }

  @Test
  void aRuleOverColumnsTheRegistryLacksNamesWhereItIsDefined() {
    ResidentRule bad = new ResidentRule("county_code = '511302'", "conf/indicators/local.yaml: conditions.resident_on");
    Dataset<Row> registry = TestSpark.get().createDataFrame(List.of(), Inputs.schema("birth_date", "date"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> bad.onDay(registry, LocalDate.parse("2025-12-31"), "resident_on_r"));
    assertTrue(e.getMessage().startsWith("conf/indicators/local.yaml: conditions.resident_on: the resident rule "
        + "cannot be evaluated over the registry's columns"), e.getMessage());
  }

  private static String resident(Dataset<Row> registry, LocalDate day) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : CATALOG.residentRule().onDay(registry, day, "resident_on_r")
        .select("pop_record_id", "resident_on_r").collectAsList()) {
      out.put(r.getString(0), r.isNullAt(1) ? "null" : String.valueOf(r.getBoolean(1)));
    }
    return String.join(" ", out.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
  }

  private static Row row(String id, String type, String status, String birth, String death, String moveOut) {
    return RowFactory.create(id, type, status, Date.valueOf(birth), death == null ? null : Date.valueOf(death),
        moveOut == null ? null : Date.valueOf(moveOut));
  }
}
