package dev.vecino.bench.compare;

import dev.vecino.bench.Loopback;
import dev.vecino.p2p.scan.NetworkScope;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The comparison runner: one command runs every case in a fresh JVM, repeats the whole set
 * (interleaved, so slow drifts of the machine hit every contender alike), takes medians and
 * writes the report.
 *
 * <pre>
 * java -cp p2p-benchmarks/target/benchmarks.jar dev.vecino.bench.compare.CompareMain \
 *     --mode smoke|full --out docs/ [--runs N] [--only REGEX] [--no-jmh] [--jvm-opt OPTION]...
 * </pre>
 *
 * <p>{@code smoke} (under 2 minutes) runs each case once, briefly, and exits non-zero if a case
 * failed or reported a number that is not sane (never because a ratio target was missed: a
 * smoke run is too short to judge one); {@code full} (under 30 minutes on 2 cores) runs each
 * case 3 times and also the JMH suite, and its report's targets table is the one to quote.
 * Cases are listed in {@code CaseSet}. {@code --jvm-opt} adds an option to every case's JVM
 * (the report names it): {@code -XX:+UseTransparentHugePages} shows what TLB misses cost, which
 * on a VM whose kernel flushes the TLB on every system call (page-table isolation without PCID)
 * is most of TLS's extra latency on JDK 17 (docs/benchmarks.md). Exit status: 0 on success, 1 if a case failed, 2 on bad
 * arguments.
 */
public final class CompareMain {

  private CompareMain() {}

  /**
   * Settings of one mode. In the full mode every case warms up past a node's first heartbeat
   * (5 s after connecting), for every contender alike. That first PING and PONG take branches
   * the JIT never saw: C2 deoptimizes about fifteen hot methods on both I/O threads and the
   * sender (decode, dispatch, encode, the write turn) and compiles them again. With a 3 s
   * warm-up that happened inside the measured window and cost Vecino's one-way cases about a
   * tenth of their rate, in some runs a quarter (found with {@code -XX:+LogCompilation}: the
   * {@code unstable_if} traps all fall at connect + 5 s). The idle path needs it as well: the
   * first heartbeat links code once (method handles, ~70 KB on each I/O thread) that would
   * otherwise be counted as bytes per message of the window.
   */
  record Mode(String name, int runs, Duration warmup, Duration jeromqWarmup, Duration idleWarmup,
      Duration measure, boolean jmh) {
    static Mode of(String name) {
      return switch (name) {
        case "smoke" -> new Mode("smoke", 1, Duration.ofMillis(300), Duration.ofMillis(600),
            Duration.ofMillis(300), Duration.ofMillis(500), true);
        case "full" -> new Mode("full", 3, Duration.ofSeconds(6), Duration.ofSeconds(6),
            Duration.ofSeconds(6), Duration.ofSeconds(4), true);
        default -> throw new IllegalArgumentException("--mode must be smoke or full: " + name);
      };
    }
  }

  /**
   * Options added to every case's JVM ({@code --jvm-opt}, repeatable), e.g.
   * {@code -XX:+UseTransparentHugePages}; the report names them. Set before any case runs.
   */
  static final List<String> JVM_OPTS = new ArrayList<>();

