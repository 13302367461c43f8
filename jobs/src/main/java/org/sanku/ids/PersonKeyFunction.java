package org.sanku.ids;

import org.apache.spark.sql.api.java.UDF1;

/**
 * HMAC-SM3 of a normalised identifier, as a Spark function. The key travels to executors inside the task
 * closure (there is no other way to key a hash on them); it is never logged or written: this class has no
 * toString of its own and {@link PersonKeys} redacts its key.
 */
public final class PersonKeyFunction implements UDF1<String, String> {
  /** The name the function is registered under in a Spark session (ingest and linkage alike). */
  public static final String NAME = "sanku_person_key";

  private static final long serialVersionUID = 1L;
  private final byte[] key;
  private transient PersonKeys keys;

  public PersonKeyFunction(byte[] key) {
    this.key = key.clone();
  }

  @Override
  public String call(String normalised) {
    if (normalised == null) {
      return null;
    }
    if (keys == null) {
      keys = new PersonKeys(key);
    }
    return keys.personKey(normalised);
  }

  /**
   * Registers the function under {@link #NAME} with this key for the session: each stage that keys persons does so
   * with the key it was given, so no stage depends on what an earlier one left on the session.
   */
  public static void register(org.apache.spark.sql.SparkSession spark, byte[] key) {
    spark.udf().register(NAME, new PersonKeyFunction(key), org.apache.spark.sql.types.DataTypes.StringType);
  }

  @Override
  public String toString() {
    return "PersonKeyFunction[HMAC-SM3, key=<redacted>]";
  }
}
