package org.sanku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class archive ({@code ./sanku}, "The two commands" in the README): which runs write it, which map
 * it, and which leave none behind. The real script runs in a copy of the installation's layout whose jar is already
 * built (so it never calls Maven), with a {@code java} on the PATH that records its arguments and standard input,
 * writes the archive it is asked to write as the JVM would at exit, and exits with {@code FAKE_RC}: what is tested
 * is the launcher's decisions, not the JVM's archive (measured in the README).
 */
class LauncherClassArchiveTest {

  @TempDir
  Path home;

  Path target;
  Path jar;

  @BeforeEach
  void layout() throws IOException {
    Files.copy(Path.of("..", "sanku"), home.resolve("sanku"));
    home.resolve("sanku").toFile().setExecutable(true);
    for (String d : new String[] {"jobs/src/main", "benchmarks/src/main", "jobs/target", "benchmarks/target", "conf",
        "bin"}) {
      Files.createDirectories(home.resolve(d));
    }
    for (String f : new String[] {"pom.xml", "jobs/pom.xml", "benchmarks/pom.xml"}) {
      Files.writeString(home.resolve(f), "<project/>");
      Files.setLastModifiedTime(home.resolve(f), FileTime.from(Instant.now().minusSeconds(7200)));
    }
    target = home.resolve("jobs/target");
    jar = target.resolve("sanku-jobs.jar");
    Files.writeString(jar, "jar");
    Files.writeString(target.resolve("runtime.classpath"), "/libs/spark.jar:/libs/iceberg.jar");
    Files.writeString(home.resolve("benchmarks/target/sanku-benchmarks.jar"), "jar");
    Files.writeString(home.resolve("conf/jvm.options"), "# flags\n-Dfrom.jvm.options=1\n");
    // Built an hour ago, after the sources: no build.
    built(Instant.now().minusSeconds(3600));
    Path java = home.resolve("bin/java");
    Files.writeString(java, String.join("\n",
        "#!/usr/bin/env bash",
        "printf '%s\\n' \"$@\" > \"$FAKE_DIR/args\"",
        "cat > \"$FAKE_DIR/stdin\"",
        "for a in \"$@\"; do",
        "  case $a in -XX:ArchiveClassesAtExit=*) printf 'classes' > \"${a#*=}\" ;; esac",
        "done",
        "exit \"${FAKE_RC:-0}\"", ""));
    java.toFile().setExecutable(true);
  }

  private void built(Instant when) throws IOException {
    Files.setLastModifiedTime(jar, FileTime.from(when));
  }

  /** What one launch did: its exit code, the JVM's arguments, its standard input, stderr. */
  record Launch(int exit, List<String> args, String stdin, String err) {
    boolean writes() {
      return args.stream().anyMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit="));
    }

    boolean maps() {
      return args.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile="));
    }

    String archive() {
      return args.stream().filter(a -> a.startsWith("-XX:")).filter(a -> a.contains(".jsa"))
          .map(a -> a.substring(a.indexOf('=') + 1)).findFirst().orElseThrow();
    }
  }

  private Launch run(Map<String, String> env, String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", home.resolve("sanku").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
    pb.environment().put("PATH", home.resolve("bin") + ":" + System.getenv("PATH"));
    pb.environment().put("FAKE_DIR", home.toString());
    pb.environment().remove("SANKU_CDS");
    pb.environment().putAll(env);
    Files.deleteIfExists(home.resolve("args"));
    Process p = pb.start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    List<String> jvm = Files.exists(home.resolve("args")) ? Files.readAllLines(home.resolve("args")) : List.of();
    String in = Files.exists(home.resolve("stdin")) ? Files.readString(home.resolve("stdin")) : "";
    return new Launch(p.exitValue(), jvm, in, err);
  }

  private List<Path> archives() throws IOException {
    try (Stream<Path> s = Files.list(target)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jsa")).toList();
    }
  }

