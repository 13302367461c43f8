package org.sanku.pipeline;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.sanku.storage.Warehouse;

/**
 * What one run of the pipeline works with, decided once by whoever starts it (the command line, a test, a server):
 * the session, the warehouse, the configuration, the reference date, the person key and where progress goes.
 *
 * @param spark          the session the stages run on
 * @param warehouse      the warehouse's two zones, registered on the session
 * @param config         conf/ and schemas/, loaded and checked
 * @param asOf           the reference date R, or null for the latest ingested drop (resolved once per run, after
 *                       ingest, by {@link Pipeline#asOf()})
 * @param personKey      the deployment's person key, or null for a run that only reads (the stages that key
 *                       persons refuse to start without it)
 * @param protectedFiles files no delivery may be or lead to (the person key's file)
 * @param log            where stages print their progress
 */
public record RunContext(SparkSession spark, Warehouse warehouse, SankuConfig config, LocalDate asOf,
    byte[] personKey, List<Path> protectedFiles, PrintStream log) {

  public RunContext {
    personKey = personKey == null ? null : personKey.clone();
    protectedFiles = List.copyOf(protectedFiles);
  }

  /** A context that reads only: no key, the latest drop as reference date, progress to {@code log}. */
  public static RunContext reading(SparkSession spark, Warehouse wh, SankuConfig config, PrintStream log) {
    return new RunContext(spark, wh, config, null, null, List.of(), log);
  }

  public RunContext withKey(byte[] key, List<Path> keyFiles) {
    return new RunContext(spark, warehouse, config, asOf, key, keyFiles, log);
  }

  public RunContext withAsOf(LocalDate date) {
    return new RunContext(spark, warehouse, config, date, personKey, protectedFiles, log);
  }

  public RunContext withLog(PrintStream out) {
    return new RunContext(spark, warehouse, config, asOf, personKey, protectedFiles, out);
  }

  /** The person key; a stage that keys persons cannot run without one. */
  byte[] requireKey() {
    if (personKey == null) {
      throw new IllegalStateException("no person key: pass --key-file, set SANKU_PERSON_KEY or name "
          + "person_key_file in " + config.locations().conf().resolve("sanku.yaml"));
    }
    return personKey.clone();
  }
}
