package org.sanku.quality;

import java.util.Map;

/**
 * One check's result for one group of one night: the rows violating it, the rows looked at, the share, and whether
 * it passed its threshold. Counts and codes only: never a value of a row.
 *
 * @param checkId     the check
 * @param kind        what it is about (completeness, conformance, …)
 * @param severity    info, warn or error
 * @param source      the source its error failure blocks
 * @param table       the checked table (conf/checks tables:)
 * @param level       source, county, org or file
 * @param keys        the group's codes by level (county, org, file); empty at source level
 * @param groupName   the county's or organisation's name, the file (null at source level)
 * @param violated    rows violating it (volume: rows dated the night; a silent group: 1)
 * @param denominator rows looked at (volume: the previous nights' median)
 * @param share       violated / denominator, null when nothing was looked at
 * @param score       the modified z-score of a volume check, else null
 * @param threshold   the largest share (volume: absolute score) that passes
 * @param passed      whether it passed
 * @param accepted    a failure the operator accepted for this run (--accept-dq): it blocks nothing
 */
public record CheckResult(String checkId, CheckCatalog.Kind kind, CheckCatalog.Severity severity, String source,
    String table, String level, Map<String, String> keys, String groupName, long violated, long denominator,
    Double share, Double score, double threshold, boolean passed, boolean accepted) {

  public CheckResult {
    keys = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(keys));
  }

  /** A failure that blocks publication: an error, failed, not accepted. */
  public boolean blocks() {
    return severity == CheckCatalog.Severity.ERROR && !passed && !accepted;
  }
}
