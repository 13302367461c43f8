package org.sanku.sql;

import java.util.Map;
import java.util.regex.Pattern;
import org.apache.iceberg.spark.SparkCatalog;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.catalyst.analysis.NoSuchProcedureException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.NoSuchViewException;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.NamespaceChange;
import org.apache.spark.sql.connector.catalog.StagedTable;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableChange;
import org.apache.spark.sql.connector.catalog.View;
import org.apache.spark.sql.connector.catalog.ViewChange;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.iceberg.catalog.Procedure;
import org.apache.spark.sql.types.StructType;
import org.sanku.storage.Warehouse;

/**
 * The Iceberg catalog of a zone opened for reading only ({@link AnalyticsCatalog#register}).
 *
 * <ul>
 *   <li>Names of namespaces and tables must be plain names (letters, digits, {@code _}, {@code -}). A hadoop
 *       catalog turns a name into a folder under its warehouse, so a back-quoted {@code `..`} or {@code `a/b`}
 *       would otherwise lead out of the zone's folder, e.g. into the identity zone beside it.</li>
 *   <li>Creating, altering, renaming and dropping tables, views and namespaces, and Iceberg's procedures
 *       ({@code CALL}), are refused.</li>
 *   <li>Listing the tables of the catalog's root (SHOW TABLES before any USE) says to name a namespace, instead of
 *       the hadoop catalog's "Missing database in table identifier".</li>
 * </ul>
 */
public class ReadOnlyCatalog extends SparkCatalog {

  private static final Pattern PLAIN_NAME = Pattern.compile("[\\p{L}\\p{M}\\p{N}_\\-]+");

  static void checkName(String part) {
    if (!PLAIN_NAME.matcher(part).matches()) {
      throw new IllegalArgumentException("not a table or namespace name: `" + part + "` (names are letters, "
          + "digits, _ and -; paths are refused)");
    }
  }

  static void check(String[] namespace) {
    for (String part : namespace) {
      checkName(part);
    }
  }

  static void check(Identifier ident) {
    check(ident.namespace());
    checkName(ident.name());
  }

  private UnsupportedOperationException readOnly() {
    return new UnsupportedOperationException("the catalog " + name() + " is read-only: creating, altering and "
        + "dropping tables, views and namespaces is refused");
  }

  // ---- reading, with the names checked

  @Override
  public Table loadTable(Identifier ident) throws NoSuchTableException {
    check(ident);
    return super.loadTable(ident);
  }

  @Override
  public Table loadTable(Identifier ident, String version) throws NoSuchTableException {
    check(ident);
    return super.loadTable(ident, version);
  }

  @Override
  public Table loadTable(Identifier ident, long timestamp) throws NoSuchTableException {
    check(ident);
    return super.loadTable(ident, timestamp);
  }

  @Override
  public Identifier[] listTables(String[] namespace) {
    if (namespace.length == 0) {
      throw new IllegalArgumentException("tables live in namespaces: name one (SHOW TABLES IN std) or USE one "
          + "first; SHOW NAMESPACES lists them");
    }
    check(namespace);
    return super.listTables(namespace);
  }

  @Override
  public String[][] listNamespaces(String[] namespace) throws NoSuchNamespaceException {
    check(namespace);
    return super.listNamespaces(namespace);
  }

  @Override
  public Map<String, String> loadNamespaceMetadata(String[] namespace) throws NoSuchNamespaceException {
    check(namespace);
    return super.loadNamespaceMetadata(namespace);
  }

  @Override
  public boolean isExistingNamespace(String[] namespace) {
    check(namespace);
    return super.isExistingNamespace(namespace);
  }

  @Override
  public Identifier[] listViews(String... namespace) {
    check(namespace);
    return super.listViews(namespace);
  }

  @Override
  public View loadView(Identifier ident) throws NoSuchViewException {
    check(ident);
    return super.loadView(ident);
  }

  // ---- writing, refused

  @Override
  public Procedure loadProcedure(Identifier ident) throws NoSuchProcedureException {
    throw new UnsupportedOperationException("the catalog " + name() + " is read-only: CALL is refused (Iceberg's "
        + "procedures change tables)");
  }

  @Override
  public Table createTable(Identifier ident, StructType schema, Transform[] partitions,
      Map<String, String> properties) {
    throw readOnly();
  }

  @Override
  public StagedTable stageCreate(Identifier ident, StructType schema, Transform[] partitions,
      Map<String, String> properties) {
    throw readOnly();
  }

  @Override
  public StagedTable stageReplace(Identifier ident, StructType schema, Transform[] partitions,
      Map<String, String> properties) {
    throw readOnly();
  }

  @Override
  public StagedTable stageCreateOrReplace(Identifier ident, StructType schema, Transform[] partitions,
      Map<String, String> properties) {
    throw readOnly();
  }

  @Override
  public Table alterTable(Identifier ident, TableChange... changes) {
    throw readOnly();
  }

  @Override
  public boolean dropTable(Identifier ident) {
    throw readOnly();
  }

  @Override
  public boolean purgeTable(Identifier ident) {
    throw readOnly();
  }

  @Override
  public void renameTable(Identifier from, Identifier to) {
    throw readOnly();
  }

  @Override
  public void createNamespace(String[] namespace, Map<String, String> metadata) {
    throw readOnly();
  }

  @Override
  public void alterNamespace(String[] namespace, NamespaceChange... changes) {
    throw readOnly();
  }

  @Override
  public boolean dropNamespace(String[] namespace, boolean cascade) {
    throw readOnly();
  }

  @Override
  public View createView(Identifier ident, String sql, String currentCatalog, String[] currentNamespace,
      StructType schema, String[] queryColumnNames, String[] columnAliases, String[] columnComments,
      Map<String, String> properties) {
    throw readOnly();
  }

  @Override
  public View replaceView(Identifier ident, String sql, String currentCatalog, String[] currentNamespace,
      StructType schema, String[] queryColumnNames, String[] columnAliases, String[] columnComments,
      Map<String, String> properties) {
    throw readOnly();
  }

  @Override
  public View alterView(Identifier ident, ViewChange... changes) {
    throw readOnly();
  }

  @Override
  public boolean dropView(Identifier ident) {
    throw readOnly();
  }

  @Override
  public void renameView(Identifier from, Identifier to) {
    throw readOnly();
  }
}
