package org.sanku.link;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;
import org.sanku.storage.Warehouse;

/**
 * The linkage as lazy Spark plans (nothing here runs a job): the master person index over the registry, the
 * tiered record links, and the integrated tables. {@link LinkJob} persists and writes them.
 *
 * <p>Every join is an equi-join (on the ID key, on the four K1 fields, on the health-card key, on record keys), so
 * no plan has a cartesian product or a nested-loop join, whatever the size of the region.
 */
final class LinkPlan {

  static final String T1 = "T1_ID";
  static final String K1 = "T2_K1";
  static final String CARD = "T2_CARD";

  /** IDs trusted for deterministic linkage (standards §3.4, tier 1). */
  static final Column USABLE = col("id_status").isin("VALID_18", "UPGRADED_15").and(col("id_key").isNotNull());

  static final StructType POP = Inputs.schema("pop_record_id", "string", "id_status", "string", "id_key", "string",
      "sex_code", "string", "birth_date", "date", "residence_division_code", "string",
      "residence_division_code_county", "string", "residence_since", "date", "resident_type_code", "string",
      "person_status_code", "string", "death_date", "date", "move_out_date", "date", "hukou_division_code", "string",
      "ethnicity_code", "string", "mother_key", "string", "src_updated_at", "timestamp");
  static final StructType EHR = Inputs.sourceColumns("ehr_record", "person_key", "link_tier", "org_county_code")
      .add("id_key", Inputs.STRING);
  static final StructType VISIT = Inputs.sourceColumns("emr_visit", "person_key", "link_tier", "org_county_code",
      "visit_date").add("id_key", Inputs.STRING);
  static final StructType REF_ORG = Inputs.schema("org_code", "string", "division_code", "string");
  static final StructType REF_DIVISION = Inputs.schema("division_code", "string", "level", "string",
      "parent_code", "string", "successor_code", "string");
  static final StructType PREVIOUS_KEYS = Inputs.schema("pop_record_id", "string", "person_key", "string",
      "key_kind", "string");

  private final Warehouse wh;
  private final Inputs in;
  final LocalDate asOf;
  final LocalDate periodStart;
  private final ResidentRule resident;

  LinkPlan(Warehouse wh, Inputs in, LocalDate asOf, ResidentRule resident) {
    this.wh = wh;
    this.in = in;
    this.asOf = asOf;
    this.periodStart = asOf.withDayOfYear(1);
    this.resident = java.util.Objects.requireNonNull(resident, "resident rule");
  }

  static String linkTable(Warehouse wh, String table) {
    return wh.link(table);
  }

  static String modelTable(Warehouse wh, String table) {
    return wh.model(table);
  }

  /** Names compared after normalisation: no white space of any kind, one middle dot, upper-case Latin letters. */
  static Column nameNorm(Column name) {
    Column noSpace = regexp_replace(name, "[\\s\\x{00A0}\\x{3000}\\x{200B}\\x{FEFF}]", "");
    return upper(regexp_replace(noSpace, "[\\x{2022}\\x{30FB}\\x{FF0E}.\\x{FF65}]", "\u00B7"));
  }

