package org.sanku.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The machine a benchmark ran on, in one line. */
final class Machine {

  private Machine() {}

  static String describe() {
    String cpu = "unknown CPU";
    long memKib = 0;
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          cpu = l.substring(l.indexOf(':') + 1).trim();
          break;
        }
      }
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          memKib = Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // not Linux: the cores and Java version still say something
    }
    return String.format(Locale.ROOT, "%d cores (%s), %.0f GiB, %s %s, Java %s",
        Runtime.getRuntime().availableProcessors(), cpu, memKib / 1024.0 / 1024.0, System.getProperty("os.name"),
        System.getProperty("os.arch"), System.getProperty("java.version"));
  }
}
