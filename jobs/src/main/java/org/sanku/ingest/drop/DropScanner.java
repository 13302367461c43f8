package org.sanku.ingest.drop;

import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sanku.ingest.drop.LandingFiles.Kind;

/**
 * Finds the drop folders on a landing area ({@code <landing>/<source>/<yyyyMMdd>/}, contract §1). It only looks at
 * names: whether a drop is complete and sound is {@link ManifestVerifier}'s job.
 *
 * <p>Only the four contract sources are scanned; other top-level folders (such as a generator's {@code truth/})
 * and hidden entries (work areas such as {@code .parts}) are not deliveries and are ignored. Inside a source folder,
 * however, anything that is not a dated drop folder is reported as a problem rather than skipped, because a
 * misnamed folder is most likely a delivery that would otherwise never be ingested.
 */
public final class DropScanner {


  /** What a scan found: drops sorted by source name then date, and problems (misnamed entries) sorted by path. */
  public record ScanResult(List<DropRef> drops, List<String> problems) {
    public ScanResult {
      drops = List.copyOf(drops);
      problems = List.copyOf(problems);
    }
  }

  /** {@code yyyyMMdd}, strictly: no 2025-02-30, no signs or offsets that BASIC_ISO_DATE would accept. */
  private static final DateTimeFormatter FOLDER_DATE = DateTimeFormatter.ofPattern("uuuuMMdd")
      .withResolverStyle(ResolverStyle.STRICT);

  private DropScanner() {}

  /**
   * Scans a landing folder on the local disk.
   *
   * @throws UncheckedIOException if a folder cannot be listed
   */
  public static ScanResult scan(java.nio.file.Path landing) {
    return scan(LandingFiles.location(landing), org.sanku.ingest.schema.SchemaCatalog.SOURCES,
        LandingFiles.defaults());
  }

  /** Scans a landing folder on any file system for drops of the given sources. */
  public static ScanResult scan(Path landing, List<String> sources, Configuration hadoop) {
    List<DropRef> drops = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (!LandingFiles.isFolder(landing, hadoop)) {
      return new ScanResult(drops, List.of(LandingFiles.display(landing) + ": landing folder does not exist or is not a folder"));
    }
    for (String source : sources) {
      Path sourceDir = LandingFiles.child(landing, source);
      Kind sourceKind = LandingFiles.kind(sourceDir, hadoop);
      if (sourceKind == Kind.LINK) {
        problems.add(source + ": is a symbolic link: not read (a source folder must be a real folder inside the "
            + "landing)");
        continue;
      }
      if (sourceKind != Kind.FOLDER) {
        continue;
      }
      for (Path entry : LandingFiles.list(sourceDir, hadoop)) {
        String name = Quoted.name(entry.getName());
        if (entry.getName().startsWith(".")) {
          continue;
        }
        // A link could lead the reader anywhere the Sanku user may read (the person key's file, the identity
        // zone): only real folders and files inside the landing are deliveries.
        Kind kind = LandingFiles.kind(entry, hadoop);
        if (kind == Kind.LINK) {
          problems.add(source + "/" + name + ": is a symbolic link: not read (a drop folder must be a real "
              + "folder inside the landing)");
          continue;
        }
        if (kind != Kind.FOLDER) {
          problems.add(source + "/" + name + ": not a drop folder (expected " + source
              + "/<yyyyMMdd>/): it is not read");
          continue;
        }
        LocalDate date = folderDate(entry.getName());
        if (date == null) {
          problems.add(source + "/" + name + ": folder name is not a date (expected " + source
              + "/<yyyyMMdd>/): the folder is not read");
          continue;
        }
        drops.add(new DropRef(source, date, entry,
            LandingFiles.kind(LandingFiles.child(entry, "manifest.json"), hadoop) == Kind.FILE));
      }
    }
    drops.sort(Comparator.comparing(DropRef::source).thenComparing(DropRef::date));
    Collections.sort(problems);
    return new ScanResult(drops, problems);
  }

  /** The date a drop folder name stands for, or null if it is not exactly {@code yyyyMMdd}. */
  static LocalDate folderDate(String name) {
    if (!name.matches("[0-9]{8}")) {
      return null;
    }
    try {
      return LocalDate.parse(name, FOLDER_DATE);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
