package org.sanku.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of one benchmark run, rendered as the Markdown section docs/benchmarks.md collects. */
final class BenchResult {

  private final long persons;
  private final int nights;
  private final double dirtyRate;
  private final String encoding;
  private final LocalDate asOf;
  private long fullRows;
  private long deltaRows;
  private final Map<String, Child.Run> sanku = new LinkedHashMap<>();
  private final Map<String, Child.Run> duckdb = new LinkedHashMap<>();
  private Values.Comparison values;

  BenchResult(long persons, int nights, double dirtyRate, String encoding, LocalDate asOf) {
    this.persons = persons;
    this.nights = nights;
    this.dirtyRate = dirtyRate;
    this.encoding = encoding;
    this.asOf = asOf;
  }

  void rows(long full, long delta) {
    this.fullRows = full;
    this.deltaRows = delta;
  }

  void sanku(String run, Child.Run r) {
    sanku.put(run, r);
  }

  void duckdb(String run, Child.Run r) {
    duckdb.put(run, r);
  }

  void values(Values.Comparison v) {
    this.values = v;
  }

  boolean valuesOk() {
    return values != null && values.ok();
  }

  String render(String machine, String commit, LocalDate today) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "## %s · commit %s · %,d persons%n%n", today, commit, persons));
    b.append(String.format(Locale.ROOT, "%s. Region: %d night(s), then 1 night of deltas, %s%% dirty, %s, as of "
        + "%s; %,d rows in the first nightly, %,d in the delta night. Sanku JVM options: %s.%n%n", machine, nights,
        fmt(dirtyRate * 100), encoding, asOf, fullRows, deltaRows,
        System.getenv().getOrDefault("SANKU_JAVA_OPTS", "-Xmx8g")));
    b.append("| run | stage | wall s | rows/s | peak heap / RSS MiB | Spark jobs | snapshots | DuckDB s | Sanku ÷ DuckDB |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (var e : sanku.entrySet()) {
      boolean warm = e.getKey().equals("warm");
      String run = switch (e.getKey()) {
        case "full" -> "full nightly, empty warehouse";
        case "warm" -> "night of deltas, warm JVM (`--daily-at`)";
        default -> "night of deltas";
      };
      long rows = e.getKey().equals("full") ? fullRows : deltaRows;
      Child.Run r = warm ? measured(e.getValue()) : e.getValue();
      List<NightlyLog.Stage> stages = NightlyLog.stages(r.lines());
      String ddbRun = warm ? "delta" : e.getKey();
      Map<String, Double> ddb = duckdbStages(ddbRun);
      for (NightlyLog.Stage s : stages) {
        String rate = "";
        if (s.name().equals("ingest") && s.seconds() > 0) {
          rate = String.format(Locale.ROOT, "%,.0f", rows / s.seconds());
        } else if (s.name().equals("link") && s.seconds() > 0) {
          long records = Long.parseLong(s.what().replaceAll("[^0-9].*$", "").isEmpty() ? "0"
              : s.what().replaceAll("[^0-9].*$", ""));
          rate = String.format(Locale.ROOT, "%,.0f records/s", records / s.seconds());
        }
        b.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %,d | %,d | %,d | | |%n", run, s.name(),
            s.seconds(), rate, s.peakHeapMiB(), s.jobs(), s.snapshots()));
      }
      if (Double.isNaN(r.seconds())) {
        // The warm run's child ended before its measured night (the warm-up failed): no figures.
        b.append(String.format(Locale.ROOT, "| %s | not measured: the run before it ended with exit code %d (see "
            + "%s) | | | | | | | |%n", run, r.exitCode(), r.log() == null ? "its log" : r.log().getFileName()));
        continue;
      }
      Double ddbTotal = ddb.get("total");
      b.append(String.format(Locale.ROOT, "| %s | **%s** | **%.1f** | %,.0f | %,d RSS | | | %s "
          + "| %s |%n", run, warm ? "whole run, in a JVM that ran one before" : "whole run, JVM start included",
          r.seconds(), rows / r.seconds(), r.peakRssMiB(),
          ddbTotal == null ? "" : String.format(Locale.ROOT, "%.1f", duckdbRun(ddbRun).seconds()),
          ddbTotal == null ? "" : String.format(Locale.ROOT, "**%.1f×**", r.seconds() / duckdbRun(ddbRun)
              .seconds())));
      if (r.exitCode() != 0) {
        b.append(String.format(Locale.ROOT, "| %s | exit code %d | | | | | | | |%n", run, r.exitCode()));
      }
    }
    b.append('\n');
    for (var e : duckdb.entrySet()) {
      Map<String, Double> st = duckdbStages(e.getKey());
      b.append(String.format(Locale.ROOT, "DuckDB reference (%s, %s): ", e.getKey().equals("full")
          ? "the first nightly's drops" : "all drops again, as an analyst reruns it", e.getValue().exitCode() == 0
          ? "ok" : "exit " + e.getValue().exitCode()));
      st.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%s %.1f s, ", k, v)));
      b.append(String.format(Locale.ROOT, "JVM start included %.1f s, peak RSS %,d MiB.%n%n", e.getValue().seconds(),
          e.getValue().peakRssMiB()));
    }
    if (values != null) {
      b.append(String.format(Locale.ROOT, "Values: %d of %d values of %d in the generator's truth equal the published "
          + "ones (numerator, denominator, value, 95%% limits)", values.equalToTruth(), values.truthRows(),
          asOf.getYear()));
      if (values.previousCommit() != null) {
        b.append(String.format(Locale.ROOT, "; %d of %d equal those commit %s published on this region",
            values.equalToPrevious(), values.previousRows(), values.previousCommit()));
      }
      b.append(".\n");
      for (String d : values.differences()) {
        b.append("- differs: ").append(d).append('\n');
      }
      b.append('\n');
    }
    Child.Run full = sanku.get("full");
    if (full != null) {
      b.append("Where the full nightly's ingest time goes (slowest file steps):\n\n");
      for (NightlyLog.Step s : NightlyLog.slowestSteps(full.lines(), 8)) {
        b.append(String.format(Locale.ROOT, "- %.1f s, %d jobs, %d snapshots: %s%n", s.seconds(), s.jobs(),
            s.snapshots(), s.what()));
      }
      b.append('\n');
    }
    return b.toString();
  }

  /**
   * The measured night of {@link WarmNight}'s child: its output after {@link WarmNight#MEASURED}, its wall time as
   * the child timed it (the JVM was already running), the child's peak RSS (both nights).
   */
  static Child.Run measured(Child.Run r) {
    int at = r.lines().indexOf(WarmNight.MEASURED);
    List<String> lines = at < 0 ? List.of() : r.lines().subList(at + 1, r.lines().size());
    double secs = lines.stream().filter(l -> l.startsWith(WarmNight.TOOK)).mapToDouble(l -> Double.parseDouble(
        l.substring(WarmNight.TOOK.length()).replace(" s", ""))).findFirst().orElse(Double.NaN);
    return new Child.Run(r.exitCode(), secs, r.peakRssMiB(), lines, r.log());
  }

  private Child.Run duckdbRun(String run) {
    return duckdb.get(run);
  }

  private Map<String, Double> duckdbStages(String run) {
    Map<String, Double> out = new LinkedHashMap<>();
    Child.Run r = duckdb.get(run);
    if (r == null) {
      return out;
    }
    for (String l : r.lines()) {
      if (l.startsWith("duckdb: stage ")) {
        String[] p = l.substring("duckdb: stage ".length()).split(" ");
        out.put(p[0], Double.parseDouble(p[1]));
      } else if (l.startsWith("duckdb: total ")) {
        out.put("total", Double.parseDouble(l.substring("duckdb: total ".length())));
      }
    }
    return out;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** Appends a section to the benchmarks page, creating it with its introduction when missing. */
  static void append(Path doc, String section) throws IOException {
    if (!Files.exists(doc)) {
      Files.createDirectories(doc.getParent());
      Files.writeString(doc, "# Benchmarks\n\nEach section is one run of `./sanku bench` (see the README's "
          + "performance section), newest last: the nightly into an empty warehouse and one more night of deltas, "
          + "each in a fresh JVM, beside the DuckDB reference pipeline (`benchmarks/src/main/resources/org/sanku/"
          + "bench/reference.sql`) on the same drops.\n\n", StandardCharsets.UTF_8);
    }
    Files.writeString(doc, section + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }
}
