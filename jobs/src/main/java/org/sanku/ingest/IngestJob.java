package org.sanku.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.sql.Column;
import org.sanku.ids.PersonKeyFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;
import org.sanku.config.Settings;
import org.sanku.ingest.drop.DropRef;
import org.sanku.ingest.drop.DropScanner;
import org.sanku.ingest.drop.ManifestVerifier;
import org.sanku.ingest.schema.ColumnSpec;
import org.sanku.ingest.schema.SchemaCatalog;
import org.sanku.ingest.schema.TableSchema;
import org.sanku.ingest.standardise.StandardiseContext;
import org.sanku.ingest.standardise.Standardiser;
import org.sanku.storage.Warehouse;
import org.sanku.storage.IcebergWriter;
import org.sanku.storage.TableLayouts;
import org.sanku.storage.Maintenance;

/**
 * The ingest stage: every drop under the landing folder that the ledger has not seen, source by source in date
 * order, is verified against its manifest, read, standardised, split into the identity and analytics zones,
 * applied to current-state Iceberg tables through a staging branch, reconciled, and published with one ledger
 * commit. A refused drop stops its source (a delta never applies over a gap).
 */
public final class IngestJob {

  /** What one run did. */
  public record Result(int dropsIngested, List<String> refusals, List<FileResult> files, List<String> warnings) {
    public boolean ok() {
      return refusals.isEmpty();
    }
  }

  /**
   * Reconciliation of one file. {@code rejectedUpdates}: quarantined rows whose key was already published (the
   * last good version of each is kept).
   */
  public record FileResult(String source, String dropDate, String file, String table, long manifestRows,
      long rowsRead, long accepted, long quarantined, long warned, long rejectedUpdates) {}

  private final SparkSession spark;
  private final Warehouse wh;
  private final org.apache.hadoop.fs.Path landing;
  private final SchemaCatalog catalog;
  private final HeaderAliases aliases;
  private final byte[] personKey;
  private final PrintStream log;
  private final IcebergWriter store;
  /** The run's id in the ledgers: the same for the sources ingested side by side. */
  private String runId = UUID.randomUUID().toString();
  private final Settings settings;
  /** Every table a published drop of this run wrote, for the upkeep at the end. */
  private final Set<String> written = new java.util.LinkedHashSet<>();
  private boolean upkeep = true;
  private final List<Path> protectedFiles = new ArrayList<>();
  private java.util.function.Consumer<String> hook = point -> { };
  private boolean acceptShrink;
  /** The staging of the tables every source writes, one drop at a time (shared with the sources beside). */
  private SharedStaging shared = new SharedStaging();
  /** Whether the caller fixed the way of evaluating (sources side by side): the drops then leave it alone. */
  private boolean modeFixed;
  /** At most this many sources of a level ingested side by side. */
  private int sourcesAtOnce = 3;

  /**
   * @param catalog   the contract's tables (schemas/), value sets and code maps
   * @param aliases   the headers accepted for the contract's columns (conf/aliases.yaml)
   * @param settings  the installation's settings (limits on deliveries, upkeep)
   * @param personKey the deployment's person key: HMAC-SM3 of every usable ID under it
   */
  public IngestJob(SparkSession spark, Warehouse wh, Path landing, SchemaCatalog catalog, HeaderAliases aliases,
      Settings settings, byte[] personKey, PrintStream log) {
    this(spark, wh, org.sanku.ingest.drop.LandingFiles.location(landing), catalog, aliases, settings, personKey, log);
  }

  /**
   * An ingest of a landing on any file system: a {@code file:} location or another file system's URI
   * ({@code hdfs://}, {@code s3a://}, read with the session's Hadoop configuration).
   */
  public IngestJob(SparkSession spark, Warehouse wh, org.apache.hadoop.fs.Path landing, SchemaCatalog catalog,
      HeaderAliases aliases, Settings settings, byte[] personKey, PrintStream log) {
    this.spark = spark;
    this.wh = wh;
    this.landing = landing;
    this.catalog = catalog;
    this.aliases = aliases;
    this.personKey = personKey.clone();
    this.log = log;
    this.store = new IcebergWriter(spark);
    this.settings = settings;
  }

  /**
   * Called with the name of each point a run passes ({@code after-table:<table>}, once a file's changes are
   * staged and before the drop is published), so a test can stop the run there and kill it. Called in the thread
   * that ingests the file: the files of a level of a drop run side by side.
   */
  public IngestJob onProgress(java.util.function.Consumer<String> hook) {
    this.hook = hook;
    return this;
  }

  /**
   * Files that are never read as a delivery whatever links lead to them, and that must not lie inside the landing
   * (the person key's file): a sender who can write the landing could otherwise point a drop file at them.
   */
  public IngestJob protecting(List<Path> files) {
    protectedFiles.addAll(files);
    return this;
  }

  /** Leaves the upkeep to the caller (nightly keeps every table of the warehouse up after all its stages). */
  public IngestJob withoutUpkeep() {
    upkeep = false;
    return this;
  }

  public Result run() {
    org.sanku.spark.WorkCounter.install(spark);
    refuseProtectedFilesInLanding();
    PersonKeyFunction.register(spark, personKey);
    ManifestVerifier.Limits limits = new ManifestVerifier.Limits(settings.ingest().maxRecordLines(), protectedFiles);
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    DropScanner.ScanResult scan = DropScanner.scan(landing, catalog.sources(), hadoop);
    List<String> refusals = new ArrayList<>(scan.problems());
    // Folders that are not drops are said, every run: they are most likely deliveries that would never be read.
    scan.problems().forEach(m -> log.println("ingest: not read: " + m));
    Set<String> done = ingestedDrops();
    List<FileResult> files = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    int ingested = 0;
    // Source by source, in levels: reference data first, then the sources that depend only on it, side by side
    // when their drops are small (runLevel).
    for (List<String> level : catalog.sourceLevels()) {
      for (SourceRun r : runLevel(level, scan, done, limits, hadoop)) {
        files.addAll(r.files());
        refusals.addAll(r.refusals());
        warnings.addAll(r.warnings());
        ingested += r.ingested();
      }
    }
    if (ingested > 0 && upkeep) {
      long t0 = System.nanoTime();
      written.add(wh.ops("ingest_ledger"));
      new Maintenance(spark, settings.maintenance(), log).run(store, List.copyOf(written));
      log.printf("ingest: upkeep of %d table(s) (%.1f s)%n", written.size(), (System.nanoTime() - t0) / 1e9);
    }
    return new Result(ingested, refusals, files, warnings);
  }

