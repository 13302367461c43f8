package org.sanku.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.RegionSpec.Division;

/**
 * Writes a synthetic region as contract drops (shared/contract/README.md) plus a truth folder beside them.
 *
 * <p>Two passes over the persons, both parallel over fixed chunks: the first derives every registry row and
 * collects the name+sex+birth+county keys (to know which records linkage can still tie by those fields when
 * their ID is destroyed); the second generates everything, writes part files and tallies the truth. Parts are
 * then concatenated in chunk order with their sha256 and row counts, and the manifests are written last, so a
 * drop folder without a manifest is one that was not finished.
 */
public final class RegionGenerator {

  /**
   * Options of {@code ./sanku generate}. {@code officialPopulation}: the reference source also delivers the official
   * year-end population ({@code ref_population.csv}, {@code --official-population}).
   */
  public record Options(String region, long persons, long seed, LocalDate asOf, Path out, int nights,
      double dirtyRate, String encoding, Path confDir, int threads, boolean officialPopulation) {

    /** Without official population figures. */
    public Options(String region, long persons, long seed, LocalDate asOf, Path out, int nights, double dirtyRate,
        String encoding, Path confDir, int threads) {
      this(region, persons, seed, asOf, out, nights, dirtyRate, encoding, confDir, threads, false);
    }
  }

  /** What a run wrote and measured. */
  public record Summary(long persons, Map<String, Long> rowsPerTable, long totalRows, double seconds,
      long peakHeapBytes, Path truthDir, List<String[]> countyTable) {}

  private RegionGenerator() {}

  private static final int MAX_CHUNKS = 100;

