package org.sanku.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generated region: its real counties and townships (from {@code conf/regions/divisions.csv}), their
 * population weights and service levels, the retired codes that still map onto it, and the calibration rates
 * (from {@code conf/regions/defaults.yaml}, overridden by {@code conf/regions/<region>.yaml}).
 */
public final class RegionSpec {

  /** One row of divisions.csv (12-digit codes). */
  public record Division(String code, String name, int level, String parentCode, String validFrom,
      String validTo, String successorCode) {}

  public record Township(String code9, String name) {
    public boolean isStreet() {
      return code9.charAt(6) == '0'; // 001–099 街道 (GB/T 10114)
    }
  }

  public record County(String code6, String name, List<Township> townships, double weight,
      double service) {}

  public final String region;
  public final Division province;
  public final Division city;
  public final List<County> counties;
  /** Retired 6-digit county codes whose data now belongs to a county of this region. */
  public final Map<String, String> retiredToSuccessor;
  /** Rows to deliver as ref_division: the province, the city, its counties, townships and retired codes. */
  public final List<Division> divisionRows;
  public final Calibration calibration;

  private RegionSpec(String region, Division province, Division city, List<County> counties,
      Map<String, String> retired, List<Division> rows, Calibration calibration) {
    this.region = region;
    this.province = province;
    this.city = city;
    this.counties = counties;
    this.retiredToSuccessor = retired;
    this.divisionRows = rows;
    this.calibration = calibration;
  }

  /** Region names a user may pass, with their city codes. */
  public static final Map<String, String> KNOWN = Map.of(
      "nanchong", "511300000000", "suining", "510900000000", "chengdu", "510100000000",
      "maoming", "440900000000", "jiyuan", "419000000000");

  public static RegionSpec load(Path confDir, String region) {
    Path regions = confDir.resolve("regions");
    Path file = regions.resolve(region + ".yaml");
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try {
      JsonNode defaults = yaml.readTree(regions.resolve("defaults.yaml").toFile());
      JsonNode own = Files.exists(file) ? yaml.readTree(file.toFile()) : yaml.createObjectNode();
      String cityCode = own.path("city_code").asText(KNOWN.get(region));
      if (cityCode == null || cityCode.isEmpty()) {
        throw new IllegalArgumentException("unknown region '" + region + "': expected one of "
            + KNOWN.keySet() + " or a file " + file);
      }
      List<Division> all = readDivisions(regions.resolve("divisions.csv"));
      Map<String, Division> byCode = new LinkedHashMap<>();
      all.forEach(d -> byCode.put(d.code(), d));
      Division city = byCode.get(cityCode);
      if (city == null) {
        throw new IllegalArgumentException(file + ": city_code " + cityCode + " is not in divisions.csv");
      }
      Division province = byCode.get(city.parentCode());
      List<Division> rows = new ArrayList<>();
      rows.add(province);
      rows.add(city);
      List<County> counties = new ArrayList<>();
      Map<String, String> retired = new LinkedHashMap<>();
      JsonNode countyConf = own.path("counties");
      int i = 0;
      for (Division d : all) {
        if (d.level() != 3) {
          continue;
        }
        boolean current = d.validTo() == null || d.validTo().isEmpty();
        if (current && d.parentCode().equals(cityCode)) {
          List<Township> towns = new ArrayList<>();
          for (Division t : all) {
            if (t.level() == 4 && t.parentCode().equals(d.code())) {
              towns.add(new Township(t.code().substring(0, 9), t.name()));
              rows.add(t);
            }
          }
          rows.add(d);
          String c6 = d.code().substring(0, 6);
          JsonNode cc = countyConf.path(c6);
          // Without a region file, weights follow township counts and service levels spread evenly
          // around 1.0 so that counties still differ.
          double weight = cc.path("weight").asDouble(towns.size());
          double service = cc.path("service").asDouble(0.88 + 0.24 * ((i * 7) % 10) / 9.0);
          counties.add(new County(c6, d.name(), List.copyOf(towns), weight, service));
          i++;
        }
      }
      for (Division d : all) {
        if (d.level() == 3 && d.successorCode() != null && !d.successorCode().isEmpty()
            && byCode.containsKey(d.successorCode())
            && cityCode.equals(byCode.get(d.successorCode()).parentCode())) {
          retired.put(d.code().substring(0, 6), d.successorCode().substring(0, 6));
          rows.add(d);
          Division parent = byCode.get(d.parentCode());
          if (parent != null && !parent.code().equals(cityCode) && !rows.contains(parent)) {
            rows.add(parent);
          }
        }
      }
      for (JsonNode lc : own.path("legacy_codes")) {
        String code = lc.path("code").asText();
        String succ = lc.path("successor").asText();
        retired.put(code, succ);
        rows.add(new Division(code + "000000", lc.path("name").asText(), 3,
            lc.path("parent").asText() + "000000", "", lc.path("valid_to").asText(),
            succ + "000000"));
      }
      if (counties.isEmpty()) {
        throw new IllegalArgumentException("region " + region + " has no counties in divisions.csv");
      }
      rows.sort((a, b) -> a.code().compareTo(b.code()));
      Calibration cal = Calibration.from(defaults, own);
      return new RegionSpec(region, province, city, List.copyOf(counties), retired, List.copyOf(rows),
          cal);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read region configuration under " + regions, e);
    }
  }

