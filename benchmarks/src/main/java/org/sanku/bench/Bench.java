package org.sanku.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.sanku.generate.RegionGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sanku bench}: generates a region once (cached by its parameters), runs the nightly into an empty
 * warehouse, then one more night of deltas, each in a JVM of its own as the scheduler starts it; runs the DuckDB
 * reference pipeline on the same drops; prints per stage wall time, rows/s, peak memory, Spark jobs and Iceberg
 * snapshots, and the ratios to DuckDB; checks the published values against the generator's truth and the previous
 * run on the same region; and appends the figures to docs/benchmarks.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measures the nightly (full, then a night of deltas) beside a DuckDB reference on the same drops.")
public final class Bench implements Callable<Integer> {

  @Option(names = "--persons", defaultValue = "1000000", description = "Persons of the region (default ${DEFAULT-VALUE}).")
  long persons;

  @Option(names = "--nights", defaultValue = "3",
      description = "Nights in the first nightly (a full drop, then deltas); one more night follows (default ${DEFAULT-VALUE}).")
  int nights;

  @Option(names = "--encoding", defaultValue = "UTF-8",
      description = "Encoding of the drops (default ${DEFAULT-VALUE}; DuckDB reads only UTF-8 here, so it is skipped otherwise).")
  String encoding;

  @Option(names = "--dirty-rate", defaultValue = "0.02", description = "Share of dirty rows (default ${DEFAULT-VALUE}).")
  double dirtyRate;

  @Option(names = "--seed", defaultValue = "1", description = "Generator seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--region", defaultValue = "nanchong", description = "Region (default ${DEFAULT-VALUE}).")
  String region;

  @Option(names = "--as-of", defaultValue = "2025-12-31", description = "Date of the last night (default ${DEFAULT-VALUE}).")
  LocalDate asOf;

  @Option(names = "--out", defaultValue = "work/bench",
      description = "Folder for the cached regions, the run and its logs (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--duckdb-threads", defaultValue = "2", description = "DuckDB threads (default ${DEFAULT-VALUE}).")
  int duckdbThreads;

  @Option(names = "--no-duckdb", description = "Skip the DuckDB reference.")
  boolean noDuckdb;

  @Option(names = "--no-record", description = "Do not append the figures to docs/benchmarks.md.")
  boolean noRecord;

  @Option(names = "--warm", description = "Also measure the night of deltas in a JVM that ran it once before, as "
      + "`./sanku nightly --daily-at` runs every night after its first (two more runs of that night).")
  boolean warm;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintStream o = System.out;
    Path home = Path.of(System.getenv().getOrDefault("SANKU_HOME", ".")).toAbsolutePath().normalize();
    // The commit the measured jars were built from: read now, as the checkout may move on during a long run.
    String commit = commit(home);
    Path region = region(home, o);
    Path run = out.resolve("run").toAbsolutePath();
    deleteTree(run);
    Path landing = Files.createDirectories(run.resolve("landing"));
    Path wh = run.resolve("warehouse");
    Path key = run.resolve("person.key");
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    Files.writeString(key, HexFormat.of().formatHex(k) + "\n");
    List<LocalDate> dates = dropDates(region);
    if (dates.size() < 2) {
      throw new IllegalStateException(region + ": fewer than two nights");
    }
    LocalDate firstUntil = dates.get(dates.size() - 2);
    LocalDate last = dates.get(dates.size() - 1);
    copyDrops(region, landing, d -> !d.isAfter(firstUntil));
    List<String> jvm = List.of(System.getenv().getOrDefault("SANKU_JAVA_OPTS", "-Xmx8g").split("\\s+"));
    Map<String, String> env = Map.of("SANKU_HOME", home.toString(), "SPARK_LOCAL_IP", "127.0.0.1");

