package org.sanku.link;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The tables linkage writes, column by column: the integrated analytics tables in namespace {@code model} (keyed
 * by {@code person_key}) and the link tables in namespace {@code link}. The same layout is kept as data in
 * {@code schemas/integrated/<table>.yaml} (name, type, description), and a test checks that file, this class and
 * the written tables agree.
 */
public final class IntegratedTables {

  /** One column: name, type ({@code string date timestamp int long double boolean array<string>}), meaning. */
  public record Col(String name, String type, String description) {
    public DataType sparkType() {
      return switch (type) {
        case "string" -> DataTypes.StringType;
        case "date" -> DataTypes.DateType;
        case "timestamp" -> DataTypes.TimestampType;
        case "int" -> DataTypes.IntegerType;
        case "long" -> DataTypes.LongType;
        case "double" -> DataTypes.DoubleType;
        case "boolean" -> DataTypes.BooleanType;
        case "array<string>" -> DataTypes.createArrayType(DataTypes.StringType);
        default -> throw new IllegalStateException("unknown type " + type + " of column " + name);
      };
    }
  }

  /** One table: namespace ({@code model} or {@code link}), name, meaning, columns in order. */
  public record Spec(String namespace, String table, String description, List<Col> columns) {
    public List<String> names() {
      return columns.stream().map(Col::name).toList();
    }
  }

  private static final Map<String, Spec> TABLES = new LinkedHashMap<>();

  private IntegratedTables() {}

  /** Every table, model tables first, in writing order. */
  public static List<Spec> all() {
    return List.copyOf(TABLES.values());
  }

  public static Spec get(String table) {
    Spec s = TABLES.get(table);
    if (s == null) {
      throw new IllegalArgumentException("no integrated table " + table);
    }
    return s;
  }

  // Shared column descriptions.
  private static final String PK = "person key of the linked registry person (null when the record is not linked; "
      + "see link.unlinked for why)";
  private static final String SRC_TS = "source system update time of the row (latest version wins at ingest)";
  private static final String WARN = "ingest warnings of the row as column:reason (never a value)";

  private static void table(String ns, String name, String description, String... cols) {
    List<Col> out = new ArrayList<>();
    for (int i = 0; i < cols.length; i += 3) {
      out.add(new Col(cols[i], cols[i + 1], cols[i + 2]));
    }
    TABLES.put(name, new Spec(ns, name, description, List.copyOf(out)));
  }

