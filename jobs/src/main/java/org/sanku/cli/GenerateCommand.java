package org.sanku.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sanku.generate.RegionGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sanku generate}: a synthetic region as contract drops, with its ground truth. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Write a synthetic region as drops (population, ehr, emr, reference) plus a truth folder.")
public final class GenerateCommand implements Callable<Integer> {

  @Option(names = "--region", defaultValue = "nanchong",
      description = "nanchong, suining, chengdu, maoming or jiyuan (default: ${DEFAULT-VALUE})")
  String region;

  @Option(names = "--persons", defaultValue = "10000", description = "registry persons (default: ${DEFAULT-VALUE})")
  long persons;

  @Option(names = "--seed", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--as-of", defaultValue = "2025-12-31", description = "last extract date (default: ${DEFAULT-VALUE})")
  LocalDate asOf;

  @Option(names = "--out", required = true, description = "landing folder to write")
  Path out;

  @Option(names = "--nights", defaultValue = "1",
      description = "one full drop per source, then nights-1 delta drops (default: ${DEFAULT-VALUE})")
  int nights;

  @Option(names = "--dirty-rate", defaultValue = "0.0",
      description = "share of rows given an injected defect (default: ${DEFAULT-VALUE})")
  double dirtyRate;

  @Option(names = "--encoding", description = "UTF-8, GBK or GB18030 for every source (default: UTF-8; "
      + "with dirty data the EMR source comes in GBK)")
  String encoding;

  @Option(names = "--official-population", description = "the reference source also delivers the official "
      + "year-end population per county and age group (ref_population.csv), all counties but the last")
  boolean officialPopulation;

  @Option(names = "--threads", defaultValue = "0", description = "worker threads (default: all cores)")
  int threads;

  @Override
  public Integer call() throws Exception {
    RegionGenerator.Summary s = RegionGenerator.generate(new RegionGenerator.Options(region, persons, seed,
        asOf, out, nights, dirtyRate, encoding, Sanku.confDir(), threads, officialPopulation));
    print(System.out, s);
    return 0;
  }

  static void print(PrintStream w, RegionGenerator.Summary s) {
    w.printf(Locale.ROOT, "generated %,d persons, %,d rows in %.1f s (%,.0f rows/s), peak heap %.0f MiB%n",
        s.persons(), s.totalRows(), s.seconds(), s.totalRows() / s.seconds(), s.peakHeapBytes() / 1048576.0);
    for (Map.Entry<String, Long> e : s.rowsPerTable().entrySet()) {
      w.printf(Locale.ROOT, "  %-24s %,12d%n", e.getKey(), e.getValue());
    }
    w.println("truth: " + s.truthDir());
    w.println();
    w.println("The region's true values (generator truth, before any dirty row is lost):");
    printCountyTable(w, s.countyTable());
  }

  static void printCountyTable(PrintStream w, List<String[]> table) {
    String[] head = {"县区 county", "建档率", "65+健康管理", "老年中医药", "65+签约", "高血压规范管理", "高血压漏管"};
    w.printf("%-12s %10s %12s %10s %10s %14s %10s%n", (Object[]) head);
    for (String[] r : table) {
      w.printf("%-12s %10s %12s %10s %10s %14s %10s%n", (Object[]) r);
    }
  }
}
