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
}
