package org.sanku.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.stream.Stream;

/**
 * The {@code conf/} and {@code schemas/} built into Sanku's jar ({@code sanku/conf/}, {@code sanku/schemas/}): the
 * configuration of a run that finds none on its disk, typically the driver of {@code spark-submit}, which starts in
 * a folder of the cluster's choosing with nothing of Sanku but the application jar. The loaders read plain files,
 * so the bundled folders are copied once to a private temporary folder, removed when the JVM ends.
 */
public final class BundledConfig {

  static final String CONF = "sanku/conf";
  static final String SCHEMAS = "sanku/schemas";

  private static Path extracted;

  private BundledConfig() {}

  /** Whether this class path holds a bundled configuration. */
  public static boolean present() {
    return BundledConfig.class.getClassLoader().getResource(CONF + "/" + Settings.FILE) != null;
  }

  /**
   * The folder holding {@code conf/} and {@code schemas/} as bundled, copied on first use.
   *
   * @throws IllegalStateException when the class path holds none
   */
  public static synchronized Path home() {
    if (extracted == null) {
      if (!present()) {
        throw new IllegalStateException("no configuration bundled on the class path (" + CONF + ")");
      }
      try {
        Path dir = Files.createTempDirectory("sanku-conf-");
        copy(CONF, dir.resolve("conf"));
        copy(SCHEMAS, dir.resolve("schemas"));
        removeAtExit(dir);
        extracted = dir;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy the bundled configuration: " + e.getMessage(), e);
      }
    }
    return extracted;
  }

  /** Copies every file under the class-path folder {@code folder} to {@code target}, keeping sub-folders. */
  static void copy(String folder, Path target) throws IOException {
    ClassLoader cl = BundledConfig.class.getClassLoader();
    for (String name : list(folder)) {
      Path to = target.resolve(name);
      Files.createDirectories(to.getParent());
      try (InputStream in = cl.getResourceAsStream(folder + "/" + name)) {
        if (in == null) {
          throw new IOException("class-path resource " + folder + "/" + name + " vanished");
        }
        Files.copy(in, to);
      }
    }
  }

  /**
   * Paths relative to {@code folder} of every file under it, from the classes folder or the jar that holds the
   * bundled {@code sanku.yaml} (found through that file: a jar need not hold entries for its folders).
   */
  private static List<String> list(String folder) throws IOException {
    URL marker = BundledConfig.class.getClassLoader().getResource(CONF + "/" + Settings.FILE);
    if (marker == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (marker.getProtocol().equals("file")) {
      Path root;
      try {
        // <root>/sanku/conf/sanku.yaml → <root>
        root = Path.of(marker.toURI()).getParent().getParent().getParent();
      } catch (URISyntaxException e) {
        throw new IOException(e);
      }
      Path dir = root.resolve(folder);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.walk(dir)) {
          s.filter(Files::isRegularFile).forEach(p -> out.add(dir.relativize(p).toString().replace('\\', '/')));
        }
      }
    } else {
      JarURLConnection jar = (JarURLConnection) marker.openConnection();
      jar.setUseCaches(false);
      try (java.util.jar.JarFile f = jar.getJarFile()) {
        for (Enumeration<JarEntry> e = f.entries(); e.hasMoreElements(); ) {
          String n = e.nextElement().getName();
          if (n.startsWith(folder + "/") && !n.endsWith("/")) {
            out.add(n.substring(folder.length() + 1));
          }
        }
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** Removes a private copy of a configuration (this one, or one fetched from HDFS) when the JVM ends. */
  public static void removeAtExit(Path dir) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir), "sanku-conf-cleanup"));
  }

  private static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A temporary folder left behind is harmless; the JVM is ending.
    }
  }
}
