package org.sanku.ingest.drop;

import org.apache.hadoop.fs.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * A drop whose manifest has been read and whose files all match it (see {@link ManifestVerifier}); only a
 * {@code Drop} may be ingested.
 *
 * @param source the source, equal to the manifest's
 * @param folder the drop folder
 * @param date the folder date, equal to the manifest's extract date
 * @param manifest the parsed control file
 */
public record Drop(String source, Path folder, LocalDate date, Manifest manifest) {

  /** The drop's name in messages and ledgers, e.g. {@code ehr/20251230}. */
  public String id() {
    return source + "/" + date.format(DateTimeFormatter.BASIC_ISO_DATE);
  }

  /** The path of one of the manifest's files. */
  public Path file(String name) {
    if (!manifest.files().containsKey(name)) {
      throw new IllegalArgumentException(id() + ": " + name + " is not listed in the manifest");
    }
    return LandingFiles.child(folder, name);
  }
}
