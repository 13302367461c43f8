package org.sanku.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A measured child JVM: its wall time (start included, as a scheduler would start it), its peak resident memory
 * (VmHWM, read from /proc while it runs) and its output, copied to a log file and kept in memory.
 */
final class Child {

  /** What a child did. */
  record Run(int exitCode, double seconds, long peakRssMiB, List<String> lines, Path log) {}

  private Child() {}

  /** The JVM command for {@code mainClass}: this JVM's java and class path, Spark's flags from conf/jvm.options. */
  static List<String> java(Path home, List<String> jvmOptions, String mainClass, List<String> args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    for (String line : Files.readAllLines(home.resolve("conf").resolve("jvm.options"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        cmd.add(line.trim());
      }
    }
    cmd.add("-Duser.timezone=Asia/Shanghai");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /** Runs {@code cmd} with its standard output to {@code out} and its errors to {@code log}; returns the exit code. */
  static int toFile(List<String> cmd, Map<String, String> env, Path out, Path log)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(log.toFile());
    pb.environment().putAll(env);
    return pb.start().waitFor();
  }

  static Run run(List<String> cmd, Map<String, String> env, Path log, PrintStream echo, String prefix)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    Process p = pb.start();
    AtomicLong peak = new AtomicLong();
    Thread rss = new Thread(() -> {
      Path status = Path.of("/proc", Long.toString(p.pid()), "status");
      while (p.isAlive()) {
        try {
          for (String l : Files.readAllLines(status)) {
            if (l.startsWith("VmHWM:")) {
              peak.accumulateAndGet(Long.parseLong(l.replaceAll("[^0-9]", "")), Math::max);
            }
          }
          Thread.sleep(100);
        } catch (IOException e) {
          return; // gone, or no /proc on this system
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "sanku-bench-rss");
    rss.setDaemon(true);
    rss.start();
    List<String> lines = new ArrayList<>();
    Files.createDirectories(log.getParent());
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        PrintStream file = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        file.println(line);
        if (echo != null) {
          echo.println(prefix + line);
        }
      }
    }
    int code = p.waitFor();
    double secs = (System.nanoTime() - t0) / 1e9;
    rss.join(1000);
    return new Run(code, secs, peak.get() >> 10, lines, log);
  }
}