  /** What one source's drops of a run gave. */
  private record SourceRun(List<FileResult> files, List<String> refusals, List<String> warnings, int ingested) {}

  /**
   * The rows (their manifests') of a run's pending drops of a level's sources, together, up to which the sources are
   * ingested side by side: a night of deltas at 1,000,000 persons (31,342 rows besides reference data), the demo's
   * three nights (239,776). A larger delivery (a first full drop of a city) runs one source at a time, its
   * files then filling the cores and the memory on their own.
   */
  static final long SIDE_BY_SIDE_ROWS = 640_000;

  /**
   * Ingests the pending drops of one level of sources ({@link SchemaCatalog#sourceLevels}). Each source's drops are
   * always one after the other, in date order; different sources' drops share no table of their own, so when they
   * are small their sources run side by side, each in its own thread: most of a small file's step is planning and
   * the latency of Spark's jobs and Iceberg's commits, which overlap. The tables every source writes (quarantine,
   * warned values, extra columns) and each drop's publication are staged by one drop at a time
   * ({@link SharedStaging}). Results come back in the sources' order either way.
   */
  private List<SourceRun> runLevel(List<String> level, DropScanner.ScanResult scan, Set<String> done,
      ManifestVerifier.Limits limits, org.apache.hadoop.conf.Configuration hadoop) {
    List<String> pending = level.stream().filter(s -> scan.drops().stream()
        .anyMatch(r -> r.source().equals(s) && !done.contains(dropId(r)))).toList();
    Map<String, Long> rows = new java.util.LinkedHashMap<>();
    if (pending.size() > 1 && sourcesAtOnce > 1) {
      for (String s : pending) {
        rows.put(s, pendingRows(s, scan, done, limits, hadoop));
      }
    }
    long total = rows.values().stream().mapToLong(Long::longValue).sum();
    if (rows.isEmpty() || total > SIDE_BY_SIDE_ROWS) {
      List<SourceRun> out = new ArrayList<>();
      for (String source : level) {
        out.add(runSource(source, scan, done, limits, hadoop));
      }
      return out;
    }
    // One way of evaluating for the sources running together (the session's setting): interpreted when every one
    // of them would be (its new drops' rows with those of its tables under the limit), as each drop alone decides.
    long sized = 0;
    for (String s : pending) {
      sized = Math.max(sized, rows.get(s) + store.rowsOf(catalog.tablesOf(s).stream()
          .map(t -> wh.std(t.table())).toList()));
    }
    Map<String, SourceRun> runs = new java.util.concurrent.ConcurrentHashMap<>();
    List<IngestJob> children = new ArrayList<>();
    List<Runnable> steps = new ArrayList<>();
    for (String s : pending) {
      IngestJob child = child();
      children.add(child);
      steps.add(() -> runs.put(s, child.runSource(s, scan, done, limits, hadoop)));
    }
    log.printf("ingest: %s side by side (%,d rows in new drops)%n", String.join(", ", pending), total);
    try {
      org.sanku.spark.Execution.sized(spark, sized, org.sanku.spark.Execution.DROP_ROWS, () -> {
        org.sanku.spark.SideBySide.run("sanku-ingest-source", Math.min(sourcesAtOnce, steps.size()), steps);
        return null;
      });
    } finally {
      children.forEach(c -> written.addAll(c.written));
    }
    List<SourceRun> out = new ArrayList<>();
    for (String s : level) {
      out.add(runs.containsKey(s) ? runs.get(s) : new SourceRun(List.of(), List.of(), List.of(), 0));
    }
    return out;
  }

  /** The rows a source's pending drops declare in their manifests (those without a readable one: none). */
  private static long pendingRows(String source, DropScanner.ScanResult scan, Set<String> done,
      ManifestVerifier.Limits limits, org.apache.hadoop.conf.Configuration hadoop) {
    long rows = 0;
    for (DropRef ref : scan.drops()) {
      if (ref.source().equals(source) && !done.contains(dropId(ref))) {
        rows += Math.max(0, ManifestVerifier.declaredRows(ref, limits, hadoop));
      }
    }
    return rows;
  }

  /** An ingest of this run's landing for one source's drops in a thread of its own ({@link #runLevel}). */
  private IngestJob child() {
    IngestJob c = new IngestJob(spark, wh, landing, catalog, aliases, settings, personKey, log);
    c.runId = runId;
    c.hook = hook;
    c.acceptShrink = acceptShrink;
    c.upkeep = false;
    c.protectedFiles.addAll(protectedFiles);
    c.shared = shared;
    c.modeFixed = true;
    return c;
  }