  static {
    table("model", "person", "Registry persons (master person index), one row per person_key; attributes from "
            + "the person's latest registry row (std.pop_person).",
        "person_key", "string", "Sanku person key: HMAC-SM3 of the normalised ID when the registry ID is usable "
            + "(VALID_18, UPGRADED_15), else HMAC-SM3 of 'R:' + pop_record_id (surrogate); kept across nights "
            + "(link.registry_key), changes recorded in link.key_merge",
        "key_kind", "string", "ID (key from the normalised ID) or SURROGATE (registry row without a usable ID)",
        "pop_record_id", "string", "registry record the attributes come from (the person's row with the latest "
            + "src_updated_at)",
        "registry_rows", "int", "registry rows resolving to this person (more than 1: duplicate registrations "
            + "sharing one usable ID)",
        "id_status", "string", "ID classification of that registry row (VALID_18, UPGRADED_15, CHECKSUM_FAIL, ...)",
        "sex_code", "string", "sex, GB/T 2261.1 (1 male, 2 female)",
        "birth_date", "date", "birth date",
        "resident_type_code", "string", "1 户籍常住, 2 户籍外出, 3 非户籍常住 (流入)",
        "county_code", "string", "6-digit current county of residence (retired codes mapped to successors): the "
            + "person's county for every indicator",
        "residence_division_code", "string", "12-digit current division code of residence",
        "residence_since", "date", "date the person took up this residence",
        "person_status_code", "string", "1 正常, 2 死亡, 3 迁出, 4 注销",
        "death_date", "date", "date of death",
        "move_out_date", "date", "date of moving out of the region",
        "hukou_division_code", "string", "12-digit division code of the household registration",
        "ethnicity_code", "string", "ethnicity, GB 3304",
        "mother_key", "string", "HMAC-SM3 of the mother's normalised ID (equals her person_key when her "
            + "registry ID is usable)",
        "src_updated_at", "timestamp", SRC_TS);

    table("model", "ehr_record", "Health records (std.ehr_person) with the person they are linked to.",
        "ehr_no", "string", "health record number (primary key)",
        "person_key", "string", PK,
        "link_tier", "string", "how the record was linked: T1_ID or T2_K1 (null when not linked)",
        "id_status", "string", "classification of the record's ID number",
        "sex_code", "string", "sex as recorded",
        "birth_date", "date", "birth date as recorded",
        "build_date", "date", "date the record was built",
        "manage_org_code", "string", "managing organisation",
        "org_county_code", "string", "6-digit county of the managing organisation (first 6 digits of "
            + "manage_org_code, retired codes mapped): the county link rates are shown by",
        "current_division_code", "string", "12-digit current division code of the address on the record",
        "current_division_code_county", "string", "its 6-digit county",
        "resident_type_code", "string", "1 户籍, 2 非户籍",
        "is_electronic", "string", "1 electronic record",
        "basic_form_complete", "string", "1 the basic information form is complete",
        "record_status_code", "string", "1 在册, 2 死亡, 3 迁出, 4 失访, 5 注销",
        "record_status_date", "date", "date of the status change",
        "src_updated_at", "timestamp", SRC_TS,
        "warnings", "array<string>", WARN);

    table("model", "ehr_exam", "Physical examinations (std.ehr_physical_exam) with the person of their record.",
        "exam_id", "string", "examination ID (primary key)",
        "ehr_no", "string", "health record the examination belongs to",
        "person_key", "string", PK + " (through ehr_no)",
        "exam_date", "date", "examination date",
        "exam_org_code", "string", "examining organisation",
        "exam_type", "string", "1 年度体检, 2 老年人健康体检, 3 慢病患者体检, 9 其他",
        "sbp", "int", "systolic blood pressure (mmHg)",
        "dbp", "int", "diastolic blood pressure (mmHg)",
        "height_cm", "double", "height (cm)",
        "weight_kg", "double", "weight (kg)",
        "waist_cm", "double", "waist (cm)",
        "fbg_mmol_l", "double", "fasting blood glucose (mmol/L)",
        "adl_score", "int", "elderly self-care (ADL) score",
        "ecg_code", "string", "ECG: 1 normal, 2 abnormal",
        "health_eval_code", "string", "health evaluation: 1 no abnormality, 2 abnormal",
        "guidance_codes", "array<string>", "health guidance codes",
        "src_updated_at", "timestamp", SRC_TS,
        "warnings", "array<string>", WARN);

    table("model", "ehr_tcm_service", "TCM health management services (std.ehr_tcm_service) with the person of "
            + "their record.",
        "service_id", "string", "service ID (primary key)",
        "ehr_no", "string", "health record the service belongs to",
        "person_key", "string", PK + " (through ehr_no)",
        "service_kind", "string", "1 elderly constitution identification, 2 child TCM guidance",
        "service_date", "date", "service date",
        "org_code", "string", "serving organisation",
        "item_count", "int", "questions answered (of 33)",
        "constitution_codes", "array<string>", "constitution results",
        "guidance_codes", "array<string>", "TCM guidance codes",
        "child_age_months", "int", "child's age in months at the service",
        "src_updated_at", "timestamp", SRC_TS,
        "warnings", "array<string>", WARN);

    table("model", "ehr_enrollment", "Chronic-disease programme enrolments (std.ehr_program_enrollment) with the "
            + "person of their record.",
        "enrollment_id", "string", "enrolment ID (primary key)",
        "ehr_no", "string", "health record the enrolment belongs to",
        "person_key", "string", PK + " (through ehr_no)",
        "program_code", "string", "HTN or T2DM",
        "diagnosis_icd10", "string", "normalised ICD-10 code of the diagnosis",
        "icd3", "string", "ICD-10 category",
        "icd4", "string", "ICD-10 4-character code (4th character a digit)",
        "enroll_date", "date", "date of enrolment",
        "manage_status_code", "string", "1 managed, 2 closed",
        "close_date", "date", "date the enrolment was closed",
        "close_reason_code", "string", "reason it was closed",
        "src_updated_at", "timestamp", SRC_TS,
        "warnings", "array<string>", WARN);

    table("model", "ehr_followup", "Hypertension and diabetes follow-ups (std.ehr_followup) with the person of "
            + "their enrolment's record.",
        "followup_id", "string", "follow-up ID (primary key)",
        "enrollment_id", "string", "enrolment the follow-up belongs to",
        "ehr_no", "string", "health record of that enrolment",
        "person_key", "string", PK + " (through enrollment_id and ehr_no)",
        "followup_date", "date", "follow-up date",
        "org_code", "string", "organisation",
        "followup_mode_code", "string", "1 clinic, 2 home, 3 phone",
        "sbp", "int", "systolic blood pressure (mmHg)",
        "dbp", "int", "diastolic blood pressure (mmHg)",
        "fbg_mmol_l", "double", "fasting blood glucose (mmol/L)",
        "src_updated_at", "timestamp", SRC_TS,
        "warnings", "array<string>", WARN);

    table("model", "ehr_contract", "Family-doctor contracts (std.ehr_fd_contract) with the person of their record.",
        "contract_id", "string", "contract ID (primary key)",
        "ehr_no", "string", "health record the contract belongs to",
        "person_key", "string", PK + " (through ehr_no)",
        "org_code", "string", "contracting organisation",
        "team_id", "string", "family-doctor team",
        "sign_date", "date", "date signed",
        "start_date", "date", "first day in force",
        "end_date", "date", "last day in force",
        "status_code", "string", "1 valid, 2 terminated (解约), 3 expired",
        "src_updated_at", "timestamp", SRC_TS,
        "warnings", "array<string>", WARN);

    table("model", "emr_visit", "Hospital visits (std.emr_visit) with the person they are linked to.",
        "visit_id", "string", "visit ID (primary key)",
        "person_key", "string", PK,
        "link_tier", "string", "how the visit was linked: T1_ID, T2_K1 or T2_CARD (null when not linked)",
        "org_code", "string", "organisation visited",
        "org_county_code", "string", "6-digit county of that organisation (its ref_org division code): the county "
            + "link rates are shown by",
        "visit_type_code", "string", "1 outpatient, 2 emergency, 3 inpatient",
        "visit_datetime", "timestamp", "visit or admission time",
        "visit_date", "date", "its date (Asia/Shanghai)",
        "discharge_datetime", "timestamp", "discharge time",
        "dept_code", "string", "department",
        "id_status", "string", "classification of the visit's ID number",
        "sex_code", "string", "sex as recorded",
        "birth_date", "date", "birth date as recorded",
        "current_division_code", "string", "12-digit current division code of the address on the visit",
        "current_division_code_county", "string", "its 6-digit county",
        "health_card_key", "string", "HMAC-SM3 of the resident health card number",
        "discharge_method_code", "string", "discharge method",
        "src_updated_at", "timestamp", SRC_TS,
        "warnings", "array<string>", WARN);

    table("model", "emr_diagnosis", "Diagnoses (std.emr_diagnosis) with the person of their visit.",
        "visit_id", "string", "visit the diagnosis belongs to",
        "diag_seq", "int", "diagnosis sequence number within the visit",
        "person_key", "string", PK + " (through visit_id)",
        "diag_code", "string", "normalised ICD-10 code",
        "icd3", "string", "ICD-10 category",
        "icd4", "string", "ICD-10 4-character code (4th character a digit)",
        "diag_name", "string", "diagnosis name",
        "is_uncertain", "boolean", "uncertain diagnosis (疑似, 待查, 待排, ?, 可能)",
        "src_updated_at", "timestamp", SRC_TS,
        "warnings", "array<string>", WARN);

    table("link", "record_link", "Each linked health record and visit with its person and how it was linked.",
        "source", "string", "ehr (ehr_person) or emr (emr_visit)",
        "record_key", "string", "ehr_no or visit_id",
        "person_key", "string", "linked person",
        "tier", "string", "T1_ID (usable ID with birth date, or sex and name, agreeing), T2_K1 (name + sex + birth "
            + "date + county, unique in the registry) or T2_CARD (health card of another linked visit)",
        "evidence", "string", "what agreed: id+birth_date, id+sex+name, name+sex+birth_date+county, health_card",
        "as_of", "date", "reference date of the run");

    table("link", "link_conflict", "Records whose usable ID belongs to a registry person they disagree with (a "
            + "borrowed ID, e.g. a baby under the mother's ID): never linked, never merged.",
        "source", "string", "ehr or emr",
        "record_key", "string", "ehr_no or visit_id",
        "person_key", "string", "registry person who carries the ID",
        "disagreed", "string", "fields that disagree, of birth_date, sex, name",
        "id_status", "string", "classification of the record's ID number",
        "as_of", "date", "reference date of the run");

    table("link", "unlinked", "Records linked to no registry person, with the reason.",
        "source", "string", "ehr or emr",
        "record_key", "string", "ehr_no or visit_id",
        "reason", "string", "CONFLICT (see link_conflict), K1_AMBIGUOUS (name + sex + birth date + county held by "
            + "two or more registry persons), CARD_AMBIGUOUS (its health card is on visits of two persons), "
            + "CARD_ID_DISAGREES (the card's person has a usable ID other than the visit's), NO_REGISTRY_PERSON "
            + "(usable ID no registry row carries, and no K1 match), K1_INCOMPLETE (no usable ID and a K1 field "
            + "missing), NO_ID_NO_MATCH (no usable ID and no registry person with its K1)",
        "id_status", "string", "classification of the record's ID number",
        "as_of", "date", "reference date of the run");

    table("link", "link_rate", "Link rate (关联率) of health records and visits by county, city, province and "
            + "organisation: records linked to a registry resident on the reference date R / all records.",
        "source", "string", "ehr (health records built on or before R) or emr (visits dated 1 January of R's year "
            + "to R)",
        "level", "string", "county, city, province or org",
        "code", "string", "12-digit division code (county, city, province) or the organisation code (org)",
        "county_code", "string", "6-digit county (of the managing organisation for ehr, of the visited "
            + "organisation for emr); null above county level",
        "records", "long", "records counted",
        "linked", "long", "records linked to any registry person",
        "linked_resident", "long", "records linked to a registry person resident on R (resident type 1 or 3, born "
            + "on or before R, not dead, moved out or cancelled on or before R)",
        "link_rate", "double", "linked_resident / records (null when there are no records)",
        "period_start", "date", "first day counted (emr); null for ehr (every record built by R)",
        "period_end", "date", "reference date R");

    table("link", "registry_key", "The person key of every registry row ever linked (kept when a row leaves the "
            + "registry, so a returning row gets its key back).",
        "pop_record_id", "string", "registry row",
        "person_key", "string", "its person key",
        "key_kind", "string", "ID or SURROGATE",
        "in_registry", "boolean", "the row is in std.pop_person on this run");

    table("link", "key_merge", "Audit of person-key changes (append only): a registry person's old key and the "
            + "key it now resolves to; downstream tables keyed by old_key are to be re-keyed to new_key.",
        "old_key", "string", "the key used until this run",
        "new_key", "string", "the key from this run on",
        "reason", "string", "SURROGATE_TO_ID (the registry ID became usable) or ID_CHANGED (the registry row now "
            + "carries another usable ID)",
        "pop_record_id", "string", "registry row whose key changed",
        "as_of", "date", "reference date of the run that made the change",
        "recorded_at", "timestamp", "when the change was recorded");
  }
}
