package org.sanku.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One writer at a time on a warehouse: a lock file {@code <warehouse>/_sanku.lock} holding the owner, host, pid,
 * command and start time, created only if absent (an atomic create on local files and HDFS). A second run is
 * refused with who holds the warehouse since when. The holder touches the file every minute; a lock whose process
 * is gone (same host) or that has not been touched for {@code staleMinutes} (another host) is stale and taken
 * over, with a line saying so.
 */
public final class WarehouseLock implements AutoCloseable {

  /** The warehouse is held by another run. */
  public static final class InUse extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    InUse(String message) {
      super(message);
    }
  }

  public static final String FILE = "_sanku.lock";

  private final FileSystem fs;
  private final Path path;
  private final ScheduledExecutorService heartbeat;

  /**
   * The locks this JVM holds now. A lock naming this process that is not among them was left by an earlier run of
   * this JVM whose release failed (a long-lived {@code nightly --daily-at}): stale, not held.
   */
  private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private WarehouseLock(FileSystem fs, Path path) {
    this.fs = fs;
    this.path = path;
    HELD.add(path);
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sanku-warehouse-lock");
      t.setDaemon(true);
      return t;
    });
    heartbeat.scheduleAtFixedRate(this::touch, 1, 1, TimeUnit.MINUTES);
  }

  /**
   * Takes the warehouse for {@code command}.
   *
   * @throws InUse when another live run holds it
   */
  public static WarehouseLock acquire(String warehouseLocation, Configuration hadoop, String command,
      int staleMinutes, PrintStream log) {
    Path path = new Path(warehouseLocation, FILE);
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      fs.mkdirs(path.getParent());
      for (int attempt = 0; attempt < 2; attempt++) {
        try (OutputStream out = fs.create(path, false)) {
          out.write(describe(command).getBytes(StandardCharsets.UTF_8));
          return new WarehouseLock(fs, path);
        } catch (FileAlreadyExistsException | org.apache.hadoop.fs.ParentNotDirectoryException e) {
          String stale = staleness(fs, path, staleMinutes);
          if (stale == null) {
            throw new InUse("warehouse in use by " + holder(fs, path) + ": a run that writes it is going on; try "
                + "again when it has ended (if it is gone and the lock stayed, remove " + path + ")");
          }
          log.println("sanku: taking over the stale warehouse lock of " + holder(fs, path) + " (" + stale + ")");
          fs.delete(path, false);
        } catch (IOException e) {
          if (!fs.exists(path)) {
            throw e;
          }
          // Some file systems report an existing file as a plain IOException: treat as held, look at it.
          String stale = staleness(fs, path, staleMinutes);
          if (stale == null) {
            throw new InUse("warehouse in use by " + holder(fs, path));
          }
          fs.delete(path, false);
        }
      }
      throw new InUse("warehouse in use: the lock " + path + " came back while it was taken over");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock the warehouse (" + path + ")", e);
    }
  }

  private static String describe(String command) throws IOException {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("command", command);
    n.put("user", System.getProperty("user.name"));
    n.put("host", host());
    n.put("pid", ProcessHandle.current().pid());
    n.put("started_at", Instant.now().atZone(ZoneId.of("Asia/Shanghai")).toOffsetDateTime().toString());
    return n.toString();
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static JsonNode read(FileSystem fs, Path path) {
    try (InputStream in = fs.open(path)) {
      return new ObjectMapper().readTree(in);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** "nightly (user sanku, pid 4242 on host wjw-01) since 2026-12-01T23:00+08:00". */
  private static String holder(FileSystem fs, Path path) {
    JsonNode n = read(fs, path);
    if (n == null) {
      return "another run (its lock file " + path + " cannot be read)";
    }
    return n.path("command").asText("?") + " (user " + n.path("user").asText("?") + ", pid "
        + n.path("pid").asText("?") + " on host " + n.path("host").asText("?") + ") since "
        + n.path("started_at").asText("?");
  }

  /** Why the lock is stale, or null when its holder may be alive. */
  private static String staleness(FileSystem fs, Path path, int staleMinutes) throws IOException {
    JsonNode n = read(fs, path);
    if (n != null && host().equals(n.path("host").asText()) && n.path("pid").canConvertToLong()) {
      long pid = n.path("pid").asLong();
      if (pid == ProcessHandle.current().pid()) {
        return HELD.contains(path) ? null : "left by an earlier run of this process, whose release failed";
      }
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? null
          : "process " + pid + " on this host is gone";
    }
    long age = System.currentTimeMillis() - fs.getFileStatus(path).getModificationTime();
    return age > TimeUnit.MINUTES.toMillis(staleMinutes)
        ? "not touched for " + TimeUnit.MILLISECONDS.toMinutes(age) + " minutes" : null;
  }

  private void touch() {
    try {
      fs.setTimes(path, System.currentTimeMillis(), -1);
    } catch (IOException e) {
      // A missed heartbeat only brings the stale limit closer; the next one tries again.
    }
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    HELD.remove(path);
    try {
      fs.delete(path, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the warehouse lock " + path, e);
    }
  }
}
