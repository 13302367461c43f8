package org.sanku.sql;

import java.util.List;
import org.apache.iceberg.AllDataFilesTable;
import org.apache.iceberg.AllDeleteFilesTable;
import org.apache.iceberg.AllEntriesTable;
import org.apache.iceberg.AllFilesTable;
import org.apache.iceberg.AllManifestsTable;
import org.apache.iceberg.BaseMetadataTable;
import org.apache.iceberg.RefsTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotsTable;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.source.SparkTable;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.catalyst.analysis.RelationTimeTravel;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Readers see the {@code main} branch of the warehouse's Iceberg tables only. The pipeline writes a drop to each
 * table's {@code stage} branch and publishes it by fast-forwarding {@code main}, so another branch (or a tag, or a
 * snapshot outside main's history) can hold half a drop. Refused:
 *
 * <ul>
 *   <li>{@code t.branch_stage}, {@code t VERSION AS OF 'stage'} and {@code FOR SYSTEM_VERSION AS OF 'stage'}: a
 *       branch other than main, whether named in the table name or in the time travel;</li>
 *   <li>{@code t.tag_x} and {@code VERSION AS OF 'x'} for a tag: tags are names chosen by the writer, and by name
 *       nothing tells a reader which branch a tag was cut from;</li>
 *   <li>{@code VERSION AS OF <snapshot id>} and {@code t.snapshot_id_<id>} when the snapshot is not main's current
 *       snapshot or one of its ancestors (snapshot ids of the stage branch can be read off the table's metadata);</li>
 *   <li>the metadata tables that describe every branch: {@code refs}, {@code snapshots} and the {@code all_*}
 *       tables. {@code history} lists main's snapshots; the other metadata tables describe main's current (or
 *       time-travelled) snapshot.</li>
 * </ul>
 *
 * The same holds for what {@code DESCRIBE}, {@code SHOW CREATE TABLE} and {@code SHOW TBLPROPERTIES} show of such a
 * table (its current snapshot, its properties).
 *
 * Time travel on main, by snapshot id or by timestamp (Iceberg resolves {@code TIMESTAMP AS OF} along main's
 * history), stays allowed.
 */
final class MainOnly {

  private MainOnly() {}

  private static final String MAIN = "main";

  private static final String WHY = "readers see the published data, the main branch, only";

  /** The read options that select a branch, tag or snapshot (Iceberg's SparkReadOptions). */
  private static final List<String> SNAPSHOT_OPTIONS = List.of("snapshot-id", "start-snapshot-id", "end-snapshot-id");

  /** {@code VERSION AS OF 'name'} in a parsed statement: only a snapshot id or {@code 'main'} may be named. */
  static String versionRefusal(RelationTimeTravel travel) {
    if (travel.version().isEmpty()) {
      return null;
    }
    String version = travel.version().get();
    if (version.equals(MAIN) || isSnapshotId(version)) {
      return null;
    }
    return "VERSION AS OF '" + version + "' reads a branch or tag and is refused by sanku sql: " + WHY
        + " (time travel by snapshot id or TIMESTAMP AS OF stays allowed)";
  }

  /** A table read in an analysed plan. */
  static String relationRefusal(DataSourceV2Relation relation) {
    Identifier ident = relation.identifier().isDefined() ? relation.identifier().get() : null;
    return tableRefusal(relation.table(), ident, relation.options());
  }

  /**
   * A table that an analysed statement shows rather than reads ({@code DESCRIBE}, {@code SHOW CREATE TABLE}, …):
   * what it shows of another branch or a tag (its snapshot, its properties) is refused as reading it would be.
   */
  static String resolvedRefusal(ResolvedTable resolved) {
    return tableRefusal(resolved.table(), resolved.identifier(), CaseInsensitiveStringMap.empty());
  }

  private static String tableRefusal(org.apache.spark.sql.connector.catalog.Table sparkTable, Identifier ident,
      CaseInsensitiveStringMap options) {
    String shown = ident != null ? ident.toString() : sparkTable.name();
    String optionBranch = options.get("branch");
    if (optionBranch != null && !optionBranch.equals(MAIN)) {
      return branchRefusal(shown, optionBranch);
    }
    if (options.get("tag") != null) {
      return tagRefusal(shown, options.get("tag"));
    }
    if (!(sparkTable instanceof SparkTable table)) {
      return null;
    }
    Table iceberg = table.table();
    String metadata = metadataRefusal(iceberg);
    if (metadata != null) {
      return metadata;
    }
    if (table.branch() != null && !table.branch().equals(MAIN)) {
      return branchRefusal(shown, table.branch());
    }
    String selector = ident != null ? selector(ident, iceberg) : null;
    if (selector != null && selector.startsWith("tag_")) {
      return tagRefusal(shown, selector.substring("tag_".length()));
    }
    Table base = iceberg instanceof BaseMetadataTable m ? m.table() : iceberg;
    if (table.snapshotId() != null && !onMain(base, table.snapshotId())) {
      return snapshotRefusal(base, table.snapshotId());
    }
    for (String option : SNAPSHOT_OPTIONS) {
      String id = options.get(option);
      if (id != null && !(isSnapshotId(id) && onMain(base, Long.parseLong(id)))) {
        return snapshotRefusal(base, id);
      }
    }
    return null;
  }

  /**
   * The last part of the name when it is not the table's own name but one of Iceberg's selectors ({@code branch_x},
   * {@code tag_x}, {@code snapshot_id_n}, {@code at_timestamp_n}); {@code null} otherwise.
   */
  private static String selector(Identifier ident, Table iceberg) {
    String name = iceberg.name();
    String last = name.substring(name.lastIndexOf('.') + 1);
    return ident.name().equals(last) ? null : ident.name();
  }

  private static boolean isSnapshotId(String s) {
    if (s.isEmpty() || !s.chars().allMatch(Character::isDigit)) {
      return false;
    }
    try {
      Long.parseLong(s);
      return true;
    } catch (NumberFormatException tooLong) {
      return false;
    }
  }

  private static boolean onMain(Table base, long snapshotId) {
    Snapshot current = base.currentSnapshot();
    return current != null
        && (current.snapshotId() == snapshotId || SnapshotUtil.isAncestorOf(base, current.snapshotId(), snapshotId));
  }

  private static String metadataRefusal(Table iceberg) {
    String what;
    if (iceberg instanceof RefsTable) {
      what = "lists the table's branches and tags";
    } else if (iceberg instanceof SnapshotsTable) {
      what = "lists the snapshots of every branch";
    } else if (iceberg instanceof AllDataFilesTable || iceberg instanceof AllDeleteFilesTable
        || iceberg instanceof AllFilesTable || iceberg instanceof AllEntriesTable
        || iceberg instanceof AllManifestsTable) {
      what = "describes the files of every branch";
    } else {
      return null;
    }
    String base = ((BaseMetadataTable) iceberg).table().name();
    return iceberg.name() + " " + what + " and is refused by sanku sql: " + WHY + " (" + base
        + ".history lists main's snapshots)";
  }

  private static String branchRefusal(String shown, String branch) {
    return shown + " reads the branch '" + branch + "' and is refused by sanku sql: " + WHY;
  }

  private static String tagRefusal(String shown, String tag) {
    return shown + " reads the tag '" + tag + "' and is refused by sanku sql: " + WHY
        + " (time travel by snapshot id or TIMESTAMP AS OF stays allowed)";
  }

  private static String snapshotRefusal(Table base, Object snapshotId) {
    return "snapshot " + snapshotId + " is not in the history of the main branch of " + base.name()
        + " and is refused by sanku sql: " + WHY + " (" + base.name() + ".history lists main's snapshots)";
  }
}
