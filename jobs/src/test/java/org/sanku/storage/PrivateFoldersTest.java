package org.sanku.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.spark.TestSpark;

/** The folders holding raw identifiers are the owner's alone; Spark's scratch space of a local run is among them. */
class PrivateFoldersTest {

  @Test
  void theIdentityZoneAndTheScratchSpaceAreTheOwnersAlone(@TempDir Path dir) throws Exception {
    String location = dir.toUri().toString();
    Warehouse.open(TestSpark.get(), location);
    Path identity = dir.resolve("identity");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(identity)));

    // A scratch folder left by a process that is gone is removed; this process gets its own, owner-only.
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    Path stale = Files.createDirectories(identity.resolve(".spark-local").resolve(String.valueOf(p.pid())));
    Files.writeString(stale.resolve("shuffle_0_0.data"), "raw rows");
    String before = System.getProperty("spark.local.dir");
    String master = System.getProperty("spark.master");
    System.clearProperty("spark.master");
    try {
      System.clearProperty("spark.local.dir");
      PrivateFolders.scratchFor(location);
      Path mine = identity.resolve(".spark-local").resolve(String.valueOf(ProcessHandle.current().pid()));
      assertEquals(mine.toString(), System.getProperty("spark.local.dir"));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mine)));
      assertFalse(Files.exists(stale), "the folder of a process that is gone");
      assertTrue(Files.isDirectory(mine));
    } finally {
      if (before == null) {
        System.clearProperty("spark.local.dir");
      } else {
        System.setProperty("spark.local.dir", before);
      }
      if (master != null) {
        System.setProperty("spark.master", master);
      }
    }
  }
}
