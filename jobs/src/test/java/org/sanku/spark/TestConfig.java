package org.sanku.spark;

import java.nio.file.Path;
import org.sanku.pipeline.SankuConfig;

/** The project's own conf/ and schemas/, loaded once for every test that runs a stage. */
public final class TestConfig {

  public static final Path CONF = Path.of("..", "conf");

  private static SankuConfig config;

  private TestConfig() {}

  public static synchronized SankuConfig get() {
    if (config == null) {
      config = SankuConfig.load(SankuConfig.Locations.of(CONF));
    }
    return config;
  }
}
