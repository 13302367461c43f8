package org.sanku.notebooks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The notebooks' Python: a virtual environment made from {@code notebooks/requirements.txt}, and the headless run of
 * every notebook against an export ({@link NotebookExport}). Made once and kept: a marker inside records the
 * requirements it was made from, and a changed file makes it again.
 *
 * <p>pip is pointed at the index pip itself is configured with ({@code pip config list}): a machine with local
 * wheel indexes but no route to the public one would otherwise wait minutes on the public index first.
 */
public final class NotebookEnv {

  /** The marker inside a finished environment: the sha256 of the requirements it was made from. */
  static final String MARKER = "sanku-requirements.sha256";
  /** Written into an environment as soon as it is made: only such a folder is ever removed and made again. */
  static final String OWNER = "sanku-notebooks-env";
  /** The longest a notebook run may take before it is stopped (seconds). */
  static final long RUN_TIMEOUT_SECONDS = 900;

  private final Path venv;

  private NotebookEnv(Path venv) {
    this.venv = venv;
  }

  /** Where the environment lives: {@code SANKU_VENV}, else {@code ~/.cache/sanku/notebooks-venv}. */
  public static Path defaultLocation(Map<String, String> env) {
    String v = env.get("SANKU_VENV");
    if (v != null && !v.isBlank()) {
      return Path.of(v);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "sanku", "notebooks-venv");
  }

  /** The notebooks folder of an installation or a checkout: {@code SANKU_HOME/notebooks}, else found upwards. */
  public static Path notebooksFolder(Map<String, String> env) {
    String home = env.get("SANKU_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home, "notebooks");
    }
    for (Path p : List.of(Path.of("notebooks"), Path.of("..", "notebooks"))) {
      if (Files.isRegularFile(p.resolve("requirements.txt"))) {
        return p;
      }
    }
    throw new IllegalStateException("no notebooks folder here (run from the Sanku folder, or set SANKU_HOME)");
  }

  public Path location() {
    return venv;
  }

  private Path bin(String name) {
    return venv.resolve("bin").resolve(name);
  }

  /**
   * The environment at {@code venv}, made (or made again) when it is missing or was made from other requirements.
   *
   * @param python the Python that makes it ({@code SANKU_PYTHON}, else {@code python3})
   */
  public static NotebookEnv setup(Path notebooks, Path venv, String python, PrintStream log)
      throws IOException, InterruptedException {
    Path requirements = notebooks.resolve("requirements.txt");
    String want = sha256(Files.readAllBytes(requirements));
    NotebookEnv env = new NotebookEnv(venv.toAbsolutePath().normalize());
    Path marker = env.venv.resolve(MARKER);
    if (Files.isRegularFile(marker) && Files.readString(marker).trim().equals(want)
        && Files.isExecutable(env.bin("jupyter"))) {
      log.println("notebooks: environment " + env.venv + " is up to date");
      return env;
    }
    if (Files.exists(env.venv)) {
      if (!Files.isRegularFile(env.venv.resolve(OWNER))) {
        throw new IllegalStateException(env.venv + " exists and was not made by ./sanku notebooks setup: choose "
            + "another folder (--venv or SANKU_VENV) or remove it");
      }
      log.println("notebooks: " + env.venv + " was made from other requirements (or not finished): making it again");
      delete(env.venv);
    }
    Files.createDirectories(env.venv.getParent());
    long t0 = System.nanoTime();
    log.println("notebooks: making " + env.venv + " with " + python);
    run(List.of(python, "-m", "venv", env.venv.toString()), null, log, "python -m venv");
    Files.writeString(env.venv.resolve(OWNER), "made by ./sanku notebooks setup\n");
    List<String> pip = new ArrayList<>(List.of(env.bin("python").toString(), "-m", "pip", "install",
        "--disable-pip-version-check", "-q"));
    pip.addAll(indexOptions(pipConfig(env.bin("python"))));
    pip.addAll(List.of("-r", requirements.toAbsolutePath().toString()));
    log.println("notebooks: " + String.join(" ", pip.subList(3, pip.size())));
    run(pip, null, log, "pip install");
    Files.writeString(marker, want + "\n");
    log.printf("notebooks: environment ready in %.0f s%n", (System.nanoTime() - t0) / 1e9);
    return env;
  }

  /** The environment at {@code venv} as it is, for a run; refused when it was never set up. */
  public static NotebookEnv existing(Path venv) {
    NotebookEnv env = new NotebookEnv(venv.toAbsolutePath().normalize());
    if (!Files.isRegularFile(env.venv.resolve(MARKER)) || !Files.isExecutable(env.bin("jupyter"))) {
      throw new IllegalStateException("no notebook environment at " + env.venv + ": run ./sanku notebooks setup");
    }
    return env;
  }

