package org.sanku.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer at a time on a warehouse; a lock left by a run that is gone is taken over. */
class WarehouseLockTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8);

  private WarehouseLock take(Path wh, String command) {
    return WarehouseLock.acquire(wh.toUri().toString(), new Configuration(), command, 30, log);
  }

  @Test
  void aSecondRunIsRefusedSayingWhoHoldsTheWarehouseSinceWhen(@TempDir Path wh) throws Exception {
    try (WarehouseLock first = take(wh, "nightly")) {
      assertTrue(Files.exists(wh.resolve(WarehouseLock.FILE)));
      WarehouseLock.InUse e = assertThrows(WarehouseLock.InUse.class, () -> take(wh, "ingest"));
      String host = InetAddress.getLocalHost().getHostName();
      assertTrue(e.getMessage().startsWith("warehouse in use by nightly (user " + System.getProperty("user.name")
          + ", pid " + ProcessHandle.current().pid() + " on host " + host + ") since 20"), e.getMessage());
    }
    // Released: the next run takes it.
    assertFalse(Files.exists(wh.resolve(WarehouseLock.FILE)));
    take(wh, "ingest").close();
  }

  @Test
  void aLockWhoseProcessIsGoneOrThatNobodyTouchesIsTakenOver(@TempDir Path wh) throws Exception {
    // A lock of this host whose process has ended.
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    String host = InetAddress.getLocalHost().getHostName();
    Path lock = wh.resolve(WarehouseLock.FILE);
    Files.writeString(lock, "{\"command\":\"nightly\",\"user\":\"sanku\",\"host\":\"" + host + "\",\"pid\":"
        + p.pid() + ",\"started_at\":\"2026-12-01T23:00+08:00\"}");
    take(wh, "ingest").close();
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("taking over the stale warehouse lock of nightly (user "
        + "sanku, pid " + p.pid() + " on host " + host + ") since 2026-12-01T23:00+08:00 (process " + p.pid()
        + " on this host is gone)"), out.toString(StandardCharsets.UTF_8));

    // A lock of another host: held while it is touched, stale after 30 minutes without.
    Files.writeString(lock, "{\"command\":\"nightly\",\"user\":\"sanku\",\"host\":\"elsewhere\",\"pid\":1,"
        + "\"started_at\":\"2026-12-01T23:00+08:00\"}");
    assertThrows(WarehouseLock.InUse.class, () -> take(wh, "ingest"));
    Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(31, ChronoUnit.MINUTES)));
    take(wh, "ingest").close();
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("(not touched for 31 minutes)"),
        out.toString(StandardCharsets.UTF_8));
    assertEquals(false, Files.exists(lock));
  }
  /**
   * A lock naming this very process that this JVM does not hold was left by an earlier run of it whose release
   * failed (a long-lived {@code nightly --daily-at}): taken over, where a lock of another live process is not. One
   * this JVM holds stays held (refused above).
   */
  @Test
  void aLockLeftByAnEarlierRunOfThisProcessIsTakenOver(@TempDir Path wh) throws Exception {
    String host = InetAddress.getLocalHost().getHostName();
    long pid = ProcessHandle.current().pid();
    Path lock = wh.resolve(WarehouseLock.FILE);
    Files.writeString(lock, "{\"command\":\"nightly\",\"user\":\"sanku\",\"host\":\"" + host + "\",\"pid\":"
        + pid + ",\"started_at\":\"2026-12-07T02:30+08:00\"}");
    try (WarehouseLock taken = take(wh, "nightly")) {
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("(left by an earlier run of this process, whose "
          + "release failed)"), out.toString(StandardCharsets.UTF_8));
      assertThrows(WarehouseLock.InUse.class, () -> take(wh, "ingest"));
    }
    // The lock of another live process of this host (the parent of this JVM, e.g. the build tool) stays held.
    long other = ProcessHandle.current().parent().orElseThrow().pid();
    Files.writeString(lock, "{\"command\":\"nightly\",\"user\":\"sanku\",\"host\":\"" + host + "\",\"pid\":"
        + other + ",\"started_at\":\"2026-12-07T02:30+08:00\"}");
    assertThrows(WarehouseLock.InUse.class, () -> take(wh, "ingest"));
    Files.delete(lock);
  }
}
