package org.sanku.ingest.drop;

import org.apache.hadoop.fs.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * A drop folder found on the landing area, before anything in it has been read.
 *
 * @param source one of the contract's sources ({@link org.sanku.ingest.schema.SchemaCatalog#SOURCES})
 * @param date the extract date taken from the folder name ({@code yyyyMMdd})
 * @param folder the drop folder, {@code <landing>/<source>/<yyyyMMdd>}, on any file system ({@link LandingFiles})
 * @param hasManifest whether {@code manifest.json} was present when the folder was scanned; a drop without it is
 *     still being delivered (or was abandoned) and must not be read
 */
public record DropRef(String source, LocalDate date, Path folder, boolean hasManifest) {

  /** A drop folder on the local disk. */
  public DropRef(String source, LocalDate date, java.nio.file.Path folder, boolean hasManifest) {
    this(source, date, LandingFiles.location(folder), hasManifest);
  }

  /** The drop's name in messages and ledgers, e.g. {@code ehr/20251230}. */
  public String id() {
    return source + "/" + date.format(DateTimeFormatter.BASIC_ISO_DATE);
  }
}