    BenchResult r = new BenchResult(persons, nights, dirtyRate, encoding, asOf);
    r.rows(NightlyLog.manifestRows(landing), rowsOf(region, d -> d.equals(last)));
    o.printf("bench: full nightly of %d night(s) into an empty warehouse …%n", nights);
    Child.Run full = Child.run(nightly(home, jvm, landing, wh, key), env, run.resolve("nightly-full.log"), null, "");
    r.sanku("full", full);
    Path afterFull = run.resolve("warehouse-after-full");
    boolean warmable = warm && full.exitCode() == 0 && Files.isDirectory(wh);
    if (warmable) {
      WarmNight.copyTree(wh, afterFull);
    }
    copyDrops(region, landing, d -> d.equals(last));
    o.println("bench: one more night of deltas …");
    Child.Run delta = Child.run(nightly(home, jvm, landing, wh, key), env, run.resolve("nightly-delta.log"), null,
        "");
    r.sanku("delta", delta);
    String query = "SELECT indicator_id, division_code, numerator, denominator, value, lower95, upper95 FROM "
        + "ind.indicator_value WHERE period_start = DATE '" + asOf.withDayOfYear(1) + "' AND period_end = DATE '"
        + asOf + "' ORDER BY indicator_id, division_code";
    if (Child.toFile(Child.java(home, jvm, "org.sanku.cli.Sanku", List.of("sql", "--warehouse", wh.toString(),
        "--format", "csv", "--max-rows", "0", query)), env, run.resolve("values.csv"), run.resolve("values.log")) != 0) {
      throw new IllegalStateException("reading the published values failed: see " + run.resolve("values.log"));
    }
    // The counts without a county (records at an organisation no longer in ref_org), which the truth states too;
    // a run that found none may have no such table.
    String unassigned = "SELECT indicator_id, numerator, denominator FROM ind.unassigned_count WHERE period_start = "
        + "DATE '" + asOf.withDayOfYear(1) + "' AND period_end = DATE '" + asOf + "' ORDER BY indicator_id";
    Path unassignedCsv = run.resolve("unassigned.csv");
    if (Child.toFile(Child.java(home, jvm, "org.sanku.cli.Sanku", List.of("sql", "--warehouse", wh.toString(),
        "--format", "csv", "--max-rows", "0", unassigned)), env, unassignedCsv, run.resolve("unassigned.log")) != 0) {
      Files.deleteIfExists(unassignedCsv);
    }
    r.values(Values.compare(run.resolve("values.csv"), Files.exists(unassignedCsv) ? unassignedCsv : null,
        region.resolve("truth").resolve("indicators.csv"), region, commit));
    Child.Run warmRun = null;
    if (warm && !warmable) {
      o.println("bench: --warm skipped: the full nightly failed");
    } else if (warm) {
      o.println("bench: the night of deltas again, twice in one JVM (measured: the second) …");
      List<String> args = new java.util.ArrayList<>(List.of(afterFull.toString(), wh.toString()));
      args.addAll(nightlyArgs(landing, wh, key));
      warmRun = Child.run(Child.java(home, jvm, WarmNight.class.getName(), args), env,
          run.resolve("nightly-delta-warm.log"), null, "");
      r.sanku("warm", warmRun);
      deleteTree(afterFull);
    }

