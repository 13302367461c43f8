package org.sanku.serve;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hive.jdbc.HiveDriver;

/**
 * A benchmark of a running {@code ./sanku serve} (not a test): the latency of typical statements over JDBC, as a
 * BI tool sends them, with 1 and 8 clients at once, each on its own connection. Reports p50 and p95 per statement
 * and number of clients.
 *
 * <pre>
 * SANKU_BENCH_PASSWORD=… java -cp "jobs/target/sanku-jobs.jar:$(cat jobs/target/runtime.classpath)" \
 *     org.sanku.serve.JdbcBenchmark jdbc:hive2://127.0.0.1:10000/default USER [RUNS] [PERIOD_END]
 * </pre>
 */
public final class JdbcBenchmark {

  private JdbcBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: JdbcBenchmark URL USER [RUNS per client, default 20] [PERIOD_END, default "
          + "2025-12-31]; the password in SANKU_BENCH_PASSWORD");
      System.exit(2);
    }
    String url = args[0];
    String user = args[1];
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    String end = args.length > 3 ? args[3] : "2025-12-31";
    Properties login = new Properties();
    login.put("user", user);
    login.put("password", System.getenv().getOrDefault("SANKU_BENCH_PASSWORD", ""));
    Map<String, String> statements = new LinkedHashMap<>();
    statements.put("county query (one indicator, one period, by county)", "SELECT division_code, division_name, "
        + "numerator, denominator, value FROM ind.indicator_value WHERE indicator_id = 'elderly_health_mgmt' "
        + "AND period_end = DATE'" + end + "' AND division_level = 'county' ORDER BY division_code");
    statements.put("person-level aggregate (model.person by county and age band)", "SELECT county_code, "
        + "CASE WHEN age < 15 THEN '0-14' WHEN age < 65 THEN '15-64' ELSE '65+' END AS age_band, count(*) AS persons "
        + "FROM (SELECT county_code, floor(months_between(DATE'" + end + "', birth_date) / 12) AS age "
        + "FROM model.person) GROUP BY 1, 2 ORDER BY 1, 2");
    System.out.printf(Locale.ROOT, "%-62s %7s %7s %9s %9s%n", "statement", "clients", "runs", "p50 (s)", "p95 (s)");
    for (Map.Entry<String, String> s : statements.entrySet()) {
      for (int clients : new int[] {1, 8}) {
        List<Double> seconds = measure(url, login, s.getValue(), clients, runs);
        System.out.printf(Locale.ROOT, "%-62s %7d %7d %9.2f %9.2f%n", s.getKey(), clients, seconds.size(),
            percentile(seconds, 50), percentile(seconds, 95));
      }
    }
  }

  /** Each client connects, runs the statement twice to warm up, then {@code runs} times, timed. */
  private static List<Double> measure(String url, Properties login, String sql, int clients, int runs)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<List<Double>>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        futures.add(pool.submit(() -> {
          List<Double> out = new ArrayList<>();
          try (Connection conn = new HiveDriver().connect(url, login)) {
            for (int i = 0; i < runs + 2; i++) {
              long t0 = System.nanoTime();
              drain(conn, sql);
              if (i >= 2) {
                out.add((System.nanoTime() - t0) / 1e9);
              }
            }
          }
          return out;
        }));
      }
      List<Double> all = new ArrayList<>();
      for (Future<List<Double>> f : futures) {
        all.addAll(f.get());
      }
      return all;
    } finally {
      pool.shutdown();
    }
  }

  private static void drain(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        r.getString(1);
      }
    }
  }

  /** The nearest-rank percentile. */
  static double percentile(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
