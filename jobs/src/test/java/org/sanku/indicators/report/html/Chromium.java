package org.sanku.indicators.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real headless Chromium driven over the Chrome DevTools Protocol: the browser started as a child process with
 * a fresh profile, one page attached, and every network request, console message and uncaught exception of that
 * page recorded. The protocol's WebSocket is the JDK's own client; messages are JSON (Jackson).
 */
final class Chromium implements AutoCloseable {

  /** The browsers looked for, in order, when SANKU_CHROMIUM does not name one. */
  static final List<String> CANDIDATES = List.of("chromium-headless-shell", "chromium", "google-chrome",
      "/usr/lib/chromium/chromium-headless-shell", "/usr/lib/chromium/chromium");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  /** Every event received (method and params), in order. */
  final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private String session;

  private Chromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** The browser to run: SANKU_CHROMIUM, else the first of {@link #CANDIDATES} found; null when none is. */
  static Path binary() {
    String env = System.getenv("SANKU_CHROMIUM");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    for (String c : CANDIDATES) {
      if (c.startsWith("/")) {
        if (Files.isExecutable(Path.of(c))) {
          return Path.of(c);
        }
        continue;
      }
      for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
        Path p = Path.of(dir, c);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  /**
   * Starts the browser headless with a fresh profile and everything that could reach the network on its own
   * turned off (background networking, component updates, sync), as root without the sandbox.
   */
  static Chromium start(Path binary, int width, int height) throws Exception {
    Path profile = Files.createTempDirectory("sanku-chromium");
    List<String> cmd = List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", "--disable-default-apps", "--disable-dev-shm-usage",
        "--hide-scrollbars", "--mute-audio", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        "--window-size=" + width + "," + height, "--user-data-dir=" + profile, "about:blank");
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    // Should the test JVM end without closing it (a failure in set-up, a killed run), the browser and its helpers
    // end with it rather than live on.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }));
    // The browser says where its DevTools endpoint listens on standard error; the rest of it is drained.
    CompletableFuture<String> endpoint = new CompletableFuture<>();
    StringBuilder said = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            endpoint.complete(m.group(1));
          } else if (said.length() < 4000) {
            said.append(line).append('\n');
          }
        }
      } catch (IOException e) {
        endpoint.completeExceptionally(e);
      }
      endpoint.completeExceptionally(new IllegalStateException("chromium exited: " + said));
    }, "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    String ws;
    try {
      ws = endpoint.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      delete(profile);
      throw new IllegalStateException("chromium did not start (" + binary + "): " + said, e);
    }
    Listener listener = new Listener();
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
        .buildAsync(URI.create(ws), listener).get(10, TimeUnit.SECONDS);
    Chromium c = new Chromium(p, profile, socket);
    listener.owner = c;
    return c;
  }

  /** Opens a page (a new target) and attaches to it: later commands go to that page. */
  void openPage() throws Exception {
    String target = send("Target.createTarget", obj("url", "about:blank")).get("targetId").asText();
    session = send("Target.attachToTarget", obj("targetId", target, "flatten", true)).get("sessionId").asText();
    for (String domain : List.of("Page", "Network", "Runtime", "Log")) {
      send(domain + ".enable", obj());
    }
  }

  /** Navigates and waits for the page's load event; the events recorded are from then on this page's. */
  void navigate(String url, Duration timeout) throws Exception {
    events.clear();
    send("Page.navigate", obj("url", url));
    long end = System.nanoTime() + timeout.toNanos();
    while (events.stream().noneMatch(e -> "Page.loadEventFired".equals(
        e.path("method").asText()))) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the page did not load in " + timeout);
      }
      Thread.sleep(50);
    }
  }

  /** Evaluates a JavaScript expression in the page and returns its value (JSON). */
  JsonNode eval(String expression) throws Exception {
    JsonNode r = send("Runtime.evaluate", obj("expression", expression, "returnByValue", true,
        "awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException("page script failed: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** Waits until the expression is true in the page. */
  void waitFor(String expression, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (!eval(expression).asBoolean(false)) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + expression);
      }
      Thread.sleep(100);
    }
  }

  byte[] screenshot() throws Exception {
    return Base64.getDecoder().decode(send("Page.captureScreenshot", obj("format", "png")).get("data").asText());
  }

  /** The page printed to PDF on A4 with its own @page margins. */
  byte[] printA4() throws Exception {
    return Base64.getDecoder().decode(send("Page.printToPDF", obj("paperWidth", 8.27, "paperHeight", 11.69,
        "preferCSSPageSize", true, "printBackground", true)).get("data").asText());
  }

  /** Events of the page with this method, their params. */
  List<JsonNode> events(String method) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : events) {
      if (method.equals(e.path("method").asText())) {
        out.add(e.path("params"));
      }
    }
    return out;
  }

  /** Sends a command (to the attached page once there is one) and waits for its result. */
  JsonNode send(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode msg = obj("id", id, "method", method, "params", params);
    if (session != null && !method.startsWith("Target.")) {
      msg.put("sessionId", session);
    }
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    socket.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
    JsonNode r = f.get(60, TimeUnit.SECONDS);
    if (r.has("error")) {
      throw new IllegalStateException(method + ": " + r.get("error"));
    }
    return r.path("result");
  }

  static ObjectNode obj(Object... kv) {
    ObjectNode n = JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      n.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
    }
    return n;
  }

  private void received(String text) {
    try {
      JsonNode n = JSON.readTree(text);
      if (n.has("id")) {
        CompletableFuture<JsonNode> f = pending.remove(n.get("id").asInt());
        if (f != null) {
          f.complete(n);
        }
      } else {
        events.add(n);
      }
    } catch (IOException e) {
      throw new IllegalStateException("not JSON from chromium: " + text, e);
    }
  }

  /** Collects fragmented text frames into messages. */
  private static final class Listener implements WebSocket.Listener {
    volatile Chromium owner;
    private final StringBuilder buffer = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      buffer.append(data);
      if (last) {
        String text = buffer.toString();
        buffer.setLength(0);
        owner.received(text);
      }
      ws.request(1);
      return null;
    }
  }

  @Override
  public void close() throws Exception {
    try {
      socket.abort();
    } finally {
      // The renderer and helper processes this browser started go with it; the profile is removed once all of
      // them are gone (they write into it until they exit).
      List<ProcessHandle> helpers = process.descendants().toList();
      helpers.forEach(ProcessHandle::destroy);
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle h : helpers) {
        try {
          h.onExit().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          h.destroyForcibly();
        }
      }
      for (int attempt = 1; ; attempt++) {
        try {
          delete(profile);
          break;
        } catch (IOException e) {
          if (attempt == 5) {
            throw e;
          }
          Thread.sleep(200);
        }
      }
    }
  }

  private static void delete(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
