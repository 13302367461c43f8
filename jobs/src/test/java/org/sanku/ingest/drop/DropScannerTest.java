package org.sanku.ingest.drop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DropScannerTest {

  @TempDir
  Path landing;

  private Path dir(String relative) throws IOException {
    return Files.createDirectories(landing.resolve(relative));
  }

  private void manifestIn(String relative) throws IOException {
    Files.writeString(dir(relative).resolve("manifest.json"), "{}");
  }

  @Test
  void findsDropsOfTheFourSourcesSortedBySourceThenDate() throws IOException {
    manifestIn("ehr/20251231");
    manifestIn("ehr/20251229");
    dir("ehr/20251230"); // still being delivered: no manifest yet
    manifestIn("reference/20251231");
    manifestIn("population/20251230");
    manifestIn("emr/20251230");
    manifestIn("emr/20251229");
    // Not deliveries: a generator's truth folder, a hidden work area, an unknown top-level folder.
    manifestIn("truth/20251231");
    dir(".parts/c000");
    dir("exports/20251231");
    // Hidden entries inside a source folder are work areas too.
    dir("ehr/.20251231.tmp");

    DropScanner.ScanResult r = DropScanner.scan(landing);

    assertEquals(List.of(), r.problems());
    assertEquals(List.of(
        new DropRef("ehr", LocalDate.of(2025, 12, 29), landing.resolve("ehr/20251229"), true),
        new DropRef("ehr", LocalDate.of(2025, 12, 30), landing.resolve("ehr/20251230"), false),
        new DropRef("ehr", LocalDate.of(2025, 12, 31), landing.resolve("ehr/20251231"), true),
        new DropRef("emr", LocalDate.of(2025, 12, 29), landing.resolve("emr/20251229"), true),
        new DropRef("emr", LocalDate.of(2025, 12, 30), landing.resolve("emr/20251230"), true),
        new DropRef("population", LocalDate.of(2025, 12, 30), landing.resolve("population/20251230"), true),
        new DropRef("reference", LocalDate.of(2025, 12, 31), landing.resolve("reference/20251231"), true)),
        r.drops());
    assertEquals("ehr/20251229", r.drops().get(0).id());
  }

  @Test
  void badlyNamedFoldersAndStrayFilesAreReported() throws IOException {
    manifestIn("ehr/20251231");
    manifestIn("ehr/2025-12-30");
    manifestIn("emr/20251332"); // month 13
    manifestIn("emr/20250229"); // 2025 is not a leap year
    dir("population/latest");
    Files.writeString(dir("reference").resolve("ref_org.csv"), "org_code\n");

    DropScanner.ScanResult r = DropScanner.scan(landing);

    assertEquals(List.of(new DropRef("ehr", LocalDate.of(2025, 12, 31), landing.resolve("ehr/20251231"), true)),
        r.drops());
    assertEquals(List.of(
        "ehr/2025-12-30: folder name is not a date (expected ehr/<yyyyMMdd>/): the folder is not read",
        "emr/20250229: folder name is not a date (expected emr/<yyyyMMdd>/): the folder is not read",
        "emr/20251332: folder name is not a date (expected emr/<yyyyMMdd>/): the folder is not read",
        "population/latest: folder name is not a date (expected population/<yyyyMMdd>/): the folder is not read",
        "reference/ref_org.csv: not a drop folder (expected reference/<yyyyMMdd>/): it is not read"),
        r.problems());
  }

  @Test
  void missingLandingIsAProblemNotAnException() {
    Path nowhere = landing.resolve("nowhere");
    DropScanner.ScanResult r = DropScanner.scan(nowhere);
    assertEquals(List.of(), r.drops());
    assertEquals(List.of(nowhere + ": landing folder does not exist or is not a folder"), r.problems());
  }

  @Test
  void folderDatesAreStrictlyYyyyMmDd() {
    assertEquals(LocalDate.of(2024, 2, 29), DropScanner.folderDate("20240229"));
    assertNull(DropScanner.folderDate("20250229"));
    assertNull(DropScanner.folderDate("2025123"));
    assertNull(DropScanner.folderDate("20251231+0800"));
    assertNull(DropScanner.folderDate("２０２５１２３１")); // full-width digits
  }
}
