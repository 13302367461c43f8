package org.sanku.ingest.standardise;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.make_date;
import static org.apache.spark.sql.functions.make_timestamp;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.translate;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;
import static org.sanku.ingest.standardise.TextParsers.ASCII;
import static org.sanku.ingest.standardise.TextParsers.FULL_WIDTH;
import static org.sanku.ingest.standardise.TextParsers.LIST_SEPARATORS;
import static org.sanku.ingest.standardise.TextParsers.WS_CHARS;
import static org.sanku.ingest.standardise.TextParsers.clean;
import static org.sanku.ingest.standardise.TextParsers.controlOr;
import static org.sanku.ingest.standardise.TextParsers.dateTimeDigits;
import static org.sanku.ingest.standardise.TextParsers.isRealDate;
import static org.sanku.ingest.standardise.TextParsers.lookup;
import static org.sanku.ingest.standardise.TextParsers.parseDate;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sanku.ids.IdStatus;
import org.sanku.ingest.schema.ColumnSpec;
import org.sanku.ingest.schema.ColumnSpec.Requirement;
import org.sanku.ingest.schema.ColumnType;
import org.sanku.ingest.schema.TableSchema;

/**
 * Standardises one delivered table: the contract's text columns become typed, national-coded, normalised columns
 * with their problems listed per row, as one lazy Spark transformation.
 *
 * <p><b>Input</b>: one string column per schema column, already named as in the contract (a missing optional
 * column may be absent and reads as null), plus passthrough columns whose names start with {@code _}
 * ({@code _file}, {@code _line}, {@code _raw}), which are kept unchanged.
 *
 * <p><b>Output</b>: per schema column the columns of {@link ColumnSpec#outputColumns()} (schemas/README.md, "What
 * standardisation writes"), then the passthrough columns, then {@code _errors} and {@code _warnings}:
 * {@code array<struct<column:string, reason:string, value:string>>}, empty when there is nothing to say. A row
 * with errors is to be quarantined by the caller; warnings flow on. Reason codes are in {@link Reasons}. Each
 * column reports at most one error: a non-null value that cannot be read gives BAD_DATE (not also
 * MISSING_REQUIRED), and problems of identity numbers are only ever warnings.
 *
 * <p>Lazy: only expressions are built, no Spark job runs, so the caller decides what is computed and when. All
 * are Spark built-ins except the identity-number check ({@link IdNumberFunction}), and every cast and
 * {@code make_date} is guarded by a pattern or range check, so the plan behaves alike with ANSI mode on or off.
 */
public final class Standardiser {

  /** Time zone of delivered date-times (contract §2). */
  public static final String SOURCE_ZONE = "Asia/Shanghai";

  /** Element type of {@code _errors} and {@code _warnings}. */
  public static final StructType ISSUE = new StructType()
      .add("column", DataTypes.StringType)
      .add("reason", DataTypes.StringType)
      .add("value", DataTypes.StringType);

  public static final String ERRORS = "_errors";
  public static final String WARNINGS = "_warnings";

  /** Wording that marks a diagnosis as uncertain (contract, emr_diagnosis.diag_name). */
  private static final String UNCERTAIN = "疑似|待查|待排|\\?|？|可能";

  /** Statuses whose number is kept in the output column (usable for linkage, or a valid non-mainland card). */
  private static final List<String> KEPT_ID_STATUSES = List.of(IdStatus.VALID_18.name(), IdStatus.UPGRADED_15.name(),
      IdStatus.NON_MAINLAND.name());

  /** Columns the person's own identity number is cross-checked with, when the table has them. */
  private static final String OWN_ID = "id_no";
  private static final String BIRTH_DATE = "birth_date";
  private static final String SEX_CODE = "sex_code";

  private Standardiser() {}

  /**
   * Builds the standardised view of {@code raw}. Lazy: no Spark job runs.
   *
   * @param raw    the delivered rows, one string column per schema column plus {@code _}-prefixed passthroughs
   * @param schema the table's schema
   * @param ctx    dates, division reference and catalog of the drop
   */
  public static Dataset<Row> standardise(Dataset<Row> raw, TableSchema schema, StandardiseContext ctx) {
    return new Plan(raw, schema, ctx).build();
  }

