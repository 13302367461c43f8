package org.sanku.storage;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import org.apache.spark.sql.SparkSession;

/**
 * What a stored result was computed from, as text kept beside it: a basis (digests of its definitions and code,
 * optionally followed by named parts such as {@code ;periods=…}), then every table it read with its snapshot ({@code <basis>;tables=<table>@<snapshot>,…}; -1: the table was
 * absent). A later run compares its own inputs with it: the same basis and every table at the same snapshot, or at
 * one that only compacted it ({@link ChangedRows#sameRows}), mean the stored result is the one it would compute.
 */
public final class ComputedFrom {

  private ComputedFrom() {}

  /** {@code basis;tables=} and each table with its snapshot, in name order. */
  public static String text(String basis, Map<String, Long> snapshots) {
    StringBuilder b = new StringBuilder(basis).append(";tables=");
    new TreeMap<>(snapshots).forEach((t, id) -> b.append(t).append('@').append(id).append(','));
    return b.toString();
  }

  /** The tables and snapshots of a {@link #text}'s list part, or null when it is not such a list. */
  public static Map<String, Long> tables(String list) {
    Map<String, Long> out = new TreeMap<>();
    for (String entry : list.split(",")) {
      if (entry.isEmpty()) {
        continue;
      }
      int at = entry.lastIndexOf('@');
      if (at <= 0) {
        return null;
      }
      try {
        out.put(entry.substring(0, at), Long.parseLong(entry.substring(at + 1)));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return out;
  }

  /**
   * Why a result stored with {@code stored} is not what a run with {@code basis} reading each table at
   * {@code now.applyAsLong(table)} (-1: absent) would compute, or null when it is.
   */
  public static String whyNot(SparkSession spark, String stored, String basis, ToLongFunction<String> now) {
    String prefix = basis + ";tables=";
    if (stored == null || !stored.startsWith(prefix)) {
      int end = stored == null ? -1 : stored.indexOf(";tables=");
      return end < 0 ? DEFINITIONS : whichPart(stored.substring(0, end), basis);
    }
    Map<String, Long> then = tables(stored.substring(prefix.length()));
    if (then == null) {
      return "what it was computed from cannot be read";
    }
    for (var e : then.entrySet()) {
      long was = e.getValue();
      long is = now.applyAsLong(e.getKey());
      boolean same = was < 0 ? is < 0 : is >= 0 && ChangedRows.sameRows(spark, e.getKey(), was, is);
      if (!same) {
        return e.getKey() + " changed since";
      }
    }
    return null;
  }

  private static final String DEFINITIONS = "its definitions or code differ";

  /**
   * Which part of two bases differs: their first parts (the digests) alike, the first named part after it that
   * differs, as {@code its <name> differ: <then> then, <now> now}; otherwise {@link #DEFINITIONS}.
   */
  private static String whichPart(String then, String now) {
    String[] a = then.split(";", -1);
    String[] b = now.split(";", -1);
    if (a.length != b.length || !a[0].equals(b[0])) {
      return DEFINITIONS;
    }
    for (int i = 1; i < a.length; i++) {
      int eq = b[i].indexOf('=');
      String name = eq > 0 ? b[i].substring(0, eq + 1) : null;
      if (name == null || !a[i].startsWith(name)) {
        return DEFINITIONS;
      }
      if (!a[i].equals(b[i])) {
        return "its " + name.substring(0, eq) + " differ: " + a[i].substring(eq + 1) + " then, "
            + b[i].substring(eq + 1) + " now";
      }
    }
    return DEFINITIONS;
  }

  /** A digest (16 hex digits of SHA-256) of the byte code of {@code classes}, then {@code text}. */
  public static String digest(List<Class<?>> classes, String text) {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (Class<?> c : classes) {
      try (java.io.InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
        if (in != null) {
          all.writeBytes(in.readAllBytes());
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    all.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    return digest(all.toByteArray());
  }

  /** 16 hex digits of the SHA-256 of {@code bytes}. */
  public static String digest(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes))
          .substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
