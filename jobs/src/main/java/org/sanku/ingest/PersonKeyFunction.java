package org.sanku.ingest;

import org.apache.spark.sql.api.java.UDF1;
import org.sanku.ids.PersonKeys;

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

  @Override
  public String toString() {
    return "PersonKeyFunction[HMAC-SM3, key=<redacted>]";
  }
}