  private Column asOfLit() {
    return lit(Date.valueOf(asOf));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Master person index.

  /**
   * One row per registry row: its person key (the ID key when the ID is usable; otherwise the key it had on the
   * previous run; otherwise a keyed surrogate of the registry record ID), its K1 fields and whether the person is
   * resident on R. Names stay inside the plan: they are never selected into anything written.
   */
  Dataset<Row> registry() {
    Dataset<Row> pop = in.read(wh.std("pop_person"), POP);
    Dataset<Row> names = in.read(wh.id("pop_person"), Inputs.schema("pop_record_id", "string", "name", "string"))
        .select(col("pop_record_id").as("_nid"), col("name"));
    Dataset<Row> prev = previousKeys().select(col("pop_record_id").as("_pid"), col("person_key").as("prev_key"),
        col("key_kind").as("prev_kind"));
    Column surrogate = callUDF(org.sanku.ids.PersonKeyFunction.NAME, concat(lit("R:"), col("pop_record_id")));
    return pop.join(names, col("pop_record_id").equalTo(col("_nid")), "left")
        .join(prev, col("pop_record_id").equalTo(col("_pid")), "left")
        .withColumn("usable", USABLE)
        .withColumn("person_key", when(col("usable"), col("id_key"))
            .when(col("prev_key").isNotNull(), col("prev_key")).otherwise(surrogate))
        .withColumn("key_kind", when(col("usable"), lit("ID"))
            .when(col("prev_key").isNotNull(), col("prev_kind")).otherwise(lit("SURROGATE")))
        .withColumn("name_norm", nameNorm(col("name")))
        .withColumn("county", col("residence_division_code_county"))
        .transform(rows -> resident.onDay(rows, asOf, "resident_on_r"))
        .drop("_nid", "_pid", "name");
  }

  /** The registry-row keys of the previous run (none on the first run). */
  Dataset<Row> previousKeys() {
    return in.read(linkTable(wh, "registry_key"), PREVIOUS_KEYS);
  }

  /** One row per person: the attributes of the person's latest registry row, and how many rows they have. */
  Dataset<Row> persons(Dataset<Row> registry) {
    var w = Window.partitionBy("person_key").orderBy(col("src_updated_at").desc_nulls_last(),
        col("pop_record_id").asc());
    var all = Window.partitionBy("person_key");
    return registry.withColumn("_rn", row_number().over(w))
        .withColumn("registry_rows", count(lit(1)).over(all).cast("int"))
        .filter(col("_rn").equalTo(1))
        .withColumn("county_code", col("residence_division_code_county"))
        .drop("_rn");
  }

  // ------------------------------------------------------------------------------------------------------------
  // Records and their links.

  /** Identity-bearing records of both sources with their comparison fields (names from the identity zone). */
  Dataset<Row> records() {
    Dataset<Row> ehr = in.read(wh.std("ehr_person"), EHR);
    Dataset<Row> ehrNames = in.read(wh.id("ehr_person"), Inputs.schema("ehr_no", "string", "name", "string"))
        .select(col("ehr_no").as("_nk"), col("name"));
    Dataset<Row> visits = in.read(wh.std("emr_visit"), VISIT);
    Dataset<Row> visitNames = in.read(wh.id("emr_visit"), Inputs.schema("visit_id", "string", "name", "string"))
        .select(col("visit_id").as("_nk"), col("name"));
    Dataset<Row> e = ehr.join(ehrNames, col("ehr_no").equalTo(col("_nk")), "left")
        .select(lit("ehr").as("source"), col("ehr_no").as("record_key"), when(USABLE, col("id_key")).as("id_key"),
            col("id_status"), nameNorm(col("name")).as("name_norm"), col("sex_code"), col("birth_date"),
            col("current_division_code_county").as("county"), lit(null).cast("string").as("health_card_key"));
    Dataset<Row> v = visits.join(visitNames, col("visit_id").equalTo(col("_nk")), "left")
        .select(lit("emr").as("source"), col("visit_id").as("record_key"), when(USABLE, col("id_key")).as("id_key"),
            col("id_status"), nameNorm(col("name")).as("name_norm"), col("sex_code"), col("birth_date"),
            col("current_division_code_county").as("county"), col("health_card_key"));
    return e.unionByName(v);
  }

  /**
   * Tier 1 candidates: each record with a usable ID against the registry rows carrying the same usable ID. Per
   * record: whether any registry row passes the check (birth date, or sex and name, agree), the person it links
   * to, and otherwise (a conflict) the registry person and what disagreed.
   */
  static Dataset<Row> tier1(Dataset<Row> records, Dataset<Row> registry) {
    Dataset<Row> regId = registry.filter(col("usable")).select(col("id_key").as("r_id"),
        col("person_key").as("r_pk"), col("name_norm").as("r_name"), col("sex_code").as("r_sex"),
        col("birth_date").as("r_birth"));
    Column birthOk = coalesce(col("birth_date").equalTo(col("r_birth")), lit(false));
    Column sexOk = coalesce(col("sex_code").equalTo(col("r_sex")), lit(false));
    Column nameOk = coalesce(col("name_norm").equalTo(col("r_name")), lit(false));
    return records.filter(col("id_key").isNotNull())
        .join(regId, col("id_key").equalTo(col("r_id")))
        .withColumn("b_ok", birthOk).withColumn("s_ok", sexOk).withColumn("n_ok", nameOk)
        .withColumn("pass", col("b_ok").or(col("s_ok").and(col("n_ok"))))
        .withColumn("disagreed", concat_ws(",",
            when(not(col("b_ok")), lit("birth_date")), when(not(col("s_ok")), lit("sex")),
            when(not(col("n_ok")), lit("name"))))
        .groupBy(col("source").as("t_source"), col("record_key").as("t_key"))
        .agg(max("pass").as("t1_pass"), max(when(col("pass"), col("b_ok"))).as("t1_birth"),
            min(when(col("pass"), col("r_pk"))).as("t1_pk"),
            min(struct(col("r_pk"), col("disagreed"))).as("t1_conflict"));
  }

  /** K1 = normalised name + sex + birth date + county over the registry, with how many persons hold each. */
  static Dataset<Row> k1Keys(Dataset<Row> registry) {
    return registry.filter(col("name_norm").isNotNull().and(col("sex_code").isNotNull())
            .and(col("birth_date").isNotNull()).and(col("county").isNotNull()))
        .groupBy(col("name_norm").as("k_name"), col("sex_code").as("k_sex"), col("birth_date").as("k_birth"),
            col("county").as("k_county"))
        .agg(countDistinct("person_key").as("k1_n"), min("person_key").as("k1_pk"));
  }

  /**
   * Records after tier 1 and K1: {@code pk1}/{@code tier1} set when linked, {@code conflict} when refused. Only the
   * records that still need K1 and have all four of its fields take part in the K1 join, so its shuffle carries no
   * null keys (a fifth of the visits have no division code: they would all land in one partition).
   */
  static Dataset<Row> tier1AndK1(Dataset<Row> records, Dataset<Row> registry) {
    return tier1AndK1(records, registry, UnaryOperator.identity());
  }

  /**
   * {@link #tier1AndK1(Dataset, Dataset)}, with the records joined with their tier-1 outcome kept by {@code keep}:
   * the records that need K1 and the others are two branches of one union over them, which Spark otherwise computes
   * once per branch, the tier-1 join's shuffles included.
   */
  static Dataset<Row> tier1AndK1(Dataset<Row> records, Dataset<Row> registry, UnaryOperator<Dataset<Row>> keep) {
    Dataset<Row> t1 = tier1(records, registry);
    Dataset<Row> k1 = k1Keys(registry);
    Column complete = col("name_norm").isNotNull().and(col("sex_code").isNotNull())
        .and(col("birth_date").isNotNull()).and(col("county").isNotNull());
    Dataset<Row> base = keep.apply(records
        .join(t1, col("source").equalTo(col("t_source")).and(col("record_key").equalTo(col("t_key"))), "left")
        .drop("t_source", "t_key")
        .withColumn("k1_complete", complete));
    Column needsK1 = col("t1_pass").isNull().and(col("k1_complete"));
    Dataset<Row> tried = base.filter(needsK1)
        .join(k1, col("name_norm").equalTo(col("k_name")).and(col("sex_code").equalTo(col("k_sex")))
            .and(col("birth_date").equalTo(col("k_birth"))).and(col("county").equalTo(col("k_county"))), "left")
        .drop("k_name", "k_sex", "k_birth", "k_county");
    Dataset<Row> rest = base.filter(not(needsK1))
        .withColumn("k1_n", lit(null).cast("long")).withColumn("k1_pk", lit(null).cast("string"));
    Column t1Pass = col("t1_pass").equalTo(true);
    Column k1Unique = coalesce(col("k1_n").equalTo(1), lit(false));
    return tried.unionByName(rest)
        .withColumn("conflict", coalesce(col("t1_pass").equalTo(false), lit(false)))
        .withColumn("pk1", when(t1Pass, col("t1_pk")).when(k1Unique, col("k1_pk")))
        .withColumn("tier1", when(t1Pass, lit(T1)).when(k1Unique, lit(K1)));
  }

  /**
   * Every record with its outcome: person_key, tier and evidence when linked; otherwise the reason. A visit still
   * unlinked (and not a conflict) is tied through its health-card key when the card's other linked visits all
   * belong to one person, unless that person has a usable registry ID other than the visit's own usable ID. A card
   * seen on two persons ties nothing (CARD_AMBIGUOUS): its linked visits belong to two persons, or one of its
   * unlinked visits disagrees with the card's person (neither the birth date nor the sex and name agree, the check
   * tier 1 makes of an ID), a sign that someone else's visits carry it. As for K1, only the candidate visits (with a
   * card) take part in the card joins.
   */
  static Dataset<Row> links(Dataset<Row> records, Dataset<Row> registry) {
    return links(records, registry, UnaryOperator.identity());
  }

  /**
   * {@link #links(Dataset, Dataset)}, with the intermediate results that several branches of the plan read kept by
   * {@code keep} (each is then computed once: the records after tier 1 and K1 feed the card anchors, the card
   * candidates, their agreement and the records that are no candidates).
   */
  static Dataset<Row> links(Dataset<Row> records, Dataset<Row> registry, UnaryOperator<Dataset<Row>> keep) {
    Dataset<Row> s1 = keep.apply(tier1AndK1(records, registry, keep));
    Dataset<Row> anchors = s1.filter(col("source").equalTo("emr").and(col("pk1").isNotNull())
            .and(col("health_card_key").isNotNull()))
        .groupBy(col("health_card_key").as("a_card"))
        .agg(countDistinct("pk1").as("a_n"), min("pk1").as("a_pk"));
    Dataset<Row> hasId = registry.groupBy(col("person_key").as("h_pk")).agg(max("usable").as("h_id"));
    Column candidate = col("source").equalTo("emr").and(col("pk1").isNull()).and(not(col("conflict")))
        .and(col("health_card_key").isNotNull());
    Dataset<Row> cardAgrees = cardAgreement(s1.filter(candidate), anchors, registry);
    Dataset<Row> tried = s1.filter(candidate)
        .join(anchors, col("health_card_key").equalTo(col("a_card")), "left")
        .join(hasId, col("a_pk").equalTo(col("h_pk")), "left")
        .join(cardAgrees, col("health_card_key").equalTo(col("g_card")), "left")
        .drop("a_card", "h_pk", "g_card");
    Dataset<Row> rest = s1.filter(not(candidate)).withColumn("a_n", lit(null).cast("long"))
        .withColumn("a_pk", lit(null).cast("string")).withColumn("h_id", lit(null).cast("boolean"))
        .withColumn("g_agree", lit(null).cast("boolean"));
    Dataset<Row> s2 = tried.unionByName(rest);
    Column oneHolder = coalesce(col("a_n").equalTo(1), lit(false)).and(coalesce(col("g_agree"), lit(false)));
    Column cardOk = oneHolder
        .and(not(col("id_key").isNotNull().and(coalesce(col("h_id"), lit(false)))));
    Column personKey = coalesce(col("pk1"), when(cardOk, col("a_pk")));
    Column tier = coalesce(col("tier1"), when(cardOk, lit(CARD)));
    Column evidence = when(col("tier").equalTo(T1), when(coalesce(col("t1_birth"), lit(false)),
            lit("id+birth_date")).otherwise(lit("id+sex+name")))
        .when(col("tier").equalTo(K1), lit("name+sex+birth_date+county"))
        .when(col("tier").equalTo(CARD), lit("health_card"));
    Column reason = when(col("person_key").isNotNull(), lit(null).cast("string"))
        .when(col("conflict"), lit("CONFLICT"))
        .when(coalesce(col("k1_n").gt(1), lit(false)), lit("K1_AMBIGUOUS"))
        .when(coalesce(col("a_n").gt(1), lit(false)).or(coalesce(col("a_n").equalTo(1), lit(false))
            .and(not(coalesce(col("g_agree"), lit(false))))), lit("CARD_AMBIGUOUS"))
        .when(coalesce(col("a_n").equalTo(1), lit(false)), lit("CARD_ID_DISAGREES"))
        .when(col("id_key").isNotNull(), lit("NO_REGISTRY_PERSON"))
        .when(not(col("k1_complete")), lit("K1_INCOMPLETE"))
        .otherwise(lit("NO_ID_NO_MATCH"));
    return s2.withColumn("person_key", personKey).withColumn("tier", tier)
        .withColumn("evidence", evidence).withColumn("reason", reason)
        .select(col("source"), col("record_key"), col("person_key"), col("tier"), col("evidence"), col("reason"),
            col("id_status"), when(col("conflict"), col("t1_conflict.r_pk")).as("conflict_key"),
            when(col("conflict"), col("t1_conflict.disagreed")).as("disagreed"));
  }

  /**
   * Per card held by exactly one linked person: {@code g_agree}, whether every candidate visit carrying it agrees
   * with that person's registry rows on the birth date, or on the sex and the normalised name.
   */
  private static Dataset<Row> cardAgreement(Dataset<Row> candidates, Dataset<Row> anchors, Dataset<Row> registry) {
    Dataset<Row> holder = registry.select(col("person_key").as("g_pk"), col("birth_date").as("g_birth"),
        col("sex_code").as("g_sex"), col("name_norm").as("g_name"));
    Column agrees = coalesce(col("birth_date").equalTo(col("g_birth")), lit(false))
        .or(coalesce(col("sex_code").equalTo(col("g_sex")), lit(false))
            .and(coalesce(col("name_norm").equalTo(col("g_name")), lit(false))));
    return candidates.select(col("source"), col("record_key"), col("health_card_key"), col("birth_date"),
            col("sex_code"), col("name_norm"))
        .join(anchors.filter(col("a_n").equalTo(1)), col("health_card_key").equalTo(col("a_card")))
        .join(holder, col("a_pk").equalTo(col("g_pk")), "left")
        .groupBy(col("health_card_key"), col("record_key"))
        .agg(max(agrees).as("_agree"))
        .groupBy(col("health_card_key").as("g_card"))
        .agg(min(col("_agree")).as("g_agree"));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Counties of organisations.

  /** Retired county codes (6 digits) and their successors, from ref_division. */
  Dataset<Row> countySuccessors() {
    return countySuccessors(in.read(wh.std("ref_division"), REF_DIVISION));
  }

  /** {@link #countySuccessors()} from the rows of a version of ref_division. */
  static Dataset<Row> countySuccessors(Dataset<Row> refDivision) {
    return refDivision
        .filter(col("level").equalTo("3").and(col("successor_code").isNotNull()))
        .select(substring(col("division_code"), 1, 6).as("_old6"), substring(col("successor_code"), 1, 6).as("_new6"))
        .distinct();
  }

  /** {@code df} with {@code out} = the current county of the 6-digit prefix of {@code codeColumn}. */
  Dataset<Row> withCounty(Dataset<Row> df, String codeColumn, String out) {
    return df.withColumn("_c6", substring(col(codeColumn), 1, 6))
        .join(broadcast(countySuccessors()), col("_c6").equalTo(col("_old6")), "left")
        .withColumn(out, coalesce(col("_new6"), col("_c6")))
        .drop("_c6", "_old6", "_new6");
  }

  /** Organisation code → 6-digit county of its division (ref_org). */
  Dataset<Row> orgCounties() {
    return orgCounties(in.read(wh.std("ref_org"), REF_ORG));
  }

  /** {@link #orgCounties()} from the rows of a version of ref_org. */
  static Dataset<Row> orgCounties(Dataset<Row> refOrg) {
    return refOrg
        .select(col("org_code").as("_org"), substring(col("division_code"), 1, 6).as("_org_county"));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Integrated tables.

  Dataset<Row> ehrRecord(Dataset<Row> links) {
    return ehrRecord(links, UnaryOperator.identity());
  }

  /** {@link #ehrRecord(Dataset)} of the health records {@code only} keeps. */
  Dataset<Row> ehrRecord(Dataset<Row> links, UnaryOperator<Dataset<Row>> only) {
    Dataset<Row> l = links.filter(col("source").equalTo("ehr"))
        .select(col("record_key").as("_rk"), col("person_key"), col("tier").as("link_tier"));
    Dataset<Row> ehr = only.apply(in.read(wh.std("ehr_person"), EHR)).join(l, col("ehr_no").equalTo(col("_rk")),
        "left");
    return withCounty(ehr, "manage_org_code", "org_county_code");
  }

  Dataset<Row> emrVisit(Dataset<Row> links) {
    return emrVisit(links, UnaryOperator.identity());
  }

  /** {@link #emrVisit(Dataset)} of the visits {@code only} keeps. */
  Dataset<Row> emrVisit(Dataset<Row> links, UnaryOperator<Dataset<Row>> only) {
    Dataset<Row> l = links.filter(col("source").equalTo("emr"))
        .select(col("record_key").as("_rk"), col("person_key"), col("tier").as("link_tier"));
    return only.apply(in.read(wh.std("emr_visit"), VISIT)).join(l, col("visit_id").equalTo(col("_rk")), "left")
        .join(broadcast(orgCounties()), col("org_code").equalTo(col("_org")), "left")
        .withColumn("org_county_code", col("_org_county"))
        .withColumn("visit_date", to_date(col("visit_datetime")));
  }

  /** A service table with the person key of its health record ({@code via} = ehr_no). */
  Dataset<Row> service(String stdTable, String integrated, Dataset<Row> ehrKeys) {
    return service(stdTable, integrated, ehrKeys, UnaryOperator.identity());
  }

  /** {@link #service(String, String, Dataset)} of the rows {@code only} keeps. */
  Dataset<Row> service(String stdTable, String integrated, Dataset<Row> ehrKeys, UnaryOperator<Dataset<Row>> only) {
    StructType need = Inputs.sourceColumns(integrated, "person_key");
    return only.apply(in.read(wh.std(stdTable), need)).join(ehrKeys, col("ehr_no").equalTo(col("_ehr")), "left");
  }

  Dataset<Row> followups(Dataset<Row> enrollmentKeys) {
    return followups(enrollmentKeys, UnaryOperator.identity());
  }

  /** {@link #followups(Dataset)} of the rows {@code only} keeps. */
  Dataset<Row> followups(Dataset<Row> enrollmentKeys, UnaryOperator<Dataset<Row>> only) {
    StructType need = Inputs.sourceColumns("ehr_followup", "person_key", "ehr_no");
    return only.apply(in.read(wh.std("ehr_followup"), need))
        .join(enrollmentKeys, col("enrollment_id").equalTo(col("_enr")), "left");
  }

  Dataset<Row> diagnoses(Dataset<Row> visitKeys) {
    return diagnoses(visitKeys, UnaryOperator.identity());
  }

  /** Text columns of a standardised table (as this run reads it). */
  Dataset<Row> source(String stdTable, List<String> columns) {
    StructType s = new StructType();
    for (String c : columns) {
      s = s.add(c, Inputs.STRING);
    }
    return in.read(wh.std(stdTable), s);
  }

  /** {@link #diagnoses(Dataset)} of the rows {@code only} keeps. */
  Dataset<Row> diagnoses(Dataset<Row> visitKeys, UnaryOperator<Dataset<Row>> only) {
    StructType need = Inputs.sourceColumns("emr_diagnosis", "person_key");
    return only.apply(in.read(wh.std("emr_diagnosis"), need))
        .join(visitKeys, col("visit_id").equalTo(col("_vid")), "left");
  }

  // ------------------------------------------------------------------------------------------------------------
  // Link rates.

  /**
   * Records per county and organisation, linked, and linked to a resident on R: health records built on or before
   * R by the managing organisation's county, visits dated from 1 January of R's year to R by the visited
   * organisation's county; rolled up to city and province through ref_division.
   */
  Dataset<Row> linkRates(Dataset<Row> ehrRecord, Dataset<Row> emrVisit, Dataset<Row> persons) {
    Column r = asOfLit();
    Dataset<Row> ehr = ehrRecord.filter(coalesce(col("build_date").leq(r), lit(true)))
        .select(lit("ehr").as("source"), col("manage_org_code").as("org"), col("org_county_code").as("county"),
            col("person_key"));
    Dataset<Row> emr = emrVisit.filter(col("visit_date").between(lit(Date.valueOf(periodStart)), r))
        .select(lit("emr").as("source"), col("org_code").as("org"), col("org_county_code").as("county"),
            col("person_key"));
    Dataset<Row> residents = persons.select(col("person_key").as("_rpk"), col("resident_on_r"));
    Dataset<Row> all = ehr.unionByName(emr);
    // Only linked records look up their person (no null keys in the join's shuffle).
    Dataset<Row> base = all.filter(col("person_key").isNotNull())
        .join(residents, col("person_key").equalTo(col("_rpk")), "left")
        .withColumn("_linked", lit(1L))
        .withColumn("_res", when(coalesce(col("resident_on_r"), lit(false)), 1L).otherwise(0L))
        .drop("_rpk", "resident_on_r")
        .unionByName(all.filter(col("person_key").isNull()).withColumn("_linked", lit(0L))
            .withColumn("_res", lit(0L)));
    // One aggregation of the records, by organisation (an organisation is in one county): the counties' counts are
    // the sums of their organisations', so the records are joined with their persons and grouped once. Computed
    // now, into the driver (a row per organisation and source: 4,705 at 1,000,000 persons): the four levels below
    // read it, and Spark computed it twice from the region's 4,021,083 records and 998,152 persons, once for the
    // organisations and counties and once for the cities and province (a filter pushed into those made their
    // plan another).
    Dataset<Row> grouped = base.groupBy(col("source"), col("org"), col("county"))
        .agg(count(lit(1)).as("records"), sum("_linked").as("linked"), sum("_res").as("linked_resident"));
    Dataset<Row> byOrg = grouped.sparkSession().createDataFrame(grouped.collectAsList(), grouped.schema());
    Dataset<Row> county = byOrg.groupBy(col("source"), col("county"))
        .agg(sum("records").as("records"), sum("linked").as("linked"), sum("linked_resident").as("linked_resident"));
    Dataset<Row> orgs = byOrg
        .select(col("source"), lit("org").as("level"), col("org").as("code"), col("county").as("county_code"),
            col("records"), col("linked"), col("linked_resident"));
    Dataset<Row> div = in.read(wh.std("ref_division"), REF_DIVISION)
        .select(col("division_code").as("_d"), col("parent_code").as("_parent"));
    Dataset<Row> countyRows = county.select(col("source"), lit("county").as("level"),
        when(col("county").isNotNull(), concat(col("county"), lit("000000"))).as("code"),
        col("county").as("county_code"), col("records"), col("linked"), col("linked_resident"));
    Dataset<Row> city = rollUp(countyRows, div, "city");
    Dataset<Row> province = rollUp(city, div, "province");
    Column rate = when(col("records").gt(0), col("linked_resident").cast("double").divide(col("records")));
    return countyRows.unionByName(city).unionByName(province).unionByName(orgs)
        .withColumn("link_rate", rate)
        .withColumn("period_start", when(col("source").equalTo("emr"), lit(Date.valueOf(periodStart))))
        .withColumn("period_end", r);
  }

  private static Dataset<Row> rollUp(Dataset<Row> lower, Dataset<Row> div, String level) {
    return lower.filter(col("code").isNotNull())
        .join(broadcast(div), col("code").equalTo(col("_d")))
        .filter(col("_parent").isNotNull())
        .groupBy(col("source"), col("_parent").as("code"))
        .agg(sum("records").as("records"),
            sum("linked").as("linked"),
            sum("linked_resident").as("linked_resident"))
        .select(col("source"), lit(level).as("level"), col("code"), lit(null).cast("string").as("county_code"),
            col("records"), col("linked"), col("linked_resident"));
  }
}
