package org.sanku.ingest.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped schemas load and say what the contract says; broken ones fail with messages naming file and field. */
class SchemaCatalogTest {

  static final Path SCHEMAS = Path.of("..", "schemas");
  static final Path CONF = Path.of("..", "conf");

  static SchemaCatalog shipped() {
    return SchemaCatalog.load(SCHEMAS, CONF);
  }

  @Test
  void loadsTheTwelveContractTables() {
    SchemaCatalog cat = shipped();
    Set<String> names = cat.tables().stream().map(TableSchema::table).collect(Collectors.toSet());
    assertEquals(Set.of("pop_person", "ehr_person", "ehr_physical_exam", "ehr_tcm_service", "ehr_program_enrollment",
        "ehr_followup", "ehr_fd_contract", "emr_visit", "emr_diagnosis", "ref_division", "ref_org", "ref_population"),
        names);
    assertEquals("ehr", cat.get("ehr_followup").source());
    assertEquals(List.of("visit_id", "diag_seq"), cat.get("emr_diagnosis").primaryKey());
    assertThrows(IllegalArgumentException.class, () -> cat.get("no_such_table"));
  }

  /** Column lists in delivery order, as org.sanku.generate.Tables writes them (checked by hand against it). */
  @Test
  void columnsMatchTheGeneratorsDeliveryOrder() {
    SchemaCatalog cat = shipped();
    assertEquals(List.of("followup_id", "enrollment_id", "followup_date", "org_code", "followup_mode_code", "sbp",
        "dbp", "fbg_mmol_l", "op_type", "src_updated_at"), names(cat.get("ehr_followup")));
    assertEquals(List.of("pop_record_id", "id_type_code", "id_no", "name", "sex_code", "birth_date", "ethnicity_code",
        "hukou_division_code", "residence_division_code", "residence_since", "resident_type_code",
        "person_status_code", "death_date", "move_out_date", "mother_id_no", "phone", "op_type", "src_updated_at"),
        names(cat.get("pop_person")));
    assertEquals(List.of("visit_id", "org_code", "visit_type_code", "visit_datetime", "discharge_datetime",
        "dept_code", "id_type_code", "id_no", "name", "sex_code", "birth_date", "health_card_no",
        "current_division_code", "discharge_method_code", "op_type", "src_updated_at"), names(cat.get("emr_visit")));
    assertEquals(List.of("division_code", "name", "level", "parent_code", "valid_from", "valid_to",
        "successor_code"), names(cat.get("ref_division")));
    assertEquals(List.of("org_code", "org_name", "org_type_code", "is_tcm", "hospital_level", "division_code"),
        names(cat.get("ref_org")));
  }

  @Test
  void flagsFollowTheBrief() {
    SchemaCatalog cat = shipped();
    // zone: identity exactly on the raw identifiers.
    List<String> identity = new ArrayList<>();
    for (TableSchema t : cat.tables()) {
      for (ColumnSpec c : t.columns()) {
        if (c.isIdentity()) {
          identity.add(t.table() + "." + c.name());
        }
      }
    }
    assertEquals(Set.of("pop_person.id_no", "pop_person.name", "pop_person.phone", "pop_person.mother_id_no",
        "ehr_person.id_no", "ehr_person.name", "ehr_person.phone", "emr_visit.id_no", "emr_visit.name",
        "emr_visit.health_card_no"), Set.copyOf(identity));
    // not_after_extract on the service and event dates.
    for (String tc : List.of("ehr_physical_exam.exam_date", "ehr_tcm_service.service_date",
        "ehr_followup.followup_date", "ehr_program_enrollment.enroll_date", "ehr_fd_contract.sign_date",
        "emr_visit.visit_datetime")) {
      String[] p = tc.split("\\.");
      assertTrue(cat.get(p[0]).column(p[1]).notAfterExtract(), tc);
    }
    assertFalse(cat.get("ehr_fd_contract").column("end_date").notAfterExtract(), "a contract ends in the future");
    // Change columns on every data table, never on the reference tables.
    for (TableSchema t : cat.tables()) {
      assertEquals(!t.source().equals("reference"), t.hasChangeColumns(), t.table());
    }
    // Requirement and types.
    TableSchema pop = cat.get("pop_person");
    assertEquals(ColumnType.ID_NO, pop.column("id_no").type());
    assertTrue(pop.column("id_no").isConditional());
    assertEquals("01", pop.column("id_no").requiredWhen().values().get(0));
    assertEquals(ColumnType.DIVISION, pop.column("residence_division_code").type());
    assertTrue(pop.column("residence_division_code").isRequired());
    assertEquals("I", pop.column("op_type").defaultValue());
    assertEquals("yes_no", cat.get("ehr_person").column("is_electronic").valueSet(), "flags default to yes_no");
    assertEquals(300.0, cat.get("ehr_followup").column("sbp").max());
    assertEquals(ColumnType.ICD10, cat.get("emr_diagnosis").column("diag_code").type());
    assertTrue(cat.get("emr_diagnosis").column("diag_name").marksUncertain());
  }

