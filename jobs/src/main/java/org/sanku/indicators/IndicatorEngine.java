package org.sanku.indicators;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sanku.indicators.Catalog.Aggregate;
import org.sanku.indicators.Catalog.Fact;
import org.sanku.indicators.Catalog.Indicator;
import org.sanku.indicators.Catalog.Kind;
import org.sanku.indicators.Catalog.Origin;
import org.sanku.indicators.Catalog.Source;
import org.sanku.link.IntegratedTables;

/**
 * Computes every indicator of a {@link Catalog} for a list of periods, per county, in a few passes:
 *
 * <ol>
 *   <li>the person base: {@code model.person} × periods, with the built-in ages and the catalog's person columns;</li>
 *   <li>one grouped pass per event source, computing all of that source's facts per person and period at once
 *       (conditional aggregates over the events × periods);</li>
 *   <li>the person flags: the base left-joined to every source's facts, then the derived columns (cached);</li>
 *   <li>one aggregation of the flags by period and county for every rate and ratio together; one per life table
 *       (deaths and population by age group); one per record indicator over its source joined to the flags.</li>
 * </ol>
 *
 * <p>Expressions are Spark SQL from the catalog, and every one is analysed as the plan is built: an error names
 * the catalog file and field. Numerators of a {@code rate} are counted as (denominator AND numerator), so a rate
 * never exceeds 100%.
 */
public final class IndicatorEngine {

  /** Counts of one indicator, period and county (6-digit code); life tables carry their age-group arrays. */
  public record CountyCount(String indicatorId, int period, String county, long numerator, long denominator,
      long[] deathsByGroup, long[] populationByGroup) {}

  static final int GROUPS = 19;
  private static final Pattern TABLE_REF =
      Pattern.compile("(?<![\\w.`])(model|link|std)\\.([a-z_][a-z0-9_]*)");

  private final SparkSession spark;
  private final Catalog catalog;
  private final java.util.function.BiFunction<String, String, String> tables;

  /**
   * @param spark   the session
   * @param catalog the indicator catalog
   * @param tables  maps a namespace ({@code model}, {@code link}, {@code std}) and a table name to the SQL name
   *                of the table to read, e.g. {@code sanku.model.person}
   */
  public IndicatorEngine(SparkSession spark, Catalog catalog,
      java.util.function.BiFunction<String, String, String> tables) {
    this.spark = spark;
    this.catalog = catalog;
    this.tables = tables;
  }

  /** Reads the tables of a warehouse's analytics zone ({@code sanku.model.person} …). */
  public static IndicatorEngine over(SparkSession spark, Catalog catalog, org.sanku.storage.Warehouse wh) {
    return new IndicatorEngine(spark, catalog, wh::analytics);
  }

  /**
   * Checks every expression of the catalog against the integrated tables' layout (empty tables with the columns of
   * {@code schemas/integrated}), before any data is read: a run can refuse a broken catalog before it ingests.
   */
  public static void validate(SparkSession spark, Catalog catalog) {
    Map<String, String> views = new HashMap<>();
    for (IntegratedTables.Spec s : IntegratedTables.all()) {
      StructType schema = new StructType();
      for (IntegratedTables.Col c : s.columns()) {
        schema = schema.add(c.name(), c.sparkType());
      }
      String view = "sanku_schema_" + s.namespace() + "_" + s.table();
      spark.createDataFrame(List.of(), schema).createOrReplaceTempView(view);
      views.put(s.namespace() + "." + s.table(), view);
    }
    IndicatorEngine e = new IndicatorEngine(spark, catalog, (ns, t) -> {
      String v = views.get(ns + "." + t);
      if (v == null) {
        throw new Catalog.CatalogException("no table " + ns + "." + t + " among the integrated tables");
      }
      return v;
    });
    try {
      e.plan(List.of(Period.year(2000)));
    } finally {
      views.values().forEach(v -> spark.catalog().dropTempView(v));
    }
  }

  /** The plans for these periods (analysed, not run). */
  Plans plan(List<Period> periods) {
    return plan(periods, java.util.function.UnaryOperator.identity());
  }

