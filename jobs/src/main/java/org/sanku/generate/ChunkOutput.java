package org.sanku.generate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One chunk's part files: a file per (table, night) in the drop's encoding, and a file per clean-fact table.
 * The parts are concatenated in chunk order afterwards, so the drops do not depend on thread scheduling.
 */
final class ChunkOutput implements AutoCloseable {
  private final Path dir;
  private final Map<String, Charset> charsets;
  private final Map<String, BufferedWriter> writers = new HashMap<>();
  final Map<String, Long> rows = new HashMap<>();
  private final StringBuilder line = new StringBuilder(256);
  /** The field delimiter of a source's drop on a night (the manifest's). */
  private final java.util.function.BiFunction<String, Integer, Character> delimiter;

  ChunkOutput(Path dir, Map<String, Charset> charsets,
      java.util.function.BiFunction<String, Integer, Character> delimiter) {
    this.dir = dir;
    this.charsets = charsets;
    this.delimiter = delimiter;
  }

  static String partName(Tables t, int night) {
    return t.source + "/" + night + "/" + t.table + ".csv";
  }

  void add(Tables t, int night, String[] row) throws IOException {
    write(partName(t, night), charsets.get(t.source), row, delimiter.apply(t.source, night));
  }

  /** Writes the final version of a row, twice when its defect is a duplicate row. */
  void addFinal(Tables t, int night, String[] row, Defect defect) throws IOException {
    add(t, night, row);
    if (defect == Defect.DUPLICATE_ROW) {
      add(t, night, row);
    }
  }

  void clean(String table, String[] row) throws IOException {
    write("truth/" + table + ".csv", StandardCharsets.UTF_8, row, ',');
  }

  private void write(String name, Charset cs, String[] row, char sep) throws IOException {
    BufferedWriter w = writers.get(name);
    if (w == null) {
      Path f = dir.resolve(name);
      Files.createDirectories(f.getParent());
      w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(f), cs.newEncoder()
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)), 1 << 16);
      writers.put(name, w);
    }
    line.setLength(0);
    Rows.appendCsv(line, row, sep);
    w.append(line);
    rows.merge(name, 1L, Long::sum);
  }

  @Override
  public void close() throws IOException {
    for (BufferedWriter w : writers.values()) {
      w.close();
    }
    writers.clear();
  }
}
