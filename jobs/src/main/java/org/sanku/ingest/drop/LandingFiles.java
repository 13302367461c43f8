package org.sanku.ingest.drop;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The landing's files, wherever the landing is: a folder on the driver's disk (a plain path or {@code file:}) is
 * read through {@code java.nio}, which tells symbolic and hard links apart; any other URI ({@code hdfs://},
 * {@code s3a://}) through Hadoop's {@link FileSystem} with the session's Hadoop configuration. Drops and their
 * files are named by Hadoop paths either way, so a drop found on HDFS is verified and read (by Spark, on the
 * executors) like one on the local disk.
 */
public final class LandingFiles {

  /** What is at a path, links not followed. */
  public enum Kind { FOLDER, FILE, LINK, OTHER, ABSENT }

  private LandingFiles() {}

  /** A landing or drop location given by a user: a local path, a {@code file:} URI or another file system's URI. */
  public static Path location(String given) {
    if (org.sanku.storage.StorageFiles.isRemote(given)) {
      return new Path(given);
    }
    if (given.regionMatches(true, 0, "file:", 0, 5)) {
      return location(java.nio.file.Path.of(new Path(given).toUri().getPath()));
    }
    return location(java.nio.file.Path.of(given));
  }

  /** The location of a local folder or file. */
  public static Path location(java.nio.file.Path local) {
    return new Path("file", null, local.toAbsolutePath().normalize().toString());
  }

  /** The local path of a location on the driver's disk, or null for another file system's. */
  public static java.nio.file.Path local(Path location) {
    String scheme = location.toUri().getScheme();
    if (scheme != null && !scheme.equalsIgnoreCase("file")) {
      return null;
    }
    return java.nio.file.Path.of(location.toUri().getPath());
  }

  /** How a location is written in messages: a local path as the user gave it, another file system's as a URI. */
  public static String display(Path location) {
    java.nio.file.Path l = local(location);
    return l != null ? l.toString() : location.toString();
  }

  /** What is at {@code p}, without following a link. */
  public static Kind kind(Path p, Configuration hadoop) {
    java.nio.file.Path l = local(p);
    if (l != null) {
      if (Files.isSymbolicLink(l)) {
        return Kind.LINK;
      }
      if (Files.isDirectory(l, LinkOption.NOFOLLOW_LINKS)) {
        return Kind.FOLDER;
      }
      if (Files.isRegularFile(l, LinkOption.NOFOLLOW_LINKS)) {
        return Kind.FILE;
      }
      return Files.exists(l, LinkOption.NOFOLLOW_LINKS) ? Kind.OTHER : Kind.ABSENT;
    }
    try {
      return kind(fs(p, hadoop).getFileLinkStatus(p));
    } catch (FileNotFoundException e) {
      return Kind.ABSENT;
    } catch (IOException | UnsupportedOperationException e) {
      // A file system without links answers getFileLinkStatus as getFileStatus, or not at all.
      try {
        return kind(fs(p, hadoop).getFileStatus(p));
      } catch (FileNotFoundException e2) {
        return Kind.ABSENT;
      } catch (IOException e2) {
        throw new UncheckedIOException("cannot reach " + p + ": " + e2.getMessage(), e2);
      }
    }
  }

  private static Kind kind(FileStatus s) {
    if (s.isSymlink()) {
      return Kind.LINK;
    }
    return s.isDirectory() ? Kind.FOLDER : s.isFile() ? Kind.FILE : Kind.OTHER;
  }

  /** Whether {@code p} is a folder (the landing itself may be reached through a link). */
  public static boolean isFolder(Path p, Configuration hadoop) {
    java.nio.file.Path l = local(p);
    if (l != null) {
      return Files.isDirectory(l);
    }
    try {
      return fs(p, hadoop).getFileStatus(p).isDirectory();
    } catch (FileNotFoundException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach " + p + ": " + e.getMessage(), e);
    }
  }

  /**
   * The entries of a folder, sorted by name, or an empty list when it does not exist.
   *
   * @throws UncheckedIOException if the folder cannot be listed
   */
  public static List<Path> list(Path dir, Configuration hadoop) {
    java.nio.file.Path l = local(dir);
    List<Path> out = new ArrayList<>();
    if (l != null) {
      try (Stream<java.nio.file.Path> s = Files.list(l)) {
        s.forEach(p -> out.add(location(p)));
      } catch (java.nio.file.NoSuchFileException e) {
        return List.of();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
    } else {
      try {
        for (FileStatus s : fs(dir, hadoop).listStatus(dir)) {
          out.add(s.getPath());
        }
      } catch (FileNotFoundException e) {
        return List.of();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
      }
    }
    out.sort(Comparator.comparing(Path::getName));
    return out;
  }

  /** The child {@code name} of a folder; a name is one path element, never a URI or a relative path. */
  public static Path child(Path dir, String name) {
    java.nio.file.Path l = local(dir);
    if (l != null) {
      return location(l.resolve(name));
    }
    java.net.URI u = dir.toUri();
    String parent = u.getPath().endsWith("/") ? u.getPath() : u.getPath() + "/";
    return new Path(u.getScheme(), u.getAuthority(), parent + name);
  }

  /** Opens a file for reading. */
  public static InputStream open(Path p, Configuration hadoop) throws IOException {
    java.nio.file.Path l = local(p);
    return l != null ? Files.newInputStream(l) : fs(p, hadoop).open(p);
  }

  private static FileSystem fs(Path p, Configuration hadoop) throws IOException {
    return p.getFileSystem(hadoop);
  }

  /** The configuration used when a caller has no session's: the class path's {@code core-site.xml} and defaults. */
  public static Configuration defaults() {
    return Defaults.CONF;
  }

  private static final class Defaults {
    static final Configuration CONF = new Configuration();
  }
}