  public static Summary generate(Options o) throws IOException {
    long t0 = System.nanoTime();
    if (o.persons() < 1) {
      throw new IllegalArgumentException("--persons must be at least 1");
    }
    if (o.nights() < 1) {
      throw new IllegalArgumentException("--nights must be at least 1");
    }
    if (o.dirtyRate() < 0 || o.dirtyRate() > 0.5) {
      throw new IllegalArgumentException("--dirty-rate must be between 0 and 0.5");
    }
    RegionSpec spec = RegionSpec.load(o.confDir(), o.region());
    Path parts = o.out().resolve(".parts");
    deleteTree(parts);
    for (String s : Tables.SOURCES) {
      deleteTree(o.out().resolve(s));
    }
    deleteTree(o.out().resolve("truth"));
    Files.createDirectories(parts);
    GenContext ctx = new GenContext(spec, o.persons(), o.seed(), o.asOf(), o.nights(), o.dirtyRate(), parts);
    ctx.buildOrgs();
    Map<String, Charset> charsets = charsets(o, spec);
    ctx.charsets = charsets;

    int chunks = (int) Math.min(MAX_CHUNKS, Math.max(1, (o.persons() + 999) / 1000));
    long size = (o.persons() + chunks - 1) / chunks;
    int threads = o.threads() > 0 ? o.threads() : Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      // Pass 1: registry keys.
      List<Future<long[]>> keys = new ArrayList<>();
      for (int c = 0; c < chunks; c++) {
        final int chunk = c;
        keys.add(pool.submit(() -> {
          RegistrySimulator registry = new RegistrySimulator(ctx, new DefectInjector(ctx), chunk, chunk * size,
              Math.min(o.persons(), (chunk + 1) * size));
          List<Person> ps = registry.persons();
          long[] k = new long[ps.size()];
          int n = 0;
          for (Person p : ps) {
            if (!p.registryLost) {
              k[n++] = LinkageRules.k1Hash(p.name, p.sex, p.birth, p.county);
            }
          }
          return Arrays.copyOf(k, n);
        }));
      }
      ctx.ambiguousK1 = ambiguous(join(keys));
      // Pass 2: everything.
      List<Future<ChunkGenerator>> done = new ArrayList<>();
      for (int c = 0; c < chunks; c++) {
        final int chunk = c;
        done.add(pool.submit(() -> {
          try (ChunkOutput out = new ChunkOutput(parts.resolve(String.format("c%03d", chunk)), charsets,
              ctx::delimiter)) {
            ChunkGenerator g = new ChunkGenerator(ctx, chunk, chunk * size,
                Math.min(o.persons(), (chunk + 1) * size), out);
            g.generate();
            out.close();
            g.partRows = out.rows;
            return g;
          }
        }));
      }
      List<ChunkGenerator> gens = new ArrayList<>();
      for (Future<ChunkGenerator> f : done) {
        gens.add(get(f));
      }
      // The figures are made once, from the truth's tallies of R, and both delivered and used by the truth.
      ctx.officialPopulation = OfficialPopulation.of(ctx, o, OfficialPopulation.sum(ctx.spec.counties.size(),
          gens.stream().map(g -> g.counts).toList()));
      Map<String, Long> rowsPerTable = writeDrops(o, ctx, charsets, chunks, gens, ctx.officialPopulation);
      Path truth = o.out().resolve("truth");
      List<String[]> countyTable = TruthWriter.write(truth, ctx, chunks,
          gens.stream().map(g -> g.counts).toList(), o);
      deleteTree(parts);
      long total = rowsPerTable.values().stream().mapToLong(Long::longValue).sum();
      double secs = (System.nanoTime() - t0) / 1e9;
      return new Summary(o.persons(), rowsPerTable, total, secs, peakHeap(), truth, countyTable);
    } finally {
      pool.shutdownNow();
    }
  }

  static Map<String, Charset> charsets(Options o, RegionSpec spec) {
    Map<String, Charset> m = new LinkedHashMap<>();
    for (String s : Tables.SOURCES) {
      String enc = o.encoding() != null ? o.encoding()
          : (s.equals("emr") && o.dirtyRate() > 0 ? "GBK" : "UTF-8");
      Charset cs = Charset.forName(enc);
      if (s.equals("reference") && cs.name().equals("GBK")) {
        // Some township names (e.g. 䢺江镇) lie outside GBK: such a region's reference drop is GB18030.
        for (Division d : spec.divisionRows) {
          if (!cs.newEncoder().canEncode(d.name())) {
            cs = Charset.forName("GB18030");
            break;
          }
        }
      }
      m.put(s, cs);
    }
    return m;
  }

  static String encodingName(Charset cs) {
    return cs.equals(StandardCharsets.UTF_8) ? "UTF-8" : cs.name();
  }

  private static long[] join(List<Future<long[]>> fs) {
    List<long[]> all = new ArrayList<>();
    int n = 0;
    for (Future<long[]> f : fs) {
      long[] a = get(f);
      all.add(a);
      n += a.length;
    }
    long[] out = new long[n];
    int i = 0;
    for (long[] a : all) {
      System.arraycopy(a, 0, out, i, a.length);
      i += a.length;
    }
    return out;
  }

  /** The keys that occur more than once, sorted for binary search. */
  static long[] ambiguous(long[] keys) {
    Arrays.sort(keys);
    long[] out = new long[16];
    int n = 0;
    for (int i = 1; i < keys.length; i++) {
      if (keys[i] == keys[i - 1] && (n == 0 || out[n - 1] != keys[i])) {
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = keys[i];
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static <T> T get(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw new IllegalStateException(c);
    }
  }

  private static Map<String, Long> writeDrops(Options o, GenContext ctx, Map<String, Charset> charsets,
      int chunks, List<ChunkGenerator> gens, OfficialPopulation population) throws IOException {
    Map<String, Long> totals = new TreeMap<>();
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    for (String source : Tables.SOURCES) {
      for (int n = 0; n < o.nights(); n++) {
        // The reference source delivers a full drop on the first night and, when dirty data is asked for, a later
        // full one that no longer holds the clinics closed meanwhile (a full drop deletes the keys it lacks).
        if (source.equals("reference") && n > 0 && n != ctx.laterReferenceNight()) {
          continue;
        }
        char sep = ctx.delimiter(source, n);
        LocalDate date = ctx.nightDate(n);
        Path drop = o.out().resolve(source).resolve(Rows.BASIC.format(date));
        Files.createDirectories(drop);
        Map<String, Object> files = new LinkedHashMap<>();
        for (Tables t : Tables.values()) {
          if (!t.source.equals(source)) {
            continue;
          }
          boolean gzip = t == Tables.EMR_DIAGNOSIS && o.dirtyRate() > 0;
          boolean chinese = t == Tables.EMR_VISIT && n == 0 && o.dirtyRate() > 0;
          String name = t.table + (gzip ? ".csv.gz" : ".csv");
          MessageDigest sha = sha256();
          long rows = 0;
          try (OutputStream raw = new DigestOutputStream(Files.newOutputStream(drop.resolve(name)), sha);
              OutputStream os = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw) {
            StringBuilder header = new StringBuilder();
            String[] cols = t.columns.clone();
            if (chinese) {
              for (int i = 0; i < cols.length; i++) {
                cols[i] = Tables.CHINESE.getOrDefault(cols[i], cols[i]);
              }
            }
            Rows.appendCsv(header, cols, sep);
            os.write(header.toString().getBytes(charsets.get(source)));
            if (t == Tables.REF_DIVISION) {
              StringBuilder sb = new StringBuilder();
              for (Division d : ctx.spec.divisionRows) {
                Rows.appendCsv(sb, new String[] {d.code(), d.name(), String.valueOf(d.level()),
                    d.parentCode(), d.validFrom(), d.validTo(), d.successorCode()});
                rows++;
              }
              os.write(sb.toString().getBytes(charsets.get(source)));
            } else if (t == Tables.REF_ORG) {
              for (String line : ctx.orgRows) {
                os.write(line.getBytes(charsets.get(source)));
                rows++;
              }
              if (n == 0) {
                for (String line : ctx.closedOrgRows) {
                  os.write(line.getBytes(charsets.get(source)));
                  rows++;
                }
              }
            } else {
              String part = ChunkOutput.partName(t, n);
              for (int c = 0; c < chunks; c++) {
                Path f = ctx.partsDir.resolve(String.format("c%03d", c)).resolve(part);
                if (Files.exists(f)) {
                  try (InputStream in = Files.newInputStream(f)) {
                    in.transferTo(os);
                  }
                  rows += gens.get(c).partRows.getOrDefault(part, 0L);
                }
              }
            }
          }
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("rows", rows);
          entry.put("sha256", HexFormat.of().formatHex(sha.digest()));
          files.put(name, entry);
          totals.merge(t.table, rows, Long::sum);
        }
        // The official population is part of the first full reference drop only: the later one leaves it as it was.
        if (source.equals("reference") && n == 0 && population.delivered()) {
          MessageDigest sha = sha256();
          long rows = population.write(new DigestOutputStream(Files.newOutputStream(drop.resolve(
              "ref_population.csv")), sha), sep, charsets.get(source));
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("rows", rows);
          entry.put("sha256", HexFormat.of().formatHex(sha.digest()));
          files.put("ref_population.csv", entry);
          totals.merge("ref_population", rows, Long::sum);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("source", source);
        manifest.put("extract_date", date.toString());
        manifest.put("kind", n == 0 || source.equals("reference") ? "full" : "delta");
        manifest.put("encoding", encodingName(charsets.get(source)));
        manifest.put("delimiter", String.valueOf(sep));
        manifest.put("files", files);
        // The manifest is written last: a drop folder without one is incomplete by the contract.
        Path tmp = drop.resolve("manifest.json.tmp");
        json.writeValue(tmp.toFile(), manifest);
        Files.move(tmp, drop.resolve("manifest.json"));
      }
    }
    return totals;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static long peakHeap() {
    long peak = 0;
    for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  /** Deletes a folder tree if it exists (used to start a demo afresh). */
  public static void deleteFolder(Path p) throws IOException {
    deleteTree(p);
  }
}
