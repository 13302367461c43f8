-- The reference pipeline of ./sanku bench: what a competent analyst would write in DuckDB to get the headline
-- numbers from the same drops. It reads every drop (views src_<table>, made by DuckDbReference: each delivered
-- file read as text with its header mapped through conf/aliases.yaml, plus _drop_date), keeps the latest version
-- of each row, normalises ID numbers (white space, full width, 15 → 18 digits, the GB 11643 checksum), links
-- health records and visits to the registry on the ID with the birth-date/sex check, counts four headline
-- indicators by county, and writes Parquet.
--
-- Placeholders: ${ref_date} (R, yyyy-MM-dd), ${period_start}, ${out} (a folder). A line "-- stage: NAME" starts a
-- timed stage; statements end with ";" at the end of a line.

-- stage: read
CREATE MACRO d(x) AS coalesce(try_strptime(x, '%Y%m%d'), try_strptime(x, '%Y-%m-%d'))::DATE;
CREATE MACRO ts(x) AS coalesce(try_strptime(x, '%Y%m%d%H%M%S'), try_strptime(x, '%Y-%m-%d %H:%M:%S'));
CREATE MACRO nul(x) AS CASE WHEN trim(x) IN ('', '-', '无', '不详', 'NULL', 'null') THEN NULL ELSE trim(x) END;
CREATE MACRO sex(x) AS CASE nul(x) WHEN '男' THEN '1' WHEN 'M' THEN '1' WHEN '女' THEN '2' WHEN 'F' THEN '2'
  ELSE nul(x) END;
-- The latest version of each row across drops (contract §2); a D row removes the key.
CREATE TABLE pop AS SELECT * FROM src_pop_person
  QUALIFY row_number() OVER (PARTITION BY pop_record_id ORDER BY ts(src_updated_at) DESC NULLS LAST, _drop_date DESC) = 1;
CREATE TABLE ehr AS SELECT * FROM src_ehr_person
  QUALIFY row_number() OVER (PARTITION BY ehr_no ORDER BY ts(src_updated_at) DESC NULLS LAST, _drop_date DESC) = 1;
CREATE TABLE exam AS SELECT * FROM src_ehr_physical_exam
  QUALIFY row_number() OVER (PARTITION BY exam_id ORDER BY ts(src_updated_at) DESC NULLS LAST, _drop_date DESC) = 1;
CREATE TABLE tcm AS SELECT * FROM src_ehr_tcm_service
  QUALIFY row_number() OVER (PARTITION BY service_id ORDER BY ts(src_updated_at) DESC NULLS LAST, _drop_date DESC) = 1;
CREATE TABLE enr AS SELECT * FROM src_ehr_program_enrollment
  QUALIFY row_number() OVER (PARTITION BY enrollment_id ORDER BY ts(src_updated_at) DESC NULLS LAST, _drop_date DESC) = 1;
CREATE TABLE fu AS SELECT * FROM src_ehr_followup
  QUALIFY row_number() OVER (PARTITION BY followup_id ORDER BY ts(src_updated_at) DESC NULLS LAST, _drop_date DESC) = 1;
CREATE TABLE visit AS SELECT * FROM src_emr_visit
  QUALIFY row_number() OVER (PARTITION BY visit_id ORDER BY ts(src_updated_at) DESC NULLS LAST, _drop_date DESC) = 1;
CREATE TABLE division AS SELECT * FROM src_ref_division;

-- stage: normalise
-- ID numbers: no white space or Excel quote, full-width digits and x to ASCII, upper case; a valid 15-digit
-- number becomes 18 digits (19 inserted, check digit appended); an 18-digit number must pass ISO 7064 MOD 11-2.
CREATE MACRO id_clean(x) AS upper(translate(regexp_replace(x, '[\s\x{3000}\x{00A0}\x{200B}\x{FEFF}''`]', '', 'g'),
  '０１２３４５６７８９Ｘｘ', '0123456789XX'));
CREATE MACRO id_check(s) AS substr('10X98765432', (list_sum(list_transform(range(17),
  lambda i: (ascii(substr(s, i + 1, 1)) - 48) * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i + 1]))::BIGINT % 11) + 1, 1);
