package org.sanku.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher reads conf/jvm.options and Surefire has its own copy in pom.xml: they must not drift. */
class JvmOptionsTest {

  @Test
  void testJvmGotEveryFlagOfConfJvmOptions() throws Exception {
    List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
    for (String line : Files.readAllLines(Path.of("..", "conf", "jvm.options"))) {
      String flag = line.trim();
      if (flag.isEmpty() || flag.startsWith("#")) {
        continue;
      }
      assertTrue(args.contains(flag), "Surefire argLine lacks " + flag + " from conf/jvm.options");
    }
    assertTrue("127.0.0.1".equals(System.getenv("SPARK_LOCAL_IP")), "SPARK_LOCAL_IP is set for tests");
  }
}
