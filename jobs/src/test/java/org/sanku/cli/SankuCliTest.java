package org.sanku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SankuCliTest {

  private static String capture(Runnable r, boolean err) {
    PrintStream old = err ? System.err : System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
    if (err) {
      System.setErr(ps);
    } else {
      System.setOut(ps);
    }
    try {
      r.run();
    } finally {
      if (err) {
        System.setErr(old);
      } else {
        System.setOut(old);
      }
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpListsTheSubcommands() {
    String out = capture(() -> assertEquals(0, Sanku.run("--help")), false);
    assertTrue(out.contains("generate") && out.contains("demo"), out);
    String gen = capture(() -> assertEquals(0, Sanku.run("generate", "--help")), false);
    assertTrue(gen.contains("--dirty-rate") && gen.contains("--nights"), gen);
  }

  @Test
  void reportAndNotebooksAreCommandsWithTheirOptions(@TempDir Path dir) {
    String help = capture(() -> assertEquals(0, Sanku.run("report", "--help")), false);
    assertTrue(help.contains("--scope") && help.contains("--suppress-below") && help.contains("--amber-within"), help);
    String nb = capture(() -> assertEquals(0, Sanku.run("notebooks", "--help")), false);
    assertTrue(nb.contains("setup") && nb.contains("export") && nb.contains("run"), nb);
    // No Spark session is started for these: the options are checked first.
    String err = capture(() -> assertEquals(2, Sanku.run("report", "--warehouse", dir.toString(), "--period",
        "2025")), true);
    assertTrue(err.contains("--out"), err);
    String run = capture(() -> assertEquals(1, Sanku.run("notebooks", "run", "--export", dir.toString(), "--venv",
        dir.resolve("no-venv").toString())), true);
    assertTrue(run.contains("no notebook environment at") && run.contains("./sanku notebooks setup"), run);
  }

  /**
   * {@code nightly --daily-at} refuses, before any Spark session or key is needed, what applies to one night only
   * (it would apply to every later night), {@code --runs} without it, and a time of day that is none.
   */
  @Test
  void theDailyNightlyRefusesOptionsOfOneNight(@TempDir Path dir) {
    String l = dir.resolve("landing").toString();
    String w = dir.resolve("wh").toString();
    String help = capture(() -> assertEquals(0, Sanku.run("nightly", "--help")), false);
    assertTrue(help.contains("--daily-at") && help.contains("--runs"), help);
    for (String[] once : new String[][] {{"--accept-shrink"}, {"--accept-dq", "pop_id_checksum"},
        {"--as-of", "2025-12-31"}}) {
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("nightly", "--landing", l,
          "--warehouse", w, "--daily-at", "02:30"));
      args.addAll(java.util.List.of(once));
      String err = capture(() -> assertEquals(2, Sanku.run(args.toArray(new String[0]))), true);
      assertTrue(err.contains(once[0] + " applies to one run, not to every night of --daily-at"), err);
    }
    String runs = capture(() -> assertEquals(2, Sanku.run("nightly", "--landing", l, "--warehouse", w, "--runs",
        "2")), true);
    assertTrue(runs.contains("--runs counts the runs of --daily-at"), runs);
    String zero = capture(() -> assertEquals(2, Sanku.run("nightly", "--landing", l, "--warehouse", w, "--daily-at",
        "02:30", "--runs", "0")), true);
    assertTrue(zero.contains("--runs must be at least 1"), zero);
    String bad = capture(() -> assertEquals(2, Sanku.run("nightly", "--landing", l, "--warehouse", w, "--daily-at",
        "25:00")), true);
    assertTrue(bad.contains("--daily-at"), bad);
    assertTrue(!Files.exists(dir.resolve("wh")), "nothing written");
    // Several times: repeated, or separated by commas; to the second when given so.
    NightlyCommand parsed = new NightlyCommand();
    new picocli.CommandLine(parsed).parseArgs("--landing", l, "--warehouse", w, "--daily-at", "02:30,14:30",
        "--daily-at", "20:15:30", "--runs", "3");
    assertEquals(java.util.List.of(java.time.LocalTime.of(2, 30), java.time.LocalTime.of(14, 30),
        java.time.LocalTime.of(20, 15, 30)), parsed.dailyAt);
    assertEquals(3, parsed.runs);
  }

  @Test
  void aMissingRequiredOptionIsAUsageError() {
    String err = capture(() -> assertEquals(2, Sanku.run("generate", "--persons", "10")), true);
    assertTrue(err.contains("--out"), err);
  }

  @Test
  void generateWritesDropsAndPrintsTheCountyTable(@TempDir Path out) {
    String printed = capture(() -> assertEquals(0, Sanku.run("generate", "--persons", "300", "--seed", "3",
        "--out", out.toString())), false);
    assertTrue(printed.contains("顺庆区") && printed.contains("南充市"), printed);
    assertTrue(Files.exists(out.resolve("population/20251231/manifest.json")));
    assertTrue(Files.exists(out.resolve("truth/indicators.csv")));
  }

  @Test
  void anInvalidValueIsReportedWithoutAStackTrace(@TempDir Path out) {
    String err = capture(() -> assertEquals(1, Sanku.run("generate", "--persons", "0", "--out", out.toString())),
        true);
    assertTrue(err.contains("--persons must be at least 1"), err);
  }

  @Test
  void ingestAndLinkRefuseToRunWithoutAPersonKey(@TempDir Path dir) {
    // The test JVM has no SANKU_PERSON_KEY and no --key-file is given: no Spark session is even started.
    String err = capture(() -> assertEquals(1, Sanku.run("ingest", "--landing", dir.toString(), "--warehouse",
        dir.resolve("wh").toString())), true);
    assertTrue(err.contains("no person key"), err);
    String err2 = capture(() -> assertEquals(1, Sanku.run("link", "--warehouse", dir.toString())), true);
    assertTrue(err2.contains("no person key"), err2);
    assertTrue(!Files.exists(dir.resolve("wh")), "nothing was written");
  }

  @Test
  void confDirNamesTheConfigurationFolderOfAnyCommand(@TempDir Path dir) throws Exception {
    // An empty folder as --conf-dir (after the command, or before it): the command reads that folder, not the
    // checkout's conf/, and reports every missing file there before any Spark session or data.
    Path empty = Files.createDirectories(dir.resolve("etc-sanku"));
    for (String[] args : new String[][] {
        {"nightly", "--conf-dir", empty.toString(), "--landing", dir.toString(), "--warehouse", dir.resolve("wh")
            .toString()},
        {"--conf-dir", empty.toString(), "nightly", "--landing", dir.toString(), "--warehouse", dir.resolve("wh")
            .toString()}}) {
      String err = capture(() -> assertEquals(1, Sanku.run(args)), true);
      assertTrue(err.contains("invalid configuration") && err.contains(empty.resolve("value_sets.yaml").toString()),
          err);
    }
    assertTrue(!Files.exists(dir.resolve("wh")), "nothing was written");
    // The next command without the option reads the checkout's conf/ again.
    String help = capture(() -> assertEquals(0, Sanku.run("generate", "--persons", "300", "--seed", "3", "--out",
        dir.resolve("gen").toString())), false);
    assertTrue(help.contains("南充市"), help);
  }
}
