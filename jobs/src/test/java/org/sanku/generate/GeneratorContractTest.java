package org.sanku.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.ids.IdNumbers;
import org.sanku.ids.IdStatus;

/** The generator's output honours shared/contract/README.md, and its dirty rows are what they claim to be. */
class GeneratorContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads a delivered file as the contract describes it: manifest encoding, gzip by name, RFC 4180 with the
   * manifest's delimiter (a file of a drop folder; other files are comma-separated).
   */
  static List<String[]> read(Path file, Charset cs) throws IOException {
    Path manifest = file.getParent().resolve("manifest.json");
    char sep = Files.exists(manifest) ? JSON.readTree(manifest.toFile()).path("delimiter").asText(",").charAt(0) : ',';
    byte[] bytes = Files.readAllBytes(file);
    InputStream in = new ByteArrayInputStream(bytes);
    if (file.toString().endsWith(".gz")) {
      in = new GZIPInputStream(in);
    }
    byte[] raw = in.readAllBytes();
    // Strict decoding: a byte sequence that is not valid in the declared encoding fails the test.
    String text = cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
    CsvParserSettings s = new CsvParserSettings();
    s.setHeaderExtractionEnabled(false);
    s.setNullValue("");
    s.setEmptyValue("");
    s.getFormat().setLineSeparator("\n");
    s.getFormat().setDelimiter(sep);
    s.setIgnoreLeadingWhitespaces(false);
    s.setIgnoreTrailingWhitespaces(false);
    s.setMaxCharsPerColumn(100_000);
    return new CsvParser(s).parseAll(new java.io.StringReader(text));
  }

  static List<Path> drops(Path landing) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String source : Tables.SOURCES) {
      try (Stream<Path> s = Files.list(landing.resolve(source))) {
        s.sorted().forEach(out::add);
      }
    }
    return out;
  }

  @Test
  void everyDropHasAManifestWhoseCountsAndChecksumsAreRight() throws Exception {
    Path landing = GeneratedRegion.get();
    List<Path> drops = drops(landing);
    // 3 nights for population, ehr and emr; two full reference drops (the first night and the last, without the
    // clinics closed meanwhile).
    assertEquals(3 * 3 + 2, drops.size());
    for (Path drop : drops) {
      JsonNode m = JSON.readTree(drop.resolve("manifest.json").toFile());
      String source = drop.getParent().getFileName().toString();
      assertEquals(source, m.get("source").asText());
      String date = drop.getFileName().toString();
      assertEquals(date, m.get("extract_date").asText().replace("-", ""));
      Charset cs = Charset.forName(m.get("encoding").asText());
      Set<String> expectedTables = new java.util.TreeSet<>();
      for (Tables t : Tables.values()) {
        if (t.source.equals(source)) {
          expectedTables.add(t.table);
        }
      }
      Set<String> delivered = new java.util.TreeSet<>();
      var it = m.get("files").fields();
      while (it.hasNext()) {
        var e = it.next();
        Path f = drop.resolve(e.getKey());
        delivered.add(e.getKey().replaceAll("\\.csv(\\.gz)?$", ""));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        assertEquals(e.getValue().get("sha256").asText(), sha, f + " sha256");
        List<String[]> rows = read(f, cs);
        assertEquals(e.getValue().get("rows").asLong(), rows.size() - 1, f + " data rows");
        Tables t = Tables.valueOf(tableEnum(e.getKey()));
        String[] header = rows.get(0);
        assertEquals(t.columns.length, header.length, f + " header width");
        for (int i = 0; i < header.length; i++) {
          String expected = t.columns[i];
          assertTrue(header[i].equals(expected) || header[i].equals(Tables.CHINESE.get(expected)),
              f + " column " + i + " is " + header[i]);
        }
        for (String[] r : rows.subList(1, rows.size())) {
          assertEquals(t.columns.length, r.length, f + " row width");
        }
      }
      assertEquals(expectedTables, delivered, drop + " holds every table of its source");
      assertEquals(date.equals(first(landing, source)) || source.equals("reference") ? "full" : "delta",
          m.get("kind").asText());
      // The EMR deltas are separated by '|', everything else by ','.
      assertEquals(source.equals("emr") && !date.equals(first(landing, source)) ? "|" : ",",
          m.get("delimiter").asText(), drop.toString());
    }
  }

  private static String first(Path landing, String source) throws IOException {
    try (Stream<Path> s = Files.list(landing.resolve(source))) {
      return s.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
    }
  }

  private static String tableEnum(String file) {
    String t = file.replaceAll("\\.csv(\\.gz)?$", "");
    for (Tables x : Tables.values()) {
      if (x.table.equals(t)) {
        return x.name();
      }
    }
    throw new AssertionError("unknown table file " + file);
  }

  @Test
  void emrIsGbkWithChineseHeadersAndGzipWhenDirty() throws Exception {
    Path drop = GeneratedRegion.get().resolve("emr").resolve("20251229");
    JsonNode m = JSON.readTree(drop.resolve("manifest.json").toFile());
    assertEquals("GBK", m.get("encoding").asText());
    // Decoding these bytes as UTF-8 must fail: the file really is GBK, not UTF-8 with a GBK label.
    byte[] bytes = Files.readAllBytes(drop.resolve("emr_visit.csv"));
    assertThrowsCharacterCoding(bytes);
    List<String[]> rows = read(drop.resolve("emr_visit.csv"), Charset.forName("GBK"));
    assertEquals("就诊唯一标识", rows.get(0)[0]);
    assertEquals("身份证号", rows.get(0)[7]);
    assertTrue(Files.exists(drop.resolve("emr_diagnosis.csv.gz")));
    // Names decode to Chinese characters (姓名 column).
    assertTrue(rows.get(1)[8].codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN));
  }

  private static void assertThrowsCharacterCoding(byte[] bytes) {
    boolean failed = false;
    try {
      Charset.forName("UTF-8").newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
    } catch (java.nio.charset.CharacterCodingException e) {
      failed = true;
    }
    assertTrue(failed, "the GBK file is not valid UTF-8");
  }

  /** GB 11643 check character computed here from the standard's weights, independently of IdNumbers. */
  static char check(String first17) {
    int[] w = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    String map = "10X98765432";
    int s = 0;
    for (int i = 0; i < 17; i++) {
      s += (first17.charAt(i) - '0') * w[i];
    }
    return map.charAt(s % 11);
  }

  @Test
  void everyCleanIdPassesTheChecksumAndMatchesBirthDateAndSex() throws Exception {
    List<String[]> persons = read(GeneratedRegion.get().resolve("truth/clean/person.csv"), Charset.forName("UTF-8"));
    Set<String> seen = new java.util.HashSet<>();
    for (String[] p : persons.subList(1, persons.size())) {
      String id = p[1];
      assertEquals(18, id.length());
      assertEquals(check(id.substring(0, 17)), id.charAt(17), id);
      assertEquals(p[4].replace("-", ""), id.substring(6, 14), "birth date inside the ID");
      int seqDigit = id.charAt(16) - '0';
      assertEquals(p[3], seqDigit % 2 == 1 ? "1" : "2", "sex from the sequence parity");
      assertTrue(seen.add(id), "IDs are unique: " + id);
    }
    assertEquals(GeneratedRegion.PERSONS, persons.size() - 1);
  }

  @Test
  void dirtyIdsAreOfTheirIntendedClass() throws Exception {
    Path landing = GeneratedRegion.get();
    Charset utf8 = Charset.forName("UTF-8");
    Map<String, String> cleanId = new HashMap<>();
    for (String[] p : tail(read(landing.resolve("truth/clean/person.csv"), utf8))) {
      cleanId.put(p[0], p[1]);
    }
    Map<String, String> ehrPerson = new HashMap<>();
    for (String[] e : tail(read(landing.resolve("truth/clean/ehr_person.csv"), utf8))) {
      ehrPerson.put(e[0], e[1]);
    }
    Map<String, String> visitPerson = new HashMap<>();
    for (String[] v : tail(read(landing.resolve("truth/clean/visit.csv"), utf8))) {
      visitPerson.put(v[0], v[1]);
    }
    // Count the status of every final-version ID that differs from the clean one, per table.
    Map<String, Integer> found = new TreeMap<>();
    for (Path drop : drops(landing)) {
      JsonNode m = JSON.readTree(drop.resolve("manifest.json").toFile());
      Charset cs = Charset.forName(m.get("encoding").asText());
      String source = m.get("source").asText();
      for (Tables t : new Tables[] {Tables.POP_PERSON, Tables.EHR_PERSON, Tables.EMR_VISIT}) {
        if (!t.source.equals(source)) {
          continue;
        }
        Map<String, String> seenIds = new HashMap<>();
        for (String[] r : tail(read(drop.resolve(t.table + ".csv"), cs))) {
          String key = r[0];
          String person = t == Tables.POP_PERSON ? String.valueOf(Long.parseLong(key.substring(6)))
              : t == Tables.EHR_PERSON ? ehrPerson.get(key) : visitPerson.get(key);
          if (person == null) {
            continue;
          }
          String raw = r[t.col("id_no")];
          IdNumbers.Result res = IdNumbers.normalise(raw, GeneratedRegion.AS_OF);
          // Out-of-region visitors (no clean person) get defects too: their clean ID is what normalises.
          String clean = person.isEmpty() ? (res.usable() ? res.normalised() : null) : cleanId.get(person);
          if (raw.equals(clean) || seenIds.put(key + raw, raw) != null) {
            continue;
          }
          String cls;
          if (res.status() == IdStatus.VALID_18 && !res.normalised().equals(clean)) {
            cls = "BORROWED";
          } else {
            cls = res.status().name();
          }
          found.merge(t.table + ":" + cls, 1, Integer::sum);
          if (res.status() == IdStatus.VALID_18 || res.status() == IdStatus.UPGRADED_15) {
            if (!cls.equals("BORROWED")) {
              assertEquals(clean, res.normalised(), "a fixable defect normalises back to the clean ID");
            }
          }
        }
      }
    }
    Map<String, Integer> expected = new TreeMap<>();
    for (String[] d : tail(read(landing.resolve("truth/defects.csv"), utf8))) {
      String cls = switch (d[0]) {
        case "ID_WHITESPACE", "ID_FULLWIDTH", "ID_LOWER_X", "ID_EXCEL_QUOTE" -> "VALID_18";
        case "ID_15_DIGIT" -> "UPGRADED_15";
        case "ID_CHECKSUM" -> "CHECKSUM_FAIL";
        case "ID_EXCEL_DAMAGED" -> "DAMAGED";
        case "ID_FAKE" -> "FAKE";
        case "ID_MISSING" -> "MISSING";
        case "ID_BORROWED" -> "BORROWED";
        default -> null;
      };
      if (cls != null) {
        expected.merge(d[1] + ":" + cls, Integer.parseInt(d[2]), Integer::sum);
      }
    }
    assertFalse(expected.isEmpty());
    assertEquals(expected, found);
  }

  static List<String[]> tail(List<String[]> rows) {
    return rows.subList(1, rows.size());
  }

  @Test
  void theSameSeedGivesTheSameBytesAtAnyThreadCount(@TempDir Path a, @TempDir Path b) throws Exception {
    GeneratedRegion.generate(a, 7, 1);
    GeneratedRegion.generate(b, 7, 2);
    Map<String, String> ha = hashes(a);
    Map<String, String> hb = hashes(b);
    assertFalse(ha.isEmpty());
    assertEquals(ha, hb);
    GeneratedRegion.generate(b, 8, 2);
    assertNotEquals(ha.get("population/20251229/pop_person.csv"), hashes(b).get("population/20251229/pop_person.csv"));
  }

  static Map<String, String> hashes(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(),
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return out;
  }

  @Test
  void realGeographyAndAConsistentReferenceDrop() throws Exception {
    Path ref = GeneratedRegion.get().resolve("reference/20251229");
    List<String[]> div = tail(read(ref.resolve("ref_division.csv"), Charset.forName("UTF-8")));
    Map<String, String[]> byCode = new HashMap<>();
    for (String[] d : div) {
      byCode.put(d[0], d);
    }
    // 南充市's nine counties (standards.md §4.3) with their township counts.
    Map<String, Integer> towns = new TreeMap<>();
    for (String[] d : div) {
      if (d[2].equals("4")) {
        towns.merge(d[3].substring(0, 6), 1, Integer::sum);
      }
    }
    assertEquals(Map.of("511302", 19, "511303", 19, "511304", 24, "511321", 42, "511322", 29, "511323", 21,
        "511324", 37, "511325", 23, "511381", 28), towns);
    assertEquals("顺庆区", byCode.get("511302000000")[1]);
    // A retired code with its successor.
    assertEquals("511321000000", byCode.get("512922000000")[6]);
    // Every residence code of the registry resolves to a delivered division, directly or through a successor.
    for (String[] p : tail(read(GeneratedRegion.get().resolve("population/20251229/pop_person.csv"),
        Charset.forName("UTF-8")))) {
      String res = p[Tables.POP_PERSON.col("residence_division_code")];
      String county = res.substring(0, 6) + "000000";
      assertTrue(byCode.containsKey(county), "county of " + res);
      if (res.length() == 12 && byCode.get(county)[6].isEmpty()) {
        assertTrue(byCode.containsKey(res.substring(0, 9) + "000"), "township of " + res);
      }
    }
    // Every organisation a service names exists in ref_org (bar the injected unknown codes).
    List<String[]> orgs = tail(read(ref.resolve("ref_org.csv"), Charset.forName("UTF-8")));
    Set<String> types = new java.util.TreeSet<>();
    orgs.forEach(o -> types.add(o[2]));
    assertEquals(Set.of("A", "B", "C", "D"), types);
    assertTrue(orgs.stream().anyMatch(o -> o[1].equals("南充市中心医院")));
    assertTrue(orgs.stream().anyMatch(o -> o[1].endsWith("中医医院") && o[3].equals("1")));
    // The later full reference drop holds every organisation of the first but the nine private clinics (one per
    // county, …P01), closed meanwhile: a full drop deletes what it no longer holds.
    Set<String> first = new java.util.TreeSet<>();
    orgs.forEach(o -> first.add(o[0]));
    Set<String> later = new java.util.TreeSet<>();
    tail(read(GeneratedRegion.get().resolve("reference/20251231/ref_org.csv"), Charset.forName("UTF-8")))
        .forEach(o -> later.add(o[0]));
    assertTrue(first.containsAll(later));
    Set<String> gone = new java.util.TreeSet<>(first);
    gone.removeAll(later);
    assertEquals(9, gone.size(), gone.toString());
    assertTrue(gone.stream().allMatch(c -> c.endsWith("P01") && towns.containsKey(c.substring(0, 6))), gone.toString());
  }

  @Test
  void deltaDropsCarryUpdatesAndDeletes() throws Exception {
    Path landing = GeneratedRegion.get();
    int updates = 0;
    int deletes = 0;
    for (String night : List.of("20251230", "20251231")) {
      for (String[] r : tail(read(landing.resolve("ehr/" + night + "/ehr_physical_exam.csv"), Charset.forName("UTF-8")))) {
        updates += r[15].equals("U") ? 1 : 0;
        deletes += r[15].equals("D") ? 1 : 0;
        // Delta rows were changed on their night.
        assertTrue(r[16].startsWith(night.substring(0, 4) + "-" + night.substring(4, 6) + "-" + night.substring(6)),
            "src_updated_at on the drop's night: " + r[16]);
      }
    }
    assertTrue(updates > 0, "exam updates in deltas");
    assertTrue(deletes > 0, "exam deletes in deltas");
    // Every deleted exam was inserted on an earlier night and is absent from the clean facts.
    Set<String> clean = new java.util.HashSet<>();
    tail(read(landing.resolve("truth/clean/exam.csv"), Charset.forName("UTF-8"))).forEach(r -> clean.add(r[0]));
    for (String night : List.of("20251230", "20251231")) {
      for (String[] r : tail(read(landing.resolve("ehr/" + night + "/ehr_physical_exam.csv"), Charset.forName("UTF-8")))) {
        if (r[15].equals("D")) {
          assertFalse(clean.contains(r[0]), "deleted exam " + r[0] + " is not a clean fact");
        }
      }
    }
  }

  /**
   * {@code officialPopulation}: the first full reference drop holds ref_population.csv (in its manifest with rows and
   * checksum), the later one does not; 2 years (2024, 2025) × 4 age groups × every current county of ref_division
   * but one. The truth is the same region's truth without the option except in the denominators (and so the values)
   * of the 8 marked indicators: a county with a figure has 2025's figure in both views, the county without keeps the
   * registry count the run without the option has, the city and the province sum their counties; the registry
   * counts the figures replaced are in official_denominators.csv. Without the option there is no such file.
   */
  @Test
  void officialPopulationIsDeliveredForEveryCountyButOneAndTheTruthCountsOverIt(@TempDir Path on, @TempDir Path off)
      throws Exception {
    java.time.LocalDate asOf = java.time.LocalDate.parse("2025-12-31");
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", 600, 3, asOf, on, 2, 0.02, null,
        Path.of("..", "conf"), 2, true));
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", 600, 3, asOf, off, 2, 0.02, null,
        Path.of("..", "conf"), 2));
    Path first = on.resolve("reference/20251230");
    Path file = first.resolve("ref_population.csv");
    JsonNode entry = JSON.readTree(first.resolve("manifest.json").toFile()).path("files").path("ref_population.csv");
    List<String[]> rows = read(file, java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(List.of("year", "division_code", "min_age", "population", "publication"), List.of(rows.get(0)));
    rows = rows.subList(1, rows.size());
    assertEquals(rows.size(), entry.path("rows").asLong());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))),
        entry.path("sha256").asText());
    assertFalse(Files.exists(on.resolve("reference/20251231/ref_population.csv")));
    assertFalse(Files.exists(off.resolve("reference/20251230/ref_population.csv")));
    assertFalse(Files.exists(off.resolve("truth/official_denominators.csv")));
    List<String> counties = new ArrayList<>();
    for (String[] d : read(first.resolve("ref_division.csv"), java.nio.charset.StandardCharsets.UTF_8)) {
      if (d[2].equals("3") && (d[5] == null || d[5].isEmpty())) {
        counties.add(d[0]);
      }
    }
    // year|min_age|county → population
    Map<String, Long> figure = new TreeMap<>();
    for (String[] r : rows) {
      assertTrue(counties.contains(r[1]), r[1]);
      figure.put(r[0] + "|" + r[2] + "|" + r[1], Long.parseLong(r[3]));
    }
    assertEquals(2 * 4 * (counties.size() - 1), rows.size());
    List<String> missing = counties.stream().filter(c -> !figure.containsKey("2025|0|" + c)).toList();
    assertEquals(1, missing.size());
    for (String year : List.of("2024", "2025")) {
      for (String age : List.of("0", "60", "65", "80")) {
        assertEquals(counties.size() - 1, counties.stream().filter(c -> figure.containsKey(year + "|" + age + "|" + c))
            .count());
      }
    }
    Map<String, String> ages = Map.of("ehr_coverage", "0", "ehr_electronic_coverage", "0", "aging_60", "0",
        "aging_65", "0", "elderly_health_mgmt", "65", "elderly_tcm_mgmt", "65", "elderly_fd_contract", "65",
        "elderly80_health_mgmt", "80");
    Map<String, String[]> with = truthRows(on);
    Map<String, String[]> without = truthRows(off);
    assertEquals(without.keySet(), with.keySet());
    // indicator → {true, recoverable} denominators summed over the counties, to compare with the city.
    Map<String, long[]> sums = new TreeMap<>();
    int replaced = 0;
    for (var e : without.entrySet()) {
      String[] a = e.getValue();
      String[] b = with.get(e.getKey());
      String age = ages.get(a[0]);
      // numerator_true (7), numerator_recoverable (12) and the life table's cells never change.
      assertEquals(a[7], b[7], e.getKey());
      assertEquals(a[12], b[12], e.getKey());
      if (age == null || a[5].equals("unassigned")) {
        assertArrayEquals(a, b, e.getKey());
        continue;
      }
      Long f = figure.get("2025|" + age + "|" + a[4]);
      if (a[5].equals("county")) {
        assertEquals(f == null ? a[8] : String.valueOf(f), b[8], e.getKey());
        assertEquals(f == null ? a[13] : String.valueOf(f), b[13], e.getKey());
        long[] sum = sums.computeIfAbsent(a[0], k -> new long[2]);
        sum[0] += Long.parseLong(b[8]);
        sum[1] += Long.parseLong(b[13]);
        replaced += f == null ? 0 : 1;
      }
      assertEquals(TruthWriter.rate(Long.parseLong(b[12]), Long.parseLong(b[13]), 100.0), b[14], e.getKey());
    }
    assertEquals(8 * (counties.size() - 1), replaced);
    for (var e : with.entrySet()) {
      String[] b = e.getValue();
      if (ages.containsKey(b[0]) && !b[5].equals("county")) {
        assertEquals(String.valueOf(sums.get(b[0])[0]), b[8], e.getKey());
        assertEquals(String.valueOf(sums.get(b[0])[1]), b[13], e.getKey());
      }
    }
    // The cross-check: the registry counts the figures replaced are the run without the option's denominators.
    List<String[]> check = read(on.resolve("truth/official_denominators.csv"), java.nio.charset.StandardCharsets.UTF_8);
    // One row per marked indicator, division and period the truth computes; compared here for the year of 2025.
    check = check.subList(1, check.size());
    assertEquals(8 * (counties.size() + 2) * periods(on), check.size());
    check = check.stream().filter(c -> c[1].equals("2025-01-01") && c[2].equals("2025-12-31")).toList();
    assertEquals(8 * (counties.size() + 2), check.size());
    for (String[] c : check) {
      String[] a = without.get(c[0] + "|" + c[4] + "|" + c[3]);
      assertEquals("2025", c[5]);
      assertEquals(a[8], c[6], String.join(",", c));
      assertEquals(a[13], c[7], String.join(",", c));
      assertEquals(c[4].equals("county") && !missing.contains(c[3]) ? "0" : "1", c[10], String.join(",", c));
      if (c[4].equals("county")) {
        Long f = figure.get("2025|" + ages.get(c[0]) + "|" + c[3]);
        assertEquals(f == null ? "" : String.valueOf(f), c[8], String.join(",", c));
      }
    }
  }

  /** truth/indicators.csv's rows of the year 2025 (one of the periods it holds), keyed by indicator|level|division. */
  private static Map<String, String[]> truthRows(Path landing) throws IOException {
    Map<String, String[]> out = new TreeMap<>();
    List<String[]> rows = read(landing.resolve("truth/indicators.csv"), java.nio.charset.StandardCharsets.UTF_8);
    for (String[] r : rows.subList(1, rows.size())) {
      for (int i = 0; i < r.length; i++) {
        r[i] = r[i] == null ? "" : r[i];
      }
      if (r[1].equals("year") && r[2].equals("2025-01-01") && r[3].equals("2025-12-31")) {
        assertNull(out.put(r[0] + "|" + r[5] + "|" + r[4], r), String.join(",", r));
      }
    }
    return out;
  }

  /** How many periods truth/indicators.csv holds. */
  private static long periods(Path landing) throws IOException {
    List<String[]> rows = read(landing.resolve("truth/indicators.csv"), java.nio.charset.StandardCharsets.UTF_8);
    return rows.subList(1, rows.size()).stream().map(r -> r[1] + "|" + r[2] + "|" + r[3]).distinct().count();
  }

  @Test
  void badArgumentsAreRefusedWithAClearMessage(@TempDir Path out) {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RegionGenerator.generate(new RegionGenerator.Options("atlantis", 10, 1, GeneratedRegion.AS_OF, out,
            1, 0, null, Path.of("..", "conf"), 1)));
    assertTrue(e.getMessage().contains("atlantis"), e.getMessage());
  }

  @Test
  void unusedArrayEqualsKeepsImportsHonest() {
    assertArrayEquals(new long[] {3, 5}, RegionGenerator.ambiguous(new long[] {5, 1, 3, 5, 3, 3, 2}));
  }
}
