package org.sanku.generate;

import java.util.List;
import java.util.Map;

/** The contract's tables (shared/contract/README.md §3): source, name and columns in delivery order. */
enum Tables {
  POP_PERSON("population", "pop_person", "pop_record_id", "id_type_code", "id_no", "name", "sex_code",
      "birth_date", "ethnicity_code", "hukou_division_code", "residence_division_code", "residence_since",
      "resident_type_code", "person_status_code", "death_date", "move_out_date", "mother_id_no", "phone",
      "op_type", "src_updated_at"),
  EHR_PERSON("ehr", "ehr_person", "ehr_no", "id_type_code", "id_no", "name", "sex_code", "birth_date",
      "build_date", "manage_org_code", "current_division_code", "resident_type_code", "is_electronic",
      "basic_form_complete", "record_status_code", "record_status_date", "phone", "op_type",
      "src_updated_at"),
  EHR_EXAM("ehr", "ehr_physical_exam", "exam_id", "ehr_no", "exam_date", "exam_org_code", "exam_type",
      "sbp", "dbp", "height_cm", "weight_kg", "waist_cm", "fbg_mmol_l", "adl_score", "ecg_code",
      "health_eval_code", "guidance_codes", "op_type", "src_updated_at"),
  EHR_TCM("ehr", "ehr_tcm_service", "service_id", "ehr_no", "service_kind", "service_date", "org_code",
      "item_count", "constitution_codes", "guidance_codes", "child_age_months", "op_type", "src_updated_at"),
  EHR_ENROLLMENT("ehr", "ehr_program_enrollment", "enrollment_id", "ehr_no", "program_code",
      "diagnosis_icd10", "enroll_date", "manage_status_code", "close_date", "close_reason_code", "op_type",
      "src_updated_at"),
  EHR_FOLLOWUP("ehr", "ehr_followup", "followup_id", "enrollment_id", "followup_date", "org_code",
      "followup_mode_code", "sbp", "dbp", "fbg_mmol_l", "op_type", "src_updated_at"),
  EHR_CONTRACT("ehr", "ehr_fd_contract", "contract_id", "ehr_no", "org_code", "team_id", "sign_date",
      "start_date", "end_date", "status_code", "op_type", "src_updated_at"),
  EMR_VISIT("emr", "emr_visit", "visit_id", "org_code", "visit_type_code", "visit_datetime",
      "discharge_datetime", "dept_code", "id_type_code", "id_no", "name", "sex_code", "birth_date",
      "health_card_no", "current_division_code", "discharge_method_code", "op_type", "src_updated_at"),
  EMR_DIAGNOSIS("emr", "emr_diagnosis", "visit_id", "diag_seq", "diag_code", "diag_name", "op_type",
      "src_updated_at"),
  REF_DIVISION("reference", "ref_division", "division_code", "name", "level", "parent_code", "valid_from",
      "valid_to", "successor_code"),
  REF_ORG("reference", "ref_org", "org_code", "org_name", "org_type_code", "is_tcm", "hospital_level",
      "division_code");

  final String source;
  final String table;
  final String[] columns;

  Tables(String source, String table, String... columns) {
    this.source = source;
    this.table = table;
    this.columns = columns;
  }

  int col(String name) {
    for (int i = 0; i < columns.length; i++) {
      if (columns[i].equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(table + " has no column " + name);
  }

  static final List<String> SOURCES = List.of("population", "ehr", "emr", "reference");

  /**
   * Chinese headers, as hospital HIS exports write them; the generator uses them for one file (emr_visit in
   * the full drop) when dirty data is asked for, and conf/aliases.yaml maps them back.
   */
  static final Map<String, String> CHINESE = Map.ofEntries(
      Map.entry("visit_id", "就诊唯一标识"), Map.entry("org_code", "医疗机构代码"),
      Map.entry("visit_type_code", "患者类型"), Map.entry("visit_datetime", "就诊日期时间"),
      Map.entry("discharge_datetime", "出院日期时间"), Map.entry("dept_code", "科室代码"),
      Map.entry("id_type_code", "身份证件类别代码"), Map.entry("id_no", "身份证号"),
      Map.entry("name", "姓名"), Map.entry("sex_code", "性别代码"), Map.entry("birth_date", "出生日期"),
      Map.entry("health_card_no", "居民健康卡号"), Map.entry("current_division_code", "现住址区划代码"),
      Map.entry("discharge_method_code", "离院方式"), Map.entry("op_type", "操作类型"),
      Map.entry("src_updated_at", "更新时间"));
}
