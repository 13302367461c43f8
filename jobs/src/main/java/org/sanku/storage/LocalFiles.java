package org.sanku.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;

/**
 * The local file system of Sanku's sessions ({@code fs.file.impl}): Hadoop's, checksums included, except that a
 * file's or folder's permission is set from Java. Without Hadoop's native library, which Sanku does not ship, Hadoop
 * starts a {@code chmod} process for every file it creates, and once more for the file's checksum: 1,104 processes
 * in a 400-person nightly, every Parquet, manifest and metadata file of every commit. The mode set is the same.
 */
public class LocalFiles extends LocalFileSystem {

  public LocalFiles() {
    super(new Raw());
  }

  /** Hadoop's raw local file system, with {@link #setPermission} done by Java's file API. */
  public static class Raw extends RawLocalFileSystem {

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      short mode = permission.toShort();
      // The sticky, set-user and set-group bits have no Java equivalent: chmod sets those.
      if ((mode & ~0777) != 0 || NativeIO.isAvailable()) {
        super.setPermission(p, permission);
        return;
      }
      try {
        // Without those bits, the permission's text is the nine rwx letters chmod and Java both read.
        Files.setPosixFilePermissions(pathToFile(p).toPath(),
            PosixFilePermissions.fromString(permission.toString()));
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        super.setPermission(p, permission); // not a POSIX file system, or a permission of another form
      }
    }
  }
}
