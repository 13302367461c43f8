package org.sanku.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What a nightly's output says: its stages, and the steps of ingest with their time, jobs and snapshots. */
final class NightlyLog {

  /** A stage of the nightly's summary. */
  record Stage(String name, double seconds, long peakHeapMiB, long jobs, long snapshots, String what) {}

  /** One ingest step (a file, or a drop's publication). */
  record Step(String what, double seconds, long jobs, long snapshots) {}

  private static final Pattern STAGE = Pattern.compile(
      "^nightly: (\\w+)\\s+([\\d.]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+(.*)$");
  private static final Pattern FILE = Pattern.compile("^ingest: (\\S+)\\s+(\\S+)\\s+read\\s+([\\d,]+).*\\(parse "
      + "([\\d.]+) s, count\\+check ([\\d.]+) s, merge ([\\d.]+) s, quarantine ([\\d.]+) s; (\\d+) jobs, (\\d+) "
      + "snapshots\\)$");
  /** A drop's line; newer runs add whether it ran compiled or interpreted. */
  private static final Pattern DROP = Pattern.compile("^ingest: (\\S+) published \\(([\\d.]+) s; (\\d+) jobs, (\\d+) "
      + "snapshots(?:; (\\w+))?\\)$");

  private NightlyLog() {}

  static List<Stage> stages(List<String> lines) {
    List<Stage> out = new ArrayList<>();
    for (String l : lines) {
      Matcher m = STAGE.matcher(l);
      if (m.matches() && !m.group(1).equals("stage")) {
        out.add(new Stage(m.group(1), Double.parseDouble(m.group(2)), num(m.group(3)), num(m.group(4)),
            num(m.group(5)), m.group(6).trim()));
      }
    }
    return out;
  }

  /** The drops' publications and their files' steps, slowest first. */
  static List<Step> slowestSteps(List<String> lines, int n) {
    List<Step> steps = new ArrayList<>();
    for (String l : lines) {
      Matcher f = FILE.matcher(l);
      if (f.matches()) {
        double s = Double.parseDouble(f.group(4)) + Double.parseDouble(f.group(5)) + Double.parseDouble(f.group(6))
            + Double.parseDouble(f.group(7));
        steps.add(new Step(f.group(1) + "/" + f.group(2) + " (" + f.group(3) + " rows: parse " + f.group(4)
            + " s, count+check " + f.group(5) + " s, merge " + f.group(6) + " s, quarantine " + f.group(7) + " s)", s,
            num(f.group(8)), num(f.group(9))));
      }
    }
    steps.sort(Comparator.comparingDouble(Step::seconds).reversed());
    return steps.subList(0, Math.min(n, steps.size()));
  }

  /** Per drop: the wall time of its whole ingest (files, publication and ledger), jobs and snapshots. */
  static List<Step> drops(List<String> lines) {
    List<Step> out = new ArrayList<>();
    for (String l : lines) {
      Matcher d = DROP.matcher(l);
      if (d.matches()) {
        out.add(new Step(d.group(5) == null ? d.group(1) : d.group(1) + " (" + d.group(5) + ")",
            Double.parseDouble(d.group(2)), num(d.group(3)), num(d.group(4))));
      }
    }
    return out;
  }

  private static long num(String s) {
    return Long.parseLong(s.replace(",", ""));
  }

  /** The data rows the manifests of every drop under a landing declare. */
  static long manifestRows(Path landing) throws IOException {
    long rows = 0;
    try (Stream<Path> s = Files.walk(landing)) {
      for (Path m : s.filter(p -> p.getFileName().toString().equals("manifest.json")).toList()) {
        rows += manifestRowsOfDrop(m.getParent());
      }
    }
    return rows;
  }

  static long manifestRowsOfDrop(Path drop) throws IOException {
    JsonNode m = new ObjectMapper().readTree(drop.resolve("manifest.json").toFile());
    long rows = 0;
    for (JsonNode f : m.path("files")) {
      rows += f.path("rows").asLong();
    }
    return rows;
  }
}
