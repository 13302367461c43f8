package org.sanku.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.spark.TestSpark;

/** The sessions' local file system: the modes chmod would set, and Hadoop's checksum files still written. */
class LocalFilesTest {

  @Test
  void filesAndFoldersGetTheModeAskedForAndTheirChecksums(@TempDir java.nio.file.Path dir) throws Exception {
    FileSystem fs = FileSystem.get(dir.toUri(), TestSpark.get().sparkContext().hadoopConfiguration());
    assertTrue(fs instanceof LocalFiles, fs.getClass().getName());
    // 0640 under the default umask 022 stays 0640: owner read and write, group read, others nothing.
    Path file = new Path(dir.resolve("a.parquet").toUri());
    try (FSDataOutputStream out = fs.create(file, new FsPermission((short) 0640), false, 4096, (short) 1, 1 << 20,
        null)) {
      out.writeBytes("rows");
    }
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.parquet"))));
    assertTrue(Files.exists(dir.resolve(".a.parquet.crc")), "the checksum file");
    // A folder made private, then opened to everyone: rwx for each of the three.
    Path folder = new Path(dir.resolve("identity").toUri());
    fs.mkdirs(folder);
    fs.setPermission(folder, new FsPermission((short) 0700));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("identity"))));
    fs.setPermission(folder, new FsPermission((short) 0777));
    assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("identity"))));
    // 0 is no permission at all; a file that is not there is an error, as chmod's.
    fs.setPermission(file, new FsPermission((short) 0));
    assertEquals("---------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.parquet"))));
    assertThrows(IOException.class, () -> fs.setPermission(new Path(dir.resolve("none").toUri()),
        new FsPermission((short) 0644)));
    // Each of the nine bits alone (octal 1, 2, 4 ... 400): others x, w, r, group x, w, r, owner x, w, r.
    String[] expected = {"--------x", "-------w-", "------r--", "-----x---", "----w----", "---r-----", "--x------",
        "-w-------", "r--------"};
    for (int bit = 0; bit < 9; bit++) {
      fs.setPermission(file, new FsPermission((short) (1 << bit)));
      assertEquals(expected[bit], PosixFilePermissions.toString(Files.getPosixFilePermissions(
          dir.resolve("a.parquet"))), "bit " + bit);
    }
  }
}