  /** Builds the three projections of one standardisation: clean, parse, assemble. */
  private static final class Plan {

    private final Dataset<Row> raw;
    private final TableSchema schema;
    private final StandardiseContext ctx;
    private final Set<String> rawColumns;
    /** Whether the session's time zone is the sources' (then make_timestamp needs no zone of its own). */
    private final boolean sourceZoneSession;
    private final List<Column> errors = new ArrayList<>();
    private final List<Column> warnings = new ArrayList<>();

    Plan(Dataset<Row> raw, TableSchema schema, StandardiseContext ctx) {
      this.raw = raw;
      this.schema = schema;
      this.ctx = ctx;
      this.rawColumns = Set.of(raw.columns());
      this.sourceZoneSession = SOURCE_ZONE.equals(raw.sparkSession().conf().get("spark.sql.session.timeZone"));
    }

    // Internal column names; the double underscore keeps them apart from contract and passthrough columns.
    private static String name(ColumnSpec c, String kind) {
      return "__" + kind + "_" + c.name();
    }

    private static Column aux(ColumnSpec c, String kind) {
      return col(name(c, kind));
    }

    private static Column auxDef(ColumnSpec c, String kind, Column expr) {
      return expr.as("__" + kind + "_" + c.name());
    }

    private static Column quoted(String name) {
      return col("`" + name + "`");
    }

    private List<String> passthrough() {
      List<String> out = new ArrayList<>();
      for (String f : raw.columns()) {
        if (f.startsWith("_") && !f.equals(ERRORS) && !f.equals(WARNINGS)) {
          out.add(f);
        }
      }
      return out;
    }

    Dataset<Row> build() {
      List<String> passthrough = passthrough();

      // 1. Clean: verbatim text and trimmed, placeholder-free text of every schema column.
      List<Column> stage1 = new ArrayList<>();
      passthrough.forEach(f -> stage1.add(quoted(f)));
      for (ColumnSpec c : schema.columns()) {
        Column verbatim = rawColumns.contains(c.name())
            ? quoted(c.name()).cast(DataTypes.StringType) : lit(null).cast(DataTypes.StringType);
        Column cleaned = clean(verbatim);
        if (c.defaultValue() != null) {
          cleaned = coalesce(cleaned, lit(c.defaultValue()));
        }
        stage1.add(verbatim.as(name(c, "raw")));
        stage1.add(cleaned.as(name(c, "cl")));
      }
      Dataset<Row> cleaned = raw.select(stage1.toArray(new Column[0]));

      // 2. Parse: the typed value of every column, and what its checks need. A separate projection, so that the
      // ID function and the parsers run once per row although several outputs and checks read their results.
      List<Column> stage2 = new ArrayList<>();
      for (String f : cleaned.columns()) {
        stage2.add(quoted(f));
      }
      for (ColumnSpec c : schema.columns()) {
        stage2.addAll(parse(c));
      }
      Dataset<Row> parsed = cleaned.select(stage2.toArray(new Column[0]));

      // 3. Assemble: the output columns, then the passthroughs, then the problems found.
      List<Column> out = new ArrayList<>();
      for (ColumnSpec c : schema.columns()) {
        out.addAll(assemble(c));
      }
      passthrough.forEach(f -> out.add(quoted(f)));
      out.add(issues(errors).as(ERRORS));
      out.add(issues(warnings).as(WARNINGS));
      return parsed.select(out.toArray(new Column[0]));
    }

