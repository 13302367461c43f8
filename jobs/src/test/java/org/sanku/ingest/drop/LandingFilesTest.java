package org.sanku.ingest.drop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.storage.StorageFiles;

/**
 * How a landing or an output is named: a local path, a {@code file:} URI and another file system's URI. (The
 * landing on HDFS itself is read in the cluster test, ClusterNightlyTest.)
 */
class LandingFilesTest {

  @Test
  void aPathAFileUriAndAnHdfsUriNameTheirPlaces(@TempDir Path dir) {
    // A local path and the file: URI of the same folder are one location, read from the local disk.
    org.apache.hadoop.fs.Path plain = LandingFiles.location(dir.toString());
    assertEquals(plain, LandingFiles.location("file://" + dir));
    assertEquals(plain, LandingFiles.location(dir.toUri().toString())); // file:///…/ with its trailing slash
    assertEquals(dir, LandingFiles.local(plain));
    assertEquals(dir.toString(), LandingFiles.display(plain));
    // A relative path is taken from the working folder.
    assertEquals(Path.of("landing").toAbsolutePath(), LandingFiles.local(LandingFiles.location("landing")));
    // Another file system's URI is kept as it is, and is not on the local disk.
    org.apache.hadoop.fs.Path hdfs = LandingFiles.location("hdfs://nn1:8020/sanku/landing");
    assertEquals("hdfs://nn1:8020/sanku/landing", hdfs.toString());
    assertNull(LandingFiles.local(hdfs));
    assertEquals("hdfs://nn1:8020/sanku/landing", LandingFiles.display(hdfs));
    // A child is one element under its folder, whatever characters its name has (a colon is no scheme).
    assertEquals("hdfs://nn1:8020/sanku/landing/ehr", LandingFiles.child(hdfs, "ehr").toString());
    assertEquals("hdfs://nn1:8020/sanku/landing/a:b.csv", LandingFiles.child(hdfs, "a:b.csv").toString());
    assertEquals(dir.resolve("a:b 1.csv"), LandingFiles.local(LandingFiles.child(plain, "a:b 1.csv")));
  }

  @Test
  void aLandingGivenAsAFileUriIsScannedAsItsFolder(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("ehr/20251231"));
    Files.writeString(dir.resolve("ehr/20251231/manifest.json"), "{}");
    Files.createDirectories(dir.resolve("ehr/latest"));
    DropScanner.ScanResult byUri = DropScanner.scan(LandingFiles.location(dir.toUri().toString()), List.of("ehr"),
        new Configuration());
    assertEquals(DropScanner.scan(dir).drops(), byUri.drops());
    assertEquals(List.of(new DropRef("ehr", LocalDate.of(2025, 12, 31), dir.resolve("ehr/20251231"), true)),
        byUri.drops());
    assertEquals(List.of("ehr/latest: folder name is not a date (expected ehr/<yyyyMMdd>/): the folder is not read"),
        byUri.problems());
    // A missing landing is named as the user wrote it.
    assertEquals(List.of(dir.resolve("none") + ": landing folder does not exist or is not a folder"),
        DropScanner.scan(LandingFiles.location(dir.resolve("none").toString()), List.of("ehr"), new Configuration())
            .problems());
  }

  @Test
  void anOutputOnTheLocalDiskIsWrittenInPlace(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("values.csv");
    assertEquals(out.toString(), StorageFiles.writeOutput(out.toString(), new Configuration(),
        f -> Files.writeString(f, "a,b\n", StandardCharsets.UTF_8)));
    assertEquals("a,b\n", Files.readString(out));
    // A file: URI names the same file; the second write replaces the first.
    StorageFiles.writeOutput("file://" + out, new Configuration(), f -> Files.writeString(f, "c\n"));
    assertEquals("c\n", Files.readString(out));
    // For another file system the file is written in a private local folder first: what the writer throws reaches
    // the caller (before anything is copied), and the folder is removed.
    java.util.Set<Path> before = staging();
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> StorageFiles.writeOutput(
        "hdfs://127.0.0.1:1/never/x.csv", new Configuration(), f -> {
          throw new java.io.IOException("no values for the period");
        }));
    assertEquals("no values for the period", e.getMessage());
    assertEquals(before, staging());
  }

  /** The private folders outputs are staged in. */
  private static java.util.Set<Path> staging() throws Exception {
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("sanku-out")).collect(
          java.util.stream.Collectors.toSet());
    }
  }
}
