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
 * Writes {@code benchmarks.md} (tables, ratios, targets), {@code benchmarks-results.csv} and
 * the charts. Text outside the generated block of an existing {@code benchmarks.md} (written by
 * people: analysis, notes) is kept.
 */
final class Report {

  /** The report's file name. */
  static final String FILE = "benchmarks.md";
  static final String BEGIN = "<!-- BEGIN GENERATED: CompareMain rewrites this block -->";
  static final String END = "<!-- END GENERATED -->";

  private final CompareMain.Mode mode;
  private final List<CaseSpec> throughput;
  private final List<CaseSpec> pingPong;
  private final List<CaseSpec> openLoop;
  private final List<CaseSpec> scans;
  private final List<JmhSuite.Row> jmh;
  private final String jmhError;
  private final Duration took;
  private final String load;

  Report(CompareMain.Mode mode, List<CaseSpec> throughput, List<CaseSpec> pingPong,
      List<CaseSpec> openLoop, List<CaseSpec> scans, List<JmhSuite.Row> jmh, String jmhError,
      Duration took, String load) {
    this.load = load;
    this.mode = mode;
    this.throughput = throughput;
    this.pingPong = pingPong;
    this.openLoop = openLoop;
    this.scans = scans;
    this.jmh = jmh;
    this.jmhError = jmhError;
    this.took = took;
  }

