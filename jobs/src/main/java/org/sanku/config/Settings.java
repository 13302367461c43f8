package org.sanku.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * The installation's settings, {@code conf/sanku.yaml}: where the person key file is and how the warehouse is
 * kept up. A missing file or key gives the default; an unknown key or a bad value is refused with the file and
 * key named.
 */
public record Settings(Path personKeyFile, Maintenance maintenance, Ingest ingest, Path schemasDir,
    int lockStaleMinutes) {

  /** Minutes after which a lock not touched by its holder on another host is taken as stale. */
  public static final int LOCK_STALE_MINUTES = 30;

  /** Limits on what a delivery may be. */
  public record Ingest(int maxRecordLines, double maxFullDropShrink) {
    public static final Ingest DEFAULT = new Ingest(10, 0.2);
  }

  /** Upkeep of the Iceberg tables after an ingest. */
  public record Maintenance(double compactDeletedShare, int compactSmallFiles, int snapshotRetentionDays,
      int snapshotsToKeep) {
    public static final Maintenance DEFAULT = new Maintenance(0.3, 30, 30, 10);
  }

  public static final String FILE = "sanku.yaml";

  public static Settings defaults() {
    return new Settings(null, Maintenance.DEFAULT, Ingest.DEFAULT, null, LOCK_STALE_MINUTES);
  }

  /** Loads {@code confDir/sanku.yaml}, or the defaults when there is none. */
  public static Settings load(Path confDir) {
    Path file = confDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return defaults();
    }
    JsonNode root = Yaml.read(file);
    if (root == null || root.isNull() || root.isMissingNode()) {
      return defaults();
    }
    if (!root.isObject()) {
      throw new ConfigException(file + ": expected a mapping of settings");
    }
    only(file, "", root, Set.of("person_key_file", "schemas_dir", "lock_stale_minutes", "maintenance", "ingest"));
    Path keyFile = null;
    JsonNode k = root.get("person_key_file");
    if (k != null && !k.isNull()) {
      if (!k.isTextual() || k.asText().isBlank()) {
        throw new ConfigException(file + ": person_key_file: expected a file path");
      }
      keyFile = confDir.resolve(k.asText());
    }
    Maintenance d = Maintenance.DEFAULT;
    Maintenance m = d;
    JsonNode mn = root.get("maintenance");
    if (mn != null && !mn.isNull()) {
      if (!mn.isObject()) {
        throw new ConfigException(file + ": maintenance: expected a mapping");
      }
      only(file, "maintenance.", mn, Set.of("compact_deleted_share", "compact_small_files",
          "snapshot_retention_days", "snapshots_to_keep"));
      m = new Maintenance(share(file, "maintenance.", mn, "compact_deleted_share", d.compactDeletedShare()),
          count(file, "maintenance.", mn, "compact_small_files", d.compactSmallFiles(), 0),
          count(file, "maintenance.", mn, "snapshot_retention_days", d.snapshotRetentionDays(), 0),
          count(file, "maintenance.", mn, "snapshots_to_keep", d.snapshotsToKeep(), 1));
    }
    Ingest ingest = Ingest.DEFAULT;
    JsonNode in = root.get("ingest");
    if (in != null && !in.isNull()) {
      if (!in.isObject()) {
        throw new ConfigException(file + ": ingest: expected a mapping");
      }
      only(file, "ingest.", in, Set.of("max_record_lines", "max_full_drop_shrink"));
      ingest = new Ingest(count(file, "ingest.", in, "max_record_lines", Ingest.DEFAULT.maxRecordLines(), 1),
          share(file, "ingest.", in, "max_full_drop_shrink", Ingest.DEFAULT.maxFullDropShrink()));
    }
    Path schemas = null;
    JsonNode sd = root.get("schemas_dir");
    if (sd != null && !sd.isNull()) {
      if (!sd.isTextual() || sd.asText().isBlank()) {
        throw new ConfigException(file + ": schemas_dir: expected a folder path");
      }
      schemas = confDir.resolve(sd.asText());
    }
    int stale = count(file, "", root, "lock_stale_minutes", LOCK_STALE_MINUTES, 2);
    return new Settings(keyFile, m, ingest, schemas, stale);
  }

  /** The schemas folder {@code sanku.yaml} names, or null (none named, or a file {@link #load} will refuse). */
  public static Path schemasDir(Path confDir) {
    try {
      return load(confDir).schemasDir();
    } catch (ConfigException e) {
      return null;
    }
  }

  private static void only(Path file, String prefix, JsonNode node, Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw new ConfigException(file + ": " + prefix + name + ": unknown setting (known: "
            + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  private static double share(Path file, String prefix, JsonNode node, String name, double dflt) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() > 1) {
      throw new ConfigException(file + ": " + prefix + name + ": expected a share from 0 to 1, found "
          + v);
    }
    return v.asDouble();
  }

  private static int count(Path file, String prefix, JsonNode node, String name, int dflt, int min) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min) {
      throw new ConfigException(file + ": " + prefix + name + ": expected a whole number ≥ " + min
          + ", found " + v);
    }
    return v.asInt();
  }
}