    /** The typed value ({@code __v_c}) and auxiliary columns of one schema column. */
    private List<Column> parse(ColumnSpec c) {
      Column cl = aux(c, "cl");
      List<Column> out = new ArrayList<>();
      switch (c.type()) {
        case STRING -> out.add(cl.as(name(c, "v")));
        case CODE, FLAG -> out.add(coalesce(lookup(cl, codeMap(c)), cl).as(name(c, "v")));
        case LIST -> {
          Map<String, String> map = codeMap(c);
          // Elements are cleaned like values, so "1; 4" and "1;;4" read as [1, 4]; duplicates are dropped.
          Column elements = filter(transform(split(cl, LIST_SEPARATORS), TextParsers::clean), Column::isNotNull);
          Column mapped = array_distinct(transform(elements, x -> coalesce(lookup(x, map), x)));
          out.add(auxDef(c, "el", when(cl.isNotNull(), elements)));
          out.add(when(size(mapped).gt(0), mapped).as(name(c, "v")));
        }
        case DATE -> out.add(parseDate(cl).as(name(c, "v")));
        case DATETIME -> {
          Column digits = dateTimeDigits(cl);
          Column y = substring(digits, 1, 4).cast(DataTypes.IntegerType);
          Column mo = substring(digits, 5, 2).cast(DataTypes.IntegerType);
          Column d = substring(digits, 7, 2).cast(DataTypes.IntegerType);
          Column h = substring(digits, 9, 2).cast(DataTypes.IntegerType);
          Column mi = substring(digits, 11, 2).cast(DataTypes.IntegerType);
          Column s = substring(digits, 13, 2).cast(DataTypes.IntegerType);
          Column valid = isRealDate(y, mo, d).and(h.leq(23)).and(mi.leq(59)).and(s.leq(59));
          // Given a zone, make_timestamp's generated code looks the zone up by its name on every row (Spark 3.5:
          // two regular expressions compiled per call, 5% of a 3.2-million-row visit file's ingest); without one it
          // uses the session's zone, resolved once. Sanku's sessions run in the source zone.
          Column stamp = sourceZoneSession ? make_timestamp(y, mo, d, h, mi, s)
              : make_timestamp(y, mo, d, h, mi, s, lit(SOURCE_ZONE));
          out.add(when(valid, stamp).as(name(c, "v")));
          // The local calendar date, for FUTURE_DATE: the extract date is a Shanghai date too.
          out.add(auxDef(c, "day", when(valid, make_date(y, mo, d))));
        }
        case INT -> out.add(when(cl.rlike("^[+-]?\\d{1,9}(\\.0*)?$"),
            substring_index(cl, ".", 1).cast(DataTypes.IntegerType)).as(name(c, "v")));
        case DECIMAL -> out.add(when(cl.rlike("^[+-]?(\\d{1,15}(\\.\\d*)?|\\.\\d{1,15})$"),
            cl.cast(DataTypes.DoubleType)).as(name(c, "v")));
        case ID_NO -> {
          // The function cleans the verbatim text itself (white space inside the number, Excel quotes, NFKC).
          UserDefinedFunction fn = udf(new IdNumberFunction(ctx.asOf()), IdNumberFunction.RESULT);
          out.add(fn.apply(aux(c, "raw")).as(name(c, "v")));
        }
        case DIVISION -> {
          Column d12 = when(cl.rlike("^\\d{12}$"), cl).when(cl.rlike("^\\d{6}$"), concat(cl, lit("000000")));
          Column county = lookup(substring(d12, 1, 6), ctx.countySuccessors());
          Column mapped = coalesce(lookup(d12, ctx.divisionSuccessors()),
              when(county.isNotNull(), concat(county, substring(d12, 7, 6))), d12);
          out.add(auxDef(c, "d12", d12));
          out.add(mapped.as(name(c, "v")));
        }
        case ICD10 -> {
          // §5.1: upper-case, no spaces, the dot optional; then the dot goes back after the category.
          // White space and dots dropped by translate (a character without a replacement goes), not by a regular
          // expression replaced on every diagnosis.
          Column norm = translate(upper(translate(cl, FULL_WIDTH, ASCII)), WS_CHARS + ".", "");
          Column ok = norm.rlike("^[A-Z][0-9]{2}[0-9A-Z]*$");
          out.add(auxDef(c, "icd", when(ok, norm)));
          out.add(when(ok, when(length(norm).gt(3), concat(substring(norm, 1, 3), lit("."), substring(norm, 4, 100)))
              .otherwise(norm)).otherwise(cl).as(name(c, "v")));
        }
        default -> throw new IllegalStateException("unhandled type " + c.type());
      }
      return out;
    }

