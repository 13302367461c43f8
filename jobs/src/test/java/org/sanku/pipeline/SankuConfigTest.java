package org.sanku.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.config.ConfigException;
import org.sanku.config.ConfigProblem;

/**
 * One loader for conf/ and schemas/: located as the command line locates them, and a broken key anywhere is
 * reported with its file and key, every problem at once. (The nightly end to end on a copy of conf/ elsewhere is
 * in NightlyTest.)
 */
public class SankuConfigTest {

  public static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();

  /** A copy of the project's conf/ at {@code to}. */
  public static Path copyConf(Path to) throws Exception {
    org.sanku.ingest.IngestRecoveryTest.copyTree(PROJECT.resolve("conf"), to);
    return to;
  }

  @Test
  void aCopyOfConfElsewhereTakesTheInstallationsSchemas(@TempDir Path dir) throws Exception {
    Path etc = copyConf(dir.resolve("etc").resolve("sanku"));
    // As the launcher runs it: SANKU_HOME is the installation, SANKU_CONF the copy.
    SankuConfig.Locations at = SankuConfig.Locations.resolve(Map.of("SANKU_CONF", etc.toString(),
        "SANKU_HOME", PROJECT.toString())::get);
    assertEquals(etc, at.conf());
    assertEquals(PROJECT.resolve("schemas"), at.schemas(), "not " + dir.resolve("etc").resolve("schemas"));
    assertEquals(etc.resolve("indicators"), at.indicators());
    SankuConfig c = SankuConfig.load(at);
    assertEquals(12, c.schemas().tables().size());
    assertTrue(c.indicators().indicators.containsKey("elderly_health_mgmt"));
    // Without SANKU_HOME a checkout's conf/ finds its sibling schemas/.
    assertEquals(PROJECT.resolve("schemas"), SankuConfig.Locations.of(PROJECT.resolve("conf")).schemas());
    // schemas_dir in the copy's sanku.yaml names another folder (relative to the copy).
    Files.writeString(etc.resolve("sanku.yaml"), "schemas_dir: ../../contract\n");
    assertEquals(dir.resolve("etc").resolve("sanku").resolve("../../contract"),
        SankuConfig.Locations.resolve(Map.of("SANKU_CONF", etc.toString(), "SANKU_HOME", PROJECT.toString())::get)
            .schemas());
  }

