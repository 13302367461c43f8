package org.sanku.storage;

/**
 * A table of the warehouse by zone, namespace and name, independent of the catalog names a session registers
 * ({@link Warehouse#name} turns it into the name Spark knows).
 *
 * <p>The analytics zone's namespaces: {@code std} (standardised current state of every contract table), {@code ops}
 * (ingest ledger, refusals, quarantine reasons), {@code link} (linkage), {@code model} (integrated tables keyed by
 * person), {@code ind} (indicators), {@code dq} (data-quality results). The identity zone's: {@code id} (raw
 * identifiers, quarantined raw rows, warned values) and {@code raw} (columns the contract does not know).
 */
public record TableRef(Zone zone, String namespace, String table) {

  /** The two privacy zones: each its own catalog and folder. */
  public enum Zone { ANALYTICS, IDENTITY }

  public static TableRef std(String table) {
    return new TableRef(Zone.ANALYTICS, "std", table);
  }

  public static TableRef ops(String table) {
    return new TableRef(Zone.ANALYTICS, "ops", table);
  }

  public static TableRef model(String table) {
    return new TableRef(Zone.ANALYTICS, "model", table);
  }

  public static TableRef link(String table) {
    return new TableRef(Zone.ANALYTICS, "link", table);
  }

  public static TableRef ind(String table) {
    return new TableRef(Zone.ANALYTICS, "ind", table);
  }

  public static TableRef dq(String table) {
    return new TableRef(Zone.ANALYTICS, "dq", table);
  }

  public static TableRef id(String table) {
    return new TableRef(Zone.IDENTITY, "id", table);
  }

  public static TableRef raw(String table) {
    return new TableRef(Zone.IDENTITY, "raw", table);
  }
}
