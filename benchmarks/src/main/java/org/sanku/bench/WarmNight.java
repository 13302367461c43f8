package org.sanku.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The bench's night of deltas in a warm JVM, as {@code ./sanku nightly --daily-at} runs every night after its first:
 * the warehouse is put back as the first nightly left it, the night of deltas runs (warming the JVM up), the warehouse
 * is put back again, and the same night runs again in the same JVM; only that second run is measured. Each run is
 * {@code ./sanku nightly} as the command line runs it, in a Spark session of its own.
 *
 * <p>Arguments: the warehouse as the first nightly left it, the warehouse, then the nightly's arguments.
 */
public final class WarmNight {

  /** The line before the measured run's output; the bench reads the stages after it. */
  static final String MEASURED = "bench: the measured night (the JVM ran the same night before it)";

  /** The measured run's wall time, JVM start excluded (the JVM was started the night before). */
  static final String TOOK = "bench: the measured night took ";

  private WarmNight() {}

  public static void main(String[] args) throws IOException {
    Path backup = Path.of(args[0]);
    Path warehouse = Path.of(args[1]);
    String[] nightly = Arrays.copyOfRange(args, 2, args.length);
    restore(backup, warehouse);
    System.out.println("bench: the warm-up night");
    int first = org.sanku.cli.Sanku.run(nightly);
    if (first != 0) {
      System.out.println("bench: the warm-up night ended with exit code " + first);
      System.exit(first);
    }
    restore(backup, warehouse);
    System.out.println(MEASURED);
    long t0 = System.nanoTime();
    int code = org.sanku.cli.Sanku.run(nightly);
    System.out.printf(java.util.Locale.ROOT, "%s%.1f s%n", TOOK, (System.nanoTime() - t0) / 1e9);
    System.exit(code);
  }

  /** Replaces {@code to} by a copy of {@code from} (same path: the tables' metadata names its files by path). */
  static void restore(Path from, Path to) throws IOException {
    Bench.deleteTree(to);
    copyTree(from, to);
  }

  static void copyTree(Path from, Path to) throws IOException {
    org.sanku.storage.StorageFiles.copyLocalTree(from, to);
  }
}