  /** The plans for these periods, the counts' over {@code keep} of the flags' columns they read. */
  private Plans plan(List<Period> periods, java.util.function.UnaryOperator<Dataset<Row>> keep) {
    Dataset<Row> per = broadcast(periods(periods));
    // 1. Person base.
    Dataset<Row> base = spark.table(tables.apply("model", "person")).crossJoin(per)
        .withColumn("age", expr(age("birth_date", "ref_date")))
        .withColumn("age_at_death", expr(age("birth_date", "death_date")))
        .withColumn("age_at_mid", expr(age("birth_date", "mid_date")));
    base = addColumns(base, catalog.person);
    // 2. Facts, one grouped pass per source.
    Dataset<Row> flags = base;
    Map<String, Dataset<Row>> sourceRows = new LinkedHashMap<>();
    for (Source s : catalog.sources.values()) {
      Dataset<Row> rows = sourceRows(s);
      sourceRows.put(s.name(), rows);
      List<Fact> fs = catalog.facts.values().stream().filter(f -> f.source().equals(s.name())).toList();
      if (fs.isEmpty()) {
        continue;
      }
      Dataset<Row> ev = rows.filter("person_key IS NOT NULL").crossJoin(per);
      boolean updatedAt = List.of(rows.columns()).contains("updated_at");
      List<Column> aggs = new ArrayList<>();
      List<String> any = new ArrayList<>();
      for (Fact f : fs) {
        check(ev, f.when().sql(), f.when().origin());
        if (f.of() != null) {
          check(ev, f.of().sql(), f.of().origin());
        }
        any.add("coalesce((" + f.when().sql() + "), false)");
        aggs.add(expr(aggregate(f, updatedAt)).as(f.name()));
      }
      // Only events some fact wants reach the shuffle.
      ev = ev.filter(String.join(" OR ", any));
      // The events are shuffled by person, then grouped once. Spark otherwise groups them where they are read, then
      // again after the shuffle: two hash lookups of the 64-character key per event, to fold the few events a
      // person has (one year at 1,000,000 persons: 43.3 and 46.0 s before, 40.2 and 41.4 s after).
      Dataset<Row> agg = ev.repartition(col("period_id"), col("person_key"))
          .groupBy(col("period_id"), col("person_key"))
          .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
      // A hash join: the facts (at most one row per person and period) are the build side, the person base
      // streams through every source's join keeping its partitioning, and neither side is sorted (a sort-merge
      // join sorted the base and every source's facts by the 64-character key).
      flags = flags.join(agg.hint("shuffle_hash"), scalaSeq("period_id", "person_key"), "left");
      for (Fact f : fs) {
        switch (f.aggregate()) {
          case EXISTS -> flags = flags.withColumn(f.name(), expr("coalesce(" + f.name() + ", false)"));
          case COUNT, COUNT_DISTINCT -> flags = flags.withColumn(f.name(), expr("coalesce(" + f.name() + ", 0L)"));
          default -> { }
        }
      }
    }
    // 3. Derived person columns.
    flags = addColumns(flags, catalog.derived);
    // Expressions over the flags are checked against an empty table of the same shape (analysing the whole
    // plan for each of them would cost more than computing it).
    Dataset<Row> shape = spark.createDataFrame(List.of(), flags.schema());
    try {
      return counts(flags, shape, per, sourceRows, keep.apply(kept(flags)));
    } catch (Catalog.CatalogException e) {
      throw e;
    } catch (Exception e) {
      // Some expression reads a column the narrowing did not see (it cannot when expressions name their
      // columns): the counts read every column of the flags instead.
      return counts(flags, shape, per, sourceRows, keep.apply(flags));
    }
  }

