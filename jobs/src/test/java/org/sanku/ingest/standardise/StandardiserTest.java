package org.sanku.ingest.standardise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.spark.TestSpark;

/**
 * One small hand-built frame per rule. Expected values are worked out by hand in the comments; the identity
 * numbers are those of IdNumbersTest, whose check characters are worked there.
 */
class StandardiserTest {

  /** 511302 19900101 123 X: 南充 顺庆区, born 1990-01-01, sequence 123 odd → male; check X (IdNumbersTest). */
  static final String ID_M = "51130219900101123X";
  /** Same with sequence 124 → female; check 8. */
  static final String ID_F = "511302199001011248";

  static final LocalDate EXTRACT = LocalDate.of(2025, 12, 31);

  static SparkSession spark;
  static SchemaCatalog catalog;
  static StandardiseContext ctx;

  @BeforeAll
  static void setUp() {
    spark = TestSpark.get();
    catalog = SchemaCatalog.load(Path.of("..", "schemas"), Path.of("..", "conf"));
    // 射洪县 510922 was replaced by 射洪市 510981 (2019), as ref_division delivers it: 12-digit codes.
    ctx = new StandardiseContext(EXTRACT, EXTRACT, Map.of("510922000000", "510981000000"),
        Set.of("511302", "510981"), catalog);
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** Marks a column as absent from the delivered file. */
  static final String ABSENT = "\u0000absent";

  /**
   * Standardises one row per variant: each variant overrides the base row (a value, null, or ABSENT to drop the
   * column); _file and _line are added as the reader does.
   */
  @SafeVarargs
  static List<Row> run(String table, Map<String, String> base, Map<String, String>... variants) {
    return run(table, ctx, base, variants);
  }

  @SafeVarargs
  static List<Row> run(String table, StandardiseContext context, Map<String, String> base,
      Map<String, String>... variants) {
    return frame(table, context, base, variants).collectAsList();
  }

  @SafeVarargs
  static Dataset<Row> frame(String table, StandardiseContext context, Map<String, String> base,
      Map<String, String>... variants) {
    List<Map<String, String>> rows = new ArrayList<>();
    for (Map<String, String> v : variants.length == 0 ? List.of(Map.<String, String>of()) : Arrays.asList(variants)) {
      Map<String, String> r = new LinkedHashMap<>(base);
      r.putAll(v);
      rows.add(r);
    }
    List<String> columns = new ArrayList<>();
    for (String c : rows.get(0).keySet()) {
      if (!ABSENT.equals(rows.get(0).get(c))) {
        columns.add(c);
      }
    }
    StructType st = new StructType();
    for (String c : columns) {
      st = st.add(c, DataTypes.StringType);
    }
    st = st.add("_file", DataTypes.StringType).add("_line", DataTypes.LongType);
    List<Row> data = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Object[] vals = new Object[columns.size() + 2];
      for (int j = 0; j < columns.size(); j++) {
        vals[j] = rows.get(i).get(columns.get(j));
      }
      vals[columns.size()] = "test/" + table + ".csv";
      vals[columns.size() + 1] = (long) i + 2;
      data.add(RowFactory.create(vals));
    }
    TableSchema schema = catalog.get(table);
    return Standardiser.standardise(spark.createDataFrame(data, st), schema, context);
  }

