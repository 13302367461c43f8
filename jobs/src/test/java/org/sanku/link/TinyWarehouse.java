package org.sanku.link;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sanku.ids.IdNumbers;
import org.sanku.ids.PersonKeys;
import org.sanku.storage.Warehouse;
import org.sanku.spark.TestSpark;

/**
 * A hand-built warehouse: the std and identity tables linkage reads, with just the columns it needs, written the
 * way ingest would have written them (normalised IDs, id_status, HMAC id_key and health_card_key under the test
 * key). Each instance has catalogs of its own on the shared session.
 */
final class TinyWarehouse {

  static final byte[] KEY = LinkedRegion.KEY;
  static final LocalDate R = LocalDate.parse("2025-12-31");
  /** The catalog's rule "resident on R" (conf/indicators/model.yaml, condition resident_on), as a run gives it. */
  static final ResidentRule RESIDENT = org.sanku.spark.TestConfig.get().indicators().residentRule();
  private static final AtomicInteger N = new AtomicInteger();
  private static final PersonKeys KEYS = new PersonKeys(KEY);

  final Warehouse wh;
  final SparkSession spark = TestSpark.get();
  private final Map<String, List<Map<String, Object>>> rows = new LinkedHashMap<>();

  TinyWarehouse() {
    try {
      int n = N.incrementAndGet();
      wh = new Warehouse(spark, Files.createTempDirectory("sanku-link-tiny").toUri().toString(), "lk_a" + n,
          "lk_i" + n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** HMAC-SM3 under the test key, as ingest computes id_key. */
  static String key(String normalisedId) {
    return KEYS.personKey(normalisedId);
  }

  /** The surrogate key of a registry row without a usable ID. */
  static String surrogate(String popRecordId) {
    return KEYS.personKey("R:" + popRecordId);
  }

  static String cardKey(String cardNo) {
    return KEYS.personKey("card:" + cardNo);
  }

  /** id_status, normalised ID (kept only when ingest keeps it) and id_key of a delivered ID. */
  static Object[] id(String raw) {
    IdNumbers.Result r = IdNumbers.normalise(raw, R);
    boolean kept = r.usable() || r.status() == org.sanku.ids.IdStatus.NON_MAINLAND;
    String norm = kept ? r.normalised() : null;
    return new Object[] {r.status().name(), norm, norm == null ? null : key(norm)};
  }

  private List<Map<String, Object>> table(String name) {
    return rows.computeIfAbsent(name, k -> new ArrayList<>());
  }

  /** A registry person: resident type 1, status 1, living in the county's first village unless changed. */
  Map<String, Object> person(String popId, String rawId, String name, String sex, String birth, String county6) {
    Object[] id = id(rawId);
    Map<String, Object> std = new HashMap<>();
    std.put("pop_record_id", popId);
    std.put("id_status", id[0]);
    std.put("id_key", id[2]);
    std.put("sex_code", sex);
    std.put("birth_date", Date.valueOf(birth));
    std.put("residence_division_code", county6 + "001001");
    std.put("residence_division_code_county", county6);
    std.put("resident_type_code", "1");
    std.put("person_status_code", "1");
    std.put("src_updated_at", Timestamp.valueOf("2025-12-01 10:00:00"));
    table("std.pop_person").add(std);
    Map<String, Object> idRow = new HashMap<>();
    idRow.put("pop_record_id", popId);
    idRow.put("id_no", id[1]);
    idRow.put("id_key", id[2]);
    idRow.put("name", name);
    table("id.pop_person").add(idRow);
    return std;
  }

  /** A health record managed by {@code org} (county = its first 6 digits), built 2020-01-01. */
  Map<String, Object> ehr(String ehrNo, String rawId, String name, String sex, String birth, String county6,
      String org) {
    Object[] id = id(rawId);
    Map<String, Object> std = new HashMap<>();
    std.put("ehr_no", ehrNo);
    std.put("id_status", id[0]);
    std.put("id_key", id[2]);
    std.put("sex_code", sex);
    std.put("birth_date", Date.valueOf(birth));
    std.put("build_date", Date.valueOf("2020-01-01"));
    std.put("manage_org_code", org);
    std.put("current_division_code", county6 == null ? null : county6 + "001001");
    std.put("current_division_code_county", county6);
    std.put("resident_type_code", "1");
    std.put("is_electronic", "1");
    std.put("basic_form_complete", "1");
    std.put("record_status_code", "1");
    std.put("src_updated_at", Timestamp.valueOf("2025-01-01 10:00:00"));
    table("std.ehr_person").add(std);
    Map<String, Object> idRow = new HashMap<>();
    idRow.put("ehr_no", ehrNo);
    idRow.put("id_no", id[1]);
    idRow.put("name", name);
    table("id.ehr_person").add(idRow);
    return std;
  }

  /** A visit at {@code org} on {@code date}; {@code county6} and {@code card} may be null. */
  Map<String, Object> visit(String visitId, String rawId, String name, String sex, String birth, String county6,
      String card, String org, String date) {
    Object[] id = id(rawId);
    Map<String, Object> std = new HashMap<>();
    std.put("visit_id", visitId);
    std.put("org_code", org);
    std.put("visit_type_code", "1");
    std.put("visit_datetime", Timestamp.valueOf(date + " 09:30:00"));
    std.put("id_status", id[0]);
    std.put("id_key", id[2]);
    std.put("sex_code", sex);
    std.put("birth_date", Date.valueOf(birth));
    std.put("current_division_code", county6 == null ? null : county6 + "001001");
    std.put("current_division_code_county", county6);
    std.put("health_card_key", card == null ? null : cardKey(card));
    std.put("src_updated_at", Timestamp.valueOf(date + " 18:00:00"));
    table("std.emr_visit").add(std);
    Map<String, Object> idRow = new HashMap<>();
    idRow.put("visit_id", visitId);
    idRow.put("id_no", id[1]);
    idRow.put("name", name);
    idRow.put("health_card_no", card);
    table("id.emr_visit").add(idRow);
    return std;
  }

  /** Any other std row (services, reference data), given as column → value. */
  void row(String stdTable, Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    table("std." + stdTable).add(m);
  }

  /** Replaces the std row whose first given column has the given value (e.g. an organisation that moved). */
  void replaceRow(String stdTable, Object... kv) {
    table("std." + stdTable).removeIf(m -> kv[1].equals(m.get((String) kv[0])));
    row(stdTable, kv);
  }

  /** Removes every row so the fixture can be filled again for a later night. */
  void clear() {
    rows.clear();
  }

  static final Map<String, StructType> SCHEMAS = new LinkedHashMap<>();

  static {
    SCHEMAS.put("std.pop_person", LinkPlan.POP);
    SCHEMAS.put("id.pop_person", Inputs.schema("pop_record_id", "string", "id_no", "string", "name", "string",
        "id_key", "string"));
    SCHEMAS.put("std.ehr_person", LinkPlan.EHR);
    SCHEMAS.put("id.ehr_person", Inputs.schema("ehr_no", "string", "id_no", "string", "name", "string"));
    SCHEMAS.put("std.emr_visit", LinkPlan.VISIT);
    SCHEMAS.put("id.emr_visit", Inputs.schema("visit_id", "string", "id_no", "string", "name", "string",
        "health_card_no", "string"));
    SCHEMAS.put("std.ref_org", LinkPlan.REF_ORG);
    SCHEMAS.put("std.ref_division", LinkPlan.REF_DIVISION);
    SCHEMAS.put("std.ehr_physical_exam", Inputs.sourceColumns("ehr_exam", "person_key"));
    SCHEMAS.put("std.ehr_program_enrollment", Inputs.sourceColumns("ehr_enrollment", "person_key"));
    SCHEMAS.put("std.ehr_followup", Inputs.sourceColumns("ehr_followup", "person_key", "ehr_no"));
    SCHEMAS.put("std.emr_diagnosis", Inputs.sourceColumns("emr_diagnosis", "person_key"));
  }

  /**
   * When set, a table that exists takes a night's rows by a merge-on-read MERGE on its first column (as ingest
   * applies deltas), not by a replace.
   */
  boolean merging;

  /** Writes (replaces) every table that has rows, with the columns linkage reads. */
  TinyWarehouse write() {
    return write(rows.keySet().toArray(new String[0]));
  }

  /** Writes (replaces) only these tables ({@code std.emr_visit} …): the others stand as they are. */
  TinyWarehouse write(String... only) {
    java.util.Set<String> these = java.util.Set.of(only);
    for (var e : rows.entrySet()) {
      if (!these.contains(e.getKey())) {
        continue;
      }
      StructType schema = SCHEMAS.get(e.getKey());
      List<Row> out = new ArrayList<>();
      for (Map<String, Object> m : e.getValue()) {
        Object[] values = new Object[schema.fields().length];
        int i = 0;
        for (StructField f : schema.fields()) {
          values[i++] = m.get(f.name());
        }
        out.add(RowFactory.create(values));
      }
      String[] parts = e.getKey().split("\\.");
      String table = parts[0].equals("std") ? wh.std(parts[1]) : wh.id(parts[1]);
      spark.sql("CREATE NAMESPACE IF NOT EXISTS " + table.substring(0, table.lastIndexOf('.')));
      Dataset<Row> df = spark.createDataFrame(out, schema);
      if (merging && spark.catalog().tableExists(table)) {
        // As ingest applies a delta: only changed and new rows written (a new data file and position deletes),
        // rows the night no longer has deleted; the other rows stay in their files.
        Dataset<Row> now = spark.table(table).select(java.util.Arrays.stream(schema.fieldNames())
            .map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
        if (df.exceptAll(now).isEmpty() && now.exceptAll(df).isEmpty()) {
          continue;  // nothing delivered changes the table: no commit, as for a source that sent nothing
        }
        String key = schema.fields()[0].name();
        String view = "tiny_" + parts[0] + "_" + parts[1];
        df.createOrReplaceTempView(view);
        String differs = java.util.Arrays.stream(schema.fieldNames())
            .map(f -> "NOT (t.`" + f + "` <=> s.`" + f + "`)").collect(java.util.stream.Collectors.joining(" OR "));
        spark.sql("MERGE INTO " + table + " t USING " + view + " s ON t.`" + key + "` = s.`" + key + "` "
            + "WHEN MATCHED AND (" + differs + ") THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT * "
            + "WHEN NOT MATCHED BY SOURCE THEN DELETE");
        spark.catalog().dropTempView(view);
        continue;
      }
      var writer = df.writeTo(table).using("iceberg");
      if (merging) {
        writer = writer.tableProperty("format-version", "2").tableProperty("write.merge.mode", "merge-on-read")
            .tableProperty("write.update.mode", "merge-on-read").tableProperty("write.delete.mode", "merge-on-read");
      }
      if (spark.catalog().tableExists(table)) {
        writer.createOrReplace();
      } else {
        try {
          writer.create();
        } catch (org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException ex) {
          throw new IllegalStateException(ex);
        }
      }
    }
    return this;
  }

  LinkJob.Result link() {
    return new LinkJob(spark, wh, KEY, R, new PrintStream(System.out, true)).residentRule(RESIDENT).run();
  }

  /** Rows of a link or model table as maps (tiny tables only). */
  List<Row> rows(String table) {
    return spark.table(table).collectAsList();
  }
}
