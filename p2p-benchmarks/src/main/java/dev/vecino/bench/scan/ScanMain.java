package dev.vecino.bench.scan;

import dev.vecino.bench.compare.BarChart;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Scan throughput in one command: how many addresses per second {@code node.scan} probes on
 * the ranges you name.
 *
 * <pre>
 * java -cp p2p-benchmarks/target/benchmarks.jar dev.vecino.bench.scan.ScanMain \
 *     127.77.0.0/24 127.77.16.0/20 --port 47000 [--silent 100] [--timeout 500ms] [--runs 3]
 * </pre>
 *
 * <p>Each range is one case: {@code --warmups} untimed scans (default 1), then {@code --runs}
 * timed ones (default 3), medians reported. In a loopback range the benchmark first starts
 * {@code --peers} Vecino nodes (default 1) on its first addresses, listening on the port, and
 * makes {@code --silent} of its last addresses silent (default 0; their connects hang until
 * the timeout, as a powered-off host's would), then checks that every run found every peer.
 * It prints a table and writes {@code scan-throughput.png} and {@code scan-results.csv} to
 * {@code --out} (default {@code scan-bench}).
 *
 * <p>Only 127.0.0.0/8 and ::1 are scanned: anything else is refused, unless the user owns the
 * network and says so with {@code --i-own-this-network}; host names are not even looked up
 * without it. Exit status: 0 when every scan ran and found its peers, 1 otherwise, 2 on a bad
 * or refused command line.
 */
public final class ScanMain {

  /** The chart's file name in the output directory. */
  public static final String CHART = "scan-throughput.png";
  /** The CSV's file name in the output directory. */
  public static final String CSV = "scan-results.csv";

  private ScanMain() {}

  /**
   * Entry point; see the class documentation.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    // The table says what each scan did; the nodes' INFO lines would only repeat it.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(run(System.out, System.err, args));
  }

  /**
   * Runs the benchmark.
   *
   * @param out where the table and progress go
   * @param err where errors go
   * @param args the command line
   * @return the exit status: 0 success, 1 a scan failed or missed a peer, 2 bad arguments
   */
  public static int run(PrintStream out, PrintStream err, String... args) {
    ScanArgs a;
    try {
      a = ScanArgs.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(ScanArgs.USAGE);
      return 2;
    }
    List<ScanCase.Outcome> outcomes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String spec : a.targets()) {
      try {
        ScanCase.Outcome o = ScanCase.run(spec, a, out);
        outcomes.add(o);
        problems.addAll(o.problems());
      } catch (Exception e) {
        problems.add(spec + ": " + e);
      }
    }
    out.println();
    out.print(table(a, outcomes));
    try {
      Files.createDirectories(a.out());
      Files.writeString(a.out().resolve(CSV), csv(outcomes), StandardCharsets.UTF_8);
      if (!outcomes.isEmpty()) {
        chart(outcomes).write(a.out().resolve(CHART));
        out.println("chart: " + a.out().resolve(CHART));
      }
      out.println("csv: " + a.out().resolve(CSV));
    } catch (Exception | LinkageError e) {
      problems.add("cannot write to " + a.out() + ": " + e);
    }
    problems.forEach(p -> err.println("PROBLEM " + p));
    return problems.isEmpty() ? 0 : 1;
  }

  /** The table: one row per range, medians of the timed runs. */
  static String table(ScanArgs a, List<ScanCase.Outcome> outcomes) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "Scan throughput on port %d: timeout %d ms, window %d,"
        + " %d warm-up + %d timed scans per range, medians (CPU: the whole process)%n%n",
        a.port(), a.timeout().toMillis(), a.window(), a.warmups(), a.runs()));
    s.append("| targets | addresses | peers | silent | found | wall ms | addresses/s"
        + " | min–max addresses/s | CPU µs/address |\n");
    s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ScanCase.Outcome o : outcomes) {
      double[] rate = o.runs().stream().mapToDouble(ScanCase.Run::addressesPerSecond).toArray();
      s.append(String.format(Locale.ROOT, "| %s | %,d | %d | %d | %d | %,.1f | %,.0f | %,.0f–%,.0f"
          + " | %.1f |%n", o.spec(), o.addresses(), o.peers(), o.silent(),
          o.runs().get(o.runs().size() - 1).report().peers().size(),
          median(o.runs().stream().mapToDouble(r -> r.wallNanos() / 1e6).toArray()),
          median(rate), Arrays.stream(rate).min().orElse(Double.NaN),
          Arrays.stream(rate).max().orElse(Double.NaN),
          median(o.runs().stream().mapToDouble(ScanCase.Run::cpuMicrosPerAddress).toArray())));
    }
    return s.toString();
  }

  private static String csv(List<ScanCase.Outcome> outcomes) {
    StringBuilder s = new StringBuilder("targets,addresses,peers,silent,run,probed,found,closed,"
        + "timedOut,wallMs,addressesPerSec,cpuMicrosPerAddress\n");
    for (ScanCase.Outcome o : outcomes) {
      for (int i = 0; i < o.runs().size(); i++) {
        ScanCase.Run r = o.runs().get(i);
        s.append(String.format(Locale.ROOT, "\"%s\",%d,%d,%d,%d,%d,%d,%d,%d,%.3f,%.1f,%.3f%n",
            o.spec(), o.addresses(), o.peers(), o.silent(), i + 1, r.report().probed(),
            r.report().peers().size(), r.report().closed(), r.report().silent(),
            r.wallNanos() / 1e6, r.addressesPerSecond(), r.cpuMicrosPerAddress()));
      }
    }
    return s.toString();
  }

  private static BarChart chart(List<ScanCase.Outcome> outcomes) {
    List<String> specs = outcomes.stream().map(o -> o.spec() + (o.silent() > 0
        ? " (" + o.silent() + " silent)" : "")).toList();
    BarChart chart = new BarChart("Scan throughput: addresses probed per second", "targets",
        "addresses/s", specs);
    List<Double> min = new ArrayList<>();
    List<Double> med = new ArrayList<>();
    List<Double> max = new ArrayList<>();
    for (ScanCase.Outcome o : outcomes) {
      double[] rate = o.runs().stream().mapToDouble(ScanCase.Run::addressesPerSecond).toArray();
      min.add(Arrays.stream(rate).min().orElse(Double.NaN));
      med.add(median(rate));
      max.add(Arrays.stream(rate).max().orElse(Double.NaN));
    }
    return chart.series("slowest run", min).series("median", med).series("fastest run", max);
  }

  private static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
