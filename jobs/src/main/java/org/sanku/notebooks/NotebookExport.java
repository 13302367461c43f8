package org.sanku.notebooks;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.sanku.indicators.Catalog;
import org.sanku.indicators.IndicatorEngine;
import org.sanku.indicators.PublishedRun;
import org.sanku.indicators.report.Cell;

/**
 * What the notebooks read: one published period and the warehouse as its run read it, written as plain Parquet
 * files (one folder per table) with {@code export.json} describing them. The notebooks never touch the Iceberg
 * tables' own files (a glob over them would read old snapshots and ignore deletes); here each table is read at one
 * snapshot, the indicators as published, everything else as of the run's start, so the files agree with each
 * other and with the published values.
 *
 * <p>Beside the tables, {@code membership} holds, person by person, who is in each rate's denominator and
 * numerator for the period, computed by the indicator engine from those same snapshots; before anything is
 * handed over, its sums by county are checked against the published counts.
 */
public final class NotebookExport {

  /** The tables exported (namespace, table); one absent as of the run is left out and said so in export.json. */
  static final List<String[]> TABLES = List.of(
      new String[] {"ind", "indicator_value"}, new String[] {"ind", "indicator"}, new String[] {"ind", "target"},
      new String[] {"ind", "indicator_run"}, new String[] {"link", "link_rate"}, new String[] {"link", "unlinked"},
      new String[] {"ops", "ingest_ledger"}, new String[] {"ops", "quarantine"}, new String[] {"ops", "drop_refusal"},
      new String[] {"std", "ref_org"}, new String[] {"std", "ref_division"}, new String[] {"model", "emr_visit"},
      new String[] {"model", "emr_diagnosis"}, new String[] {"dq", "check_result"});

  /** The file that describes an export; its presence marks a finished one. */
  public static final String MANIFEST = "export.json";

  public record Result(Path dir, String runId, Map<String, Long> rows) {}

  private NotebookExport() {}