  static List<Division> readDivisions(Path csv) throws IOException {
    List<Division> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    for (int n = 1; n < lines.size(); n++) {
      String line = lines.get(n);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (f.length != 7) {
        throw new IllegalArgumentException(csv + " line " + (n + 1) + ": expected 7 fields, found " + f.length);
      }
      out.add(new Division(f[0], f[1], Integer.parseInt(f[2]), f[3], f[4], f[5], f[6]));
    }
    return out;
  }

  /** Calibration rates of the clean model; see conf/regions/defaults.yaml for their meaning. */
  public record Calibration(double residentShare, double awayShare, double inflowShare,
      double ehrCoverage, double ehrCoverageAway, double basicFormComplete, double electronic,
      double elderlyExam, double examComplete, double youngExam, double tcmGivenExam,
      double tcmWithoutExam, double tcmComplete, double elderlyContract, double chronicContract,
      double youngContract, double htnEnrolled, double t2dmEnrolled, double followupLost,
      double followupRegular, double phoneShare, double htnControlled, double t2dmControlled,
      double emrVisitsPerYear, double outOfRegionVisitShare, double healthCard) {

    static Calibration from(JsonNode defaults, JsonNode own) {
      java.util.function.ToDoubleFunction<String> g = k -> own.has(k) ? own.get(k).asDouble()
          : need(defaults, k);
      JsonNode shares = own.has("resident_type_shares") ? own.get("resident_type_shares")
          : defaults.get("resident_type_shares");
      return new Calibration(shares.path("registered_resident").asDouble(),
          shares.path("registered_away").asDouble(), shares.path("inflow_resident").asDouble(),
          g.applyAsDouble("ehr_coverage"), g.applyAsDouble("ehr_coverage_away"),
          g.applyAsDouble("basic_form_complete"), g.applyAsDouble("electronic"),
          g.applyAsDouble("elderly_exam"), g.applyAsDouble("exam_complete"),
          g.applyAsDouble("young_exam"), g.applyAsDouble("elderly_tcm_given_exam"),
          g.applyAsDouble("elderly_tcm_without_exam"), g.applyAsDouble("tcm_complete"),
          g.applyAsDouble("elderly_contract"), g.applyAsDouble("chronic_contract"),
          g.applyAsDouble("young_contract"), g.applyAsDouble("htn_known_enrolled"),
          g.applyAsDouble("t2dm_known_enrolled"), g.applyAsDouble("followup_lost"),
          g.applyAsDouble("followup_regular"), g.applyAsDouble("phone_followup_share"),
          g.applyAsDouble("htn_controlled"), g.applyAsDouble("t2dm_controlled"),
          g.applyAsDouble("emr_visits_per_year"), g.applyAsDouble("out_of_region_visit_share"),
          g.applyAsDouble("health_card"));
    }

    private static double need(JsonNode defaults, String key) {
      JsonNode v = defaults.get(key);
      if (v == null || !v.isNumber()) {
        throw new IllegalArgumentException("conf/regions/defaults.yaml: missing numeric key '" + key + "'");
      }
      return v.asDouble();
    }
  }
}