  /** {@code pip config list} of a Python: {@code global.extra-index-url='a b'} lines as key → value. */
  static Map<String, String> pipConfig(Path python) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(python.toString(), "-m", "pip", "config", "list").redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return parsePipConfig(out);
  }

  static Map<String, String> parsePipConfig(String text) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    Matcher x = Pattern.compile("(?m)^([\\w:.-]+)='([^']*)'\\s*$").matcher(text);
    while (x.find()) {
      m.put(x.group(1), x.group(2));
    }
    return m;
  }

  /**
   * pip's index options from its configuration: the configured index first (the configured {@code index-url},
   * else the first {@code extra-index-url}, which then replaces the public default), the other extra indexes
   * after it. None when pip is configured with no index (the public one is used as pip would).
   */
  static List<String> indexOptions(Map<String, String> config) {
    String index = null;
    List<String> extra = new ArrayList<>();
    for (var e : config.entrySet()) {
      String key = e.getKey().substring(e.getKey().indexOf('.') + 1);
      if (key.equals("index-url") && index == null) {
        index = e.getValue().trim();
      } else if (key.equals("extra-index-url")) {
        for (String u : e.getValue().trim().split("\\s+")) {
          if (!u.isEmpty() && !extra.contains(u)) {
            extra.add(u);
          }
        }
      }
    }
    if (index == null && !extra.isEmpty()) {
      index = extra.remove(0);
    }
    List<String> out = new ArrayList<>();
    if (index != null) {
      out.add("--index-url");
      out.add(index);
    }
    for (String u : extra) {
      out.add("--extra-index-url");
      out.add(u);
    }
    return out;
  }

  /**
   * Runs every notebook of {@code notebooks} (in name order) headless against the export, each kernel in the
   * notebook's folder, and writes the executed copies (with their outputs) to {@code out}. A cell that fails stops
   * the run with the error.
   *
   * @return the executed notebooks
   */
  public List<Path> run(Path notebooks, Path export, Path out, PrintStream log)
      throws IOException, InterruptedException {
    List<Path> books;
    try (Stream<Path> s = Files.list(notebooks)) {
      books = s.filter(p -> p.getFileName().toString().endsWith(".ipynb")).sorted().toList();
    }
    if (books.isEmpty()) {
      throw new IllegalStateException("no notebooks in " + notebooks);
    }
    if (!Files.isRegularFile(export.resolve(NotebookExport.MANIFEST))) {
      throw new IllegalArgumentException(export + " is not a Sanku export (no " + NotebookExport.MANIFEST
          + "): ./sanku notebooks export writes one");
    }
    Files.createDirectories(out);
    Path scratch = Files.createTempDirectory("sanku-notebooks");
    try {
      List<String> cmd = new ArrayList<>(List.of(bin("jupyter").toString(), "nbconvert", "--to", "notebook",
          "--execute", "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.kernel_name=python3",
          "--output-dir", out.toAbsolutePath().toString()));
      books.forEach(b -> cmd.add(b.toAbsolutePath().toString()));
      Map<String, String> env = new java.util.HashMap<>();
      env.put("SANKU_EXPORT", export.toAbsolutePath().toString());
      env.put("PATH", venv.resolve("bin") + java.io.File.pathSeparator + System.getenv().getOrDefault("PATH", ""));
      env.put("VIRTUAL_ENV", venv.toString());
      // The environment's kernel, not one a user's profile names python3; no user start-up scripts either.
      env.put("JUPYTER_PREFER_ENV_PATH", "1");
      env.put("IPYTHONDIR", scratch.resolve("ipython").toString());
      env.put("JUPYTER_RUNTIME_DIR", scratch.resolve("runtime").toString());
      // Matplotlib's font cache, built once per environment rather than once per run.
      env.put("MPLCONFIGDIR", venv.resolve("mplconfig").toString());
      long t0 = System.nanoTime();
      run(cmd, env, log, "jupyter nbconvert --execute");
      log.printf("notebooks: %d notebook(s) executed in %.1f s, written to %s%n", books.size(),
          (System.nanoTime() - t0) / 1e9, out);
    } finally {
      delete(scratch);
    }
    return books.stream().map(b -> out.resolve(b.getFileName())).toList();
  }

  /** Runs a command; its output goes to {@code log}; a failure is an error with the output's last lines. */
  private static void run(List<String> cmd, Map<String, String> env, PrintStream log, String what)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (env != null) {
      pb.environment().putAll(env);
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException(what + ": cannot start " + cmd.get(0) + " (" + e.getMessage() + ")");
    }
    java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>();
    try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        // A sparse local index answers "not here" for most packages, once per package: not worth showing.
        if (line.endsWith("is ignored: it is neither a file nor a directory.")) {
          continue;
        }
        log.println("  " + line);
        last.addLast(line);
        if (last.size() > 40) {
          last.removeFirst();
        }
      }
    }
    if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(what + " did not finish in " + RUN_TIMEOUT_SECONDS + " s");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(what + " failed (exit code " + p.exitValue() + "):\n" + String.join("\n",
          last));
    }
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void delete(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
