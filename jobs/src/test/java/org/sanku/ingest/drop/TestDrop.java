package org.sanku.ingest.drop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Builds a drop by hand for tests: files are written as given, and the manifest lists the row count the test states
 * (worked out by reading the CSV, not by the code under test) and the sha256 of the bytes as stored.
 */
final class TestDrop {

  final String source;
  final String date;
  final Path folder;
  String kind = "full";
  String encoding = "UTF-8";
  String delimiter = ",";
  private final Map<String, String> entries = new LinkedHashMap<>();

  TestDrop(Path landing, String source, String date) {
    this.source = source;
    this.date = date;
    this.folder = landing.resolve(source).resolve(date);
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  TestDrop encoding(String e) {
    encoding = e;
    return this;
  }

  /** Writes a file (gzip-compressed when the name ends in .gz) and lists it with the given number of data rows. */
  byte[] file(String name, String csv, Charset charset, long rows) {
    byte[] stored = write(folder.resolve(name), csv, charset);
    entries.put(name, "{\"rows\": " + rows + ", \"sha256\": \"" + sha256(stored) + "\"}");
    return stored;
  }

  byte[] file(String name, String csv, long rows) {
    return file(name, csv, StandardCharsets.UTF_8, rows);
  }

  /** Writes manifest.json with the folder's source and date (as yyyy-MM-dd) and the files listed so far. */
  TestDrop manifest() {
    LocalDate d = LocalDate.parse(date.substring(0, 4) + "-" + date.substring(4, 6) + "-" + date.substring(6));
    return manifest(source, d.toString());
  }

  TestDrop manifest(String manifestSource, String extractDate) {
    StringBuilder files = new StringBuilder();
    entries.forEach((n, e) -> files.append(files.length() == 0 ? "" : ",\n    ")
        .append('"').append(n).append("\": ").append(e));
    return rawManifest("{\"source\": \"" + manifestSource + "\", \"extract_date\": \"" + extractDate
        + "\", \"kind\": \"" + kind + "\",\n \"encoding\": \"" + encoding + "\", \"delimiter\": \"" + delimiter
        + "\",\n \"files\": {" + files + "}}\n");
  }

  TestDrop rawManifest(String json) {
    write(folder.resolve("manifest.json"), json, StandardCharsets.UTF_8);
    return this;
  }

  DropRef ref() {
    return new DropRef(source, DropScanner.folderDate(date), folder, Files.exists(folder.resolve("manifest.json")));
  }

  static byte[] write(Path file, String text, Charset charset) {
    try {
      byte[] bytes = text.getBytes(charset);
      if (file.getFileName().toString().endsWith(".gz")) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
          gz.write(bytes);
        }
        bytes = bos.toByteArray();
      }
      Files.write(file, bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(Path file) {
    try {
      return sha256(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