  @Test
  void tablesOfASourceComeParentsFirst() {
    SchemaCatalog cat = shipped();
    List<String> ehr = cat.tablesOf("ehr").stream().map(TableSchema::table).collect(Collectors.toList());
    // Kahn's order with ties by name: ehr_person is everyone's parent; ehr_followup needs the enrollments.
    assertEquals(List.of("ehr_person", "ehr_fd_contract", "ehr_physical_exam", "ehr_program_enrollment",
        "ehr_followup", "ehr_tcm_service"), ehr);
    assertEquals(List.of("emr_visit", "emr_diagnosis"),
        cat.tablesOf("emr").stream().map(TableSchema::table).collect(Collectors.toList()));
    assertEquals(1, cat.tablesOf("population").size());
  }

  @Test
  void valueSetsAndCodeMaps() {
    SchemaCatalog cat = shipped();
    assertEquals(Set.of("0", "1", "2", "9"), cat.valueSet("sex"));
    assertEquals("女", cat.valueSetLabels("sex").get("2"));
    assertEquals(Set.of("01", "02", "03", "04", "06", "07", "99"), cat.valueSet("id_type"));
    assertEquals(Set.of("1", "2", "3", "4", "5", "9"), cat.valueSet("discharge_method"));
    assertEquals(17, cat.valueSet("org_type").size());
    assertEquals(Set.of("I", "U", "D"), cat.valueSet("op_type"));
    assertEquals(Set.of("HTN", "T2DM"), cat.valueSet("program"));
    assertEquals("1", cat.codeMap("sex_code").get("男"));
    assertEquals("HTN", cat.codeMap("program_code").get("GXY"));
    assertEquals(Map.of(), cat.codeMap("exam_type"));
    assertThrows(IllegalArgumentException.class, () -> cat.valueSet("nope"));
  }

  @Test
  void outputColumnsFollowTheNamingRules() {
    SchemaCatalog cat = shipped();
    assertEquals(List.of("id_no", "id_no_src", "id_status", "id_birth_date", "id_sex"),
        cat.get("pop_person").column("id_no").outputColumns());
    assertEquals(List.of("mother_id_no", "mother_id_no_src", "mother_id_status", "mother_id_birth_date",
        "mother_id_sex"), cat.get("pop_person").column("mother_id_no").outputColumns());
    assertEquals(List.of("residence_division_code", "residence_division_code_src",
        "residence_division_code_county"), cat.get("pop_person").column("residence_division_code").outputColumns());
    assertEquals(List.of("diag_code", "diag_code_src", "icd3", "icd4"),
        cat.get("emr_diagnosis").column("diag_code").outputColumns());
    assertEquals(List.of("diag_name", "is_uncertain"), cat.get("emr_diagnosis").column("diag_name").outputColumns());
    assertEquals(List.of("sbp"), cat.get("ehr_followup").column("sbp").outputColumns());
    assertEquals(List.of("followup_date", "followup_date_src"),
        cat.get("ehr_followup").column("followup_date").outputColumns());
  }

  // ---- validation ------------------------------------------------------------------------------------------

  @TempDir
  Path tmp;

  private static final String GOOD = """
      table: t_demo
      source: ehr
      primary_key: [demo_id]
      columns:
        - {name: demo_id, type: string, required: Y}
        - {name: mode_code, type: code, required: Y, value_set: followup_mode}
        - {name: op_type, type: code, required: Y, value_set: op_type, default: I}
        - {name: src_updated_at, type: datetime, required: Y}
      """;

  /** A schema folder with one file, and the shipped value sets and code maps. */
  private SchemaException broken(String fileName, String yaml) throws IOException {
    Path schemas = Files.createDirectories(tmp.resolve("schemas"));
    Files.writeString(schemas.resolve(fileName), yaml, StandardCharsets.UTF_8);
    Path conf = Files.createDirectories(tmp.resolve("conf"));
    Files.copy(CONF.resolve("value_sets.yaml"), conf.resolve("value_sets.yaml"));
    return assertThrows(SchemaException.class, () -> SchemaCatalog.load(schemas, conf));
  }

  private static void assertProblem(SchemaException e, String... fragments) {
    for (String p : e.problems()) {
      boolean all = true;
      for (String f : fragments) {
        all &= p.contains(f);
      }
      if (all) {
        assertTrue(e.getMessage().contains(p), "the message lists every problem");
        return;
      }
    }
    throw new AssertionError("no problem containing " + List.of(fragments) + " in " + e.problems());
  }

  @Test
  void theMinimalGoodSchemaLoads() throws IOException {
    Path schemas = Files.createDirectories(tmp.resolve("ok"));
    Files.writeString(schemas.resolve("t_demo.yaml"), GOOD);
    // Only the value sets: the shipped code maps name columns this demo table does not have, which is an error.
    Path conf = Files.createDirectories(tmp.resolve("okconf"));
    Files.copy(CONF.resolve("value_sets.yaml"), conf.resolve("value_sets.yaml"));
    SchemaCatalog cat = SchemaCatalog.load(schemas, conf);
    assertEquals(4, cat.get("t_demo").columns().size());
    assertNull(cat.get("t_demo").column("nope"));
  }

