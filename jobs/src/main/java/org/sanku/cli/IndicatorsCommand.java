package org.sanku.cli;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sanku.indicators.Catalog;
import org.sanku.indicators.IndicatorJob;
import org.sanku.indicators.Period;
import org.sanku.indicators.report.Cell;
import org.sanku.indicators.report.CsvReport;
import org.sanku.indicators.report.Published;
import org.sanku.indicators.report.Suppression;
import org.sanku.indicators.report.TextTable;
import org.sanku.indicators.report.XlsxReport;
import org.sanku.ingest.Warehouse;
import org.sanku.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sanku indicators}: the published values of a period, with targets and gaps, as a table, CSV or XLSX. */
@Command(name = "indicators", mixinStandardHelpOptions = true,
    description = "Show the indicator values of a period by county, city and province with targets and gaps: a "
        + "terminal table (exact), or CSV and an Excel workbook for circulation (small cells suppressed). A period "
        + "not yet published (e.g. a quarter) is computed first.")
public final class IndicatorsCommand implements Callable<Integer> {

  @Option(names = "--warehouse", required = true, description = "warehouse folder or URI")
  String warehouse;

  @Option(names = "--period", required = true,
      description = "2025 (calendar year), 2025-Q3, 2025-07 or ytd:2025-11-24 (1 January to that date)")
  String period;

  @Option(names = "--level", description = "county, city or province (default: all levels)")
  String level;

  @Option(names = "--indicator", split = ",", description = "indicator ids (default: all; the table shows the "
      + "headline indicators)")
  List<String> indicators;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or xlsx (default: ${DEFAULT-VALUE})")
  String format;

  @Option(names = "--out", description = "output file (required for xlsx; default for csv: standard output)")
  Path out;

  @Option(names = "--recompute", description = "compute the period again even when it is published")
  boolean recompute;

  @Option(names = "--suppress-below", defaultValue = "5",
      description = "publication threshold k for csv and xlsx (default: ${DEFAULT-VALUE})")
  int k;

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE})")
  String master;

  /** The indicators the terminal table shows by default. */
  static final List<String> HEADLINE = List.of("ehr_coverage", "elderly_health_mgmt", "elderly_tcm_mgmt",
      "elderly_fd_contract", "keypop_fd_contract", "htn_std_mgmt", "htn_unmanaged", "t2dm_unmanaged", "aging_65",
      "life_expectancy");

  @Override
  public Integer call() throws Exception {
    if (!List.of("table", "csv", "xlsx").contains(format)) {
      throw new IllegalArgumentException("--format: table, csv or xlsx (got '" + format + "')");
    }
    if (format.equals("xlsx") && out == null) {
      throw new IllegalArgumentException("--format xlsx needs --out FILE.xlsx");
    }
    if (level != null && !List.of("county", "city", "province").contains(level)) {
      throw new IllegalArgumentException("--level: county, city or province (got '" + level + "')");
    }
    Period p = Period.parse(period);
    SparkSession spark = SparkSessions.create("sanku-indicators", master);
    try {
      Warehouse wh = Warehouse.open(spark, Warehouse.locationOf(warehouse));
      List<Cell> cells = cells(spark, wh, p, recompute);
      return write(cells, System.out);
    } finally {
      spark.stop();
    }
  }

  /** The period's values: published ones, else computed (and published) now. */
  static List<Cell> cells(SparkSession spark, Warehouse wh, Period p, boolean recompute) {
    IndicatorJob job = new IndicatorJob(spark, wh, Sanku.confDir(), System.err);
    Catalog catalog = Catalog.load(Sanku.confDir().resolve("indicators"));
    List<Row> published = spark.catalog().tableExists(job.table("indicator_value"))
        ? IndicatorJob.read(spark, wh, p) : List.of();
    if (published.isEmpty() || recompute) {
      if (!spark.catalog().tableExists(wh.analytics + ".model.person")) {
        throw new IllegalStateException("nothing to compute: the warehouse has no linked data (run ./sanku nightly)");
      }
      System.err.println("sanku indicators: computing " + p.label() + " (" + p.start() + " … " + p.end() + ")");
      return job.run(p.end(), List.of(p)).values().stream().map(IndicatorJob.Value::cell).toList();
    }
    List<Cell> cells = new ArrayList<>();
    for (Row r : published) {
      Catalog.Indicator ind = catalog.indicators.get(r.<String>getAs("indicator_id"));
      cells.add(new Cell(r.getAs("indicator_id"), r.getAs("name_zh"), ind == null ? null : ind.nameEn(),
          r.getAs("unit"), r.getAs("period_type"), r.<java.sql.Date>getAs("period_start").toLocalDate(),
          r.<java.sql.Date>getAs("period_end").toLocalDate(), r.getAs("division_code"), r.getAs("division_level"),
          r.getAs("division_name"), r.getAs("parent_code"), r.<Long>getAs("numerator"), r.<Long>getAs("denominator"),
          r.getAs("value"), r.getAs("lower95"), r.getAs("upper95"), r.getAs("target"), r.getAs("target_year"),
          r.getAs("target_plan"), Boolean.TRUE.equals(r.getAs("higher_is_better")), r.getAs("gap")));
    }
    return cells;
  }

  int write(List<Cell> all, PrintStream stdout) throws Exception {
    List<Cell> cells = all.stream()
        .filter(c -> indicators == null || indicators.contains(c.indicatorId()))
        .toList();
    if (cells.isEmpty()) {
      throw new IllegalStateException("no values for the period" + (indicators == null ? "" : " and indicators "
          + indicators));
    }
    switch (format) {
      case "table" -> {
        List<Cell> shown = level == null ? cells : cells.stream().filter(c -> c.divisionLevel().equals(level)).toList();
        List<String> ids = indicators != null ? indicators
            : HEADLINE.stream().filter(id -> shown.stream().anyMatch(c -> c.indicatorId().equals(id))).toList();
        String text = TextTable.render(shown, ids);
        if (out != null) {
          Files.writeString(out, text, StandardCharsets.UTF_8);
        } else {
          stdout.print(text);
        }
      }
      case "csv" -> {
        // Suppression looks at whole parent groups, so it runs before the level filter.
        List<Published> pub = Suppression.apply(cells, k).stream()
            .filter(x -> level == null || x.cell().divisionLevel().equals(level)).toList();
        if (out != null) {
          try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            CsvReport.write(pub, w);
          }
        } else {
          Writer w = new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8));
          CsvReport.write(pub, w);
          w.flush();
        }
      }
      default -> {
        List<Published> pub = Suppression.apply(cells, k).stream()
            .filter(x -> level == null || x.cell().divisionLevel().equals(level)).toList();
        Cell first = cells.get(0);
        String title = "三库 指标 " + first.periodStart() + " 至 " + first.periodEnd();
        try (OutputStream o = Files.newOutputStream(out)) {
          XlsxReport.write(pub, o, title);
        }
        System.err.println("sanku indicators: wrote " + out);
      }
    }
    return 0;
  }
}