  static Map<String, String> m(String... kv) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      out.put(kv[i], kv[i + 1]);
    }
    return out;
  }

  /** "column:reason" of each issue in _errors or _warnings. */
  static List<String> issues(Row r, String field) {
    List<String> out = new ArrayList<>();
    for (Row i : r.<Row>getList(r.fieldIndex(field))) {
      out.add(i.getString(0) + ":" + i.getString(1));
    }
    return out;
  }

  static List<String> errors(Row r) {
    return issues(r, Standardiser.ERRORS);
  }

  static List<String> warnings(Row r) {
    return issues(r, Standardiser.WARNINGS);
  }

  /** The value of the one issue with that column and reason. */
  static String issueValue(Row r, String field, String column, String reason) {
    for (Row i : r.<Row>getList(r.fieldIndex(field))) {
      if (i.getString(0).equals(column) && i.getString(1).equals(reason)) {
        return i.getString(2);
      }
    }
    throw new AssertionError("no " + column + ":" + reason + " in " + issues(r, field));
  }

  static Map<String, String> pop() {
    return m("pop_record_id", "RK5113000000001", "id_type_code", "01", "id_no", ID_M, "name", "张三", "sex_code", "1",
        "birth_date", "19900101", "ethnicity_code", "01", "hukou_division_code", "511302001001",
        "residence_division_code", "511302001001", "residence_since", "", "resident_type_code", "1",
        "person_status_code", "1", "death_date", "", "move_out_date", "", "mother_id_no", "", "phone",
        "13800000000", "op_type", "I", "src_updated_at", "20251230080000");
  }

  static Map<String, String> followup() {
    return m("followup_id", "SF1", "enrollment_id", "ZA1", "followup_date", "2025-12-01", "org_code", "511302001C",
        "followup_mode_code", "1", "sbp", "130", "dbp", "80", "fbg_mmol_l", "", "op_type", "I",
        "src_updated_at", "2025-12-01 09:00:00");
  }

  static Map<String, String> visit() {
    return m("visit_id", "MZ1", "org_code", "511302A01", "visit_type_code", "1", "visit_datetime", "20251230083000",
        "discharge_datetime", "", "dept_code", "03", "id_type_code", "01", "id_no", ID_M, "name", "张三",
        "sex_code", "1", "birth_date", "19900101", "health_card_no", "", "current_division_code", "511302001001",
        "discharge_method_code", "", "op_type", "I", "src_updated_at", "20251230090000");
  }

  static Map<String, String> diagnosis() {
    return m("visit_id", "MZ1", "diag_seq", "1", "diag_code", "I10.x00", "diag_name", "原发性高血压", "op_type", "I",
        "src_updated_at", "20251230090000");
  }

  static Map<String, String> exam() {
    return m("exam_id", "TJ1", "ehr_no", "51130200100100001", "exam_date", "2025-11-01", "exam_org_code",
        "511302001C", "exam_type", "2", "sbp", "130", "dbp", "80", "height_cm", "165.5", "weight_kg", "60.2",
        "waist_cm", "80", "fbg_mmol_l", "5.6", "adl_score", "0", "ecg_code", "1", "health_eval_code", "1",
        "guidance_codes", "1;4", "op_type", "I", "src_updated_at", "2025-11-01 10:00:00");
  }

  static Map<String, String> tcm() {
    return m("service_id", "ZY1", "ehr_no", "51130200100100001", "service_kind", "1", "service_date", "2025-11-01",
        "org_code", "511302001C", "item_count", "33", "constitution_codes", "1", "guidance_codes", "1;2;3;4;5",
        "child_age_months", "", "op_type", "I", "src_updated_at", "2025-11-01 10:00:00");
  }

  static Map<String, String> enrollment() {
    return m("enrollment_id", "ZA1", "ehr_no", "51130200100100001", "program_code", "HTN", "diagnosis_icd10",
        "I10.x00", "enroll_date", "2025-01-01", "manage_status_code", "1", "close_date", "", "close_reason_code", "",
        "op_type", "I", "src_updated_at", "2025-01-01 10:00:00");
  }

  // ---- clean rows and the output shape ----------------------------------------------------------------------

  @Test
  void cleanRowsHaveNoIssuesAndTheDocumentedShape() {
    for (Map.Entry<String, Map<String, String>> e : Map.of("pop_person", pop(), "ehr_followup", followup(),
        "emr_visit", visit(), "emr_diagnosis", diagnosis(), "ehr_physical_exam", exam(), "ehr_tcm_service", tcm(),
        "ehr_program_enrollment", enrollment()).entrySet()) {
      Dataset<Row> df = frame(e.getKey(), ctx, e.getValue());
      List<String> expected = new ArrayList<>(catalog.get(e.getKey()).outputColumns());
      expected.addAll(List.of("_file", "_line", "_errors", "_warnings"));
      assertEquals(expected, Arrays.asList(df.columns()), e.getKey());
      Row r = df.first();
      assertEquals(List.of(), errors(r), e.getKey());
      assertEquals(List.of(), warnings(r), e.getKey());
      assertEquals("test/" + e.getKey() + ".csv", r.getAs("_file"));
      assertEquals(2L, (long) r.getAs("_line"));
    }
    StructType s = frame("ehr_physical_exam", ctx, exam()).schema();
    assertEquals(DataTypes.DateType, s.apply("exam_date").dataType());
    assertEquals(DataTypes.IntegerType, s.apply("sbp").dataType());
    assertEquals(DataTypes.DoubleType, s.apply("fbg_mmol_l").dataType());
    assertInstanceOf(ArrayType.class, s.apply("guidance_codes").dataType());
    assertEquals(DataTypes.TimestampType, s.apply("src_updated_at").dataType());
    for (String f : List.of("_errors", "_warnings")) {
      ArrayType issues = (ArrayType) s.apply(f).dataType();
      assertEquals(List.of("column", "reason", "value"),
          Arrays.asList(((StructType) issues.elementType()).fieldNames()), f);
    }
  }

  // ---- strings and null placeholders ------------------------------------------------------------------------

  @Test
  void nullPlaceholdersReadAsNullAndStringsAreTrimmed() {
    List<Row> rows = run("pop_person", pop(), m("phone", ""), m("phone", "-"), m("phone", "无"), m("phone", "不详"),
        m("phone", "NULL"), m("phone", "null"), m("phone", "N/A"), m("phone", " \u3000 "),
        m("phone", "\u00A013800000000\t"), m("phone", null), m("name", " 张三\u3000"));
    for (int i = 0; i <= 7; i++) {
      assertNull(rows.get(i).getAs("phone"), "placeholder row " + i);
      assertEquals(List.of(), errors(rows.get(i)), "an optional null is no error");
    }
    assertEquals("13800000000", rows.get(8).getAs("phone"), "NBSP and tab trimmed");
    assertNull(rows.get(9).getAs("phone"));
    assertEquals("张三", rows.get(10).getAs("name"), "ideographic space trimmed");
  }

  /**
   * Trimming takes exactly the characters of {@link TextParsers#WS} off both ends, whatever their order, and
   * nothing else: inner white space stays, and characters outside the set (EM SPACE U+2003, NEL U+0085, which
   * Java's {@code \s} does not match either) stay even at the ends. The expected values are Java's own regular
   * expression {@code ^WS+|WS+$} replaced on the driver, the rule as first written, and spelled out by hand beside.
   */
  @Test
  void trimmingTakesTheWhiteSpaceSetOffBothEndsAndNothingElse() {
    String[] names = {
        "\u200B\uFEFF 李四 \t\r\n",      // 0 -> 李四
        "\u000B\f王 五\u00A0",            // 1 -> 王 五 (the inner space stays)
        "\u2003赵六\u2003",                // 2 -> unchanged: EM SPACE is not white space here
        "\u0085钱七",                      // 3 -> unchanged: nor is NEL
        "孙\u3000八",                      // 4 -> unchanged: inner ideographic space
        "\uD840\uDC00周九 \u3000",          // 5 -> 𠀀周九 (a supplementary character first)
        "\u3000\u00A0\u200B\uFEFF \t"};   // 6 -> empty, a placeholder: null
    String[] byHand = {"李四", "王 五", "\u2003赵六\u2003", "\u0085钱七", "孙\u3000八", "\uD840\uDC00周九", null};
    List<Map<String, String>> changes = new ArrayList<>();
    for (String n : names) {
      changes.add(m("name", n));
    }
    @SuppressWarnings("unchecked")
    List<Row> rows = run("pop_person", pop(), changes.toArray(new Map[0]));
    for (int i = 0; i < names.length; i++) {
      String regex = names[i].replaceAll("^" + TextParsers.WS + "+|" + TextParsers.WS + "+$", "");
      assertEquals(byHand[i], regex.isEmpty() ? null : regex, "the hand-worked value of row " + i);
      assertEquals(byHand[i], rows.get(i).getAs("name"), "row " + i);
    }
  }

  // ---- dates ------------------------------------------------------------------------------------------------

  @Test
  void bothDateFormatsAndStrictCalendar() {
    List<Row> rows = run("pop_person", pop(), m("birth_date", "19900101"), m("birth_date", "1990-01-01"),
        m("birth_date", "2025-02-30"), m("birth_date", "20250230"), m("birth_date", "2024-02-29"),
        m("birth_date", "2023-02-29"), m("birth_date", "19000229"), m("birth_date", "2000-02-29"),
        m("birth_date", "20251301"), m("birth_date", "00000000"), m("birth_date", "1990/01/01"),
        m("birth_date", "1990-0101"), m("birth_date", " 1990-01-01 "));
    Date jan1 = Date.valueOf("1990-01-01");
    assertEquals(jan1, rows.get(0).getAs("birth_date"));
    assertEquals(jan1, rows.get(1).getAs("birth_date"));
    assertEquals("1990-01-01", rows.get(1).getAs("birth_date_src"));
    // 30 February never exists: null and BAD_DATE, not rolled over to 2 March.
    for (int i : new int[] {2, 3}) {
      assertNull(rows.get(i).getAs("birth_date"));
      assertEquals(List.of("birth_date:BAD_DATE"), errors(rows.get(i)), "row " + i);
    }
    assertEquals("2025-02-30", issueValue(rows.get(2), "_errors", "birth_date", "BAD_DATE"));
    // 2024 is a leap year; 2023 is not; 1900 is not (divisible by 100); 2000 is (divisible by 400).
    assertEquals(Date.valueOf("2024-02-29"), rows.get(4).getAs("birth_date"));
    assertEquals(List.of("birth_date:BAD_DATE"), errors(rows.get(5)));
    assertEquals(List.of("birth_date:BAD_DATE"), errors(rows.get(6)));
    assertEquals(Date.valueOf("2000-02-29"), rows.get(7).getAs("birth_date"));
    // Month 13, year 0000, slashes, mixed forms: not the contract's formats or not real dates.
    for (int i = 8; i <= 11; i++) {
      assertEquals(List.of("birth_date:BAD_DATE"), errors(rows.get(i)), "row " + i);
    }
    assertEquals(jan1, rows.get(12).getAs("birth_date"), "surrounding spaces are trimmed first");
    assertEquals(" 1990-01-01 ", rows.get(12).getAs("birth_date_src"), "_src is verbatim");
  }

  @Test
  void serviceDateAfterTheExtractDateIsFuture() {
    // Extract date 2025-12-31: the 31st itself is fine, the 1st of January is not.
    List<Row> rows = run("ehr_followup", followup(), m("followup_date", "2025-12-31"),
        m("followup_date", "2026-01-01"), m("followup_date", "20260315"));
    assertEquals(List.of(), errors(rows.get(0)));
    assertEquals(List.of("followup_date:FUTURE_DATE"), errors(rows.get(1)));
    assertEquals(Date.valueOf("2026-01-01"), rows.get(1).getAs("followup_date"), "the value is still read");
    assertEquals("20260315", issueValue(rows.get(2), "_errors", "followup_date", "FUTURE_DATE"));
    // A contract's end date is not an event: it may lie in the future.
    List<Row> c = run("ehr_fd_contract", m("contract_id", "QY1", "ehr_no", "1", "org_code", "O", "team_id", "T",
        "sign_date", "2025-06-01", "start_date", "2025-06-01", "end_date", "2026-05-31", "status_code", "1",
        "op_type", "", "src_updated_at", "2025-06-01 08:00:00"));
    assertEquals(List.of(), errors(c.get(0)));
    assertEquals("I", c.get(0).getAs("op_type"), "an empty op_type means I");
  }

  @Test
  void dateTimesAreShanghaiLocalTime() {
    List<Row> rows = run("emr_visit", visit(), m("visit_datetime", "20251230083000"),
        m("visit_datetime", "2025-12-30 08:30:00"), m("visit_datetime", "20251230"),
        m("visit_datetime", "2025-12-30 08:30:00.0"), m("visit_datetime", "2025-12-30 24:00:00"),
        m("visit_datetime", "20250230083000"), m("visit_datetime", "20260101000000"),
        m("visit_datetime", "2025-12-31 23:59:59"));
    // 08:30 in Shanghai (UTC+8, no daylight saving since 1991) is 00:30 UTC.
    Instant expected = Instant.parse("2025-12-30T00:30:00Z");
    assertEquals(expected, ((Timestamp) rows.get(0).getAs("visit_datetime")).toInstant());
    assertEquals(expected, ((Timestamp) rows.get(1).getAs("visit_datetime")).toInstant());
    assertEquals(Instant.parse("2025-12-29T16:00:00Z"), ((Timestamp) rows.get(2).getAs("visit_datetime")).toInstant(),
        "a bare date is local midnight");
    assertEquals(expected, ((Timestamp) rows.get(3).getAs("visit_datetime")).toInstant(), "a .0 fraction is dropped");
    assertEquals(List.of("visit_datetime:BAD_DATE"), errors(rows.get(4)), "hour 24");
    assertEquals(List.of("visit_datetime:BAD_DATE"), errors(rows.get(5)), "30 February");
    assertEquals(List.of("visit_datetime:FUTURE_DATE"), errors(rows.get(6)));
    // 23:59:59 local on the extract date is still the extract date (it is 15:59:59 UTC).
    assertEquals(List.of(), errors(rows.get(7)));
    // A session in another zone (Sanku's own are in Shanghai's) reads the same local times as the same instants.
    String zone = spark.conf().get("spark.sql.session.timeZone");
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    try {
      List<Row> utc = run("emr_visit", visit(), m("visit_datetime", "20251230083000"),
          m("visit_datetime", "2025-12-31 23:59:59"));
      assertEquals(expected, ((Timestamp) utc.get(0).getAs("visit_datetime")).toInstant());
      assertEquals(Instant.parse("2025-12-31T15:59:59Z"), ((Timestamp) utc.get(1).getAs("visit_datetime")).toInstant());
      assertEquals(List.of(), errors(utc.get(1)));
    } finally {
      spark.conf().set("spark.sql.session.timeZone", zone);
    }
  }

  // ---- codes ------------------------------------------------------------------------------------------------

  @Test
  void localCodesAreMappedWithAWarning() {
    List<Row> rows = run("pop_person", pop(), m("sex_code", "男"), m("sex_code", " 女 ", "id_no", ID_F), m("sex_code", "2"),
        m("sex_code", "5"), m("ethnicity_code", "77"), m("op_type", ""), m("op_type", "X"));
    assertEquals("1", rows.get(0).getAs("sex_code"));
    assertEquals("男", rows.get(0).getAs("sex_code_src"));
    assertEquals(List.of("sex_code:LOCAL_CODE"), warnings(rows.get(0)));
    assertEquals("男", issueValue(rows.get(0), "_warnings", "sex_code", "LOCAL_CODE"));
    assertEquals(List.of(), errors(rows.get(0)));
    assertEquals("2", rows.get(1).getAs("sex_code"));
    assertEquals(List.of("sex_code:LOCAL_CODE"), warnings(rows.get(1)));
    // The ID says male (sequence 123): a female sex_code is a cross-check warning, covered below; no code issue.
    assertFalse(warnings(rows.get(2)).contains("sex_code:LOCAL_CODE"));
    assertEquals(List.of("sex_code:UNKNOWN_CODE"), errors(rows.get(3)));
    // Ethnicity only warns (on_unknown: warning): the row flows on with the delivered code.
    assertEquals(List.of(), errors(rows.get(4)));
    assertEquals(List.of("ethnicity_code:UNKNOWN_CODE"), warnings(rows.get(4)));
    assertEquals("77", rows.get(4).getAs("ethnicity_code"));
    assertEquals("I", rows.get(5).getAs("op_type"));
    assertEquals("", rows.get(5).getAs("op_type_src"));
    assertEquals(List.of("op_type:UNKNOWN_CODE"), errors(rows.get(6)));
  }

  @Test
  void followupModeAndProgramme() {
    List<Row> rows = run("ehr_followup", followup(), m("followup_mode_code", "7"), m("followup_mode_code", "门诊"),
        m("followup_mode_code", "电话"), m("followup_mode_code", ""));
    assertEquals(List.of("followup_mode_code:UNKNOWN_CODE"), errors(rows.get(0)));
    assertEquals("7", issueValue(rows.get(0), "_errors", "followup_mode_code", "UNKNOWN_CODE"));
    assertEquals("1", rows.get(1).getAs("followup_mode_code"));
    assertEquals(List.of(), errors(rows.get(1)));
    assertEquals(List.of("followup_mode_code:LOCAL_CODE"), warnings(rows.get(1)));
    assertEquals("3", rows.get(2).getAs("followup_mode_code"));
    assertEquals(List.of("followup_mode_code:MISSING_REQUIRED"), errors(rows.get(3)));

    List<Row> p = run("ehr_program_enrollment", enrollment(), m("program_code", "GXY"), m("program_code", "TNB"),
        m("program_code", "COPD"));
    assertEquals("HTN", p.get(0).getAs("program_code"));
    assertEquals("GXY", p.get(0).getAs("program_code_src"));
    assertEquals(List.of("program_code:LOCAL_CODE"), warnings(p.get(0)));
    assertEquals("T2DM", p.get(1).getAs("program_code"));
    assertEquals(List.of("program_code:UNKNOWN_CODE"), errors(p.get(2)));
  }

  @Test
  void listColumns() {
    List<Row> rows = run("ehr_physical_exam", exam(), m("guidance_codes", "1;4"), m("guidance_codes", "1；4;4"),
        m("guidance_codes", " ; "), m("guidance_codes", "4;8"));
    assertEquals(List.of("1", "4"), rows.get(0).getList(rows.get(0).fieldIndex("guidance_codes")));
    assertEquals(List.of("1", "4"), rows.get(1).getList(rows.get(1).fieldIndex("guidance_codes")),
        "full-width separator, duplicate dropped");
    assertNull(rows.get(2).getAs("guidance_codes"), "separators only: empty");
    // Exam guidance is an open list (contract "…"): an unknown code only warns and is kept.
    assertEquals(List.of(), errors(rows.get(3)));
    assertEquals("8", issueValue(rows.get(3), "_warnings", "guidance_codes", "UNKNOWN_CODE"));
    assertEquals(List.of("4", "8"), rows.get(3).getList(rows.get(3).fieldIndex("guidance_codes")));

    // Constitution is a closed list: 10 is no constitution (1–9), the row is quarantined.
    List<Row> t = run("ehr_tcm_service", tcm(), m("constitution_codes", "1;10"), m("constitution_codes", ""),
        m("service_kind", "2", "constitution_codes", "", "item_count", "", "child_age_months", "12"));
    assertEquals(List.of("constitution_codes:UNKNOWN_CODE"), errors(t.get(0)));
    assertEquals("10", issueValue(t.get(0), "_errors", "constitution_codes", "UNKNOWN_CODE"));
    // Kind 1 without its result: the service happened but is incomplete, a conditional warning.
    assertEquals(List.of(), errors(t.get(1)));
    assertEquals(List.of("constitution_codes:MISSING_CONDITIONAL"), warnings(t.get(1)));
    // Kind 2 (children) needs no constitution or question count.
    assertEquals(List.of(), warnings(t.get(2)));
  }

  // ---- numbers ----------------------------------------------------------------------------------------------

  @Test
  void numbers() {
    List<Row> rows = run("ehr_followup", followup(), m("sbp", "abc"), m("sbp", "400"), m("sbp", "120.0"),
        m("sbp", "-"), m("fbg_mmol_l", "6.1"), m("fbg_mmol_l", "6,1"), m("fbg_mmol_l", ".5"),
        m("sbp", "99999999999"));
    assertEquals(List.of("sbp:BAD_NUMBER"), errors(rows.get(0)));
    assertNull(rows.get(0).getAs("sbp"));
    assertEquals(400, (int) rows.get(1).getAs("sbp"));
    assertEquals(List.of("sbp:OUT_OF_RANGE"), warnings(rows.get(1)), "above max 300: a warning");
    assertEquals(List.of(), errors(rows.get(1)));
    assertEquals(120, (int) rows.get(2).getAs("sbp"));
    assertNull(rows.get(3).getAs("sbp"));
    assertEquals(List.of(), errors(rows.get(3)));
    assertEquals(6.1, (double) rows.get(4).getAs("fbg_mmol_l"), 1e-9);
    assertEquals(List.of("fbg_mmol_l:BAD_NUMBER"), errors(rows.get(5)));
    // 0.5 mmol/L is below min 1: readable but implausible.
    assertEquals(List.of("fbg_mmol_l:OUT_OF_RANGE"), warnings(rows.get(6)));
    assertEquals(List.of("sbp:BAD_NUMBER"), errors(rows.get(7)), "too long for an int");
  }

  // ---- identity numbers -------------------------------------------------------------------------------------

  @Test
  void identityNumberClasses() {
    List<Row> rows = run("pop_person", pop(),
        m("id_no", ID_M),                                   // 0 clean
        m("id_no", " 511302 19900101123X\u3000"),           // 1 white space
        m("id_no", "５１１３０２１９９００１０１１２３Ｘ"),   // 2 full-width
        m("id_no", "51130219900101123x"),                   // 3 lower-case x
        m("id_no", "511302900101123"),                      // 4 15 digits
        m("id_no", "511302199001011231"),                   // 5 check should be X
        m("id_no", "5.11302E+17"),                          // 6 Excel
        m("id_no", ""),                                     // 7 empty
        m("id_no", "111111111111111111"),                   // 8 fake
        m("id_no", "'" + ID_M),                             // 9 Excel quote
        m("id_no", "不详"));                                 // 10 placeholder
    // 0: nothing to say.
    assertEquals(ID_M, rows.get(0).getAs("id_no"));
    assertEquals("VALID_18", rows.get(0).getAs("id_status"));
    assertEquals(Date.valueOf("1990-01-01"), rows.get(0).getAs("id_birth_date"));
    assertEquals("1", rows.get(0).getAs("id_sex"));
    assertEquals(List.of(), warnings(rows.get(0)));
    // 1–3, 9: usable after cleaning, so ID_NORMALISED, with the verbatim text kept.
    for (int i : new int[] {1, 2, 3, 9}) {
      assertEquals(ID_M, rows.get(i).getAs("id_no"), "row " + i);
      assertEquals("VALID_18", rows.get(i).getAs("id_status"), "row " + i);
      assertEquals(List.of("id_no:ID_NORMALISED"), warnings(rows.get(i)), "row " + i);
    }
    assertEquals("51130219900101123x", rows.get(3).getAs("id_no_src"));
    // 4: 511302 + 19 + 900101123 + check; the 17 digits are ID_M's, so the check is X again.
    assertEquals(ID_M, rows.get(4).getAs("id_no"));
    assertEquals("UPGRADED_15", rows.get(4).getAs("id_status"));
    assertEquals(List.of("id_no:ID_NORMALISED"), warnings(rows.get(4)));
    // 5–8, 10: unusable, no ID kept, a warning named after the status.
    String[][] bad = {{"5", "CHECKSUM_FAIL"}, {"6", "DAMAGED"}, {"7", "MISSING"}, {"8", "FAKE"}, {"10", "MISSING"}};
    for (String[] b : bad) {
      Row r = rows.get(Integer.parseInt(b[0]));
      assertNull(r.getAs("id_no"), b[1]);
      assertEquals(b[1], r.getAs("id_status"));
      assertEquals(List.of("id_no:ID_" + b[1]), warnings(r), b[1]);
      assertNull(r.getAs("id_birth_date"));
    }
    assertEquals("5.11302E+17", rows.get(6).getAs("id_no_src"));
    // ID problems never quarantine a row.
    for (Row r : rows) {
      assertEquals(List.of(), errors(r));
    }
  }

  @Test
  void identityCrossChecksAndOtherDocuments() {
    List<Row> rows = run("emr_visit", visit(),
        m("birth_date", "19900102"),                        // 0 ID says 1990-01-01
        m("sex_code", "2"),                                 // 1 ID says male
        m("id_no", ID_F, "sex_code", "女"),                 // 2 female ID, local code for female
        m("id_type_code", "03", "id_no", "E12345678"),      // 3 passport: not a citizen ID, nothing to warn
        m("id_type_code", "01", "id_no", "E12345678"),      // 4 says citizen ID, is not one
        m("id_type_code", "03", "id_no", ""),               // 5 passport holder without number: optional
        m("sex_code", "9"));                                // 6 unstated sex cannot disagree
    assertEquals(List.of("id_no:ID_BIRTH_MISMATCH"), warnings(rows.get(0)));
    assertEquals("1990-01-01 ≠ 1990-01-02", issueValue(rows.get(0), "_warnings", "id_no", "ID_BIRTH_MISMATCH"));
    assertEquals(List.of("id_no:ID_SEX_MISMATCH"), warnings(rows.get(1)));
    assertEquals("1 ≠ 2", issueValue(rows.get(1), "_warnings", "id_no", "ID_SEX_MISMATCH"));
    assertEquals(List.of("sex_code:LOCAL_CODE"), warnings(rows.get(2)));
    assertEquals("2", rows.get(2).getAs("id_sex"));
    assertEquals("OTHER_DOC", rows.get(3).getAs("id_status"));
    assertNull(rows.get(3).getAs("id_no"));
    assertEquals("E12345678", rows.get(3).getAs("id_no_src"));
    assertEquals(List.of(), warnings(rows.get(3)));
    assertEquals(List.of("id_no:ID_OTHER_DOC"), warnings(rows.get(4)));
    assertEquals(List.of(), warnings(rows.get(5)));
    assertEquals(List.of(), warnings(rows.get(6)));
    for (Row r : rows) {
      assertEquals(List.of(), errors(r));
    }
  }

  @Test
  void motherIdUsesItsOwnPrefixAndMayBeEmpty() {
    List<Row> rows = run("pop_person", pop(), m("mother_id_no", ""), m("mother_id_no", ID_F + " "),
        m("mother_id_no", "511302199001011240"));
    assertEquals("MISSING", rows.get(0).getAs("mother_id_status"));
    assertEquals(List.of(), warnings(rows.get(0)), "most people have no mother ID on file");
    assertEquals(ID_F, rows.get(1).getAs("mother_id_no"));
    assertEquals("2", rows.get(1).getAs("mother_id_sex"));
    assertEquals(Date.valueOf("1990-01-01"), rows.get(1).getAs("mother_id_birth_date"));
    assertEquals(List.of("mother_id_no:ID_NORMALISED"), warnings(rows.get(1)));
    // Check digit 0 instead of 8; the child's birth_date and sex are not compared with the mother's ID.
    assertEquals(List.of("mother_id_no:ID_CHECKSUM_FAIL"), warnings(rows.get(2)));
    assertEquals("CHECKSUM_FAIL", rows.get(2).getAs("mother_id_status"));
  }

  // ---- divisions --------------------------------------------------------------------------------------------

  @Test
  void divisions() {
    List<Row> rows = run("pop_person", pop(),
        m("residence_division_code", "511302"),             // 0 6 digits
        m("residence_division_code", "510922100201"),       // 1 village under the retired 射洪县
        m("residence_division_code", "510922"),             // 2 retired county, 6 digits
        m("residence_division_code", "440902001000"),       // 3 a county the region does not know
        m("residence_division_code", "51130"),              // 4 malformed
        m("residence_division_code", "无"));                 // 5 missing, and required
    assertEquals("511302000000", rows.get(0).getAs("residence_division_code"));
    assertEquals("511302", rows.get(0).getAs("residence_division_code_county"));
    assertEquals("511302", rows.get(0).getAs("residence_division_code_src"));
    assertEquals(List.of("residence_division_code:DIVISION_6_DIGIT"), warnings(rows.get(0)));
    // 510922 → 510981 by the county prefix, village part 100201 kept.
    assertEquals("510981100201", rows.get(1).getAs("residence_division_code"));
    assertEquals("510981", rows.get(1).getAs("residence_division_code_county"));
    assertEquals(List.of("residence_division_code:DIVISION_RETIRED"), warnings(rows.get(1)));
    assertEquals("510981000000", rows.get(2).getAs("residence_division_code"));
    assertEquals(List.of("residence_division_code:DIVISION_6_DIGIT", "residence_division_code:DIVISION_RETIRED"),
        warnings(rows.get(2)));
    assertEquals("440902", rows.get(3).getAs("residence_division_code_county"));
    assertEquals(List.of("residence_division_code:UNKNOWN_DIVISION"), warnings(rows.get(3)));
    assertEquals(List.of("residence_division_code:BAD_DIVISION"), errors(rows.get(4)));
    assertEquals(List.of("residence_division_code:MISSING_REQUIRED"), errors(rows.get(5)));
    assertEquals("无", issueValue(rows.get(5), "_errors", "residence_division_code", "MISSING_REQUIRED"));

    // Without reference data nothing is mapped and no county is unknown.
    StandardiseContext bare = new StandardiseContext(EXTRACT, EXTRACT, Map.of(), Set.of(), catalog);
    List<Row> plain = run("pop_person", bare, pop(), m("residence_division_code", "510922100201"),
        m("residence_division_code", "440902001000"));
    assertEquals("510922100201", plain.get(0).getAs("residence_division_code"));
    assertEquals(List.of(), warnings(plain.get(0)));
    assertEquals(List.of(), warnings(plain.get(1)));
  }

  @Test
  void successorChainsAreResolved() {
    // A (12 digits) → B (6 digits given) → C: both end at C; B's county rule is derived from its 6-digit key.
    StandardiseContext c = new StandardiseContext(EXTRACT, EXTRACT,
        Map.of("510122000000", "510116000000", "510116", "510199"), Set.of(), catalog);
    assertEquals("510199000000", c.divisionSuccessors().get("510122000000"));
    assertEquals("510199", c.countySuccessors().get("510122"));
    assertEquals("510199", c.countySuccessors().get("510116"));
  }

  // ---- ICD-10 -----------------------------------------------------------------------------------------------

  @Test
  void icd10Normalisation() {
    List<Row> rows = run("emr_diagnosis", diagnosis(), m("diag_code", "I10.x00"), m("diag_code", "i10"),
        m("diag_code", "E11.9"), m("diag_code", "E11900"), m("diag_code", "I10.x00x002"), m("diag_code", " e11. 900 "),
        m("diag_code", "I10x00"), m("diag_code", "中医证候"), m("diag_code", "Ｉ１０．ｘ００"));
    // code, icd3, icd4 (icd4 = 4th character only when it is a digit; the clinical edition's X is no subcategory).
    String[][] expected = {
        {"I10.X00", "I10", "I10"}, {"I10", "I10", "I10"}, {"E11.9", "E11", "E119"}, {"E11.900", "E11", "E119"},
        {"I10.X00X002", "I10", "I10"}, {"E11.900", "E11", "E119"}, {"I10.X00", "I10", "I10"}};
    for (int i = 0; i < expected.length; i++) {
      Row r = rows.get(i);
      assertEquals(expected[i][0], r.getAs("diag_code"), "row " + i);
      assertEquals(expected[i][1], r.getAs("icd3"), "row " + i);
      assertEquals(expected[i][2], r.getAs("icd4"), "row " + i);
      assertEquals(List.of(), warnings(r), "row " + i);
    }
    assertEquals("I10.x00", rows.get(0).getAs("diag_code_src"));
    assertNull(rows.get(7).getAs("icd3"));
    assertEquals(List.of("diag_code:NOT_ICD10"), warnings(rows.get(7)));
    assertEquals(List.of(), errors(rows.get(7)), "in-house codes go to review, not to quarantine");
    assertEquals("I10.X00", rows.get(8).getAs("diag_code"), "full-width input");
  }

  @Test
  void uncertainDiagnoses() {
    List<Row> rows = run("emr_diagnosis", diagnosis(), m("diag_name", "原发性高血压"), m("diag_name", "高血压?"),
        m("diag_name", "高血压？"), m("diag_name", "疑似2型糖尿病"), m("diag_name", "高血压待查"),
        m("diag_name", "待排肺结核"), m("diag_name", "可能冠心病"));
    assertFalse((boolean) rows.get(0).getAs("is_uncertain"));
    for (int i = 1; i < rows.size(); i++) {
      assertTrue((boolean) rows.get(i).getAs("is_uncertain"), rows.get(i).<String>getAs("diag_name"));
    }
  }

  @Test
  void enrollmentDiagnosisIsAnIcd10ColumnToo() {
    Row r = run("ehr_program_enrollment", enrollment(), m("diagnosis_icd10", "e11.900x001")).get(0);
    assertEquals("E11.900X001", r.getAs("diagnosis_icd10"));
    assertEquals("E11", r.getAs("icd3"));
  }

  // ---- required and conditional ------------------------------------------------------------------------------

  @Test
  void missingRequiredColumnsAndConditionals() {
    // A column that is not delivered at all reads as null in every row.
    Row absent = run("pop_person", pop(), m("name", ABSENT)).get(0);
    assertEquals(List.of("name:MISSING_REQUIRED"), errors(absent));
    assertNull(absent.getAs("name"));
    List<Row> rows = run("pop_person", pop(),
        m(),                                                // 0 complete
        m("birth_date", "不详"),                             // 1 placeholder in a required date
        m("person_status_code", "2", "death_date", ""),    // 2 dead without a death date
        m("person_status_code", "2", "death_date", "20250601"),
        m("src_updated_at", ""));                           // 4
    assertEquals(List.of(), errors(rows.get(0)));
    assertEquals(List.of("birth_date:MISSING_REQUIRED"), errors(rows.get(1)));
    assertEquals(List.of(), errors(rows.get(2)));
    assertEquals(List.of("death_date:MISSING_CONDITIONAL"), warnings(rows.get(2)));
    assertEquals(List.of(), warnings(rows.get(3)));
    assertEquals(List.of("src_updated_at:MISSING_REQUIRED"), errors(rows.get(4)));
  }

  @Test
  void passthroughColumnsAreKept() {
    StructType st = new StructType().add("diag_code", "string").add("_raw", "string").add("_line", "long")
        .add("extra", "string");
    Dataset<Row> raw = spark.createDataFrame(List.of(RowFactory.create("I10", "MZ1,1,I10,高血压,I,", 7L, "x")), st);
    Dataset<Row> out = Standardiser.standardise(raw, catalog.get("emr_diagnosis"), ctx);
    List<String> cols = Arrays.asList(out.columns());
    assertTrue(cols.containsAll(List.of("_raw", "_line")));
    assertFalse(cols.contains("extra"), "unknown extra columns stay in the raw zone");
    Row r = out.first();
    assertEquals("MZ1,1,I10,高血压,I,", r.getAs("_raw"));
    // visit_id, diag_seq, diag_name and src_updated_at were not delivered; op_type defaults to I.
    assertEquals(List.of("visit_id:MISSING_REQUIRED", "diag_seq:MISSING_REQUIRED", "diag_name:MISSING_REQUIRED",
        "src_updated_at:MISSING_REQUIRED"), errors(r));
  }

  // ---- laziness ---------------------------------------------------------------------------------------------

  /**
   * Building the standardisation of every table runs no Spark job. Listener events arrive asynchronously, so a
   * marked sentinel job is run afterwards: once its start has been seen, every earlier job start has been seen too
   * (one listener queue, in order).
   */
  @Test
  void standardiseRunsNoSparkJob() throws InterruptedException {
    Map<String, Map<String, String>> bases = new LinkedHashMap<>();
    bases.put("pop_person", pop());
    bases.put("emr_visit", visit());
    bases.put("emr_diagnosis", diagnosis());
    bases.put("ehr_physical_exam", exam());
    bases.put("ehr_tcm_service", tcm());
    bases.put("ehr_followup", followup());
    bases.put("ehr_program_enrollment", enrollment());
    // Inputs are built before listening: createDataFrame from local rows is itself lazy, but keep it out.
    Map<String, Dataset<Row>> inputs = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, String>> e : bases.entrySet()) {
      StructType st = new StructType();
      for (String c : e.getValue().keySet()) {
        st = st.add(c, DataTypes.StringType);
      }
      inputs.put(e.getKey(), spark.createDataFrame(List.of(RowFactory.create(e.getValue().values().toArray())), st));
    }
    List<String> jobs = new CopyOnWriteArrayList<>();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
        jobs.add(String.valueOf(d));
      }
    };
    org.sanku.spark.ListenerQueue.drain(spark);
    spark.sparkContext().addSparkListener(listener);
    try {
      List<Dataset<Row>> built = new ArrayList<>();
      for (Map.Entry<String, Dataset<Row>> e : inputs.entrySet()) {
        built.add(Standardiser.standardise(e.getValue(), catalog.get(e.getKey()), ctx));
      }
      // Also analyse the plans (schema), which a caller does before writing.
      built.forEach(Dataset::schema);
      spark.sparkContext().setJobDescription("sentinel");
      spark.range(1).count();
      spark.sparkContext().setJobDescription(null);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!jobs.contains("sentinel") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(jobs.contains("sentinel"), "the listener works");
      assertEquals(List.of(), jobs.subList(0, jobs.indexOf("sentinel")), "jobs started while standardising");
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
  }
}