  @Test
  void unknownTypeNamesFileColumnAndType() throws IOException {
    SchemaException e = broken("t_demo.yaml", GOOD.replace("type: string", "type: integer"));
    assertProblem(e, "t_demo.yaml", "column 'demo_id'", "unknown type 'integer'", "id_no, division, icd10");
  }

  @Test
  void undefinedValueSet() throws IOException {
    SchemaException e = broken("t_demo.yaml", GOOD.replace("value_set: followup_mode", "value_set: follow_mode"));
    assertProblem(e, "t_demo.yaml", "column 'mode_code'", "value_set 'follow_mode'", "value_sets.yaml");
  }

  @Test
  void duplicateColumn() throws IOException {
    SchemaException e = broken("t_demo.yaml", GOOD + "  - {name: mode_code, type: string, required: N}\n");
    assertProblem(e, "t_demo.yaml", "column 'mode_code'", "duplicate column");
  }

  @Test
  void primaryKeyColumnMissing() throws IOException {
    SchemaException e = broken("t_demo.yaml", GOOD.replace("primary_key: [demo_id]", "primary_key: [demo_no]"));
    assertProblem(e, "t_demo.yaml", "primary_key", "'demo_no'", "not among the columns");
  }

  @Test
  void misspelledFieldAndBadRequiredAndTableName() throws IOException {
    SchemaException e = broken("t_other.yaml", GOOD
        .replace("{name: demo_id, type: string, required: Y}", "{name: demo_id, type: string, required: Y, valueset: x}")
        .replace("{name: mode_code, type: code, required: Y,", "{name: mode_code, type: code, required: yes,"));
    assertProblem(e, "t_other.yaml", "column 'demo_id'", "unknown field 'valueset'");
    assertProblem(e, "t_other.yaml", "column 'mode_code'", "required 'true' must be Y, C or N");
    assertProblem(e, "t_other.yaml", "table 't_demo' does not match the file name");
    assertTrue(e.problems().size() >= 3, "all problems are reported at once: " + e.problems());
  }

  @Test
  void unquotedCodeInACondition() throws IOException {
    SchemaException e = broken("t_demo.yaml", GOOD
        + "  - {name: note_date, type: date, required: C, required_when: {column: mode_code, in: [1]}}\n");
    assertProblem(e, "t_demo.yaml", "column 'note_date'", "required_when", "must be quoted");
  }

  @Test
  void dataTableWithoutChangeColumns() throws IOException {
    SchemaException e = broken("t_demo.yaml", GOOD.replace("  - {name: src_updated_at, type: datetime, required: Y}\n",
        ""));
    assertProblem(e, "t_demo.yaml", "column 'src_updated_at'", "data table needs src_updated_at");
  }

  @Test
  void derivedNameClash() throws IOException {
    SchemaException e = broken("t_demo.yaml", GOOD + "  - {name: mode_code_src, type: string, required: N}\n");
    assertProblem(e, "t_demo.yaml", "'mode_code_src'", "clashes");
  }

  @Test
  void codeMapTargetOutsideTheValueSet() throws IOException {
    Path schemas = Files.createDirectories(tmp.resolve("s2"));
    Files.writeString(schemas.resolve("t_demo.yaml"), GOOD);
    Path conf = Files.createDirectories(tmp.resolve("c2"));
    Files.copy(CONF.resolve("value_sets.yaml"), conf.resolve("value_sets.yaml"));
    Files.writeString(conf.resolve("code_maps.yaml"), "mode_code: {门诊: \"1\", 微信: \"5\"}\nno_col: {a: b}\n");
    SchemaException e = assertThrows(SchemaException.class, () -> SchemaCatalog.load(schemas, conf));
    assertProblem(e, "code_maps.yaml", "'mode_code'", "微信 → 5", "followup_mode");
    assertProblem(e, "code_maps.yaml", "'no_col'", "not a column of any table");
  }

  @Test
  void badValueSetFile() throws IOException {
    Path schemas = Files.createDirectories(tmp.resolve("s3"));
    Files.writeString(schemas.resolve("t_demo.yaml"), GOOD);
    Path conf = Files.createDirectories(tmp.resolve("c3"));
    Files.writeString(conf.resolve("value_sets.yaml"), "followup_mode: [1, 2]\nop_type: {I: 新增, U: \"\"}\n");
    SchemaException e = assertThrows(SchemaException.class, () -> SchemaCatalog.load(schemas, conf));
    assertProblem(e, "value_sets.yaml", "value set 'followup_mode'", "mapping of code to label");
    assertProblem(e, "value_sets.yaml", "value set 'op_type'", "code 'U' needs a Chinese label");
  }

  @Test
  void invalidYaml() throws IOException {
    SchemaException e = broken("t_demo.yaml", "table: t_demo\ncolumns: [ {name: a\n");
    assertProblem(e, "t_demo.yaml", "not valid YAML");
  }

  private static List<String> names(TableSchema t) {
    return t.columns().stream().map(ColumnSpec::name).collect(Collectors.toList());
  }
}