  /** The columns of the flags the counts read: expressions name theirs ({@link #used}). */
  private Dataset<Row> kept(Dataset<Row> flags) {
    java.util.Set<String> used = used(flags.columns());
    if (used == null) {
      return flags;
    }
    return flags.select(used.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new));
  }

  /**
   * The flags' columns the counts' expressions name (rates' and ratios' denominators and numerators, life tables'
   * four, and {@code person.<column>} in record indicators), with the grouping columns; null when a record
   * indicator uses {@code person} otherwise than by field (then every column is kept). A word that merely looks
   * like a column (in a string, a lambda variable) keeps that column too: harmless.
   */
  java.util.Set<String> used(String[] columns) {
    List<String> sqls = new ArrayList<>();
    List<String> recordSqls = new ArrayList<>();
    for (Indicator i : catalog.indicators.values()) {
      switch (i.kind()) {
        case RATE, RATIO -> {
          sqls.add(i.denominator().sql());
          sqls.add(i.numerator().sql());
        }
        case LIFE_TABLE -> {
          sqls.add(i.deaths().sql());
          sqls.add(i.deathAge().sql());
          sqls.add(i.population().sql());
          sqls.add(i.populationAge().sql());
        }
        case RECORD -> {
          recordSqls.add(i.county());
          recordSqls.add(i.denominator().sql());
          recordSqls.add(i.numerator().sql());
        }
        default -> { }
      }
    }
    java.util.Set<String> used = new java.util.LinkedHashSet<>(List.of("period_id", "person_key", "county_code"));
    for (String c : columns) {
      Pattern word = Pattern.compile("(?<![\\w.])" + Pattern.quote(c) + "(?!\\w)", Pattern.CASE_INSENSITIVE);
      if (sqls.stream().anyMatch(q -> word.matcher(q).find())) {
        used.add(c);
      }
    }
    Pattern field = Pattern.compile("(?<![\\w.`])person\\s*\\.\\s*`?([A-Za-z_][A-Za-z0-9_]*)`?",
        Pattern.CASE_INSENSITIVE);
    Pattern bare = Pattern.compile("(?<![\\w.`])`?person`?(?![\\w`]|\\s*\\.)", Pattern.CASE_INSENSITIVE);
    java.util.Map<String, String> byLower = new HashMap<>();
    for (String c : columns) {
      byLower.put(c.toLowerCase(java.util.Locale.ROOT), c);
    }
    for (String q : recordSqls) {
      if (bare.matcher(q).find()) {
        return null;
      }
      Matcher m = field.matcher(q);
      while (m.find()) {
        String c = byLower.get(m.group(1).toLowerCase(java.util.Locale.ROOT));
        if (c != null) {
          used.add(c);
        }
      }
    }
    used.retainAll(java.util.Set.of(columns));
    return used;
  }

  /** The counts' plans over {@code flags} (cached by {@link #compute}); expressions are checked on {@code shape}. */
  private Plans counts(Dataset<Row> all, Dataset<Row> shape, Dataset<Row> per, Map<String, Dataset<Row>> sourceRows,
      Dataset<Row> flags) {
    // 4. Indicators.
    List<Column> aggs = new ArrayList<>();
    List<Indicator> counted = new ArrayList<>();
    for (Indicator i : catalog.indicators.values()) {
      if (i.kind() == Kind.RATE || i.kind() == Kind.RATIO) {
        check(shape, i.denominator().sql(), i.denominator().origin());
        check(shape, i.numerator().sql(), i.numerator().origin());
        String den = "coalesce((" + i.denominator().sql() + "), false)";
        String num = "coalesce((" + i.numerator().sql() + "), false)";
        if (i.kind() == Kind.RATE) {
          num = den + " AND " + num;
        }
        aggs.add(expr("sum(CASE WHEN " + den + " THEN 1L ELSE 0L END)").as("d_" + i.id()));
        aggs.add(expr("sum(CASE WHEN " + num + " THEN 1L ELSE 0L END)").as("n_" + i.id()));
        counted.add(i);
      }
    }
    Map<String, Dataset<Row>[]> lifeTables = new LinkedHashMap<>();
    Map<String, Dataset<Row>> records = new LinkedHashMap<>();
    for (Indicator i : catalog.indicators.values()) {
      if (i.kind() == Kind.LIFE_TABLE) {
        check(shape, i.deaths().sql(), i.deaths().origin());
        check(shape, i.deathAge().sql(), i.deathAge().origin());
        check(shape, i.population().sql(), i.population().origin());
        check(shape, i.populationAge().sql(), i.populationAge().origin());
        @SuppressWarnings("unchecked")
        Dataset<Row>[] two = new Dataset[] {
            groups(flags, i.deaths().sql(), i.deathAge().sql()),
            groups(flags, i.population().sql(), i.populationAge().sql())};
        lifeTables.put(i.id(), two);
      } else if (i.kind() == Kind.RECORD) {
        Dataset<Row> rows = sourceRows.get(i.source()).crossJoin(per);
        String[] cols = flags.columns();
        Column[] personCols = new Column[cols.length];
        for (int k = 0; k < cols.length; k++) {
          personCols[k] = col(cols[k]);
        }
        Dataset<Row> persons = flags.select(col("period_id").as("pp_period"), col("person_key").as("pp_key"),
            org.apache.spark.sql.functions.struct(personCols).as("person"));
        // A hash join on the persons (one row per person and period): the records are not sorted by key.
        Dataset<Row> joined = rows.join(persons.hint("shuffle_hash"),
            rows.col("period_id").equalTo(persons.col("pp_period"))
            .and(rows.col("person_key").equalTo(persons.col("pp_key"))), "left");
        Dataset<Row> joinedShape = spark.createDataFrame(List.of(), joined.schema());
        check(joinedShape, i.county(), new Origin(i.origin().file(), i.origin().field() + ".county"));
        check(joinedShape, i.denominator().sql(), i.denominator().origin());
        check(joinedShape, i.numerator().sql(), i.numerator().origin());
        String den = "coalesce((" + i.denominator().sql() + "), false)";
        String num = den + " AND coalesce((" + i.numerator().sql() + "), false)";
        records.put(i.id(), joined.groupBy(col("period_id"), expr(i.county()).as("county"))
            .agg(expr("sum(CASE WHEN " + den + " THEN 1L ELSE 0L END)").as("d"),
                expr("sum(CASE WHEN " + num + " THEN 1L ELSE 0L END)").as("n")));
      }
    }
    Dataset<Row> rates = aggs.isEmpty() ? null : flags.groupBy(col("period_id"), col("county_code").as("county"))
        .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
    return new Plans(all, flags, rates, counted, lifeTables, records);
  }

  /**
   * The built plans: the person flags with every column ({@code flags}), the columns of them the counts read
   * ({@code kept}, to cache), and the aggregations reading {@code kept}.
   */
  record Plans(Dataset<Row> flags, Dataset<Row> kept, Dataset<Row> rates, List<Indicator> counted,
      Map<String, Dataset<Row>[]> lifeTables, Map<String, Dataset<Row>> records) {}

  /**
   * Who is counted, person by person, for one period: a row per person in some denominator or numerator with their
   * county, township, sex and age on R, and for every rate and ratio indicator whether they are in its denominator
   * ({@code den_<id>}) and numerator ({@code num_<id>}; for a rate, within the denominator), exactly as
   * {@link #compute} counts them. Summed by county these are the published counts; the notebooks break an
   * indicator down further with them (age band, township, where patients were seen) without a second reading of
   * the catalog.
   */
  public Dataset<Row> membership(Period p) {
    Plans plans = plan(List.of(p));
    List<Column> cols = new ArrayList<>(List.of(col("person_key"), col("county_code"), col("residence_division_code"),
        col("sex_code"), col("age")));
    List<String> any = new ArrayList<>();
    for (Indicator i : plans.counted()) {
      String den = "coalesce((" + i.denominator().sql() + "), false)";
      String num = "coalesce((" + i.numerator().sql() + "), false)";
      if (i.kind() == Kind.RATE) {
        num = den + " AND " + num;
      }
      cols.add(expr(den).as("den_" + i.id()));
      cols.add(expr(num).as("num_" + i.id()));
      any.add("den_" + i.id());
      any.add("num_" + i.id());
    }
    return plans.flags().select(cols.toArray(new Column[0])).filter(String.join(" OR ", any));
  }

  /**
   * Runs the plans: county counts of every indicator and period. Persons and records whose county is unknown are
   * counted too, with county null: they are in no division's count, and the roll-up reports them as unassigned.
   */
  public List<CountyCount> compute(List<Period> periods) {
    // The flags are computed once for the aggregations, and kept as rows: Spark's columnar cache spent longer
    // encoding them than the aggregations spent reading them.
    List<Dataset<Row>> kept = new ArrayList<>();
    Plans q = plan(periods, df -> {
      Dataset<Row> k = org.sanku.spark.Kept.keep(df);
      kept.add(k);
      return k;
    });
    try {
      List<CountyCount> out = new ArrayList<>();
      if (q.rates() != null) {
        for (Row r : q.rates().collectAsList()) {
          int period = r.getInt(0);
          // A person without a county is kept (county null): the roll-up reports them as unassigned.
          String county = r.isNullAt(1) ? null : r.getString(1);
          for (Indicator i : q.counted()) {
            long d = r.getAs("d_" + i.id());
            long n = r.getAs("n_" + i.id());
            out.add(new CountyCount(i.id(), period, county, n, d, null, null));
          }
        }
      }
      for (var e : q.lifeTables().entrySet()) {
        Map<String, long[][]> byKey = new LinkedHashMap<>();
        for (int which = 0; which < 2; which++) {
          for (Row r : e.getValue()[which].collectAsList()) {
            if (r.isNullAt(2)) {
              continue;
            }
            long[][] a = byKey.computeIfAbsent(r.getInt(0) + "|" + (r.isNullAt(1) ? "" : r.getString(1)),
                k -> new long[][] {new long[GROUPS], new long[GROUPS]});
            a[which][r.getInt(2)] += r.getLong(3);
          }
        }
        for (var k : byKey.entrySet()) {
          String[] pk = k.getKey().split("\\|", 2);
          long[][] a = k.getValue();
          out.add(new CountyCount(e.getKey(), Integer.parseInt(pk[0]), pk[1].isEmpty() ? null : pk[1], sum(a[0]),
              sum(a[1]), a[0], a[1]));
        }
      }
      for (var e : q.records().entrySet()) {
        for (Row r : e.getValue().collectAsList()) {
          // A record without a county (a visit at an organisation missing from ref_org) is kept, county null.
          out.add(new CountyCount(e.getKey(), r.getInt(0), r.isNullAt(1) ? null : r.getString(1), r.getLong(3),
              r.getLong(2), null, null));
        }
      }
      return out;
    } finally {
      kept.forEach(org.sanku.spark.Kept::release);
    }
  }

  private static long sum(long[] a) {
    long s = 0;
    for (long x : a) {
      s += x;
    }
    return s;
  }

  /** Persons per (period, county, age group) where {@code filter} holds, ages from {@code age}. */
  private static Dataset<Row> groups(Dataset<Row> flags, String filter, String age) {
    String a = "(" + age + ")";
    String group = "CASE WHEN " + a + " < 1 THEN 0 WHEN " + a + " < 5 THEN 1 ELSE least(18, CAST(floor(" + a
        + " / 5) AS INT) + 1) END";
    return flags.filter("coalesce((" + filter + "), false)")
        .groupBy(col("period_id"), col("county_code").as("county"), expr("CAST(" + group + " AS INT)").as("grp"))
        .agg(expr("count(1)").as("n"));
  }

  private Dataset<Row> sourceRows(Source s) {
    Matcher m = TABLE_REF.matcher(s.sql());
    StringBuilder sql = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sql, Matcher.quoteReplacement(tables.apply(m.group(1), m.group(2))));
    }
    m.appendTail(sql);
    Dataset<Row> d;
    try {
      d = spark.sql(sql.toString());
    } catch (Exception e) {
      throw error(s.origin(), e);
    }
    for (String need : new String[] {"person_key", "event_date", "key"}) {
      if (!List.of(d.columns()).contains(need)) {
        throw new Catalog.CatalogException(s.origin() + ": the source has no column " + need
            + " (every source has person_key, event_date and key)");
      }
    }
    return d;
  }

  /**
   * The aggregate of a fact. {@code last}: the value at the latest event_date; same-day events are ordered by the
   * source's updated_at when it has one (the latest change wins, as the contract's src_updated_at decides between
   * versions), then by key (the greatest).
   */
  private static String aggregate(Fact f, boolean updatedAt) {
    String w = "coalesce((" + f.when().sql() + "), false)";
    String tie = updatedAt ? "'u', updated_at, " : "";
    return switch (f.aggregate()) {
      case EXISTS -> "bool_or(" + w + ")";
      case COUNT -> "count_if(" + w + ")";
      case COUNT_DISTINCT -> "count(DISTINCT CASE WHEN " + w + " THEN (" + f.of().sql() + ") END)";
      case MAX -> "max(CASE WHEN " + w + " THEN (" + f.of().sql() + ") END)";
      case MIN -> "min(CASE WHEN " + w + " THEN (" + f.of().sql() + ") END)";
      case LAST -> "max(CASE WHEN " + w + " THEN named_struct('d', event_date, " + tie
          + "'k', CAST(key AS STRING), 'v', (" + f.of().sql() + ")) END).v";
    };
  }

  /** Completed years (周岁) from {@code birth} to {@code on}: a birthday on 29 February is reached on 1 March. */
  static String age(String birth, String on) {
    return "year(" + on + ") - year(" + birth + ") - CASE WHEN date_format(" + birth + ", 'MMdd') > date_format("
        + on + ", 'MMdd') THEN 1 ELSE 0 END";
  }

  private Dataset<Row> periods(List<Period> periods) {
    StructType schema = new StructType()
        .add("period_id", DataTypes.IntegerType, false)
        .add("period_type", DataTypes.StringType, false)
        .add("period_start", DataTypes.DateType, false)
        .add("ref_date", DataTypes.DateType, false)
        .add("window_start", DataTypes.DateType, false)
        .add("mid_date", DataTypes.DateType, false)
        .add("period_days", DataTypes.IntegerType, false)
        .add("year_days", DataTypes.IntegerType, false);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < periods.size(); i++) {
      Period p = periods.get(i);
      rows.add(RowFactory.create(i, p.type(), Date.valueOf(p.start()), Date.valueOf(p.end()),
          Date.valueOf(p.windowStart()), Date.valueOf(p.mid()), (int) p.days(), p.yearDays()));
    }
    return spark.createDataFrame(rows, schema);
  }

  /**
   * Adds named columns in order (each may use the ones before it): checked one by one on an empty table of the
   * same shape, then added to the plan in one projection per column group.
   */
  private Dataset<Row> addColumns(Dataset<Row> d, Map<String, Catalog.Expr> cols) {
    Dataset<Row> shape = spark.createDataFrame(List.of(), d.schema());
    for (var e : cols.entrySet()) {
      try {
        shape = shape.withColumn(e.getKey(), expr(e.getValue().sql()));
      } catch (Exception ex) {
        throw error(e.getValue().origin(), ex);
      }
    }
    for (var e : cols.entrySet()) {
      d = d.withColumn(e.getKey(), expr(e.getValue().sql()));
    }
    return d;
  }

  private static void check(Dataset<Row> d, String sql, Origin o) {
    try {
      d.selectExpr(sql);
    } catch (Exception e) {
      throw error(o, e);
    }
  }

  private static RuntimeException error(Origin o, Exception e) {
    if (e instanceof Catalog.CatalogException c) {
      return c;
    }
    String msg = e instanceof AnalysisException a ? a.getSimpleMessage() : e.getMessage();
    return new Catalog.CatalogException(o + ": " + (msg == null ? e.toString() : msg.lines().findFirst().orElse(msg)));
  }

  private static scala.collection.Seq<String> scalaSeq(String... s) {
    return scala.collection.JavaConverters.asScalaBuffer(List.of(s)).toSeq();
  }
}