    /** The output columns of one schema column; registers its errors and warnings. */
    private List<Column> assemble(ColumnSpec c) {
      Column raw = aux(c, "raw");
      Column cl = aux(c, "cl");
      Column v = aux(c, "v");
      List<Column> out = new ArrayList<>();
      // A list of separators only is as empty as an empty cell.
      Column missing = c.type() == ColumnType.LIST ? v.isNull() : cl.isNull();
      // Shape first: a value too long for its column, or a code holding a line break, a control character or the
      // delimiter, is a record whose fields ran into each other; it is the column's only error.
      Column shapeOk = lit(true);
      if (c.maxLength() > 0) {
        // Only where an odd value would flow on: a code checked strictly against its value set is quarantined as
        // UNKNOWN_CODE anyway, so the pattern test (a regular expression a row) is spared there.
        boolean flowsOn = !(c.hasValueSet() && c.unknownIsError());
        if (flowsOn && (c.type() == ColumnType.CODE || c.type() == ColumnType.FLAG || c.type() == ColumnType.ICD10)) {
          Column badShape = cl.rlike(controlOr(ctx.delimiter()));
          error(badShape, c, Reasons.BAD_SHAPE, lit(null).cast(DataTypes.StringType));
          shapeOk = coalesce(not(badShape), lit(true));
        }
        Column tooLong = length(cl).gt(c.maxLength());
        error(shapeOk.and(tooLong), c, Reasons.TOO_LONG, lit(null).cast(DataTypes.StringType));
        shapeOk = shapeOk.and(coalesce(not(tooLong), lit(true)));
      }
      if (c.type() != ColumnType.ID_NO) {
        if (c.required() == Requirement.Y) {
          error(missing, c, Reasons.MISSING_REQUIRED, raw);
        } else if (c.requiredWhen() != null) {
          warning(missing.and(conditionHolds(c)), c, Reasons.MISSING_CONDITIONAL, raw);
        }
      }
      switch (c.type()) {
        case STRING -> {
          out.add(v.as(c.name()));
          if (c.marksUncertain()) {
            out.add(coalesce(v.rlike(UNCERTAIN), lit(false)).as(ColumnSpec.IS_UNCERTAIN));
          }
        }
        case CODE, FLAG -> {
          out.add(v.as(c.name()));
          out.add(raw.as(c.srcColumn()));
          List<String> local = localCodes(c);
          if (!local.isEmpty()) {
            warning(cl.isin(local.toArray()), c, Reasons.LOCAL_CODE, cl);
          }
          if (c.hasValueSet()) {
            unknownCode(shapeOk.and(cl.isNotNull()).and(not(v.isin(valueSet(c).toArray()))), c, cl);
          }
        }
        case LIST -> {
          out.add(v.as(c.name()));
          out.add(raw.as(c.srcColumn()));
          List<String> local = localCodes(c);
          if (!local.isEmpty()) {
            warning(exists(aux(c, "el"), x -> x.isin(local.toArray())), c, Reasons.LOCAL_CODE, cl);
          }
          if (c.hasValueSet()) {
            Object[] codes = valueSet(c).toArray();
            Column unknown = filter(v, x -> not(x.isin(codes)));
            unknownCode(shapeOk.and(size(unknown).gt(0)), c, array_join(unknown, ";"));
          }
        }
        case DATE -> {
          out.add(v.as(c.name()));
          out.add(raw.as(c.srcColumn()));
          dateChecks(c, v);
        }
        case DATETIME -> {
          out.add(v.as(c.name()));
          out.add(raw.as(c.srcColumn()));
          dateChecks(c, aux(c, "day"));
        }
        case INT, DECIMAL -> {
          out.add(v.as(c.name()));
          error(cl.isNotNull().and(v.isNull()), c, Reasons.BAD_NUMBER, cl);
          Column outside = lit(false);
          if (c.min() != null) {
            outside = outside.or(v.lt(lit(c.min())));
          }
          if (c.max() != null) {
            outside = outside.or(v.gt(lit(c.max())));
          }
          warning(outside, c, Reasons.OUT_OF_RANGE, cl);
        }
        case ID_NO -> out.addAll(identity(c, raw, v));
        case DIVISION -> {
          Column d12 = aux(c, "d12");
          out.add(v.as(c.name()));
          out.add(raw.as(c.srcColumn()));
          out.add(substring(v, 1, 6).as(c.countyColumn()));
          error(cl.isNotNull().and(d12.isNull()), c, Reasons.BAD_DIVISION, cl);
          warning(cl.rlike("^\\d{6}$"), c, Reasons.DIVISION_6_DIGIT, cl);
          warning(v.notEqual(d12), c, Reasons.DIVISION_RETIRED, cl);
          if (!ctx.knownCounties().isEmpty()) {
            warning(v.isNotNull().and(not(substring(v, 1, 6).isin(ctx.knownCounties().toArray()))), c,
                Reasons.UNKNOWN_DIVISION, cl);
          }
        }
        case ICD10 -> {
          Column norm = aux(c, "icd");
          out.add(v.as(c.name()));
          out.add(raw.as(c.srcColumn()));
          out.add(substring(norm, 1, 3).as(ColumnSpec.ICD3));
          // icd4 = the first four characters ignoring the clinical edition's X placeholder: I10.X00 → I10.
          out.add(when(substring(norm, 4, 1).rlike("^[0-9]$"), substring(norm, 1, 4))
              .otherwise(substring(norm, 1, 3)).as(ColumnSpec.ICD4));
          warning(shapeOk.and(cl.isNotNull()).and(norm.isNull()), c, Reasons.NOT_ICD10, cl);
        }
        default -> throw new IllegalStateException("unhandled type " + c.type());
      }
      return out;
    }