  /**
   * One source's pending drops in date order: each verified, checked and ingested; a refused or held drop stops
   * its source (a delta never applies over a gap).
   */
  private SourceRun runSource(String source, DropScanner.ScanResult scan, Set<String> done,
      ManifestVerifier.Limits limits, org.apache.hadoop.conf.Configuration hadoop) {
    List<FileResult> files = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    int ingested = 0;
    boolean hasState = done.stream().anyMatch(d -> d.startsWith(source + "/"));
    for (DropRef ref : scan.drops()) {
      if (!ref.source().equals(source) || done.contains(dropId(ref))) {
        continue;
      }
      ManifestVerifier.Verification v = ManifestVerifier.verify(ref, limits, hadoop);
      List<String> problems = new ArrayList<>(v.messages());
      for (String w : v.warnings()) {
        log.println("ingest: WARNING " + w);
        warnings.add(w);
      }
      Map<String, DropHeaders.Layout> layouts = Map.of();
      if (v.ok() && !hasState && !v.drop().manifest().isFull()) {
        // Contract §1: the first drop of a source is full. A delta over nothing would be taken as the whole
        // registry (every key it does not hold simply absent).
        problems.add(dropId(ref) + ": a delta drop, but no full drop of " + source + " has been ingested: the "
            + "first drop of a source is full (contract §1); the delta waits for one");
      }
      if (v.ok() && problems.isEmpty()) {
        layouts = DropHeaders.check(v.drop(), v.files(), catalog, aliases, problems);
      }
      if (!problems.isEmpty()) {
        refusals.addAll(problems);
        // One print: the lines of sources ingested side by side do not interleave inside a message.
        log.println("ingest: refused " + dropId(ref) + " (later " + source + " drops wait):"
            + problems.stream().map(m -> "\n  " + m).collect(java.util.stream.Collectors.joining()));
        recordRefusal(ref, problems);
        break;
      }
      try {
        org.sanku.ingest.drop.Drop drop = v.drop();
        List<ManifestVerifier.FileCheck> checks = v.files();
        Map<String, DropHeaders.Layout> ls = layouts;
        // A drop over few rows runs interpreted (Execution): its rows and those of the tables it writes. Sources
        // ingested side by side share the setting their level chose.
        files.addAll(modeFixed ? ingestDrop(drop, checks, ls) : org.sanku.spark.Execution.sized(spark,
            dropRows(drop), org.sanku.spark.Execution.DROP_ROWS, () -> ingestDrop(drop, checks, ls)));
        hasState = true;
      } catch (DropHeld held) {
        refusals.add(held.getMessage());
        log.println("ingest: held " + dropId(ref) + " (later " + source + " drops wait):\n  " + held.getMessage());
        recordRefusal(ref, List.of(held.getMessage()));
        break;
      }
      ingested++;
    }
    return new SourceRun(files, refusals, warnings, ingested);
  }

  /**
   * The tables the drops of every source write (the quarantine of both zones, warned values, extra columns) and the
   * publication of each drop: one drop at a time stages them, from its first write to one of them until it is
   * published (or has failed), so that a drop of another source running beside it never resets a staging branch
   * holding rows not yet published. Taken again by the same drop (its files side by side), it is already held.
   */
  static final class SharedStaging {
    private String holder;

