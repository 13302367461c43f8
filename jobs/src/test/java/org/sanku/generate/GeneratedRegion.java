package org.sanku.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/** One small dirty region generated once per test JVM and shared by the generator tests. */
final class GeneratedRegion {

  static final long PERSONS = 4000;
  static final long SEED = 42;
  static final int NIGHTS = 3;
  static final double DIRTY = 0.04;
  static final LocalDate AS_OF = LocalDate.parse("2025-12-31");

  private static Path dir;

  private GeneratedRegion() {}

  static synchronized Path get() {
    if (dir == null) {
      try {
        dir = Files.createTempDirectory("sanku-gen");
        generate(dir, SEED, 2);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return dir;
  }

  static RegionGenerator.Summary generate(Path out, long seed, int threads) throws IOException {
    return RegionGenerator.generate(new RegionGenerator.Options("nanchong", PERSONS, seed, AS_OF, out, NIGHTS,
        DIRTY, null, Path.of("..", "conf"), threads));
  }
}
