package org.sanku.storage;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.stream.Stream;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sanku.config.Yaml;

/**
 * The layouts of the tables Sanku itself writes, as data: {@code schemas/<folder>/<table>.yaml} ({@code integrated}
 * for linkage's tables, {@code ops} for ingest's ledgers, {@code ind} for the indicators), each with its namespace,
 * description and columns (name, type, description, and {@code nullable: false} where a value is always there).
 * They are Sanku's output, not a deployment's configuration, so the build copies them into the jar
 * ({@code sanku/schemas/}) and every JVM, on a cluster too, reads the same.
 */
public final class TableLayouts {

  /**
   * One column: name, type ({@code string date timestamp int long double boolean array<string> array<long>
   * map<string,string>}).
   */
  public record Col(String name, String type, String description, boolean nullable) {
    public DataType sparkType() {
      return TableLayouts.sparkType(type, name);
    }
  }

  /** The Spark type of a layout's type name ({@code column} names the column in the message). */
  public static DataType sparkType(String type, String column) {
    return switch (type) {
      case "string" -> DataTypes.StringType;
      case "date" -> DataTypes.DateType;
      case "timestamp" -> DataTypes.TimestampType;
      case "int" -> DataTypes.IntegerType;
      case "long" -> DataTypes.LongType;
      case "double" -> DataTypes.DoubleType;
      case "boolean" -> DataTypes.BooleanType;
      case "array<string>" -> DataTypes.createArrayType(DataTypes.StringType);
      case "array<long>" -> DataTypes.createArrayType(DataTypes.LongType);
      case "map<string,string>" -> DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType);
      default -> throw new IllegalStateException("unknown type " + type + " of column " + column);
    };
  }

  /**
   * One table: namespace, name, meaning, columns in order, and the contract tables its rows come from
   * ({@code from:}, for the integrated tables; empty otherwise).
   */
  public record Layout(String namespace, String table, String description, List<Col> columns, List<String> from) {
    public List<String> names() {
      return columns.stream().map(Col::name).toList();
    }

    /** The Spark schema of the table. */
    public StructType schema() {
      StructType s = new StructType();
      for (Col c : columns) {
        s = s.add(c.name(), c.sparkType(), c.nullable());
      }
      return s;
    }
  }

  private static final String ROOT = "sanku/schemas/";
  private static final Map<String, Map<String, Layout>> FOLDERS = new LinkedHashMap<>();

  private TableLayouts() {}

  /** Every layout of a folder, by table name (sorted). */
  public static synchronized Map<String, Layout> folder(String folder) {
    return FOLDERS.computeIfAbsent(folder, TableLayouts::load);
  }

  /** One table's layout. */
  public static Layout get(String folder, String table) {
    Layout l = folder(folder).get(table);
    if (l == null) {
      throw new IllegalArgumentException("no layout " + folder + "/" + table + " (known: " + folder(folder).keySet()
          + ")");
    }
    return l;
  }

  private static Map<String, Layout> load(String folder) {
    Map<String, Layout> out = new java.util.TreeMap<>();
    for (String name : list(ROOT + folder)) {
      if (!name.endsWith(".yaml")) {
        continue;
      }
      String resource = ROOT + folder + "/" + name;
      try (InputStream in = TableLayouts.class.getClassLoader().getResourceAsStream(resource)) {
        JsonNode doc = Yaml.mapper().readTree(in);
        List<Col> cols = new ArrayList<>();
        for (JsonNode c : doc.get("columns")) {
          cols.add(new Col(c.get("name").asText(), c.get("type").asText(), c.path("description").asText(""),
              c.path("nullable").asBoolean(true)));
        }
        List<String> from = new ArrayList<>();
        doc.path("from").forEach(f -> from.add(f.asText()));
        Layout l = new Layout(doc.get("namespace").asText(), doc.get("table").asText(),
            doc.path("description").asText(""), List.copyOf(cols), List.copyOf(from));
        out.put(l.table(), l);
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("cannot read the table layout " + resource + ": " + e.getMessage(), e);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no table layouts in " + ROOT + folder + " on the class path");
    }
    return Collections.unmodifiableMap(out);
  }

  /** The file names under a class-path folder, from the classes folder or the jar the class was loaded from. */
  private static List<String> list(String folder) {
    URL url = TableLayouts.class.getClassLoader().getResource(folder);
    if (url == null) {
      return List.of();
    }
    try {
      if (url.getProtocol().equals("file")) {
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
          return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
      }
      List<String> out = new ArrayList<>();
      JarURLConnection jar = (JarURLConnection) url.openConnection();
      jar.setUseCaches(false);
      try (java.util.jar.JarFile f = jar.getJarFile()) {
        for (Enumeration<JarEntry> e = f.entries(); e.hasMoreElements(); ) {
          String n = e.nextElement().getName();
          if (n.startsWith(folder + "/") && n.length() > folder.length() + 1 && !n.endsWith("/")) {
            out.add(n.substring(folder.length() + 1));
          }
        }
      }
      Collections.sort(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
