package org.sanku.link;

import org.apache.spark.sql.api.java.UDF1;
import org.sanku.ids.PersonKeys;

/**
 * {@code sanku_person_key(text)}: lower-hex HMAC-SM3 of a string under the deployment's person key, the same
 * function ingest registers for {@code id_key}. Linkage registers it itself when it is given the key, so it can
 * run in a session where ingest did not run. The key travels to executors inside the task closure; it is never
 * logged or written ({@link PersonKeys} and this class redact it).
 */
final class PersonKeyUdf implements UDF1<String, String> {
  private static final long serialVersionUID = 1L;

  /** The name ingest registers the function under; linkage uses the same one. */
  static final String NAME = "sanku_person_key";

  private final byte[] key;
  private transient PersonKeys keys;

  PersonKeyUdf(byte[] key) {
    new PersonKeys(key); // fails early (and without the key in the message) on a missing or short key
    this.key = key.clone();
  }

  @Override
  public String call(String text) {
    if (text == null) {
      return null;
    }
    if (keys == null) {
      keys = new PersonKeys(key);
    }
    return keys.personKey(text);
  }

  @Override
  public String toString() {
    return "PersonKeyUdf[HMAC-SM3, key=<redacted>]";
  }
}
