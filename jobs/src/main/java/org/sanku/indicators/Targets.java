package org.sanku.indicators;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans and their targets ({@code conf/targets.yaml}): for a value of an indicator in a division and a year, the
 * target of the most specific plan covering the division (the division itself, else its city, else its province).
 */
public final class Targets {

  public record Plan(String id, String name, String division, String years) {}

  /** One line of the file: a target, a baseline or both. */
  public record Entry(String indicator, String plan, Double target, Integer targetYear, Double baseline,
      Integer baselineYear) {}

  /** What is shown beside a value. */
  public record Applied(Plan plan, Double target, Integer targetYear, Double baseline, Integer baselineYear) {}

  public final Map<String, Plan> plans = new LinkedHashMap<>();
  public final List<Entry> entries = new ArrayList<>();

  private Targets() {}

  public static Targets none() {
    return new Targets();
  }

  /** Reads the file; indicators are checked against the catalog's ids. */
  @SuppressWarnings("unchecked")
  public static Targets load(Path file, Set<String> indicatorIds) {
    Targets t = new Targets();
    if (!Files.exists(file)) {
      return t;
    }
    Map<String, Object> doc;
    try {
      doc = org.sanku.config.Yaml.mapper().readValue(file.toFile(), Map.class);
    } catch (IOException e) {
      throw new Catalog.CatalogException(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (doc == null) {
      return t;
    }
    Object plans = doc.getOrDefault("plans", Map.of());
    if (!(plans instanceof Map)) {
      throw new Catalog.CatalogException(file + ": plans: expected a mapping");
    }
    for (var e : ((Map<String, Object>) plans).entrySet()) {
      String where = file + ": plans." + e.getKey();
      if (!(e.getValue() instanceof Map)) {
        throw new Catalog.CatalogException(where + ": expected a mapping");
      }
      Map<String, Object> m = (Map<String, Object>) e.getValue();
      String division = String.valueOf(m.get("division"));
      if (!division.matches("\\d{12}")) {
        throw new Catalog.CatalogException(where + ".division: expected a 12-digit division code, got '"
            + m.get("division") + "'");
      }
      if (m.get("name") == null) {
        throw new Catalog.CatalogException(where + ".name: required");
      }
      t.plans.put(e.getKey(), new Plan(e.getKey(), String.valueOf(m.get("name")), division,
          m.get("years") == null ? null : String.valueOf(m.get("years"))));
    }
    Object targets = doc.getOrDefault("targets", List.of());
    if (!(targets instanceof List)) {
      throw new Catalog.CatalogException(file + ": targets: expected a list");
    }
    int i = 0;
    for (Object o : (List<Object>) targets) {
      String where = file + ": targets[" + i++ + "]";
      if (!(o instanceof Map)) {
        throw new Catalog.CatalogException(where + ": expected a mapping");
      }
      Map<String, Object> m = (Map<String, Object>) o;
      for (String k : m.keySet()) {
        if (!Set.of("indicator", "plan", "target", "target_year", "baseline", "baseline_year").contains(k)) {
          throw new Catalog.CatalogException(where + "." + k + ": unknown field");
        }
      }
      String ind = String.valueOf(m.get("indicator"));
      if (!indicatorIds.contains(ind)) {
        throw new Catalog.CatalogException(where + ".indicator: no indicator '" + ind + "' in the catalog");
      }
      String plan = String.valueOf(m.get("plan"));
      if (!t.plans.containsKey(plan)) {
        throw new Catalog.CatalogException(where + ".plan: no plan '" + plan + "' (plans: " + t.plans.keySet() + ")");
      }
      Double target = num(m.get("target"), where + ".target");
      Integer ty = year(m.get("target_year"), where + ".target_year");
      if ((target == null) != (ty == null)) {
        throw new Catalog.CatalogException(where + ": target and target_year go together");
      }
      Double baseline = num(m.get("baseline"), where + ".baseline");
      Integer by = year(m.get("baseline_year"), where + ".baseline_year");
      if (target == null && baseline == null) {
        throw new Catalog.CatalogException(where + ": a target or a baseline is required");
      }
      t.entries.add(new Entry(ind, plan, target, ty, baseline, by));
    }
    return t;
  }

  /**
   * The target for an indicator's value in a division (with its ancestors, nearest first) and a year, or null.
   */
  public Applied lookup(String indicator, List<String> divisionAndAncestors, int year) {
    for (String d : divisionAndAncestors) {
      List<Entry> es = entries.stream()
          .filter(e -> e.indicator().equals(indicator) && plans.get(e.plan()).division().equals(d)).toList();
      if (es.isEmpty()) {
        continue;
      }
      Entry base = es.stream().filter(e -> e.baseline() != null).findFirst().orElse(null);
      List<Entry> ts = es.stream().filter(e -> e.target() != null)
          .sorted(Comparator.comparing(Entry::targetYear)).toList();
      Entry chosen = ts.stream().filter(e -> e.targetYear() >= year).findFirst()
          .orElse(ts.isEmpty() ? null : ts.get(ts.size() - 1));
      Entry any = chosen != null ? chosen : base;
      return new Applied(plans.get(any.plan()), chosen == null ? null : chosen.target(),
          chosen == null ? null : chosen.targetYear(), base == null ? null : base.baseline(),
          base == null ? null : base.baselineYear());
    }
    return null;
  }

  private static Double num(Object o, String where) {
    if (o == null) {
      return null;
    }
    try {
      return Double.parseDouble(String.valueOf(o));
    } catch (NumberFormatException e) {
      throw new Catalog.CatalogException(where + ": expected a number, got '" + o + "'");
    }
  }

  private static Integer year(Object o, String where) {
    if (o == null) {
      return null;
    }
    String s = String.valueOf(o);
    if (!s.matches("\\d{4}")) {
      throw new Catalog.CatalogException(where + ": expected a year, got '" + s + "'");
    }
    return Integer.parseInt(s);
  }
}
