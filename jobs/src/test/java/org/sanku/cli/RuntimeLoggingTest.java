package org.sanku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URL;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory;
import org.junit.jupiter.api.Test;
import org.sanku.spark.LogCapture;

/**
 * The logging configuration a run uses (jobs/src/main/resources/log4j2.properties, not the tests' own): it hides
 * the warnings Spark prints about what Sanku does on purpose in every run, and nothing else of Spark's.
 */
class RuntimeLoggingTest {

  @Test
  void hidesOnlyTheWarningsAboutWhatSankuDoesOnPurpose() throws Exception {
    URL url = Sanku.class.getResource("/log4j2.properties");
    assertNotNull(url, "log4j2.properties on the class path");
    LoggerContext ctx = new LoggerContext("sanku-runtime-logging");
    Configuration conf = new PropertiesConfigurationFactory().getConfiguration(ctx,
        ConfigurationSource.fromUri(url.toURI()));
    ctx.start(conf);
    String out;
    try (LogCapture capture = LogCapture.of(ctx, "capture", Level.ALL, "%p %c{1}: %m%n")) {
      // Spark 3.5.4's own texts (SparkConf.validateSettings, FunctionRegistryBase, SparkStringUtils).
      ctx.getLogger("org.apache.spark.SparkConf").warn("Note that spark.local.dir will be overridden by the value "
          + "set by the cluster manager (via SPARK_LOCAL_DIRS in mesos/standalone/kubernetes and LOCAL_DIRS in YARN).");
      ctx.getLogger("org.apache.spark.sql.catalyst.analysis.SimpleFunctionRegistry")
          .warn("The function sanku_person_key replaced a previously registered function.");
      ctx.getLogger("org.apache.spark.sql.catalyst.util.SparkStringUtils").warn("Truncated the string "
          + "representation of a plan since it was too large. This behavior can be adjusted by setting "
          + "'spark.sql.debug.maxToStringFields'.");
      // What a user must still see: Spark's other warnings, from the same loggers too, and Sanku's own lines.
      ctx.getLogger("org.apache.spark.SparkConf").warn("The configuration key 'spark.yarn.executor.memoryOverhead' "
          + "has been deprecated as of Spark 2.3 and may be removed in the future.");
      ctx.getLogger("org.apache.spark.sql.catalyst.analysis.SimpleFunctionRegistry").error("a failure");
      ctx.getLogger("org.apache.spark.scheduler.TaskSetManager").warn("Lost task 1.0 in stage 3.0 (TID 7)");
      ctx.getLogger("org.sanku.ingest.IngestJob").info("ingest: a line of progress");
      out = capture.text();
    } finally {
      ctx.stop();
    }
    assertEquals(List.of(
        "WARN SparkConf: The configuration key 'spark.yarn.executor.memoryOverhead' has been deprecated as of Spark "
            + "2.3 and may be removed in the future.",
        "ERROR SimpleFunctionRegistry: a failure",
        "WARN TaskSetManager: Lost task 1.0 in stage 3.0 (TID 7)",
        "INFO IngestJob: ingest: a line of progress"), out.lines().toList());
  }
}