  void write(Path dir) throws IOException {
    String chartNote;
    try {
      Charts.write(dir, throughput, pingPong, openLoop);
      chartNote = "![one-way throughput](" + Charts.THROUGHPUT + ")\n\n![latency]("
          + Charts.LATENCY + ")\n";
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
  }

  private String generated(String charts) {
    StringBuilder s = new StringBuilder(BEGIN).append("\n\n");
    s.append("## Results (").append(mode.name()).append(" mode)\n\n");
    s.append(machine()).append("\n");
    s.append("Each case ran in a fresh JVM (`-Xms1g -Xmx1g`, default GC), ")
        .append(mode.runs()).append(mode.runs() == 1 ? " run" : " runs, interleaved; medians")
        .append(". Warm-up ").append(secs(mode.warmup())).append(" (JeroMQ ")
        .append(secs(mode.jeromqWarmup())).append("), measured ").append(secs(mode.measure()))
        .append(". Whole run: ").append(took.toMinutes()).append(" min ")
        .append(took.toSecondsPart()).append(" s. Load average (1 min): ").append(load)
        .append(" (more than 2 means other work shared the 2 cores during the run).\n\n");
    s.append(charts).append("\n");
    throughputTables(s);
    latencyTables(s);
    TargetTable.write(s, throughput, pingPong, scans);
    jmhTables(s);
    scanSection(s);
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

  private void throughputTables(StringBuilder s) {
    s.append("### One-way throughput (messages received and parsed per second)\n\n");
    s.append("CPU ns/msg: CPU time (user + system, both ends: they share one JVM) per message"
        + " received. Unlike msgs/s it hardly moves when other work shares the machine, so it is"
        + " the steadier measure of cost.\n\n");
    s.append("| contender | 64 B | × ceiling | CPU ns/msg | 1 KiB | × ceiling | CPU ns/msg |"
        + " notes |\n");
    s.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (String c : CompareMain.ONE_WAY) {
      CaseSpec a = find(throughput, "oneway", 64, c);
      CaseSpec b = find(throughput, "oneway", 1024, c);
      s.append("| ").append(label(c)).append(" | ").append(rate(a)).append(" | ")
          .append(ratio(a, find(throughput, "oneway", 64, "nio-ceiling"), "msgsPerSec"))
          .append(" | ").append(a == null ? "–" : num(a.med("cpuNsPerMsg")))
          .append(" | ").append(rate(b)).append(" | ")
          .append(ratio(b, find(throughput, "oneway", 1024, "nio-ceiling"), "msgsPerSec"))
          .append(" | ").append(b == null ? "–" : num(b.med("cpuNsPerMsg")))
          .append(" | ").append(notes(a, b)).append(" |\n");
    }
    s.append("\nVecino against each peer (same run, median / median):\n\n");
    s.append("| Vecino mode | size | ÷ blocking socket | ÷ Netty | ÷ JeroMQ |\n");
    s.append("|---|---|---:|---:|---:|\n");
    for (String v : new String[] {"vecino-executor", "vecino-direct", "vecino-payload",
        "vecino-more"}) {
      for (int size : CompareMain.SIZES) {
        CaseSpec me = find(throughput, "oneway", size, v);
        s.append("| ").append(label(v)).append(" | ").append(sizeLabel(size)).append(" | ")
            .append(ratio(me, find(throughput, "oneway", size, "blocking-socket"), "msgsPerSec"))
            .append(" | ").append(ratio(me, find(throughput, "oneway", size, "netty"), "msgsPerSec"))
            .append(" | ").append(ratio(me, find(throughput, "oneway", size, "jeromq"), "msgsPerSec"))
            .append(" |\n");
      }
    }
    CaseSpec alloc = find(throughput, "oneway", 64, "vecino-executor");
    if (alloc != null && !alloc.runs.isEmpty()) {
      s.append(String.format(Locale.ROOT, "%nVecino 64 B steady state, bytes allocated per message"
              + " (per-thread counters): send path (sending thread + sender's node threads) %.2f B,"
              + " receive path (receiver's I/O and callback threads) %.2f B; queue-full retries"
              + " per message %.3f.%n%n", alloc.med("sendBytesPerMsg"),
          alloc.med("receiveBytesPerMsg"), alloc.med("queueFullPerMsg")));
    }
    s.append('\n');
  }

  private void latencyTables(StringBuilder s) {
    s.append("### Ping-pong, 64 B, closed loop (round trip, µs)\n\n");
    latencyTable(s, pingPong, false);
    double r = openLoop.isEmpty() ? Double.NaN : openLoop.get(0).rate;
    s.append(String.format(Locale.ROOT, "%n### Open loop, 64 B at a fixed %,.0f msgs/s"
        + " (µs, from each message's intended send time: coordinated omission corrected)%n%n"
        + "One rate for every contender: half the closed-loop maximum (1 / mean round trip)"
        + " of the slowest contender in the ping-pong table, so none runs past half its own"
        + " capacity.%n%n", r));
    latencyTable(s, openLoop, true);
    s.append('\n');
  }

  private void latencyTable(StringBuilder s, List<CaseSpec> cases, boolean open) {
    CaseSpec ref = cases.isEmpty() ? null : cases.get(0);
    s.append("| contender | p50 | p99 | p99.9 | max | p50 × blocking | p99.9 × blocking |"
        + " samples | notes |\n");
    s.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (CaseSpec c : cases) {
      s.append("| ").append(label(c.contender)).append(" | ").append(num(c.med("p50")))
          .append(" | ").append(num(c.med("p99"))).append(" | ").append(num(c.med("p999")))
          .append(" | ").append(num(c.med("max"))).append(" | ")
          .append(ratio(c, ref, "p50")).append(" | ").append(ratio(c, ref, "p999"))
          .append(" | ").append(num(c.med("count"))).append(" | ").append(notes(c, null))
          .append(" |\n");
    }
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
      r.aux().forEach((k, v) -> aux.append(k).append('=').append(num(v)).append(' '));
      s.append("| ").append(r.benchmark()).append(" | ").append(r.params()).append(" | ")
          .append(num(r.score())).append(" | ").append(num(r.error())).append(" | ")
          .append(r.unit()).append(" | ").append(num(r.allocPerOp())).append(" | ")
          .append(num(r.p50())).append(" | ").append(num(r.p99())).append(" | ")
          .append(num(r.p999())).append(" | ").append(aux.toString().trim()).append(" |\n");
    }
    s.append('\n');
  }

  private void scanSection(StringBuilder s) {
    s.append("### Scans\n\n");
    if (scans.isEmpty()) {
      s.append("Not run in this mode (smoke mode leaves the scan cases out; the scan"
          + " integration tests in `p2p-testkit` cover the API).\n\n");
      return;
    }
    s.append("| case | contender | wall time (ms) | addresses/s | CPU µs/address | notes |\n");
    s.append("|---|---|---:|---:|---:|---|\n");
    for (CaseSpec c : scans) {
      s.append("| ").append(c.kind).append(" | ").append(label(c.contender)).append(" | ")
          .append(num(c.med("wallMs"))).append(" | ").append(num(c.med("addressesPerSec")))
          .append(" | ").append(num(c.med("cpuMicrosPerAddress"))).append(" | ")
          .append(notes(c, null)).append(" |\n");
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
    List<CaseSpec> all = new ArrayList<>(throughput);
    all.addAll(pingPong);
    all.addAll(openLoop);
    all.addAll(scans);
    for (CaseSpec c : all) {
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
      if (c.kind.equals("oneway")) {
        double r = c.med("msgsPerSec");
        if (!(r > 1_000 && r < 1e10)) {
          p.add(c.id() + " msgsPerSec not sane: " + r);
        }
      } else if (c.kind.endsWith("loop") || c.kind.equals("pingpong")) {
        double p50 = c.med("p50");
        double p999 = c.med("p999");
        if (!(p50 > 0 && p999 >= p50 && p999 < 10_000_000 && c.med("count") > 10)) {
          p.add(c.id() + " latency not sane: p50=" + p50 + " p99.9=" + p999);
        }
      } else if (c.kind.startsWith("scan")) {
        if (!(c.med("wallMs") > 0)) {
          p.add(c.id() + " wall time not sane: " + c.med("wallMs"));
        }
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

  private String csv() {
    StringBuilder s = new StringBuilder("case,run,key,value\n");
    List<CaseSpec> all = new ArrayList<>(throughput);
    all.addAll(pingPong);
    all.addAll(openLoop);
    all.addAll(scans);
    for (CaseSpec c : all) {
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

  static CaseSpec find(List<CaseSpec> list, String kind, int size, String contender) {
    for (CaseSpec c : list) {
      if (c.kind.equals(kind) && c.size == size && c.contender.equals(contender)) {
        return c;
      }
    }
    return null;
  }

  static double med(List<CaseSpec> list, String kind, int size, String contender,
      String key) {
    CaseSpec c = find(list, kind, size, contender);
    return c == null ? Double.NaN : c.med(key);
  }

  static String label(String contender) {
    return switch (contender) {
      case "nio-ceiling" -> "NIO loop, 1 thread, 1 MiB writes (ceiling)";
      case "vecino-executor" -> "Vecino `trySend`, default callback executor";
      case "vecino-direct" -> "Vecino `trySend`, direct callbacks";
      case "vecino-payload" -> "Vecino `trySend`, direct, zero-copy `onPayload` receiver";
      case "vecino-more" -> "Vecino `trySendMore` (corked stream), direct, `onPayload` receiver";
      case "vecino-poll" -> "Vecino direct, listener-driven, `busyPoll` 50 µs";
      case "blocking-socket" -> "blocking socket (64 KiB buffered stream)";
      case "netty" -> "Netty 4.1 NIO";
      case "jeromq" -> "JeroMQ";
      case "sequential" -> "sequential, 0.5 s timeout (original program)";
      case "nmap" -> "nmap -sT";
      default -> contender;
    };
  }

  private static String rate(CaseSpec c) {
    if (c == null) {
      return "–";
    }
    if (c.skipped != null) {
      return "skipped";
    }
    double v = c.med("msgsPerSec");
    if (Double.isNaN(v)) {
      return c.errors.isEmpty() ? "–" : "failed";
    }
    return v >= 1e6 ? String.format(Locale.ROOT, "%.2f M", v / 1e6)
        : String.format(Locale.ROOT, "%.0f k", v / 1e3);
  }

  private static String ratio(CaseSpec a, CaseSpec b, String key) {
    if (a == null || b == null) {
      return "–";
    }
    double r = a.med(key) / b.med(key);
    return Double.isNaN(r) || Double.isInfinite(r) ? "–" : String.format(Locale.ROOT, "%.2f", r);
  }

  private static String notes(CaseSpec a, CaseSpec b) {
    List<String> n = new ArrayList<>();
    for (CaseSpec c : new CaseSpec[] {a, b}) {
      if (c == null) {
        continue;
      }
      if (!c.note().isEmpty() && !n.contains(c.note())) {
        n.add(c.note());
      }
      if (c.skipped != null && !n.contains(c.skipped)) {
        n.add(c.skipped);
      }
      if (!c.errors.isEmpty()) {
        n.add("failed: " + c.errors.get(0).replace('|', '/'));
      }
    }
    return String.join("; ", n);
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    double a = Math.abs(v);
    if (a >= 1e6) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String sizeLabel(int size) {
    return size >= 1024 ? (size / 1024) + " KiB" : size + " B";
  }

  private static String secs(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