  @Test
  void theFirstNightlyAfterABuildWritesTheArchiveAndLaterCommandsMapIt() throws Exception {
    // An archive of another class path, left from an earlier build: the nightly that writes the new one removes it.
    Files.writeString(target.resolve("sanku-1.jsa"), "old");
    Launch night = run(Map.of(), "the key\n", "nightly", "--key-file", "/dev/stdin");
    assertEquals(0, night.exit(), night.err());
    assertTrue(night.writes(), night.args().toString());
    assertTrue(night.args().contains("-Xlog:cds*=off"), "nothing of the archive's log on stdout: " + night.args());
    assertTrue(night.args().contains("-Dfrom.jvm.options=1"), night.args().toString());
    assertEquals("the key\n", night.stdin(), "the run that writes the archive keeps its standard input");
    assertTrue(night.err().contains("keeps the classes it loads"), night.err());
    Path archive = Path.of(night.archive());
    assertEquals(target, archive.getParent());
    assertEquals(List.of(archive), archives());
    // The JVM's arguments end with the class path and the command, as without the archive.
    List<String> tail = night.args().subList(night.args().size() - 6, night.args().size());
    assertEquals(List.of("-cp", jar + ":/libs/spark.jar:/libs/iceberg.jar", "org.sanku.cli.Sanku", "nightly",
        "--key-file", "/dev/stdin"), tail);

    // Any later command maps it and writes none; a later nightly too.
    Launch sql = run(Map.of(), "", "sql", "--warehouse", "wh", "SELECT 1");
    assertTrue(sql.maps() && !sql.writes(), sql.args().toString());
    assertEquals(archive.toString(), sql.archive());
    assertEquals("", sql.err(), "no word on stderr when the archive is only read");
    Launch again = run(Map.of(), "", "nightly", "--landing", "l", "--warehouse", "w");
    assertTrue(again.maps() && !again.writes(), again.args().toString());

    // SANKU_CDS=off: neither.
    Launch off = run(Map.of("SANKU_CDS", "off"), "", "sql", "SELECT 1");
    assertFalse(off.maps() || off.writes(), off.args().toString());
    assertFalse(off.args().stream().anyMatch(a -> a.startsWith("-Xlog")), off.args().toString());

    // A new build (the jar newer than the archive): the archive is not mapped, and only a nightly writes it again.
    built(Instant.now().plusSeconds(3600));
    Launch stale = run(Map.of(), "", "sql", "SELECT 1");
    assertFalse(stale.maps() || stale.writes(), stale.args().toString());
    assertEquals(List.of(archive), archives(), "a command other than the nightly leaves it as it is");
  }

  /**
   * Java 17 dies at start when it maps the archive while Java Flight Recorder or an agent hooks class loading (a
   * SIGSEGV, reproduced with {@code -XX:StartFlightRecording} and {@code ./sanku sql}): with one of those in
   * SANKU_JAVA_OPTS, a run neither maps nor writes the archive, and says why. Other options change nothing.
   */
  @Test
  void aProfilerOrAnAgentInTheJvmOptionsRunsWithoutTheArchive() throws Exception {
    Path archive = Path.of(run(Map.of(), "", "nightly", "--landing", "l", "--warehouse", "w").archive());
    assertEquals(List.of(archive), archives());
    for (String opt : new String[] {"-XX:StartFlightRecording=filename=/tmp/n.jfr,settings=profile",
        "-XX:StartFlightRecording", "-XX:+FlightRecorder", "-javaagent:/opt/agent.jar",
        "-agentlib:jdwp=transport=dt_socket", "-agentpath:/opt/libprof.so"}) {
      Map<String, String> env = Map.of("SANKU_JAVA_OPTS", "-Xmx4g " + opt);
      Launch sql = run(env, "", "sql", "SELECT 1");
      assertEquals(0, sql.exit(), sql.err());
      assertFalse(sql.maps() || sql.writes(), opt + ": " + sql.args());
      assertTrue(sql.args().contains(opt) && sql.args().contains("-Xmx4g"), sql.args().toString());
      assertTrue(sql.err().contains("no class archive for this run (" + opt + " in SANKU_JAVA_OPTS"), sql.err());
      // Nor does a nightly write one (after a build it would).
      built(Instant.now().plusSeconds(3600));
      Launch night = run(env, "", "nightly", "--landing", "l", "--warehouse", "w");
      assertFalse(night.maps() || night.writes(), opt + ": " + night.args());
      built(Instant.now().minusSeconds(3600));
    }
    assertEquals(List.of(archive), archives(), "the archive stays for the runs without them");
    // Other JVM options map it as before.
    Launch plain = run(Map.of("SANKU_JAVA_OPTS", "-Xmx4g -XX:+UseParallelGC"), "", "sql", "SELECT 1");
    assertTrue(plain.maps(), plain.args().toString());
    assertEquals("", plain.err());
  }

