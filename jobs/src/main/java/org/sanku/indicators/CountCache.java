package org.sanku.indicators;

import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.sanku.storage.ComputedFrom;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.PinnedReads;
import org.sanku.storage.TableLayouts;

/**
 * The county counts of the last computation of the catalog ({@code <analytics>.ind.county_count}), with what they
 * were computed from in the table property {@value #INPUTS_PROPERTY}: the catalog, the periods, the engine's code,
 * and every table read with its snapshot. A run whose inputs are the same (every table at that snapshot, or at one
 * that only compacted it) reads them instead of computing them again: a night on which nothing was delivered, or
 * everything refused, and a second run. Roll-up, targets and official denominators are applied afresh either way.
 */
final class CountCache {

  static final String INPUTS_PROPERTY = "sanku.inputs";

  private final SparkSession spark;
  private final IcebergWriter writer;
  private final String table;
  private final String basis;
  private final List<Period> periods;

  CountCache(SparkSession spark, IcebergWriter writer, String table, Catalog catalog, List<Period> periods) {
    this.spark = spark;
    this.writer = writer;
    this.table = table;
    this.periods = List.copyOf(periods);
    // The periods named as they are, so that a run over others (a nightly's year to date ends on each night's date)
    // says so rather than that the definitions differ.
    this.basis = "counts=" + digest(catalog) + ";periods=" + periods.stream()
        .map(p -> p.type() + " " + p.start() + ".." + p.end()).collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * The stored counts when they were computed from this run's inputs (each stored table is pinned in
   * {@code reads}, as computing would), else null; {@code why} gets the reason they are not.
   */
  List<IndicatorEngine.CountyCount> reuse(PinnedReads reads, StringBuilder why) {
    if (!writer.exists(table)) {
      why.append("no counts stored yet");
      return null;
    }
    org.apache.iceberg.Table t = writer.load(table);
    t.refresh();
    String not = ComputedFrom.whyNot(spark, t.properties().get(INPUTS_PROPERTY), basis, reads::snapshot);
    if (not != null) {
      why.append(not);
      return null;
    }
    List<IndicatorEngine.CountyCount> out = new ArrayList<>();
    for (Row r : spark.table(table).collectAsList()) {
      out.add(new IndicatorEngine.CountyCount(r.getAs("indicator_id"), r.<Integer>getAs("period_index"),
          r.getAs("county"), r.<Long>getAs("numerator"), r.<Long>getAs("denominator"), longs(r, "deaths_by_group"),
          longs(r, "population_by_group")));
    }
    return out;
  }

  /** Stores {@code counts}, computed by run {@code runId} from the tables of {@code read} at their snapshots. */
  void store(List<IndicatorEngine.CountyCount> counts, Map<String, Long> read, String runId) {
    List<Row> rows = new ArrayList<>();
    for (IndicatorEngine.CountyCount c : counts) {
      Period p = periods.get(c.period());
      rows.add(RowFactory.create(c.indicatorId(), c.period(), p.type(), Date.valueOf(p.start()),
          Date.valueOf(p.end()), c.county(), c.numerator(), c.denominator(), boxed(c.deathsByGroup()),
          boxed(c.populationByGroup()), runId));
    }
    Dataset<Row> df = spark.createDataFrame(rows, TableLayouts.get("ind", "county_count").schema()).coalesce(1);
    writer.replace(table, df, Map.of(INPUTS_PROPERTY, ComputedFrom.text(basis, read)));
  }

  private static long[] longs(Row r, String column) {
    if (r.isNullAt(r.fieldIndex(column))) {
      return null;
    }
    List<Long> l = r.getList(r.fieldIndex(column));
    long[] a = new long[l.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = l.get(i);
    }
    return a;
  }

  private static List<Long> boxed(long[] a) {
    if (a == null) {
      return null;
    }
    List<Long> l = new ArrayList<>(a.length);
    for (long x : a) {
      l.add(x);
    }
    return l;
  }

  /**
   * What the counts follow from besides the tables and the periods (named in the basis as they are): the catalog as
   * loaded and the engine's code.
   */
  private static String digest(Catalog catalog) {
    String text = String.join("\n", String.valueOf(catalog.params), String.valueOf(catalog.conditions),
        String.valueOf(catalog.person), String.valueOf(catalog.sources), String.valueOf(catalog.facts),
        String.valueOf(catalog.derived), String.valueOf(catalog.indicators));
    return ComputedFrom.digest(List.of(IndicatorEngine.class, CountCache.class, Period.class), text);
  }
}