  @Test
  void aBrokenKeyInAnyFileIsReportedWithItsFileAndKeyAllAtOnce(@TempDir Path dir) throws Exception {
    Path conf = copyConf(dir.resolve("conf"));
    // A typo in sanku.yaml, an alias that is not a list, a target with an unknown field, an indicator with an
    // unknown kind, and a table schema (a copy named by schemas_dir) with an unknown type.
    Files.writeString(conf.resolve("sanku.yaml"), "schemas_dir: ../schemas\nmaintenance:\n  compact_small_file: 3\n");
    Files.writeString(conf.resolve("aliases.yaml"), Files.readString(conf.resolve("aliases.yaml"))
        .replace("name: [姓名, XM, HZXM]", "name: 姓名"));
    Files.writeString(conf.resolve("targets.yaml"), Files.readString(conf.resolve("targets.yaml"))
        .replace("target: 80, target_year: 2025}", "target: 80, target_yr: 2025}"));
    Files.writeString(conf.resolve("indicators").resolve("local.yaml"), """
        indicators:
          broken:
            name_zh: 坏
            name_en: Broken
            unit: "%"
            kind: share
            denominator: resident
            numerator: valid_record
        """);
    Path schemas = Files.createDirectories(dir.resolve("schemas"));
    try (Stream<Path> s = Files.list(PROJECT.resolve("schemas"))) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Files.copy(p, schemas.resolve(p.getFileName()));
      }
    }
    Files.writeString(schemas.resolve("ref_org.yaml"), Files.readString(schemas.resolve("ref_org.yaml"))
        .replace("{name: org_name, type: string", "{name: org_name, type: text"));

    ConfigException e = assertThrows(ConfigException.class, () -> SankuConfig.load(SankuConfig.Locations.of(conf)));
    List<ConfigProblem> p = e.details();
    assertProblem(p, conf.resolve("sanku.yaml"), "maintenance.compact_small_file", "unknown setting");
    assertProblem(p, conf.resolve("aliases.yaml"), "name", "must list its aliases");
    assertProblem(p, schemas.resolve("ref_org.yaml"), "column 'org_name'", "unknown type 'text'");
    // The catalog stops at its first broken definition, and targets are checked against a loaded catalog only:
    // its problem is named, the targets' waits for it.
    assertProblem(p, conf.resolve("indicators").resolve("local.yaml"), "indicators.broken.kind", "unknown kind");
    // Four broken files, ten problems: the tables that reference the broken ref_org say so too (6 of them).
    assertTrue(e.getMessage().startsWith("invalid configuration (10 problems):"), e.getMessage());
    assertProblem(p, schemas.resolve("emr_visit.yaml"), "column 'org_code'", "references unknown table 'ref_org'");

    // With the catalog repaired, the target's unknown field is named too.
    Files.delete(conf.resolve("indicators").resolve("local.yaml"));
    ConfigException again = assertThrows(ConfigException.class,
        () -> SankuConfig.load(SankuConfig.Locations.of(conf)));
    assertProblem(again.details(), conf.resolve("targets.yaml"), "targets[", "target_yr: unknown field");
  }

  @Test
  void theConfigurationBuiltIntoTheJarIsTheCheckoutsLessTheUsersFile(@TempDir Path dir) throws Exception {
    // The driver of spark-submit finds no conf/ on its disk: it reads the copy built into the jar (here the
    // classes folder the build copied it to), extracted to a private folder with the schemas beside it.
    assertTrue(org.sanku.config.BundledConfig.present());
    Path home = org.sanku.config.BundledConfig.home();
    SankuConfig.Locations at = SankuConfig.Locations.of(home.resolve("conf"), home);
    assertEquals(home.resolve("schemas"), at.schemas());
    SankuConfig bundled = SankuConfig.load(at);
    SankuConfig checkout = SankuConfig.load(SankuConfig.Locations.of(PROJECT.resolve("conf")));
    // Every file of conf/ and schemas/ that the loaders read is there, byte for byte.
    for (String f : List.of("sanku.yaml", "aliases.yaml", "code_maps.yaml", "value_sets.yaml", "targets.yaml",
        "access.yaml", "indicators/catalog.yaml", "regions/nanchong.yaml", "regions/divisions.csv")) {
      assertEquals(Files.readString(PROJECT.resolve("conf").resolve(f)), Files.readString(at.conf().resolve(f)), f);
    }
    assertEquals(Files.readString(PROJECT.resolve("schemas/ehr_person.yaml")),
        Files.readString(at.schemas().resolve("ehr_person.yaml")));
    assertEquals(checkout.schemas().tables().stream().map(t -> t.table()).toList(),
        bundled.schemas().tables().stream().map(t -> t.table()).toList());
    assertEquals(12, bundled.schemas().tables().size());
    assertEquals(checkout.indicators().indicators.keySet(), bundled.indicators().indicators.keySet());
    // Only the configuration travels: the launcher's JVM flags (conf/jvm.options) are the local launcher's.
    assertTrue(Files.exists(PROJECT.resolve("conf/jvm.options")));
    assertTrue(Files.notExists(at.conf().resolve("jvm.options")));
    // A folder named by SANKU_CONF as a file: URI is that folder.
    Path etc = copyConf(dir.resolve("etc"));
    assertEquals(etc, SankuConfig.Locations.resolve(Map.of("SANKU_CONF", etc.toUri().toString())::get).conf());
  }

  private static void assertProblem(List<ConfigProblem> problems, Path file, String key, String message) {
    for (ConfigProblem p : problems) {
      if (p.file().equals(file.toString()) && p.key().startsWith(key) && (p.key() + ": " + p.message())
          .contains(message)) {
        return;
      }
    }
    throw new AssertionError("no problem " + file + ": " + key + "…: …" + message + "… in " + problems);
  }
}
