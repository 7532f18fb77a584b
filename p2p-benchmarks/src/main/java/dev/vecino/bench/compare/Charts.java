package dev.vecino.bench.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Draws the report's bar charts as PNG files ({@link BarChart}). */
final class Charts {

  static final String THROUGHPUT = "benchmarks-throughput.png";
  static final String LATENCY = "benchmarks-latency.png";
  static final String LATENCY_OPEN = "benchmarks-latency-open-loop.png";
  static final String SCANS = "benchmarks-scans.png";

  /** Percentile keys of a latency {@link Result}, with their labels. */
  private static final String[][] PERCENTILES = {{"p50", "p50"}, {"p99", "p99"},
      {"p999", "p99.9"}};

  private Charts() {}

  /**
   * Writes the charts the cases ran for: throughput, closed- and open-loop latency, scans.
   *
   * @param dir the report directory
   * @param cases the cases, with their results
   * @return the file names written, in report order
   * @throws IOException if a chart cannot be written
   */
  static List<String> write(Path dir, CaseSet cases) throws IOException {
    List<String> written = new ArrayList<>();
    List<String> sizes = List.of("64 B", "1 KiB");
    BarChart t = new BarChart("One-way throughput, messages received per second (median)",
        "payload", "million msgs/s", sizes);
    for (String c : CaseSet.ONE_WAY) {
      List<Double> ys = new ArrayList<>();
      for (int size : CaseSet.SIZES) {
        ys.add(med(CaseSpec.find(cases.throughput(), "oneway", size, c), "msgsPerSec") / 1e6);
      }
      t.series(shortLabel(c), ys);
    }
    t.write(dir.resolve(THROUGHPUT));
    written.add(THROUGHPUT);
    if (latency(dir.resolve(LATENCY), "64 B round trip, closed loop", cases.pingPong())) {
      written.add(LATENCY);
    }
    if (latency(dir.resolve(LATENCY_OPEN), "64 B round trip, open loop (fixed rate, corrected"
        + " for coordinated omission)", cases.openLoop())) {
      written.add(LATENCY_OPEN);
    }
    if (scans(dir.resolve(SCANS), cases.scans())) {
      written.add(SCANS);
    }
    return written;
  }

  /** p50, p99 and p99.9 of each contender that ran, on a logarithmic axis (they span decades). */
  private static boolean latency(Path png, String title, List<CaseSpec> cases)
      throws IOException {
    List<CaseSpec> ran = cases.stream().filter(c -> !c.runs.isEmpty()).toList();
    if (ran.isEmpty()) {
      return false;
    }
    List<String> xs = ran.stream().map(c -> shortLabel(c.contender)).toList();
    BarChart chart = new BarChart(title + ": p50, p99, p99.9 (µs, median of runs)",
        "contender", "µs (log scale)", xs).logarithmic();
    for (String[] p : PERCENTILES) {
      chart.series(p[1], ran.stream().map(c -> med(c, p[0])).toList());
    }
    chart.write(png);
    return true;
  }

  /** Addresses probed per second, per scan case and contender (log: 5/s to 20,000/s). */
  private static boolean scans(Path png, List<CaseSpec> scans) throws IOException {
    List<String> kinds = List.of(ScanPlan.KINDS);
    BarChart chart = new BarChart("Scans: addresses probed per second (median)", "case",
        "addresses/s (log scale)", kinds).logarithmic();
    int drawn = 0;
    for (String contender : ScanPlan.CONTENDERS) {
      List<Double> ys = new ArrayList<>();
      for (String kind : kinds) {
        ys.add(med(CaseSpec.find(scans, kind, 0, contender), "addressesPerSec"));
      }
      if (ys.stream().allMatch(v -> Double.isFinite(v) && v > 0)) {
        chart.series(contender, ys);
        drawn++;
      }
    }
    if (drawn == 0) {
      return false;
    }
    chart.write(png);
    return true;
  }

  private static double med(CaseSpec c, String key) {
    return c == null || c.runs.isEmpty() ? Double.NaN : c.med(key);
  }

  private static String shortLabel(String c) {
    return switch (c) {
      case "nio-ceiling-2t" -> "NIO ceiling (2 threads)";
      case "nio-ceiling-1t" -> "NIO, 1 thread";
      case "vecino-executor" -> "Vecino (executor)";
      case "vecino-direct" -> "Vecino (direct)";
      case "vecino-public-api" -> "Vecino (public API)";
      case "vecino-trysend-payload" -> "Vecino (trySend, onPayload)";
      case "vecino-trysendmore-payload" -> "Vecino (trySendMore)";
      case "vecino-poll" -> "Vecino (busyPoll)";
      case "blocking-socket" -> "blocking socket";
      case "netty" -> "Netty";
      case "jeromq" -> "JeroMQ";
      default -> c;
    };
  }
}