  /**
   * Writes the export of a published period into {@code out} (replacing an earlier export there; a folder that is
   * not one is refused). The files are written beside it and moved in at the end, so a reader never sees half.
   */
  public static Result write(PublishedRun run, Path out, PrintStream log) throws IOException {
    Path target = out.toAbsolutePath().normalize();
    if (Files.exists(target) && !Files.exists(target.resolve(MANIFEST))) {
      try (Stream<Path> s = Files.list(target)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException(target + " exists and is not a Sanku export (no " + MANIFEST
              + "): choose another --out");
        }
      }
    }
    Files.createDirectories(target.getParent());
    Path work = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".");
    try {
      Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the folder keeps the permissions its parent gives.
    }
    try {
      Map<String, Object> tables = new LinkedHashMap<>();
      Map<String, Long> rows = new LinkedHashMap<>();
      for (String[] t : TABLES) {
        String name = t[0] + "." + t[1];
        Dataset<Row> d = t[0].equals("ind") ? run.readPublished(t[1]) : run.read(t[0], t[1]);
        if (d == null) {
          tables.put(name, Map.of("present", false));
          continue;
        }
        long n = parquet(d, work.resolve(name));
        rows.put(name, n);
        tables.put(name, Map.of("present", true, "path", name, "rows", n));
        log.printf("notebooks export: %-22s %,10d rows%n", name, n);
      }
      long members = membership(run, work.resolve("membership"));
      rows.put("membership", members);
      log.printf("notebooks export: %-22s %,10d persons (checked against the published counts)%n", "membership",
          members);
      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("format", 1);
      manifest.put("warehouse", run.warehouse().location);
      manifest.put("period", Map.of("argument", PublishedRun.argument(run.period()), "type", run.period().type(),
          "start", run.period().start().toString(), "end", run.period().end().toString()));
      manifest.put("run", Map.of("run_id", run.run().runId(), "as_of", String.valueOf(run.run().asOf()),
          "started_at", run.run().startedAt().toString(), "published_at", run.run().publishedAt().toString()));
      manifest.put("exported_at", Instant.now().toString());
      manifest.put("tables", tables);
      manifest.put("membership", Map.of("path", "membership", "rows", members, "indicators",
          run.catalog().indicators.values().stream().filter(i -> i.kind() == Catalog.Kind.RATE
              || i.kind() == Catalog.Kind.RATIO).map(Catalog.Indicator::id).toList()));
      manifest.put("snapshots", run.snapshots());
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(work.resolve(MANIFEST).toFile(),
          manifest);
      if (Files.exists(target)) {
        delete(target);
      }
      Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
      return new Result(target, run.run().runId(), rows);
    } finally {
      if (Files.exists(work)) {
        delete(work);
      }
    }
  }

  /** One table as one Parquet file in its own folder; returns its rows. */
  private static long parquet(Dataset<Row> d, Path folder) {
    d.coalesce(1).write().mode("errorifexists").parquet(folder.toUri().toString());
    return d.sparkSession().read().parquet(folder.toUri().toString()).count();
  }

  /**
   * Writes the period's membership and checks it: summed by county it must give the published numerator and
   * denominator of every rate and ratio, or the export is refused (the warehouse or the catalog has changed since
   * the values were published, and the notebooks would disagree with them).
   */
  private static long membership(PublishedRun run, Path folder) {
    Catalog catalog = run.catalog();
    for (String need : List.of("person", "ehr_record", "ehr_exam", "ehr_enrollment", "emr_visit")) {
      if (run.read("model", need) == null) {
        throw new IllegalStateException("model." + need + " has no snapshot from the start of run "
            + run.run().runId() + " (" + run.run().startedAt() + "): upkeep has expired that part of its history; "
            + "publish the period again (./sanku indicators --period " + PublishedRun.argument(run.period())
            + " --recompute) and export it then");
      }
    }
    Dataset<Row> m = new IndicatorEngine(run.spark(), catalog, run::name)
        .membership(run.period()).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      m.coalesce(1).write().mode("errorifexists").parquet(folder.toUri().toString());
      List<String> ids = catalog.indicators.values().stream().filter(i -> i.kind() == Catalog.Kind.RATE
          || i.kind() == Catalog.Kind.RATIO).map(Catalog.Indicator::id).toList();
      List<Column> sums = new ArrayList<>();
      for (String id : ids) {
        sums.add(sum(col("den_" + id).cast("long")).as("d_" + id));
        sums.add(sum(col("num_" + id).cast("long")).as("n_" + id));
      }
      Map<String, Cell> published = new HashMap<>();
      for (Cell c : run.cells()) {
        if ("county".equals(c.divisionLevel())) {
          published.put(c.indicatorId() + "|" + c.divisionCode().substring(0, 6), c);
        }
      }
      List<String> wrong = new ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (Row r : m.groupBy("county_code").agg(sums.get(0), sums.subList(1, sums.size()).toArray(new Column[0]))
          .collectAsList()) {
        if (r.isNullAt(0)) {
          continue;
        }
        for (String id : ids) {
          seen.add(id + "|" + r.getString(0));
          Cell c = published.get(id + "|" + r.getString(0));
          long d = r.getAs("d_" + id);
          long n = r.getAs("n_" + id);
          // The engine counts the registry: an official denominator published instead is compared by the registry
          // count kept beside it.
          long pd = c == null ? 0 : c.registryDenominator();
          long pn = c == null ? 0 : c.numerator();
          if (d != pd || n != pn) {
            wrong.add(id + " in " + r.getString(0) + ": " + n + "/" + d + " against published " + pn + "/" + pd);
          }
        }
      }
      for (var e : published.entrySet()) {
        Cell c = e.getValue();
        if (ids.contains(c.indicatorId()) && !seen.contains(e.getKey())
            && (c.numerator() > 0 || c.registryDenominator() > 0)) {
          wrong.add(e.getKey().replace('|', ' ') + ": nobody against published " + c.numerator() + "/"
              + c.registryDenominator());
        }
      }
      if (!wrong.isEmpty()) {
        throw new IllegalStateException("the warehouse no longer gives the published values of "
            + PublishedRun.argument(run.period()) + " (run " + run.run().runId() + "; the catalog in conf/indicators "
            + "may have changed since): " + String.join("; ", wrong.subList(0, Math.min(5, wrong.size())))
            + (wrong.size() > 5 ? " …" : ""));
      }
      return m.count();
    } finally {
      m.unpersist(true);
    }
  }

  private static void delete(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
