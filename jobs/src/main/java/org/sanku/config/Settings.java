package org.sanku.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * The installation's settings, {@code conf/sanku.yaml}: where the person key file is and how the warehouse is
 * kept up. A missing file or key gives the default; an unknown key or a bad value is refused with the file and
 * key named.
 */
public record Settings(Path personKeyFile, Maintenance maintenance, Ingest ingest) {

  /** Limits on what a delivery may be. */
  public record Ingest(int maxRecordLines) {
    public static final Ingest DEFAULT = new Ingest(10);
  }

  /** Upkeep of the Iceberg tables after an ingest. */
  public record Maintenance(double compactDeletedShare, int compactSmallFiles, int snapshotRetentionDays,
      int snapshotsToKeep) {
    public static final Maintenance DEFAULT = new Maintenance(0.3, 30, 30, 10);
  }

  public static final String FILE = "sanku.yaml";

  public static Settings defaults() {
    return new Settings(null, Maintenance.DEFAULT, Ingest.DEFAULT);
  }

  /** Loads {@code confDir/sanku.yaml}, or the defaults when there is none. */
  public static Settings load(Path confDir) {
    Path file = confDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return defaults();
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return defaults();
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a mapping of settings");
    }
    only(file, "", root, Set.of("person_key_file", "maintenance", "ingest"));
    Path keyFile = null;
    JsonNode k = root.get("person_key_file");
    if (k != null && !k.isNull()) {
      if (!k.isTextual() || k.asText().isBlank()) {
        throw new IllegalArgumentException(file + ": person_key_file: expected a file path");
      }
      keyFile = confDir.resolve(k.asText());
    }
    Maintenance d = Maintenance.DEFAULT;
    Maintenance m = d;
    JsonNode mn = root.get("maintenance");
    if (mn != null && !mn.isNull()) {
      if (!mn.isObject()) {
        throw new IllegalArgumentException(file + ": maintenance: expected a mapping");
      }
      only(file, "maintenance.", mn, Set.of("compact_deleted_share", "compact_small_files",
          "snapshot_retention_days", "snapshots_to_keep"));
      m = new Maintenance(share(file, mn, "compact_deleted_share", d.compactDeletedShare()),
          count(file, "maintenance.", mn, "compact_small_files", d.compactSmallFiles(), 0),
          count(file, "maintenance.", mn, "snapshot_retention_days", d.snapshotRetentionDays(), 0),
          count(file, "maintenance.", mn, "snapshots_to_keep", d.snapshotsToKeep(), 1));
    }
    Ingest ingest = Ingest.DEFAULT;
    JsonNode in = root.get("ingest");
    if (in != null && !in.isNull()) {
      if (!in.isObject()) {
        throw new IllegalArgumentException(file + ": ingest: expected a mapping");
      }
      only(file, "ingest.", in, Set.of("max_record_lines"));
      ingest = new Ingest(count(file, "ingest.", in, "max_record_lines", Ingest.DEFAULT.maxRecordLines(), 1));
    }
    return new Settings(keyFile, m, ingest);
  }

  private static void only(Path file, String prefix, JsonNode node, Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw new IllegalArgumentException(file + ": " + prefix + name + ": unknown setting (known: "
            + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  private static double share(Path file, JsonNode node, String name, double dflt) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() > 1) {
      throw new IllegalArgumentException(file + ": maintenance." + name + ": expected a share from 0 to 1, found "
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
      throw new IllegalArgumentException(file + ": " + prefix + name + ": expected a whole number ≥ " + min
          + ", found " + v);
    }
    return v.asInt();
  }
}