CREATE MACRO id15to17(c) AS substr(c, 1, 6) || '19' || substr(c, 7, 9);
CREATE MACRO id18(c) AS CASE
  WHEN regexp_full_match(c, '[0-9]{15}') THEN id15to17(c) || id_check(id15to17(c))
  WHEN regexp_full_match(c, '[0-9]{17}[0-9X]') AND id_check(c) = substr(c, 18, 1) THEN c END;
-- Retired county codes and their successors.
CREATE TABLE successor AS SELECT DISTINCT substr(division_code, 1, 6) AS old6, substr(successor_code, 1, 6) AS new6
  FROM division WHERE level = '3' AND nul(successor_code) IS NOT NULL;
CREATE TABLE person AS
  SELECT p.pop_record_id, id18(id_clean(p.id_no)) AS id18, sex(p.sex_code) AS sex, d(p.birth_date) AS birth,
         coalesce(s.new6, substr(nul(p.residence_division_code), 1, 6)) AS county,
         nul(p.resident_type_code) AS resident_type, nul(p.person_status_code) AS status,
         d(p.death_date) AS death, d(p.move_out_date) AS move_out
  FROM pop p LEFT JOIN successor s ON substr(nul(p.residence_division_code), 1, 6) = s.old6
  WHERE coalesce(p.op_type, '') <> 'D';
CREATE TABLE record AS
  SELECT ehr_no, id18(id_clean(id_no)) AS id18, sex(sex_code) AS sex, d(birth_date) AS birth, d(build_date) AS built,
         nul(basic_form_complete) AS complete, nul(record_status_code) AS status, d(record_status_date) AS status_date
  FROM ehr WHERE coalesce(op_type, '') <> 'D';
CREATE TABLE visit_n AS
  SELECT visit_id, id18(id_clean(id_no)) AS id18, sex(sex_code) AS sex, d(birth_date) AS birth
  FROM visit WHERE coalesce(op_type, '') <> 'D';

-- stage: link
-- The registry's persons by ID (an ID two registry rows share links to neither), and each record or visit with
-- the same ID whose birth date or sex agrees.
CREATE TABLE reg_id AS SELECT id18, any_value(pop_record_id) AS pop_record_id, any_value(birth) AS birth,
    any_value(sex) AS sex
  FROM person WHERE id18 IS NOT NULL GROUP BY id18 HAVING count(*) = 1;
CREATE TABLE record_link AS
  SELECT r.ehr_no, g.pop_record_id FROM record r JOIN reg_id g ON r.id18 = g.id18
  WHERE r.birth = g.birth OR r.sex = g.sex;
CREATE TABLE visit_link AS
  SELECT v.visit_id, g.pop_record_id FROM visit_n v JOIN reg_id g ON v.id18 = g.id18
  WHERE v.birth = g.birth OR v.sex = g.sex;

-- stage: indicators
CREATE TABLE resident AS
  SELECT pop_record_id, county,
         year(DATE '${ref_date}') - year(birth)
           - CASE WHEN strftime(DATE '${ref_date}', '%m%d') < strftime(birth, '%m%d') THEN 1 ELSE 0 END AS age
  FROM person
  WHERE resident_type IN ('1', '3') AND birth <= DATE '${ref_date}'
    AND NOT coalesce(death <= DATE '${ref_date}' OR (status = '2' AND death IS NULL), false)
    AND NOT coalesce(move_out <= DATE '${ref_date}' OR (status = '3' AND move_out IS NULL), false)
    AND coalesce(status, '') <> '4';
CREATE TABLE valid_record AS
  SELECT DISTINCT l.pop_record_id, r.ehr_no FROM record r JOIN record_link l USING (ehr_no)
  WHERE r.built <= DATE '${ref_date}' AND r.complete = '1'
    AND (r.status = '1' OR r.status_date > DATE '${ref_date}');
