package org.sanku.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The schedule of {@code ./sanku nightly --daily-at}, on a clock that only the stand-in sleeper and the stand-in
 * nights move: which instants the runs start at, how long the service sleeps before each, and what it says.
 */
class DailyRunsTest {

  /** A clock that stands still until moved. */
  private static final class Hands extends Clock {
    Instant now;

    Hands(String shanghaiTime) {
      now = ZonedDateTime.parse(shanghaiTime + "+08:00[Asia/Shanghai]").toInstant();
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    String shanghai() {
      return now.atZone(DailyRuns.ZONE).toLocalDateTime().toString();
    }
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8);
  private final List<Long> sleeps = new ArrayList<>();

  private DailyRuns at(Hands clock, String... times) {
    return new DailyRuns(java.util.Arrays.stream(times).map(LocalTime::parse).toList(), clock, ms -> {
      sleeps.add(ms);
      clock.advance(Duration.ofMillis(ms));
    }, log);
  }

  private static String next(DailyRuns d, String shanghaiTime) {
    return d.next(ZonedDateTime.parse(shanghaiTime + "+08:00[Asia/Shanghai]").toInstant()).toLocalDateTime()
        .toString();
  }

  /**
   * The next start is the first of the times strictly after now, in Shanghai's day: 01:00 on 7 December → 02:30
   * the same day (on a UTC clock that instant is 6 December 17:00, and 02:30 UTC would be 10:30 in Shanghai); 02:30
   * itself → 02:30 the next day; 23:59 → 02:30 the next day; with 02:30 and 14:30, 03:00 → 14:30, 15:00 → the next
   * day's 02:30, and 31 December 23:00 → 1 January.
   */
  @Test
  void theNextStartIsTheFirstTimeOfDayAfterNowInShanghai() {
    Hands clock = new Hands("2026-12-07T01:00");
    DailyRuns once = at(clock, "02:30");
    assertEquals("2026-12-07T02:30", next(once, "2026-12-07T01:00"));
    assertEquals("2026-12-08T02:30", next(once, "2026-12-07T02:30"));
    assertEquals("2026-12-08T02:30", next(once, "2026-12-07T23:59"));
    DailyRuns twice = at(clock, "14:30", "02:30");
    assertEquals("2026-12-07T14:30", next(twice, "2026-12-07T03:00"));
    assertEquals("2026-12-08T02:30", next(twice, "2026-12-07T15:00"));
    assertEquals("2027-01-01T02:30", next(twice, "2026-12-31T23:00"));
  }

  /**
   * Started at 01:00 with --daily-at 02:30 and 3 runs: it sleeps 90 minutes (5,400,000 ms), runs the first night
   * (20 minutes, exit 0, ends 02:50), sleeps 23 h 40 min (85,200,000 ms) to the next 02:30, where the night fails at
   * once: said with its message, and the service sleeps 24 h (86,400,000 ms) to the third, which exits 3 — the
   * code returned.
   */
  @Test
  void itRunsAtEachStartGoesOnAfterAFailedNightAndReturnsTheLastExitCode() throws InterruptedException {
    Hands clock = new Hands("2026-12-07T01:00");
    List<String> started = new ArrayList<>();
    int[] n = {0};
    int code = at(clock, "02:30").run(3, () -> {
      started.add(clock.shanghai());
      n[0]++;
      if (n[0] == 1) {
        clock.advance(Duration.ofMinutes(20));
        return 0;
      }
      if (n[0] == 2) {
        throw new IllegalStateException("ingest: population/20251208: manifest.json missing");
      }
      return 3;
    });
    assertEquals(3, code);
    assertEquals(List.of("2026-12-07T02:30", "2026-12-08T02:30", "2026-12-09T02:30"), started);
    // 5,400,000 + 85,200,000 + 86,400,000 ms, a minute at most at a time.
    assertSleptInMinutes(177_000_000L);
    String said = out.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("nightly: runs daily at 02:30 (Asia/Shanghai); first run 2026-12-07 02:30, 3 run(s) in "
        + "all"), said);
    assertTrue(said.contains("nightly: the run of 2026-12-07 02:30 ended with exit code 0 after 1200.0 s (ended "
        + "2026-12-07 02:50); next run 2026-12-08 02:30"), said);
    assertTrue(said.contains("nightly: the run of 2026-12-08 02:30 failed: ingest: population/20251208: manifest.json "
        + "missing\nnightly: the run of 2026-12-08 02:30 ended with exit code 1 after 0.0 s (ended 2026-12-08 02:30); "
        + "next run 2026-12-09 02:30"), said);
    assertTrue(said.contains("nightly: the run of 2026-12-09 02:30 ended with exit code 3 after 0.0 s (ended "
        + "2026-12-09 02:30); that was the last run"), said);
  }

