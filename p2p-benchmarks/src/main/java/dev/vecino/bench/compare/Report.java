package dev.vecino.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Writes {@code benchmarks.md} (targets, tables, ratios), {@code benchmarks-results.csv}
 * (every value of every run), {@code benchmarks-targets.csv} ({@link RatioTargets}) and the
 * charts; the tables themselves are {@link Tables}'. Text outside the generated block of an
 * existing {@code benchmarks.md} (written by people: analysis, notes) is kept.
 */
final class Report {

  /** The report's file name. */
  static final String FILE = "benchmarks.md";
  static final String BEGIN = "<!-- BEGIN GENERATED: CompareMain rewrites this block -->";
  static final String END = "<!-- END GENERATED -->";

  private final CompareMain.Mode mode;
  private final CaseSet cases;
  private final List<JmhSuite.Row> jmh;
  private final String jmhError;
  private final Duration took;
  private final List<String> loads;

  /**
   * @param mode the run's settings
   * @param cases the cases, with their results
   * @param jmh the JMH suite's rows, empty if not run
   * @param jmhError why the JMH suite failed, or null
   * @param took the whole run's wall time
   * @param loads the 1-minute load average at the start and end of the whole run and of each
   *     run of the cases
   */
  Report(CompareMain.Mode mode, CaseSet cases, List<JmhSuite.Row> jmh, String jmhError,
      Duration took, List<String> loads) {
    this.mode = mode;
    this.cases = cases;
    this.jmh = jmh;
    this.jmhError = jmhError;
    this.took = took;
    this.loads = loads;
  }