    synchronized void acquire(String dropId) {
      while (holder != null && !holder.equals(dropId)) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(dropId + ": interrupted while another drop published", e);
        }
      }
      holder = dropId;
    }

    synchronized void release(String dropId) {
      if (dropId.equals(holder)) {
        holder = null;
        notifyAll();
      }
    }
  }

  /**
   * Ingests one source at a time, as before sources ran side by side (a test stopping a run at a point of a given
   * source's drop needs the others not to move meanwhile).
   */
  public IngestJob oneSourceAtATime() {
    this.sourcesAtOnce = 1;
    return this;
  }

  private void refuseProtectedFilesInLanding() {
    Path local = org.sanku.ingest.drop.LandingFiles.local(landing);
    if (local == null) {
      return; // the protected files are on the driver's disk, the landing on another file system
    }
    for (Path p : protectedFiles) {
      try {
        if (java.nio.file.Files.exists(p) && java.nio.file.Files.exists(local)
            && p.toRealPath().startsWith(local.toRealPath())) {
          throw new IllegalStateException("the person key file lies inside the landing folder " + local
              + ": move it out (only the Sanku user may read it; whoever delivers must not reach it)");
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot resolve " + p, e);
      }
    }
  }

  static String dropId(DropRef ref) {
    return ref.source() + "/" + ref.date().format(DateTimeFormatter.BASIC_ISO_DATE);
  }

  private Set<String> ingestedDrops() {
    Set<String> out = new HashSet<>();
    if (!store.exists(wh.ops("ingest_ledger"))) {
      return out;
    }
    for (Row r : spark.sql("SELECT DISTINCT drop_id FROM " + wh.ops("ingest_ledger")).collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }

  /** A drop's rows (its manifest's) plus those of the tables of its source that hold any. */
  private long dropRows(org.sanku.ingest.drop.Drop drop) {
    return drop.manifest().files().values().stream().mapToLong(f -> f.rows()).sum()
        + store.rowsOf(catalog.tablesOf(drop.source()).stream().map(t -> wh.std(t.table())).toList());
  }

  private List<FileResult> ingestDrop(org.sanku.ingest.drop.Drop drop, List<ManifestVerifier.FileCheck> checks,
      Map<String, DropHeaders.Layout> layouts) {
    String id = drop.source() + "/" + drop.date().format(DateTimeFormatter.BASIC_ISO_DATE);
    // What the drop's step costs, counted apart from the drops of other sources ingested beside it.
    try (org.sanku.spark.WorkCounter.Scope work = org.sanku.spark.WorkCounter.scope(spark)) {
      return ingestDrop(drop, checks, layouts, id, work);
    } finally {
      shared.release(id);
    }
  }

  private List<FileResult> ingestDrop(org.sanku.ingest.drop.Drop drop, List<ManifestVerifier.FileCheck> checks,
      Map<String, DropHeaders.Layout> layouts, String id, org.sanku.spark.WorkCounter.Scope work) {
    long t0 = System.nanoTime();
    boolean full = drop.manifest().isFull();
    StandardiseContext ctx = context(drop);
    store.beginDrop();
    // Written by the files ingested side by side (a synchronized list).
    List<String> touched = java.util.Collections.synchronizedList(new ArrayList<>());
    List<FileResult> results = new ArrayList<>();
    List<Row> ledger = new ArrayList<>();
    WarnedValues warnedValues = new WarnedValues();
    // The quarantined rows of the drop's small files, written together at the end (one commit per quarantine
    // table for the drop, not two per file); their files' rows stay kept until then.
    Quarantine quarantine = new Quarantine(id);
    try {
      // The drop's files, a level at a time: a file whose table references another table of the drop (a child's
      // parent keys) waits until that table is staged; the files of a level are ingested side by side. Most of a
      // small file's time is Spark's planning and the latency of its jobs and commits, not work of the cores.
      Map<String, FileStep> steps = new java.util.concurrent.ConcurrentHashMap<>();
      for (List<TableSchema> level : levels(drop, layouts)) {
        sideBySide(level, schema -> steps.put(schema.table(), ingestFile(drop, id, full, ctx, schema,
            fileOf(drop, schema.table()), layouts.get(fileOf(drop, schema.table())), checks, quarantine, warnedValues,
            touched)));
      }
      // Results and ledger rows in the contract's order of the tables, whatever order the files ended in.
      for (TableSchema table : catalog.tablesOf(drop.source())) {
        FileStep step = steps.get(table.table());
        if (step != null) {
          results.add(step.result());
          ledger.add(step.ledger());
        }
      }
    } catch (RuntimeException e) {
      quarantine.discard();
      throw e;
    }
    // From here to its publication the drop stages the tables every source writes (SharedStaging).
    shared.acquire(id);
    quarantine.flush(touched);
    if (!warnedValues.isEmpty()) {
      String t = wh.id(WarnedValues.TABLE);
      Dataset<Row> rows = warnedValues.dataset(spark);
      store.prepare(t, rows);
      store.replaceDropRows(t, id, rows);
      touched.add(t);
    }
    store.publish(touched);
    written.addAll(touched);
    java.sql.Timestamp now = new java.sql.Timestamp(System.currentTimeMillis());
    appendLedger(ledger.stream().map(r -> {
      Object[] v = new Object[r.size()];
      for (int k = 0; k < v.length; k++) {
        v[k] = r.get(k);
      }
      v[v.length - 1] = now;
      return RowFactory.create(v);
    }).toList());
    org.sanku.spark.WorkCounter.Counts dropCost = work.counts();
    log.printf("ingest: %s published (%.1f s; %d jobs, %d snapshots; %s)%n", id, (System.nanoTime() - t0) / 1e9,
        dropCost.jobs(), dropCost.snapshots(), org.sanku.spark.Execution.mode(spark));
    return results;
  }

  /** One file's outcome: its reconciliation and its row of the ledger. */
  private record FileStep(FileResult result, Row ledger) {}

  /**
   * The files of a drop with a layout, in levels: a file of a later level references (schemas/*.yaml
   * {@code references}, not a lookup) a table of an earlier level of the same drop; within a level, the contract's
   * order of the tables.
   */
  private List<List<TableSchema>> levels(org.sanku.ingest.drop.Drop drop, Map<String, DropHeaders.Layout> layouts) {
    List<TableSchema> files = new ArrayList<>();
    for (TableSchema table : catalog.tablesOf(drop.source())) {
      String file = fileOf(drop, table.table());
      if (file != null && layouts.get(file) != null) {
        files.add(layouts.get(file).schema());
      }
    }
    Set<String> inDrop = new HashSet<>(files.stream().map(TableSchema::table).toList());
    Set<String> staged = new HashSet<>();
    List<List<TableSchema>> levels = new ArrayList<>();
    List<TableSchema> left = new ArrayList<>(files);
    while (!left.isEmpty()) {
      List<TableSchema> level = left.stream().filter(t -> t.parentReferences().stream()
          .map(ColumnSpec::referencedTable).filter(inDrop::contains).filter(p -> !p.equals(t.table()))
          .allMatch(staged::contains)).toList();
      if (level.isEmpty()) {
        level = List.of(left.get(0)); // references in a cycle: the contract's order decides
      }
      levels.add(level);
      level.forEach(t -> staged.add(t.table()));
      left.removeAll(level);
    }
    return levels;
  }

  /**
   * Held by a file's write to a table the files of a drop share (a large file's quarantine, the extra columns):
   * their staging branch is reset once per drop by the first write ({@link IcebergWriter#prepare}), which another
   * file's write must not overtake.
   */
  private final Object sharedWrites = new Object();

  /** At most this many files of a drop are ingested at once. */
  static final int FILES_AT_ONCE = 3;

  /**
   * Runs {@code step} for every table, side by side on at most {@link #FILES_AT_ONCE} threads (one table: in this
   * thread), with filter inference left out of the level's plans meanwhile ({@link org.sanku.spark.SideBySide}).
   */
  private void sideBySide(List<TableSchema> tables, java.util.function.Consumer<TableSchema> step) {
    List<Runnable> steps = tables.stream().map(t -> (Runnable) () -> step.accept(t)).toList();
    if (steps.size() == 1) {
      steps.get(0).run();
      return;
    }
    // The level's plans are optimised without filter inference while its files run (Kept.keepWide switches it off
    // for a standardisation; here it stays off for the level, rather than off and on again by each file in turn):
    // their MERGEs and counts too, which give the same rows with or without the null filters it would add.
    org.sanku.spark.Kept.withoutFilterInference(spark, () -> {
      org.sanku.spark.SideBySide.run("sanku-ingest-file", FILES_AT_ONCE, steps);
      return null;
    });
  }

  /** Reads, standardises, checks, splits and stages one file of a drop; writes its quarantine or gathers it. */
  private FileStep ingestFile(org.sanku.ingest.drop.Drop drop, String id, boolean full, StandardiseContext ctx,
      TableSchema schema, String file, DropHeaders.Layout layout, List<ManifestVerifier.FileCheck> checks,
      Quarantine quarantine, WarnedValues warnedValues, List<String> touched) {
    // What this file's step costs, counted apart from the files ingested beside it.
    try (org.sanku.spark.WorkCounter.Scope work = org.sanku.spark.WorkCounter.scope(spark)) {
      return ingestFile(drop, id, full, ctx, schema, file, layout, checks, quarantine, warnedValues, touched, work);
    }
  }

  private FileStep ingestFile(org.sanku.ingest.drop.Drop drop, String id, boolean full, StandardiseContext ctx,
      TableSchema schema, String file, DropHeaders.Layout layout, List<ManifestVerifier.FileCheck> checks,
      Quarantine quarantine, WarnedValues warnedValues, List<String> touched,
      org.sanku.spark.WorkCounter.Scope work) {
    List<FileResult> results = new ArrayList<>(1);
    List<Row> ledger = new ArrayList<>(1);
    long tStart = System.nanoTime();
    org.apache.hadoop.fs.Path path = drop.file(file);
    long manifestRows = drop.manifest().files().get(file).rows();
    if (!full && manifestRows == 0 && store.exists(wh.std(schema.table()))) {
      // An empty delta file (its manifest says no rows, and verification counted none): nothing to read or
      // apply, and no Spark job to run for it. Its ledger row still says so.
      hook.accept("after-table:" + schema.table());
      results.add(new FileResult(drop.source(), drop.date().toString(), file, schema.table(), 0, 0, 0, 0, 0, 0));
      ledger.add(RowFactory.create(runId, id, drop.source(), java.sql.Date.valueOf(drop.date()),
          drop.manifest().kind(), file, schema.table(), drop.manifest().files().get(file).sha256(), 0L, 0L, 0L,
          0L, 0L, 0L, null));
      logFile(id, file, 0, 0, 0, 0, "parse 0.0 s, count+check 0.0 s, merge 0.0 s, quarantine 0.0 s; 0 jobs, "
          + "0 snapshots: an empty delta file");
      return new FileStep(results.get(0), ledger.get(0));
    }
    List<java.nio.file.Path> unpacked = new ArrayList<>();
    Dataset<Row> raw = CsvDropReader.read(spark, path, id + "/" + file, drop.manifest().encoding(),
        drop.manifest().delimiter(), layout, manifestRows, linesOf(checks, file), unpacked);
    Dataset<Row> std = Standardiser.standardise(raw, schema, ctx);
    // A record with more or fewer fields than the header is shifted or cut: its values cannot be trusted.
    std = std.withColumn("_errors", when(col(CsvDropReader.WRONG_FIELDS), expr("array_union(_errors, "
        + "array(named_struct('column', 'record', 'reason', '" + org.sanku.ingest.standardise.Reasons.FIELD_COUNT
        + "', 'value', CAST(NULL AS STRING))))")).otherwise(col("_errors")));
    std = References.check(spark, wh, store, std, schema, manifestRows);
    // A record's raw text is for the quarantine only: an accepted row keeps none, so the kept rows of a large file
    // are smaller by about its size.
    std = std.withColumn("_raw", when(size(col("_errors")).gt(0), col("_raw")));
    // Computed once, then read by every write of the file (counts, both zones, quarantine, warnings), behind a
    // plan of one operator: Spark analyses and optimises a handful of operators for each of them instead of the
    // whole standardisation again (hundreds of expressions, most of a small file's time).
    // A small file's rows are computed by the job that counts them (below); a large file's now, so that a gzip
    // file's unpacked copy can go.
    boolean small = manifestRows <= SMALL_FILE_ROWS && unpacked.isEmpty();
    try {
      std = small ? org.sanku.spark.Kept.keepWide(std) : org.sanku.spark.Kept.keepWideNow(std);
    } finally {
      // A gzip file's unpacked copy is read once, here.
      unpacked.forEach(p -> p.toFile().delete());
    }
    long tRead = System.nanoTime();
    // Accepted records repeating another's key in the file collapse to one (latest wins): counted for the ledger.
    // A small file's warned values are counted in the same task (a large file's by their own aggregation below).
    Counted smallCounts = small ? countSmall(std, schema) : null;
    long[] counts = small ? smallCounts.counts() : countLarge(std, schema);
    long read = counts[0];
    long quarantined = counts[1];
    long warned = counts[2];
    long accepted = read - quarantined;
    long duplicates = accepted - counts[3];
    // Reconciliation: rows in the manifest = rows read = rows accepted + rows quarantined.
    if (read != manifestRows) {
      throw new IllegalStateException(id + "/" + file + ": reconciliation failed: manifest " + manifestRows
          + " rows, read " + read);
    }
    String stdTable = wh.std(schema.table());
    String idTable = wh.id(schema.table());
    // A rejected row whose key is already published is a rejected update: its last good version stays.
    Dataset<Row> rejectedKeys = quarantined > 0 && store.exists(stdTable)
        ? RejectedUpdates.keys(spark, std, schema, stdTable) : null;
    long rejectedUpdates = rejectedKeys == null ? 0 : rejectedKeys.count();
    if (full) {
      holdIfShrinking(id + "/" + file, stdTable, accepted + rejectedUpdates);
    }
    long tMerge = System.nanoTime();
    Dataset<Row> good = std.filter(size(col("_errors")).equalTo(0));
    Dataset<Row> bad = std.filter(size(col("_errors")).gt(0));
    // An empty delta file changes nothing, unless it is a full drop (which deletes every absent key).
    if (accepted > 0 || full || !store.exists(stdTable)) {
      // Keys repeated in the file (counted above) collapse to their latest row; a file without any (nearly every
      // one) skips that shuffle and sort of all its rows.
      // A small file's two zones are kept once for both writes; a large file's are computed by each write from the
      // file's kept rows (kept beside them, they would hold the file twice), its repeated keys found once, and with
      // many repeated keys (every row shuffled and sorted to pick the latest) its latest rows kept once.
      Dataset<Row> latest = !small && duplicates > IcebergWriter.SMALL_CHANGES
          ? org.sanku.spark.Kept.keep(latestPerKey(good, schema, duplicates, false)) : null;
      Zones.Split split = Zones.split(latest != null ? latest : duplicates == 0 ? good
          : latestPerKey(good, schema, duplicates, !small), schema, small);
      try {
        // The two zones' tables are written side by side: each MERGE is mostly planning and the latency of its
        // jobs and commit, which overlap. Both are staged before anything is published.
        List<Runnable> zones = new ArrayList<>(2);
        zones.add(() -> {
          store.prepare(stdTable, split.analytics());
          store.merge(stdTable, RejectedUpdates.keepPublished(spark, split.analytics(), stdTable, rejectedKeys,
              full, schema),
              schema.primaryKey(), schema.hasChangeColumns(), full, accepted);
        });
        if (split.identity() != null) {
          zones.add(() -> {
            store.prepare(idTable, split.identity());
            store.merge(idTable, RejectedUpdates.keepPublished(spark, split.identity(), idTable, rejectedKeys,
                full, schema),
                schema.primaryKey(), schema.hasChangeColumns(), full, accepted);
          });
        }
        org.sanku.spark.SideBySide.run("sanku-ingest-zone", zones.size(), zones);
        touched.add(stdTable);
        if (split.identity() != null) {
          touched.add(idTable);
        }
      } finally {
        split.release();
        if (latest != null) {
          org.sanku.spark.Kept.release(latest);
        }
      }
    }
    if (smallCounts != null) {
      warnedValues.add(id, file, schema, smallCounts.warned());
    } else if (warned > 0) {
      warnedValues.add(id, file, schema, good);
    }
    if (java.util.Arrays.asList(std.columns()).contains(CsvDropReader.EXTRA) && accepted > 0) {
      synchronized (sharedWrites) {
        writeExtraColumns(id, file, schema, good, touched);
      }
    }
    long tQuarantine = System.nanoTime();
    boolean deferred = false;
    if (quarantined > 0) {
      if (manifestRows <= IcebergWriter.SMALL_CHANGES) {
        quarantine.add(file, schema, bad, std);
        deferred = true;
      } else {
        synchronized (sharedWrites) {
          quarantine.write(List.of(quarantineRows(id, file, schema, bad)), touched);
        }
      }
    }
    long tDone = System.nanoTime();
    hook.accept("after-table:" + schema.table());
    if (!deferred) {
      org.sanku.spark.Kept.release(std);
    }
    org.sanku.spark.WorkCounter.Counts cost = work.counts();
    results.add(new FileResult(drop.source(), drop.date().toString(), file, schema.table(), manifestRows, read,
        accepted, quarantined, warned, rejectedUpdates));
    if (rejectedUpdates > 0) {
      log.printf("ingest: %s %s: %,d quarantined row(s) update a published row: the last good version of each "
          + "is kept (ops.quarantine lists them)%n", id, file, rejectedUpdates);
    }
    ledger.add(RowFactory.create(runId, id, drop.source(), java.sql.Date.valueOf(drop.date()),
        drop.manifest().kind(), file, schema.table(), drop.manifest().files().get(file).sha256(), manifestRows,
        read, accepted, quarantined, warned, duplicates, null));
    logFile(id, file, read, accepted, quarantined, warned, String.format(
        "parse %.1f s, count+check %.1f s, merge %.1f s, quarantine %.1f s; %d jobs, %d snapshots",
        (tRead - tStart) / 1e9, (tMerge - tRead) / 1e9, (tQuarantine - tMerge) / 1e9,
        (tDone - tQuarantine) / 1e9, cost.jobs(), cost.snapshots()));
    return new FileStep(results.get(0), ledger.get(0));
  }

  /** A file's line in the log: its counts and what its step cost. */
  private void logFile(String id, String file, long read, long accepted, long quarantined, long warned,
      String cost) {
    log.printf("ingest: %-26s %-26s read %,9d  accepted %,9d  quarantined %,6d  warned %,6d  (%s)%n", id, file, read,
        accepted, quarantined, warned, cost);
  }

  private static org.sanku.ingest.drop.LineMap linesOf(List<ManifestVerifier.FileCheck> checks, String file) {
    return checks.stream().filter(c -> c.name().equals(file)).map(ManifestVerifier.FileCheck::lines).findFirst()
        .orElse(org.sanku.ingest.drop.LineMap.PLAIN);
  }

  private static String fileOf(org.sanku.ingest.drop.Drop drop, String table) {
    for (String f : drop.manifest().files().keySet()) {
      if (f.equals(table + ".csv") || f.equals(table + ".csv.gz")) {
        return f;
      }
    }
    return null;
  }


  /** The ref_division the divisions below were read from: its main and staging snapshots. */
  private List<Long> divisionsAt;
  private org.sanku.geo.Divisions divisions;

  /**
   * Division successors and known counties come from the current ref_division (small: collected once, and again
   * only when a drop changed it: every other drop of the run reuses them).
   */
  private StandardiseContext context(org.sanku.ingest.drop.Drop drop) {
    Map<String, String> successors = Map.of();
    Set<String> counties = Set.of();
    String ref = wh.std("ref_division");
    if (store.exists(ref)) {
      List<Long> at = store.branchesOf(ref);
      if (!at.equals(divisionsAt)) {
        // The staged rows too: a reference drop being ingested maps the other tables of its own night.
        divisions = new org.sanku.geo.Divisions(spark.sql("SELECT * FROM " + IcebergWriter.staged(ref)
            + " UNION ALL SELECT * FROM " + ref));
        divisionsAt = at;
      }
      successors = divisions.successors();
      counties = divisions.currentCounties();
    }
    return new StandardiseContext(drop.manifest().extractDate(), drop.manifest().extractDate(), successors,
        counties, catalog, drop.manifest().delimiter());
  }

  /** A full drop that would remove too much of a table: nothing of it is published, its source waits. */
  static final class DropHeld extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DropHeld(String message) {
      super(message);
    }
  }

  /**
   * Holds a full drop that would remove more than {@code ingest.max_full_drop_shrink} of a table's rows (a
   * truncated export, an empty file): a full drop deletes every key it does not hold, and the rows it keeps are at
   * most its accepted rows.
   */
  private void holdIfShrinking(String where, String table, long accepted) {
    double limit = settings.ingest().maxFullDropShrink();
    if (acceptShrink || limit >= 1 || !store.exists(table)) {
      return;
    }
    // The published rows (Iceberg answers a count from metadata when no delete files hide rows).
    long rows = spark.table(table).count();
    long removed = rows - accepted;
    if (rows > 0 && removed > limit * rows) {
      throw new DropHeld(String.format("%s: this full drop would remove at least %,d of the %,d rows of %s "
          + "(%.0f%%, more than ingest.max_full_drop_shrink %.0f%%): held, nothing of it is published; if the "
          + "shrink is right, run again with --accept-shrink", where, removed, rows,
          table.substring(table.indexOf('.') + 1), 100.0 * removed / rows, 100 * limit));
    }
  }

  /**
   * Applies the next full drops even when they remove more of a table than {@code ingest.max_full_drop_shrink}
   * (the operator confirmed the shrink).
   */
  public IngestJob acceptingShrink(boolean accept) {
    this.acceptShrink = accept;
    return this;
  }

  /**
   * Files of at most this many rows (every file of the 1,000,000-person region's night of deltas) are counted in
   * the one Spark job that computes their kept rows ({@link #countSmall}). Counting them with Spark's aggregation
   * instead (a distinct count of the keys) is three jobs, after the one that computed the rows.
   */
  static final long SMALL_FILE_ROWS = 50_000;

  /** Rows read, quarantined, warned (and accepted), and distinct keys among the accepted rows: in Spark. */
  static long[] countLarge(Dataset<Row> std, TableSchema schema) {
    String keys = String.join(", ", schema.primaryKey().stream().map(k -> "`" + k + "`").toList());
    Row counts = std.agg(expr("count(*)"), expr("sum(if(size(_errors) > 0, 1, 0))"),
        expr("sum(if(size(_errors) = 0 AND size(_warnings) > 0, 1, 0))"),
        expr("count(DISTINCT if(size(_errors) = 0, struct(" + keys + "), NULL))")).first();
    return new long[] {counts.getLong(0), counts.isNullAt(1) ? 0 : counts.getLong(1),
        counts.isNullAt(2) ? 0 : counts.getLong(2), counts.getLong(3)};
  }

  /**
   * {@link #countLarge}'s counts of a small file, counted where its rows are computed, in the one job that computes
   * the kept rows, with the values behind its accepted rows' warnings ({@link WarnedValues#add}): the rows go to one
   * task, which counts them, and the driver gets four numbers and the warned values of columns that hold no
   * identifier, never a key. Keys compare as Spark's DISTINCT compares them: a null part equals a null part.
   */
  static Counted countSmall(Dataset<Row> std, TableSchema schema) {
    Column key = org.apache.spark.sql.functions.struct(schema.primaryKey().stream()
        .map(k -> col("`" + k + "`")).toArray(Column[]::new));
    Set<String> identity = WarnedValues.identityColumns(schema);
    Counted total = new Counted(new long[4], new WarnedValues.Tally(identity));
    for (Counted part : std.select(size(col("_errors")), size(col("_warnings")), key, col("_warnings"), col("_line"))
        .coalesce(1).javaRDD().mapPartitions(rows -> countRows(rows, identity)).collect()) {
      for (int i = 0; i < total.counts().length; i++) {
        total.counts()[i] += part.counts()[i];
      }
      total.warned().addAll(part.warned());
    }
    return total;
  }

  /** A small file's counts ({@link #countLarge}'s four) and the values behind its accepted rows' warnings. */
  record Counted(long[] counts, WarnedValues.Tally warned) implements java.io.Serializable {}

  /**
   * Rows, quarantined, warned and distinct keys of accepted rows, and the accepted rows' warned values, of rows
   * (error count, warning count, key, warnings, line).
   */
  private static java.util.Iterator<Counted> countRows(java.util.Iterator<Row> rows, Set<String> identity) {
    long read = 0;
    long quarantined = 0;
    long warned = 0;
    java.util.Set<Row> acceptedKeys = new java.util.HashSet<>();
    WarnedValues.Tally values = new WarnedValues.Tally(identity);
    while (rows.hasNext()) {
      Row r = rows.next();
      read++;
      if (r.getInt(0) > 0) {
        quarantined++;
      } else if (r.getInt(0) == 0) {
        acceptedKeys.add(r.getStruct(2));
        if (r.getInt(1) > 0) {
          warned++;
          values.add(r.getList(3), r.getLong(4));
        }
      }
    }
    return List.of(new Counted(new long[] {read, quarantined, warned, acceptedKeys.size()}, values)).iterator();
  }

  /**
   * Within one file the row with the latest src_updated_at wins per key (duplicates collapse). {@code duplicates}
   * rows repeat another's key: when they are few, only the keys are grouped (a shuffle of the key columns, no sort)
   * to find the repeated ones, and only those keys' rows are shuffled and sorted to pick the latest; every other row
   * passes through.
   */
  static Dataset<Row> latestPerKey(Dataset<Row> good, TableSchema schema, long duplicates) {
    return latestPerKey(good, schema, duplicates, false);
  }

  /** {@link #latestPerKey}; {@code findOnce}: the repeated keys are found now, for several plans built on the result. */
  static Dataset<Row> latestPerKey(Dataset<Row> good, TableSchema schema, long duplicates, boolean findOnce) {
    if (duplicates > IcebergWriter.SMALL_CHANGES) {
      return latestOfEachKey(good, schema);
    }
    List<String> keys = schema.primaryKey();
    Dataset<Row> found = good.groupBy(keys.stream().map(k -> col(k).as("_repeated_" + k))
        .toArray(Column[]::new)).count().where(col("count").gt(1)).drop("count");
    Dataset<Row> repeated = broadcast(findOnce ? found.localCheckpoint() : found);
    Column same = keys.stream().map(k -> good.col(k).equalTo(repeated.col("_repeated_" + k)))
        .reduce(Column::and).orElseThrow();
    return good.join(repeated, same, "left_anti")
        .unionByName(latestOfEachKey(good.join(repeated, same, "left_semi"), schema));
  }

  private static Dataset<Row> latestOfEachKey(Dataset<Row> rows, TableSchema schema) {
    Column[] keys = schema.primaryKey().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    var w = Window.partitionBy(keys).orderBy(
        schema.hasChangeColumns() ? desc("src_updated_at") : desc("_line"), desc("_line"));
    return rows.withColumn("_rank", row_number().over(w)).filter(col("_rank").equalTo(1)).drop("_rank");
  }

  /** A file's quarantined rows for both zones, under the key {@code <drop>|<file>} that a repeated run replaces. */
  private record QuarantineRows(String key, Dataset<Row> full, Dataset<Row> summary) {}

  private QuarantineRows quarantineRows(String dropId, String file, TableSchema schema, Dataset<Row> bad) {
    String pk = schema.primaryKey().get(0);
    String key = dropId + "|" + file;
    // Identity zone: the whole raw row, for the data team to fix at the source.
    Dataset<Row> full = bad.select(lit(runId).as("run_id"), lit(key).as("drop_id"), lit(file).as("file"),
        col("_line").as("line"), lit(schema.table()).as("table_name"), col(pk).cast("string").as("record_key"),
        expr("transform(_errors, e -> named_struct('column', e.column, 'reason', e.reason))").as("reasons"),
        col("_raw").as("raw_text"));
    // Analytics zone: where and why, never a value.
    Dataset<Row> summary = bad.select(lit(runId).as("run_id"), lit(key).as("drop_id"), lit(file).as("file"),
        col("_line").as("line"), lit(schema.table()).as("table_name"), col(pk).cast("string").as("record_key"),
        explode(col("_errors")).as("e"))
        .select(col("run_id"), col("drop_id"), col("file"), col("line"), col("table_name"), col("record_key"),
            col("e.column").as("column_name"), col("e.reason").as("reason"));
    return new QuarantineRows(key, full, summary);
  }

  /** The quarantine of one drop: small files' rows gathered and written in one commit per zone. */
  private final class Quarantine {
    private final String dropId;
    private final List<QuarantineRows> pending = new ArrayList<>();
    private final List<Dataset<Row>> kept = new ArrayList<>();

    Quarantine(String dropId) {
      this.dropId = dropId;
    }

    /** Gathers a small file's rows; its kept rows ({@code std}) are released once they are written. */
    synchronized void add(String file, TableSchema schema, Dataset<Row> bad, Dataset<Row> std) {
      pending.add(quarantineRows(dropId, file, schema, bad));
      kept.add(std);
    }

    synchronized void flush(List<String> touched) {
      try {
        if (!pending.isEmpty()) {
          write(pending, touched);
        }
      } finally {
        discard();
      }
    }

    /** Releases the gathered files' kept rows (the drop failed, or its quarantine is written). */
    synchronized void discard() {
      kept.forEach(org.sanku.spark.Kept::release);
      kept.clear();
      pending.clear();
    }

    void write(List<QuarantineRows> files, List<String> touched) {
      Dataset<Row> full = files.get(0).full();
      Dataset<Row> summary = files.get(0).summary();
      for (QuarantineRows f : files.subList(1, files.size())) {
        full = full.unionByName(f.full());
        summary = summary.unionByName(f.summary());
      }
      List<String> keys = files.stream().map(QuarantineRows::key).toList();
      shared.acquire(dropId);
      String idQ = wh.id("quarantine");
      String anQ = wh.ops("quarantine");
      store.prepare(idQ, full);
      store.prepare(anQ, summary);
      // A drop's quarantine is small next to its data: one data file per table and write, not one per partition.
      store.replaceDropRows(idQ, keys, full.coalesce(1));
      store.replaceDropRows(anQ, keys, summary.coalesce(1));
      if (!touched.contains(idQ)) {
        touched.add(idQ);
        touched.add(anQ);
      }
    }
  }

  /**
   * The raw zone (in the identity catalog: an unknown column may hold anything): per accepted record of a file
   * with unknown extra columns, its key, file, line, and the extra columns as a map header → value.
   */
  private void writeExtraColumns(String dropId, String file, TableSchema schema, Dataset<Row> good,
      List<String> touched) {
    List<Column> cols = new ArrayList<>();
    cols.add(lit(dropId + "|" + file).as("drop_id"));
    cols.add(lit(file).as("file"));
    cols.add(col("_line").as("line"));
    cols.add(lit(schema.table()).as("table_name"));
    cols.add(expr("concat_ws('|', " + String.join(", ", schema.primaryKey().stream()
        .map(k -> "cast(`" + k + "` AS string)").toList()) + ")").as("record_key"));
    cols.add(col(CsvDropReader.EXTRA).as("extra_columns"));
    Dataset<Row> rows = good.select(cols.toArray(new Column[0])).coalesce(
        Math.max(1, spark.sparkContext().defaultParallelism()));
    String t = wh.raw("extra_columns");
    shared.acquire(dropId);
    store.prepare(t, rows);
    store.replaceDropRows(t, dropId + "|" + file, rows);
    if (!touched.contains(t)) {
      touched.add(t);
    }
  }

  /** The ledger commit is the drop's publication mark: one atomic append for all its files. */
  private void appendLedger(List<Row> rows) {
    store.append(wh.ops("ingest_ledger"), spark.createDataFrame(rows,
        TableLayouts.get("ops", "ingest_ledger").schema()));
  }

  private void recordRefusal(DropRef ref, List<String> messages) {
    List<Row> rows = new ArrayList<>();
    for (String m : messages) {
      rows.add(RowFactory.create(runId, dropId(ref), ref.source(), m, new java.sql.Timestamp(
          System.currentTimeMillis())));
    }
    shared.acquire(dropId(ref));
    try {
      store.append(wh.ops("drop_refusal"), spark.createDataFrame(rows,
          TableLayouts.get("ops", "drop_refusal").schema()));
    } finally {
      shared.release(dropId(ref));
    }
  }
}