  /**
   * Entry point; see the class documentation.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    // Issue 17: every node of every contender (and the JVMs JMH forks) stays in the test scope.
    if (System.getProperty(NetworkScope.PROPERTY) == null) {
      System.setProperty(NetworkScope.PROPERTY, Loopback.SCOPE.toString());
    }
    String mode = "smoke";
    Path out = Paths.get("docs");
    int runs = -1;
    Pattern only = null;
    boolean jmh = true;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--mode" -> mode = args[++i];
          case "--out" -> out = Paths.get(args[++i]);
          case "--runs" -> runs = Integer.parseInt(args[++i]);
          case "--only" -> only = Pattern.compile(args[++i]);
          case "--no-jmh" -> jmh = false;
          case "--jvm-opt" -> JVM_OPTS.add(args[++i]);
          default -> throw new IllegalArgumentException("unknown option: " + args[i]);
        }
      }
      Mode m = Mode.of(mode);
      if (runs > 0) {
        m = new Mode(m.name, runs, m.warmup, m.jeromqWarmup, m.idleWarmup, m.measure, m.jmh);
      }
      if (!jmh) {
        m = new Mode(m.name, m.runs, m.warmup, m.jeromqWarmup, m.idleWarmup, m.measure, false);
      }
      System.exit(run(m, out, only));
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println("usage: CompareMain --mode smoke|full --out DIR [--runs N]"
          + " [--only REGEX] [--no-jmh] [--jvm-opt OPTION]...");
      System.exit(2);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * Runs every case and writes the report.
   *
   * @param mode the settings
   * @param out the report directory
   * @param only runs only case ids matching this, or null for all
   * @return 0 if every case ran and was sane, else 1
   * @throws Exception if the report cannot be written
   */
  static int run(Mode mode, Path out, Pattern only) throws Exception {
    Files.createDirectories(out);
    long started = System.nanoTime();
    String loadBefore = Report.loadAverage();
    CaseSet cases = CaseSet.of(mode);
    List<String> loads = new ArrayList<>();
    runAll(mode, filter(cases.beforeOpenLoop(), only), "", loads);

    // One rate for every contender: half the closed-loop maximum (1 / mean round trip) of
    // the slowest, so none is pushed past half its own capacity and all are compared alike.
    double slowestMean = cases.pingPong().stream().mapToDouble(c -> c.med("mean"))
        .filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
    double rate = Double.isNaN(slowestMean) ? 2_000 : 0.5 * 1e6 / slowestMean;
    cases.openLoop().forEach(c -> c.rate = rate);
    runAll(mode, filter(cases.openLoop(), only), "open loop ", loads);

    List<JmhSuite.Row> jmhRows = List.of();
    String jmhError = null;
    if (mode.jmh) {
      try {
        jmhRows = JmhSuite.run(only, mode.name.equals("smoke"));
      } catch (Exception e) {
        jmhError = e.toString();
        System.err.println("JMH suite failed: " + e);
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    loads.add(0, "whole run " + loadBefore + " → " + Report.loadAverage());
    Report report = new Report(mode, cases, jmhRows, jmhError, took, loads);
    report.write(out);
    List<String> problems = report.sanityProblems(only);
    problems.forEach(p -> System.out.println("PROBLEM " + p));
    System.out.printf(Locale.ROOT, "compare: %s mode, %d problems, %s, report in %s%n",
        mode.name, problems.size(), took, out.resolve(Report.FILE));
    return problems.isEmpty() ? 0 : 1;
  }

  private static List<CaseSpec> filter(List<CaseSpec> cases, Pattern only) {
    if (only == null) {
      return cases;
    }
    return cases.stream().filter(c -> only.matcher(c.id()).find()).toList();
  }

  /**
   * Runs each case once per run, the runs one after another (interleaved: run 1 of every case,
   * then run 2 of every case, ...), and records the 1-minute load average at the start and the
   * end of each run in {@code loads}.
   */
  private static void runAll(Mode mode, List<CaseSpec> cases, String what, List<String> loads) {
    if (cases.isEmpty()) {
      return;
    }
    for (int run = 1; run <= mode.runs; run++) {
      String loadAtStart = Report.loadAverage();
      for (CaseSpec c : cases) {
        if (c.skipped == null) {
          runOnce(c, run, mode.runs);
        }
      }
      loads.add(what + "run " + run + " " + loadAtStart + " → " + Report.loadAverage());
    }
  }

  private static void runOnce(CaseSpec c, int run, int runs) {
    System.out.printf(Locale.ROOT, "[%d/%d] %-40s ", run, runs, c.id());
    System.out.flush();
    try {
      Result r = fork(c);
      c.runs.add(r);
      System.out.println(r.toLine().substring(Result.PREFIX.length()));
    } catch (Exception e) {
      String msg = e.getMessage();
      if (msg != null && msg.contains("UnsupportedOperationException")) {
        String why = msg.substring(msg.indexOf("UnsupportedOperationException") + 30);
        // The reason only, without the exit status and the child's stack trace.
        int cut = why.indexOf(" (exit ");
        c.skipped = (cut >= 0 ? why.substring(0, cut) : why).trim();
        System.out.println("skipped: " + c.skipped);
      } else {
        c.errors.add(String.valueOf(msg));
        System.out.println("FAILED: " + msg);
      }
    }
  }

  /**
   * Runs one case in a fresh JVM on this JVM's class path.
   *
   * @param c the case
   * @return its result
   * @throws Exception if the child failed, printed no result, or ran past its time limit
   */
  static Result fork(CaseSpec c) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xms1g", "-Xmx1g"));
    cmd.addAll(JVM_OPTS);
    cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Djava.awt.headless=true",
        "-cp", System.getProperty("java.class.path"), CaseMain.class.getName(),
        c.contender, c.kind, Integer.toString(c.size),
        Long.toString(c.warmup.toMillis()), Long.toString(c.measure.toMillis())));
    if (c.rate > 0) {
      cmd.add(String.format(Locale.ROOT, "%.1f", c.rate));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
    File err = File.createTempFile("vecino-case", ".err");
    err.deleteOnExit();
    pb.redirectError(err);
    Process p = pb.start();
    Result result = null;
    String error = null;
    long limit = c.warmup.toMillis() + c.measure.toMillis() + 60_000;
    Thread killer = new Thread(() -> {
      try {
        if (!p.waitFor(limit, TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "case-timeout");
    killer.setDaemon(true);
    killer.start();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(Result.PREFIX)) {
          result = Result.parse(line);
        } else if (line.startsWith("ERROR ")) {
          error = line.substring(6);
        }
      }
    }
    boolean exited = p.waitFor(5, TimeUnit.SECONDS);
    killer.interrupt();
    if (result != null && exited && p.exitValue() == 0) {
      return result;
    }
    String tail = tail(err.toPath());
    throw new IOException((error != null ? error : "no result")
        + (exited ? " (exit " + p.exitValue() + ")" : " (killed after " + limit + " ms)")
        + (tail.isEmpty() ? "" : ": " + tail));
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }
}
