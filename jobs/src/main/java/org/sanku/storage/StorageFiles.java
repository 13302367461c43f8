package org.sanku.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * The one place Sanku touches a folder that may be on another file system than the driver's disk (the warehouse, a
 * configuration folder on HDFS): everything goes through Hadoop's {@link FileSystem}, so {@code file:},
 * {@code hdfs://} and {@code s3a://} locations behave alike, with the Hadoop configuration of the session (or the
 * {@code core-site.xml}/{@code hdfs-site.xml} that {@code spark-submit} puts on the class path).
 */
public final class StorageFiles {

  private StorageFiles() {}

  /** True for a URI of another file system than the local disk ({@code hdfs://}, {@code s3a://}, ...). */
  public static boolean isRemote(String location) {
    java.util.regex.Matcher m = SCHEME.matcher(location);
    return m.find() && !m.group(1).equalsIgnoreCase("file");
  }

  /** A URI's scheme followed by an authority ({@code hdfs://}, {@code s3a://}); a local path has none. */
  private static final java.util.regex.Pattern SCHEME = java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://");

  /** Whether {@code location} (a URI) exists. */
  public static boolean exists(String location, Configuration hadoop) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
    try {
      return p.getFileSystem(hadoop).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * Copies the folder {@code location} (a URI) with everything under it to the local folder {@code target}, which
   * must not exist yet: for files the driver reads with plain Java (the configuration), fetched once per run.
   */
  public static Path copyToLocal(String location, Path target, Configuration hadoop) {
    org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(location);
    try {
      FileSystem fs = src.getFileSystem(hadoop);
      if (!fs.getFileStatus(src).isDirectory()) {
        throw new IllegalStateException(location + " is not a folder");
      }
      fs.copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(target.toAbsolutePath().toUri()), true);
      return target;
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalStateException("no folder " + location, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + location + " to " + target + ": " + e.getMessage(), e);
    }
  }

  /** Writes a file given a local path: the body of an output. */
  @FunctionalInterface
  public interface LocalWrite {
    void to(Path local) throws IOException;
  }

  /**
   * Writes an output file (a CSV, workbook or report) at {@code location}: a local path is written in place; on
   * another file system ({@code hdfs://}, {@code s3a://}) the file is written to a private local folder first and
   * then copied there whole, replacing what was there, so a reader never sees half a file.
   *
   * @return how the file is named in messages
   */
  public static String writeOutput(String location, Configuration hadoop, LocalWrite write) throws IOException {
    if (!isRemote(location)) {
      Path local = location.regionMatches(true, 0, "file:", 0, 5)
          ? Path.of(new org.apache.hadoop.fs.Path(location).toUri().getPath()) : Path.of(location);
      write.to(local);
      return local.toString();
    }
    org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(location);
    Path dir = java.nio.file.Files.createTempDirectory("sanku-out");
    try {
      Path local = dir.resolve(dst.getName());
      write.to(local);
      FileSystem fs = dst.getFileSystem(hadoop);
      org.apache.hadoop.fs.Path part = new org.apache.hadoop.fs.Path(dst.getParent(), "." + dst.getName() + "."
          + ProcessHandle.current().pid() + ".part");
      fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), part);
      if (fs.exists(dst) && !fs.delete(dst, false)) {
        throw new IOException("cannot replace " + location);
      }
      if (!fs.rename(part, dst)) {
        fs.delete(part, false);
        throw new IOException("cannot move the written file to " + location);
      }
      return location;
    } finally {
      try (var files = java.nio.file.Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          java.nio.file.Files.deleteIfExists(p);
        }
      }
    }
  }
  /** Copies a local folder and everything in it to {@code to} (created), file by file. */
  public static void copyLocalTree(Path from, Path to) throws IOException {
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.createDirectories(t);
        } else {
          java.nio.file.Files.copy(p, t);
        }
      }
    }
  }
}