  /**
   * A run of 25 hours (02:30 on the 7th to 03:30 on the 8th) outlasts the run due at 02:30 on the 8th: that one is
   * not made up (no run starts at 03:30), the next starts at 02:30 on the 9th after 23 hours' sleep (82,800,000 ms).
   */
  @Test
  void aRunThatOutlastsTheNextStartMakesThatRunWaitForTheFollowingOne() throws InterruptedException {
    Hands clock = new Hands("2026-12-07T02:00");
    List<String> started = new ArrayList<>();
    at(clock, "02:30").run(2, () -> {
      started.add(clock.shanghai());
      if (started.size() == 1) {
        clock.advance(Duration.ofHours(25));
      }
      return 0;
    });
    assertEquals(List.of("2026-12-07T02:30", "2026-12-09T02:30"), started);
    // 1,800,000 + 82,800,000 ms.
    assertSleptInMinutes(84_600_000L);
    String said = out.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("(ended 2026-12-08 03:30); it outlasted the run due at 2026-12-08 02:30, which is not "
        + "made up; next run 2026-12-09 02:30"), said);
  }

  /** Every sleep is a minute at most (the clock is read again after each), and they add up to {@code total} ms. */
  private void assertSleptInMinutes(long total) {
    assertEquals(total, sleeps.stream().mapToLong(Long::longValue).sum(), sleeps.size() + " sleeps");
    assertTrue(sleeps.stream().allMatch(ms -> ms > 0 && ms <= 60_000), sleeps.toString());
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
    throw (E) t;
  }

  /**
   * Spark's own failures are checked exceptions thrown undeclared (a failed job's SparkException): such a night
   * fails (exit code 1, said with its message) and the next night runs, as after any other failure.
   */
  @Test
  void aNightFailingWithACheckedExceptionThrownUndeclaredCostsThatNightOnly() throws InterruptedException {
    Hands clock = new Hands("2026-12-07T02:00");
    List<String> started = new ArrayList<>();
    int code = at(clock, "02:30").run(2, () -> {
      started.add(clock.shanghai());
      if (started.size() == 1) {
        sneakyThrow(new Exception("Job aborted due to stage failure: Task 3 in stage 41.0 failed 1 times"));
      }
      return 0;
    });
    assertEquals(0, code);
    assertEquals(List.of("2026-12-07T02:30", "2026-12-08T02:30"), started);
    String said = out.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("nightly: the run of 2026-12-07 02:30 failed: Job aborted due to stage failure: Task 3 "
        + "in stage 41.0 failed 1 times\nnightly: the run of 2026-12-07 02:30 ended with exit code 1"), said);
  }

  /**
   * The clock set back an hour during a run (02:30, then 01:40 by the clock when it ends): the next start is the
   * next day's 02:30, not the same 02:30 again; and a clock set forward while the service sleeps (an hour, at 01:05)
   * starts the run at 02:30 by the new clock, not 85 minutes after the sleep began.
   */
  @Test
  void aClockSetBackOrForwardMovesTheStartsWithIt() throws InterruptedException {
    Hands clock = new Hands("2026-12-07T01:00");
    List<String> started = new ArrayList<>();
    boolean[] stepped = {false};
    DailyRuns d = new DailyRuns(List.of(LocalTime.parse("02:30")), clock, ms -> {
      sleeps.add(ms);
      clock.advance(Duration.ofMillis(ms));
      if (!stepped[0] && clock.shanghai().equals("2026-12-07T01:05")) {
        stepped[0] = true;
        clock.advance(Duration.ofHours(1));
      }
    }, log);
    d.run(2, () -> {
      started.add(clock.shanghai());
      if (started.size() == 1) {
        clock.advance(Duration.ofMinutes(10).minusHours(1));
      }
      return 0;
    });
    assertEquals(List.of("2026-12-07T02:30", "2026-12-08T02:30"), started);
    // 5 minutes, the clock jumps to 02:05, 25 minutes more; after the run (01:40 by the clock) 24 h 50 min.
    assertSleptInMinutes((5 + 25 + 24 * 60 + 50) * 60_000L);
  }

  /** Times given to the second are written to the second (to the minute otherwise, as above). */
  @Test
  void startsGivenToTheSecondAreWrittenToTheSecond() throws InterruptedException {
    Hands clock = new Hands("2026-12-07T09:25:06");
    at(clock, "09:25:51").run(1, () -> 0);
    String said = out.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("nightly: runs daily at 09:25:51 (Asia/Shanghai); first run 2026-12-07 09:25:51, 1 run(s) "
        + "in all"), said);
    assertTrue(said.contains("nightly: the run of 2026-12-07 09:25:51 ended with exit code 0 after 0.0 s (ended "
        + "2026-12-07 09:25:51); that was the last run"), said);
    assertEquals(List.of(45_000L), sleeps);
  }

  /**
   * Without a number of runs it runs until stopped: stopped in its third sleep (after two nights, at 02:30 and at
   * 14:30 of the 7th), it ends with the interruption and starts nothing more.
   */
  @Test
  void withoutANumberOfRunsItRunsUntilStopped() {
    Hands clock = new Hands("2026-12-07T00:00");
    List<String> started = new ArrayList<>();
    DailyRuns d = new DailyRuns(List.of(LocalTime.parse("02:30"), LocalTime.parse("14:30")), clock, ms -> {
      if (started.size() == 2) {
        throw new InterruptedException("stopped");
      }
      sleeps.add(ms);
      clock.advance(Duration.ofMillis(ms));
    }, log);
    assertThrows(InterruptedException.class, () -> d.run(null, () -> {
      started.add(clock.shanghai());
      return 0;
    }));
    assertEquals(List.of("2026-12-07T02:30", "2026-12-07T14:30"), started);
    // 00:00 → 02:30 (9,000,000 ms), 02:30 → 14:30 (43,200,000 ms), then stopped in the wait for the next day.
    assertSleptInMinutes(52_200_000L);
  }
}