CREATE TABLE exam_ok AS
  SELECT DISTINCT v.pop_record_id FROM exam x JOIN valid_record v USING (ehr_no)
  WHERE coalesce(x.op_type, '') <> 'D' AND d(x.exam_date) BETWEEN DATE '${period_start}' AND DATE '${ref_date}'
    AND nul(x.sbp) IS NOT NULL AND nul(x.dbp) IS NOT NULL AND nul(x.height_cm) IS NOT NULL
    AND nul(x.weight_kg) IS NOT NULL AND nul(x.fbg_mmol_l) IS NOT NULL AND nul(x.adl_score) IS NOT NULL
    AND nul(x.health_eval_code) IS NOT NULL AND nul(x.guidance_codes) IS NOT NULL;
CREATE TABLE tcm_ok AS
  SELECT DISTINCT v.pop_record_id FROM tcm t JOIN valid_record v USING (ehr_no)
  WHERE coalesce(t.op_type, '') <> 'D' AND nul(t.service_kind) = '1'
    AND d(t.service_date) BETWEEN DATE '${period_start}' AND DATE '${ref_date}'
    AND try_cast(nul(t.item_count) AS INTEGER) = 33 AND nul(t.constitution_codes) IS NOT NULL
    AND nul(t.guidance_codes) IS NOT NULL;
-- Hypertension under management: enrolled by R, not closed before P, at least one follow-up in P; standard
-- management needs ceil(4 × days(P) / days(year)) face-to-face follow-ups in P.
CREATE TABLE htn AS
  SELECT v.pop_record_id,
         count(f.followup_id) AS followups,
         count(f.followup_id) FILTER (WHERE nul(f.followup_mode_code) IN ('1', '2', '门诊', '家庭')) AS face_to_face
  FROM enr e JOIN record_link v USING (ehr_no)
  JOIN fu f ON f.enrollment_id = e.enrollment_id AND coalesce(f.op_type, '') <> 'D'
    AND d(f.followup_date) BETWEEN DATE '${period_start}' AND DATE '${ref_date}'
  WHERE coalesce(e.op_type, '') <> 'D' AND nul(e.program_code) IN ('HTN', 'GXY', '高血压')
    AND d(e.enroll_date) <= DATE '${ref_date}'
    AND NOT coalesce(d(e.close_date) < DATE '${period_start}', false)
  GROUP BY v.pop_record_id;
CREATE TABLE indicator AS
  WITH p AS (
    SELECT r.county, r.age,
           EXISTS (SELECT 1 FROM valid_record v WHERE v.pop_record_id = r.pop_record_id) AS has_record,
           EXISTS (SELECT 1 FROM exam_ok e WHERE e.pop_record_id = r.pop_record_id) AS exam,
           EXISTS (SELECT 1 FROM tcm_ok t WHERE t.pop_record_id = r.pop_record_id) AS tcm,
           h.face_to_face
    FROM resident r LEFT JOIN htn h ON h.pop_record_id = r.pop_record_id)
  SELECT county, 'ehr_coverage' AS indicator_id, count(*) FILTER (WHERE has_record) AS numerator,
         count(*) AS denominator FROM p GROUP BY county
  UNION ALL
  SELECT county, 'elderly_health_mgmt', count(*) FILTER (WHERE exam), count(*) FROM p WHERE age >= 65 GROUP BY county
  UNION ALL
  SELECT county, 'elderly_tcm_mgmt', count(*) FILTER (WHERE tcm), count(*) FROM p WHERE age >= 65 GROUP BY county
  UNION ALL
  SELECT county, 'htn_std_mgmt',
         count(*) FILTER (WHERE face_to_face >= ceil(4.0 * (DATE '${ref_date}' - DATE '${period_start}' + 1)
           / (make_date(year(DATE '${ref_date}'), 12, 31) - make_date(year(DATE '${ref_date}') - 1, 12, 31)))),
         count(*)
  FROM p WHERE face_to_face IS NOT NULL AND age >= 35 GROUP BY county;

-- stage: write
COPY (SELECT * FROM indicator ORDER BY indicator_id, county) TO '${out}/indicator.parquet' (FORMAT parquet);
COPY (SELECT * FROM person) TO '${out}/person.parquet' (FORMAT parquet);
COPY (SELECT 'ehr' AS source, ehr_no AS record_key, pop_record_id FROM record_link
      UNION ALL SELECT 'emr', visit_id, pop_record_id FROM visit_link) TO '${out}/record_link.parquet' (FORMAT parquet);
