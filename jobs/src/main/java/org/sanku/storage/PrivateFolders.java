package org.sanku.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The folders that hold raw identifiers are the Sanku user's alone: the identity zone ({@code <warehouse>/identity},
 * created 0700, local or HDFS), and the scratch space of a local run's Spark (shuffle and spill files carry raw
 * IDs and names), kept inside it rather than in a world-readable {@code /tmp}, one folder per process, and the
 * folders of processes that are gone removed at the next start.
 */
public final class PrivateFolders {

  private static final FsPermission OWNER_ONLY = new FsPermission((short) 0700);

  private PrivateFolders() {}

  /** Creates the identity zone's folder readable by its owner only (and makes an existing one so). */
  public static void identityZone(String warehouseLocation, Configuration hadoop) {
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(Warehouse.identityUri(warehouseLocation));
    try {
      FileSystem fs = dir.getFileSystem(hadoop);
      if (!"file".equals(fs.getScheme()) && !"hdfs".equals(fs.getScheme())) {
        return; // Object stores have no folder permissions: their bucket policy decides.
      }
      fs.mkdirs(dir, OWNER_ONLY);
      fs.setPermission(dir, OWNER_ONLY);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the identity zone private (" + dir + ")", e);
    }
  }

  /**
   * For an embedded run on a local warehouse: sets {@code spark.local.dir} to a folder of this process inside the
   * identity zone (unless the deployment set one), before the session is built, and removes the folders of earlier
   * processes that are gone. A cluster's executors keep their own local folders (set them private there).
   */
  public static void scratchFor(String warehouseLocation) {
    if (System.getProperty("spark.master") != null || System.getProperty("spark.local.dir") != null
        || !warehouseLocation.startsWith("file:")) {
      return;
    }
    Path root = Path.of(java.net.URI.create(Warehouse.identityUri(warehouseLocation))).resolve(".spark-local");
    try {
      Files.createDirectories(root);
      Files.setPosixFilePermissions(root.getParent(), PosixFilePermissions.fromString("rwx------"));
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
      try (Stream<Path> s = Files.list(root)) {
        for (Path p : s.toList()) {
          String name = p.getFileName().toString();
          boolean gone = !name.matches("\\d+") || ProcessHandle.of(Long.parseLong(name)).isEmpty();
          if (gone) {
            delete(p);
          }
        }
      }
      Path mine = Files.createDirectories(root.resolve(String.valueOf(ProcessHandle.current().pid())));
      Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwx------"));
      System.setProperty("spark.local.dir", mine.toString());
    } catch (IOException | UnsupportedOperationException e) {
      throw new IllegalStateException("cannot prepare Spark's private scratch folder under " + root + ": " + e, e);
    }
  }

  private static void delete(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