    /** BAD_DATE for unreadable text; FUTURE_DATE for an event after the extract date. */
    private void dateChecks(ColumnSpec c, Column day) {
      Column cl = aux(c, "cl");
      error(cl.isNotNull().and(aux(c, "v").isNull()), c, Reasons.BAD_DATE, cl);
      if (c.notAfterExtract()) {
        LocalDate extract = ctx.extractDate();
        error(day.gt(lit(java.sql.Date.valueOf(extract))), c, Reasons.FUTURE_DATE, cl);
      }
    }

    /**
     * Outputs and warnings of an identity-number column. Never errors: a record with a bad or missing ID is still
     * a real service to a real person, linked later by name, sex, birth date and county (standards §3.4).
     */
    private List<Column> identity(ColumnSpec c, Column raw, Column result) {
      Column normalised = result.getField("normalised");
      Column status = result.getField("status");
      Column idBirth = result.getField("birth_date");
      Column idSex = result.getField("sex");
      List<Column> out = new ArrayList<>();
      out.add(normalised.as(c.name()));
      out.add(raw.as(c.srcColumn()));
      out.add(status.as(c.idStatusColumn()));
      out.add(idBirth.as(c.idBirthDateColumn()));
      out.add(idSex.as(c.idSexColumn()));

      warning(normalised.isNotNull().and(normalised.notEqual(raw)), c, Reasons.ID_NORMALISED, raw);
      // Whether a number is expected at all: a required column, or a conditional one whose condition holds
      // (id_type_code 01); an optional one such as mother_id_no may be empty.
      Column expected = switch (c.required()) {
        case Y -> lit(true);
        case C -> c.requiredWhen() == null ? lit(true) : conditionHolds(c);
        case N -> lit(false);
      };
      // A passport or other document number is not a citizen ID: OTHER_DOC is only news when the row says it is
      // one (or says nothing).
      Column citizenDocument = c.requiredWhen() == null ? lit(true) : coalesce(conditionHolds(c), lit(true));
      Column unusable = when(status.equalTo(IdStatus.MISSING.name()), expected)
          .when(status.equalTo(IdStatus.OTHER_DOC.name()), citizenDocument)
          .otherwise(not(status.isin(KEPT_ID_STATUSES.toArray())));
      warning(unusable, c, concat(lit(Reasons.ID_PREFIX), status), raw);

      if (c.name().equals(OWN_ID)) {
        ColumnSpec birth = schema.column(BIRTH_DATE);
        if (birth != null && birth.type() == ColumnType.DATE) {
          Column rowBirth = aux(birth, "v");
          warning(idBirth.notEqual(rowBirth), c, lit(Reasons.ID_BIRTH_MISMATCH),
              concat_ws(" ≠ ", idBirth.cast(DataTypes.StringType), rowBirth.cast(DataTypes.StringType)));
        }
        ColumnSpec sex = schema.column(SEX_CODE);
        if (sex != null && sex.type().isCoded()) {
          Column rowSex = aux(sex, "v");
          // Only a known sex can disagree: 0 未知 and 9 未说明 say nothing.
          warning(rowSex.isin("1", "2").and(idSex.notEqual(rowSex)), c, lit(Reasons.ID_SEX_MISMATCH),
              concat_ws(" ≠ ", idSex, rowSex));
        }
      }
      return out;
    }

