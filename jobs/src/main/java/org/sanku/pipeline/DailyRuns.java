package org.sanku.pipeline;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntSupplier;

/**
 * {@code ./sanku nightly --daily-at HH:MM}: the nightly run every day at the given times (Asia/Shanghai) in one
 * long-lived JVM. Each run is the same as {@code ./sanku nightly} run once at that time; what the JVM keeps from one
 * run to the next is its compiled code, so every run after the first spends its time on the night's data instead of
 * on compiling Spark's, Iceberg's and Sanku's code again.
 *
 * <p>A run that fails is reported (its message, as a single run reports it) and the next one is awaited: a broken
 * delivery or definition stops one night, not the service. A run still going at a later run's time makes that run
 * wait for the next time after it ends (said in the log: never two runs at once, never a burst of missed ones).
 */
public final class DailyRuns {

  /** The zone of the schedule: Sanku's (dates of drops, indicators and logs are all in it). */
  public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

  /** The longest single sleep before the clock is read again. */
  static final long MAX_SLEEP_MS = 60_000;

  /** Waits a number of milliseconds (Thread::sleep; a test's stand-in advances its clock instead). */
  public interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private final TreeSet<LocalTime> times;
  private final Clock clock;
  private final Sleeper sleeper;
  private final PrintStream log;
  /** How starts are written: to the minute, or to the second when a time is given with seconds. */
  private final DateTimeFormatter when;

  /**
   * @param times the times of day (at least one) at which a run starts
   */
  public DailyRuns(List<LocalTime> times, Clock clock, Sleeper sleeper, PrintStream log) {
    if (times.isEmpty()) {
      throw new IllegalArgumentException("no time of day to run at");
    }
    this.times = new TreeSet<>(times);
    this.clock = clock;
    this.sleeper = sleeper;
    this.log = log;
    boolean seconds = times.stream().anyMatch(t -> t.getSecond() != 0 || t.getNano() != 0);
    this.when = DateTimeFormatter.ofPattern(seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm");
  }

  /**
   * The first start strictly after {@code now}: the earliest of the times later that day, else the earliest time on
   * the next day.
   */
  ZonedDateTime next(Instant now) {
    ZonedDateTime t = now.atZone(ZONE);
    LocalDate day = t.toLocalDate();
    LocalTime after = times.higher(t.toLocalTime());
    // A time equal to now's (to the nanosecond) has come: the next one is later.
    return after != null ? day.atTime(after).atZone(ZONE) : day.plusDays(1).atTime(times.first()).atZone(ZONE);
  }

  /**
   * Runs {@code night} at each start, {@code runs} times (or until the JVM is stopped when null), and returns the
   * last run's exit code (1 when it failed with an exception; each run's is in the log).
   */
  public int run(Integer runs, IntSupplier night) throws InterruptedException {
    ZonedDateTime start = next(clock.instant());
    log.println("nightly: runs daily at " + String.join(", ", times.stream().map(LocalTime::toString).toList())
        + " (" + ZONE + "); first run " + when.format(start)
        + (runs == null ? "" : ", " + runs + " run(s) in all"));
    int code = 0;
    for (int done = 0; runs == null || done < runs; done++) {
      // A minute at a time, reading the clock again: a clock set forward or back (NTP at boot), or a machine
      // suspended in the meantime, moves the start with it.
      long wait;
      while ((wait = Duration.between(clock.instant(), start.toInstant()).toMillis()) > 0) {
        sleeper.sleep(Math.min(wait, MAX_SLEEP_MS));
      }
      Instant began = clock.instant();
      try {
        code = night.getAsInt();
      } catch (Exception e) {
        // As a single run says it (and exits 1); the service goes on to the next run. Spark's own exceptions
        // (a failed job, an analysis error) are checked ones, thrown undeclared: caught here too. An Error (out
        // of memory) ends the service, for its supervisor to start it again.
        code = 1;
        log.println("nightly: the run of " + when.format(start) + " failed: " + e.getMessage());
      }
      Instant end = clock.instant();
      ZonedDateTime ended = end.atZone(ZONE);
      // Never the same start twice, even when the clock went back during the run.
      ZonedDateTime following = next(end.isAfter(start.toInstant()) ? end : start.toInstant());
      String skipped = "";
      ZonedDateTime due = next(start.toInstant());
      if (due.isBefore(following)) {
        // The run outlasted the next start(s): those nights' runs are not made up, the next one reads their drops.
        skipped = "; it outlasted the run due at " + when.format(due) + ", which is not made up";
      }
      log.printf(java.util.Locale.ROOT,
          "nightly: the run of %s ended with exit code %d after %.1f s (ended %s)%s%s%n",
          when.format(start), code, Math.max(0, Duration.between(began, end).toMillis()) / 1e3, when.format(ended),
          skipped,
          runs != null && done + 1 >= runs ? "; that was the last run" : "; next run " + when.format(following));
      start = following;
    }
    return code;
  }
}