  void write(Path dir) throws IOException {
    String chartNote;
    try {
      StringBuilder charts = new StringBuilder();
      for (String png : Charts.write(dir, cases)) {
        charts.append("![").append(png.replace("benchmarks-", "").replace(".png", ""))
            .append("](").append(png).append(")\n\n");
      }
      chartNote = charts.toString().stripTrailing() + "\n";
    } catch (Exception | LinkageError e) {
      chartNote = "_Charts could not be drawn: " + e + "_\n";
    }
    String body = generated(chartNote);
    Path md = dir.resolve(FILE);
    String text;
    if (Files.exists(md)) {
      String old = Files.readString(md, StandardCharsets.UTF_8);
      int b = old.indexOf(BEGIN);
      int e = old.indexOf(END);
      text = b >= 0 && e > b
          ? old.substring(0, b) + body + old.substring(e + END.length())
          : old + "\n" + body + "\n";
    } else {
      text = "# Benchmarks\n\n" + body + "\n";
    }
    Files.writeString(md, text, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("benchmarks-results.csv"), csv(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(RatioTargets.CSV),
        RatioTargets.csv(mode, RatioTargets.evaluate(cases)), StandardCharsets.UTF_8);
  }

  private String generated(String charts) {
    StringBuilder s = new StringBuilder(BEGIN).append("\n\n");
    s.append("## Results (").append(mode.name()).append(" mode)\n\n");
    s.append(machine()).append("\n");
    s.append("Each case ran in a fresh JVM (`-Xms1g -Xmx1g")
        .append(CompareMain.JVM_OPTS.isEmpty() ? "" : " " + String.join(" ", CompareMain.JVM_OPTS))
        .append("`, default GC), ")
        .append(mode.runs()).append(mode.runs() == 1 ? " run" : " runs, interleaved; medians")
        .append(". Warm-up ").append(Cells.secs(mode.warmup())).append(" (JeroMQ ")
        .append(Cells.secs(mode.jeromqWarmup())).append("; idle path ")
        .append(Cells.secs(mode.idleWarmup())).append("; over 5 s is past a node's first heartbeat,"
            + " whose deoptimizations then fall outside the window), measured ")
        .append(Cells.secs(mode.measure())).append(". Whole run: ").append(took.toMinutes())
        .append(" min ").append(took.toSecondsPart()).append(" s. Load average (1 min, start →"
            + " end; more than 2 means other work shared the 2 cores): ")
        .append(String.join("; ", loads)).append(".\n\n");
    s.append(charts).append("\n");
    RatioTargets.write(s, mode, RatioTargets.evaluate(cases));
    Tables.throughput(s, cases.throughput());
    Tables.allocation(s, cases.throughput(), cases.idle());
    Tables.latency(s, cases);
    TargetTable.write(s, cases.throughput(), cases.pingPong(), cases.scans());
    jmhTables(s);
    Tables.scans(s, cases.scans());
    TlsTable.write(s, cases.tls());
    s.append(END);
    return s.toString();
  }

  /**
   * Returns the 1-minute load average, or "unknown" off Linux.
   *
   * @return the load average as text
   */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String machine() {
    String cpu = "unknown CPU";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse(cpu);
    } catch (IOException | RuntimeException e) {
      // Not Linux: the CPU stays unnamed.
    }
    return String.format(Locale.ROOT, "Machine: %d vCPU (%s), %s %s; JDK: %s %s; date: %s.%n",
        Runtime.getRuntime().availableProcessors(), cpu, System.getProperty("os.name"),
        System.getProperty("os.version"), System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE));
  }

  private void jmhTables(StringBuilder s) {
    s.append("### JMH suite\n\n");
    if (jmhError != null) {
      s.append("JMH failed: `").append(jmhError).append("`\n\n");
    }
    if (jmh.isEmpty()) {
      s.append("Not run in this mode.\n\n");
      return;
    }
    s.append(mode.name().equals("smoke")
        ? "Smoke settings (no fork, 1 × 100 ms warm-up, 1 × 200 ms measurement): numbers are only a check"
            + " that each benchmark runs.\n\n"
        : "Settings from the annotations (1 fork; see each class). `B/op` is"
            + " `gc.alloc.rate.norm` for the whole JVM (both nodes).\n\n");
    s.append("| benchmark | params | score | ± | unit | B/op | p50 | p99 | p99.9 | aux |\n");
    s.append("|---|---|---:|---:|---|---:|---:|---:|---:|---|\n");
    for (JmhSuite.Row r : jmh) {
      StringBuilder aux = new StringBuilder();
      r.aux().forEach((k, v) -> aux.append(k).append('=').append(Cells.num(v)).append(' '));
      s.append("| ").append(r.benchmark()).append(" | ").append(r.params()).append(" | ")
          .append(Cells.num(r.score())).append(" | ").append(Cells.num(r.error())).append(" | ")
          .append(r.unit()).append(" | ").append(Cells.num(r.allocPerOp())).append(" | ")
          .append(Cells.num(r.p50())).append(" | ").append(Cells.num(r.p99())).append(" | ")
          .append(Cells.num(r.p999())).append(" | ").append(aux.toString().trim()).append(" |\n");
    }
    s.append('\n');
  }

  /**
   * Lists cases that failed or reported numbers that are not sane (zero, negative, NaN).
   *
   * @param only the case filter in effect, or null
   * @return one line per problem
   */
  List<String> sanityProblems(Pattern only) {
    List<String> p = new ArrayList<>();
    for (CaseSpec c : cases.all()) {
      if (only != null && !only.matcher(c.id()).find()) {
        continue;
      }
      if (c.skipped != null) {
        continue;
      }
      if (!c.errors.isEmpty()) {
        p.add(c.id() + " failed: " + c.errors.get(0));
        continue;
      }
      if (c.runs.isEmpty()) {
        p.add(c.id() + " produced no result");
        continue;
      }
      String problem = insane(c);
      if (problem != null) {
        p.add(c.id() + " " + problem);
      }
    }
    if (jmhError != null) {
      p.add("JMH suite failed: " + jmhError);
    }
    for (JmhSuite.Row r : jmh) {
      if (!(r.score() > 0)) {
        p.add("JMH " + r.benchmark() + " [" + r.params() + "] score not sane: " + r.score());
      }
    }
    return p;
  }

  /** Returns what is not sane in a case's medians, or null. Never judges a ratio target. */
  private static String insane(CaseSpec c) {
    switch (c.kind) {
      case "oneway", "idle" -> {
        double r = c.med("msgsPerSec");
        if (!(r > (c.kind.equals("idle") ? 100 : 1_000) && r < 1e10)) {
          return "msgsPerSec not sane: " + r;
        }
        double b = c.med("sendThreadBytesPerMsg");
        if (b < 0 || b > 1e6) {
          return "sendThreadBytesPerMsg not sane: " + b;
        }
      }
      case "pingpong", "echo", "openloop" -> {
        double p50 = c.med("p50");
        double p999 = c.med("p999");
        if (!(p50 > 0 && p999 >= p50 && p999 < 10_000_000 && c.med("count") > 10)) {
          return "latency not sane: p50=" + p50 + " p99.9=" + p999;
        }
      }
      default -> {
        if (c.kind.startsWith("scan") && !(c.med("wallMs") > 0)) {
          return "wall time not sane: " + c.med("wallMs");
        }
      }
    }
    return null;
  }

  private String csv() {
    StringBuilder s = new StringBuilder("case,run,key,value\n");
    for (CaseSpec c : cases.all()) {
      for (int i = 0; i < c.runs.size(); i++) {
        int run = i + 1;
        c.runs.get(i).values().forEach((k, v) ->
            s.append(c.id()).append(',').append(run).append(',').append(k).append(',')
                .append(v).append('\n'));
      }
    }
    for (JmhSuite.Row r : jmh) {
      s.append("jmh/").append(r.benchmark()).append('[').append(r.params().replace(", ", ";"))
          .append("],1,score,").append(r.score()).append('\n');
    }
    return s.toString();
  }
}