    /** The condition of a C column: the other column's standardised code is one of the listed values. */
    private Column conditionHolds(ColumnSpec c) {
      ColumnSpec on = schema.column(c.requiredWhen().column());
      return aux(on, "v").isin(c.requiredWhen().values().toArray());
    }

    private void unknownCode(Column condition, ColumnSpec c, Column value) {
      if (c.unknownIsError()) {
        error(condition, c, Reasons.UNKNOWN_CODE, value);
      } else {
        warning(condition, c, Reasons.UNKNOWN_CODE, value);
      }
    }

    private Map<String, String> codeMap(ColumnSpec c) {
      return new LinkedHashMap<>(ctx.catalog().codeMap(c.name()));
    }

    /** Keys of the column's code map that really change the value (a map entry "1: 1" is not a local code). */
    private List<String> localCodes(ColumnSpec c) {
      List<String> out = new ArrayList<>();
      codeMap(c).forEach((k, v) -> {
        if (!k.equals(v)) {
          out.add(k);
        }
      });
      return out;
    }

    private Set<String> valueSet(ColumnSpec c) {
      return ctx.catalog().valueSet(c.valueSet());
    }

    private void error(Column condition, ColumnSpec c, String reason, Column value) {
      errors.add(issue(condition, c, lit(reason), value));
    }

    private void warning(Column condition, ColumnSpec c, String reason, Column value) {
      warnings.add(issue(condition, c, lit(reason), value));
    }

    private void warning(Column condition, ColumnSpec c, Column reason, Column value) {
      warnings.add(issue(condition, c, reason, value));
    }

    /** An issue struct when the condition holds, else null (a null condition counts as false). */
    private static Column issue(Column condition, ColumnSpec c, Column reason, Column value) {
      return when(condition, struct(lit(c.name()).as("column"), reason.as("reason"),
          value.cast(DataTypes.StringType).as("value")));
    }

    /**
     * The non-null issues as an array. The typed null first keeps the element type fixed even for a table
     * without any possible issue, so callers can always array_union their own issues into it.
     */
    private static Column issues(List<Column> candidates) {
      List<Column> all = new ArrayList<>();
      all.add(lit(null).cast(ISSUE));
      all.addAll(candidates);
      Column compacted = array_compact(array(all.toArray(new Column[0])));
      if (candidates.isEmpty()) {
        return compacted;
      }
      // Most rows have no issue: they get the empty array from compiled code. array_compact is a lambda that
      // Spark evaluates interpreted, row by row (7% of the executors' time in a 1,000,000-row person file's
      // ingest, JFR), so it runs only for rows with at least one issue.
      Column none = coalesce(candidates.toArray(new Column[0])).isNull();
      return when(none, array().cast(DataTypes.createArrayType(ISSUE))).otherwise(compacted);
    }
  }
}
