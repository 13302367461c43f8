package org.sanku.ingest.drop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.generate.RegionGenerator;

/**
 * The generator and the verifier must agree on the drop format: every drop of a generated dirty region (GBK, gzip,
 * quoted fields, Chinese headers) verifies.
 */
class GeneratedDropsVerifyTest {

  @Test
  void everyGeneratedDropVerifies(@TempDir Path dir) throws IOException {
    RegionGenerator.generate(new RegionGenerator.Options("nanchong", 1500, 5, LocalDate.parse("2025-12-31"), dir, 2,
        0.05, null, Path.of("..", "conf"), 1));

    DropScanner.ScanResult scan = DropScanner.scan(dir);

    assertEquals(List.of(), scan.problems());
    // population, ehr and emr for each of the 2 nights; reference on the first night and, the region being dirty,
    // again on the last (a later full drop without the clinics closed meanwhile): 3 × 2 + 2 = 8.
    assertEquals(8, scan.drops().size(), scan.drops()::toString);
    assertEquals(2, scan.drops().stream().filter(d -> d.source().equals("reference")).count(),
        scan.drops()::toString);
    List<String> refusals = new ArrayList<>();
    Set<Charset> encodings = new HashSet<>();
    int gzipFiles = 0;
    long rows = 0;
    for (DropRef ref : scan.drops()) {
      ManifestVerifier.Verification v = ManifestVerifier.verify(ref);
      refusals.addAll(v.messages());
      if (v.ok()) {
        encodings.add(v.drop().manifest().encoding());
        for (ManifestVerifier.FileCheck c : v.files()) {
          gzipFiles += c.name().endsWith(".gz") ? 1 : 0;
          rows += c.foundRows();
        }
        assertEquals(v.drop().manifest().files().size(), v.files().size());
      }
    }
    assertEquals(List.of(), refusals);
    // The region exercised the harder paths, not only plain UTF-8.
    assertTrue(encodings.contains(Charset.forName("GBK")), encodings::toString);
    assertTrue(gzipFiles > 0, "no gzip file was generated");
    assertTrue(rows > 1500, "rows: " + rows);
  }
}