  @Test
  void aNightlyThatFailsLeavesNoArchiveAndOneThatRefusesADropOrHoldsIndicatorsBackKeepsIt() throws Exception {
    // Exit 1 (a wrong landing, a locked warehouse, a bad key): the JVM wrote an archive of too few classes; the
    // launcher removes it and gives the nightly's exit code back.
    Launch failed = run(Map.of("FAKE_RC", "1"), "", "nightly", "--landing", "/nonexistent", "--warehouse", "w");
    assertEquals(1, failed.exit());
    assertTrue(failed.writes(), failed.args().toString());
    assertEquals(List.of(), archives());
    // Exit 3 (a drop refused, the rest published) and 4 (indicators held back by the checks) are full runs.
    for (String rc : new String[] {"3", "4"}) {
      Launch full = run(Map.of("FAKE_RC", rc), "", "nightly", "--landing", "l", "--warehouse", "w");
      assertEquals(Integer.parseInt(rc), full.exit());
      assertTrue(full.writes(), full.args().toString());
      assertEquals(1, archives().size(), "exit " + rc);
      Files.delete(archives().get(0));
    }
  }

  @Test
  void helpVersionAndAReadOnlyInstallationWriteNoArchive() throws Exception {
    for (String flag : new String[] {"--help", "-h", "--version", "-V"}) {
      Launch l = run(Map.of(), "", "nightly", flag);
      assertEquals(0, l.exit());
      assertFalse(l.writes() || l.maps(), flag + ": " + l.args());
    }
    // The demo does not write it either (a first run stays short).
    Launch demo = run(Map.of(), "", "demo");
    assertFalse(demo.writes(), demo.args().toString());
    // Nor a nightly that stays running (--daily-at): it ends by a signal, and the archive would be thrown away.
    for (String[] daily : new String[][] {{"--daily-at", "02:30"}, {"--daily-at=02:30,14:30"}}) {
      List<String> args = new java.util.ArrayList<>(List.of("nightly", "--landing", "l", "--warehouse", "w"));
      args.addAll(List.of(daily));
      Launch d = run(Map.of(), "", args.toArray(new String[0]));
      assertEquals(0, d.exit());
      assertTrue(d.args().contains("--daily-at") || d.args().contains("--daily-at=02:30,14:30"),
          "java started: " + d.args());
      assertFalse(d.writes(), d.args().toString());
    }
    // jobs/target not writable (an installation owned by another user): no archive is attempted.
    assertTrue(target.toFile().setWritable(false));
    try {
      if (!Files.isWritable(target)) { // root writes anyway: nothing to check then
        Launch ro = run(Map.of(), "", "nightly", "--landing", "l", "--warehouse", "w");
        assertFalse(ro.writes(), ro.args().toString());
      }
    } finally {
      target.toFile().setWritable(true);
    }
    assertEquals(List.of(), archives());
  }
}