    if (noDuckdb || !encoding.equalsIgnoreCase("UTF-8")) {
      o.println("bench: DuckDB reference skipped" + (noDuckdb ? "" : " (it reads only UTF-8 here)"));
    } else {
      o.println("bench: DuckDB reference on the same drops …");
      r.duckdb("full", Child.run(duckdb(home, region, firstUntil, run.resolve("duckdb-full")), env,
          run.resolve("duckdb-full.log"), null, ""));
      r.duckdb("delta", Child.run(duckdb(home, region, last, run.resolve("duckdb-delta")), env,
          run.resolve("duckdb-delta.log"), null, ""));
    }
    String machine = Machine.describe();
    String report = r.render(machine, commit, LocalDate.now());
    o.println();
    o.print(report);
    o.println("bench: logs in " + run);
    if (!noRecord) {
      Path doc = home.resolve("docs").resolve("benchmarks.md");
      BenchResult.append(doc, report);
      o.println("bench: appended to " + doc);
    }
    return full.exitCode() == 0 && delta.exitCode() == 0 && (warmRun == null || warmRun.exitCode() == 0)
        && r.valuesOk() ? 0 : 1;
  }

  private List<String> nightly(Path home, List<String> jvm, Path landing, Path wh, Path key) throws IOException {
    return Child.java(home, jvm, "org.sanku.cli.Sanku", nightlyArgs(landing, wh, key));
  }

  private static List<String> nightlyArgs(Path landing, Path wh, Path key) {
    return List.of("nightly", "--landing", landing.toString(), "--warehouse", wh.toString(), "--key-file",
        key.toString());
  }

  private List<String> duckdb(Path home, Path region, LocalDate until, Path outDir) throws IOException {
    return Child.java(home, List.of("-Xmx1g"), DuckDbReference.class.getName(), List.of("--landing",
        region.toString(), "--until", until.toString(), "--ref-date", until.toString(), "--conf",
        home.resolve("conf").toString(), "--out", outDir.toString(), "--threads", String.valueOf(duckdbThreads)));
  }

  /** The cached region for these parameters, generated when missing (nights + 1 nights). */
  private Path region(Path home, PrintStream o) throws IOException {
    String name = String.format(Locale.ROOT, "%s-p%d-n%d-s%d-d%s-%s-%s", region, persons, nights + 1, seed,
        Double.toString(dirtyRate), encoding.toUpperCase(Locale.ROOT), asOf);
    Path dir = out.resolve("regions").resolve(name).toAbsolutePath();
    if (Files.exists(dir.resolve(".complete"))) {
      o.println("bench: region " + dir + " (cached)");
      return dir;
    }
    deleteTree(dir);
    o.println("bench: generating " + dir + " …");
    RegionGenerator.generate(new RegionGenerator.Options(region, persons, seed, asOf, dir, nights + 1, dirtyRate,
        encoding, home.resolve("conf"), Runtime.getRuntime().availableProcessors()));
    Files.writeString(dir.resolve(".complete"), "");
    return dir;
  }

  static List<LocalDate> dropDates(Path region) throws IOException {
    try (Stream<Path> s = Files.list(region.resolve("population"))) {
      return s.map(p -> LocalDate.parse(p.getFileName().toString(), DateTimeFormatter.BASIC_ISO_DATE)).sorted()
          .toList();
    }
  }

  /** Copies the drops whose date passes {@code which} (real copies: the landing refuses links). */
  static void copyDrops(Path region, Path landing, java.util.function.Predicate<LocalDate> which) throws IOException {
    for (String source : List.of("reference", "population", "ehr", "emr")) {
      Path from = region.resolve(source);
      if (!Files.isDirectory(from)) {
        continue;
      }
      try (Stream<Path> s = Files.list(from)) {
        for (Path drop : s.sorted().toList()) {
          LocalDate d = LocalDate.parse(drop.getFileName().toString(), DateTimeFormatter.BASIC_ISO_DATE);
          if (!which.test(d)) {
            continue;
          }
          Path to = Files.createDirectories(landing.resolve(source).resolve(drop.getFileName().toString()));
          try (Stream<Path> files = Files.list(drop)) {
            for (Path f : files.toList()) {
              Files.copy(f, to.resolve(f.getFileName().toString()));
            }
          }
        }
      }
    }
  }

  private static long rowsOf(Path region, java.util.function.Predicate<LocalDate> which) throws IOException {
    long rows = 0;
    for (String source : List.of("reference", "population", "ehr", "emr")) {
      Path from = region.resolve(source);
      if (!Files.isDirectory(from)) {
        continue;
      }
      try (Stream<Path> s = Files.list(from)) {
        for (Path drop : s.toList()) {
          if (which.test(LocalDate.parse(drop.getFileName().toString(), DateTimeFormatter.BASIC_ISO_DATE))) {
            rows += NightlyLog.manifestRowsOfDrop(drop);
          }
        }
      }
    }
    return rows;
  }

  static String commit(Path home) {
    try {
      Process p = new ProcessBuilder("git", "-C", home.toString(), "rev-parse", "--short", "HEAD")
          .redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes()).trim();
      Process dirty = new ProcessBuilder("git", "-C", home.toString(), "status", "--porcelain", "--untracked-files=no")
          .redirectErrorStream(true).start();
      boolean changed = !new String(dirty.getInputStream().readAllBytes()).isBlank();
      return p.waitFor() == 0 ? s + (changed && dirty.waitFor() == 0 ? "+changes" : "") : "unknown";
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
