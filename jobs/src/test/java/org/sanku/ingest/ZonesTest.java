package org.sanku.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.sanku.ids.PersonKeyFunction;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.ingest.standardise.StandardiseContext;
import org.sanku.ingest.standardise.Standardiser;
import org.sanku.spark.TestSpark;

/**
 * A file's two zones are the same rows whether they are kept once for both writes (a small file) or computed by each
 * write from the file's kept rows (a large file, whose repeated keys are then found once).
 */
class ZonesTest {

  /** 511302 19900101 123 X: a valid ID (IdNumbersTest). */
  private static final String ID = "51130219900101123X";

  private static final String[] COLUMNS = {"visit_id", "org_code", "visit_type_code", "visit_datetime",
      "discharge_datetime", "dept_code", "id_type_code", "id_no", "name", "sex_code", "birth_date", "health_card_no",
      "current_division_code", "discharge_method_code", "op_type", "src_updated_at"};

  private static Row visit(String id, String sex, String updated, long line) {
    return RowFactory.create(id, "511302A01", "1", "20251230083000", null, "03", "01", ID, "张三", sex, "19900101",
        "C1", "511302001001", null, "I", updated, "test/emr_visit.csv", line);
  }

  @Test
  void bothZonesAreTheSameRowsKeptOnceOrComputedByEachWrite() throws Exception {
    SparkSession spark = TestSpark.get();
    SchemaCatalog catalog = SchemaCatalog.load(Path.of("..", "schemas"), Path.of("..", "conf"));
    TableSchema schema = catalog.get("emr_visit");
    LocalDate extract = LocalDate.of(2025, 12, 31);
    StandardiseContext ctx = new StandardiseContext(extract, extract, Map.of(), Set.of("511302"), catalog);
    PersonKeyFunction.register(spark, IngestedRegion.KEY);
    StructType st = new StructType();
    for (String c : COLUMNS) {
      st = st.add(c, DataTypes.StringType);
    }
    st = st.add("_file", DataTypes.StringType).add("_line", DataTypes.LongType);
    // MZ1 twice: the 10:00 version (line 3) is the latest. MZ2's sex '男' is a local code, mapped to 1 with a
    // warning, so its verbatim sex_code stays out of the analytics zone.
    Dataset<Row> std = Standardiser.standardise(spark.createDataFrame(List.of(
        visit("MZ1", "1", "20251230090000", 2),
        visit("MZ1", "1", "20251230100000", 3),
        visit("MZ2", "男", "20251230090000", 4)), st), schema, ctx);
    Dataset<Row> good = std.filter("size(_errors) = 0");
    assertEquals(3, good.count(), "every row is accepted");

    Zones.Split once = Zones.split(IngestJob.latestPerKey(good, schema, 1), schema, true);
    Zones.Split each = Zones.split(IngestJob.latestPerKey(good, schema, 1, true), schema, false);
    assertNotNull(once.shared());
    assertNull(each.shared(), "nothing kept beside the file's rows");
    try {
      List<String> analytics = lines(once.analytics());
      assertEquals(analytics, lines(each.analytics()));
      assertEquals(lines(once.identity()), lines(each.identity()));
      // Worked out by hand: one row per visit, MZ1's at 10:00; the analytics zone has the ID's and the card's keys,
      // neither raw value, and no verbatim department for MZ2.
      List<String> cols = Arrays.asList(each.analytics().columns());
      assertFalse(cols.contains("id_no") || cols.contains("name") || cols.contains("health_card_no"), cols.toString());
      String idKey = new PersonKeyFunction(IngestedRegion.KEY).call(ID);
      String cardKey = new PersonKeyFunction(IngestedRegion.KEY).call("card:C1");
      List<Row> rows = each.analytics().orderBy("visit_id").collectAsList();
      assertEquals(2, rows.size());
      assertEquals("MZ1", rows.get(0).getAs("visit_id"));
      assertEquals(java.sql.Timestamp.valueOf("2025-12-30 10:00:00"), rows.get(0).getAs("src_updated_at"));
      for (Row r : rows) {
        assertEquals(idKey, r.getAs("id_key"));
        assertEquals(cardKey, r.getAs("health_card_key"));
      }
      assertEquals("1", rows.get(0).getAs("sex_code_src"));
      assertEquals("1", rows.get(1).getAs("sex_code"));
      assertNull(rows.get(1).getAs("sex_code_src"), "a warned value's verbatim stays out of the analytics zone");
      List<Row> ids = each.identity().orderBy("visit_id").collectAsList();
      assertEquals(2, ids.size());
      for (Row r : ids) {
        assertEquals(ID, r.getAs("id_no"));
        assertEquals(idKey, r.getAs("id_key"));
      }
    } finally {
      once.release();
      each.release();
    }
  }

  /** A dataset's rows as sorted strings, and that the analytics zone's are as many as the identity zone's. */
  private static List<String> lines(Dataset<Row> df) {
    List<String> out = new ArrayList<>();
    for (Row r : df.collectAsList()) {
      out.add(r.toString());
    }
    out.sort(null);
    assertTrue(out.size() > 0);
    return out;
  }
}
