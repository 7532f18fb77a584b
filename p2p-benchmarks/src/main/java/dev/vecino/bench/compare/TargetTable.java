package dev.vecino.bench.compare;

import java.util.List;
import java.util.Locale;

/**
 * The report's table of earlier targets (set before issue 15, see {@link RatioTargets} for
 * its own): each bar, the ratio measured in this run, and whether it was met. The "1/3 of the
 * NIO loop" bars were set against the one-thread loop ({@code nio-ceiling-1t}) and still are.
 */
final class TargetTable {

  private TargetTable() {}

  /**
   * Appends the table.
   *
   * @param s the report text
   * @param throughput the one-way cases
   * @param pingPong the closed-loop latency cases
   * @param scans the scan cases
   */
  static void write(StringBuilder s, List<CaseSpec> throughput, List<CaseSpec> pingPong,
      List<CaseSpec> scans) {
    s.append("### Earlier targets (ratios within this run)\n\n");
    s.append("| target | measured | met? |\n|---|---:|---|\n");
    double ceil64 = CaseSpec.med(throughput, "oneway", 64, "nio-ceiling-1t", "msgsPerSec");
    double v64 = CaseSpec.med(throughput, "oneway", 64, "vecino-executor", "msgsPerSec");
    double v64d = CaseSpec.med(throughput, "oneway", 64, "vecino-direct", "msgsPerSec");
    double v1k = CaseSpec.med(throughput, "oneway", 1024, "vecino-executor", "msgsPerSec");
    target(s, "64 B one-way ≥ 1/3 of the one-thread NIO loop (stretch 1/2)", v64 / ceil64,
        1.0 / 3, true);
    target(s, "64 B one-way ≥ 5 × JeroMQ",
        v64 / CaseSpec.med(throughput, "oneway", 64, "jeromq", "msgsPerSec"), 5, true);
    target(s, "64 B one-way ≥ 8 × Netty (batched flushes)",
        v64 / CaseSpec.med(throughput, "oneway", 64, "netty", "msgsPerSec"), 8, true);
    target(s, "1 KiB one-way ≥ 3 × JeroMQ",
        v1k / CaseSpec.med(throughput, "oneway", 1024, "jeromq", "msgsPerSec"), 3, true);
    target(s, "(direct callbacks) 64 B one-way ≥ 1/3 of the one-thread NIO loop", v64d / ceil64,
        1.0 / 3, true);
    double v64p = CaseSpec.med(throughput, "oneway", 64, "vecino-trysend-payload", "msgsPerSec");
    target(s, "(direct, `onPayload`) 64 B one-way ≥ 20 M msgs/s", v64p / 1e6, 20, true,
        "%.1f M/s");
    double v64m = CaseSpec.med(throughput, "oneway", 64, "vecino-trysendmore-payload",
        "msgsPerSec");
    target(s, "(`trySendMore`, direct, `onPayload`) 64 B one-way ≥ 20 M msgs/s", v64m / 1e6, 20,
        true, "%.1f M/s");
    target(s, "(direct, `onPayload`) 64 B one-way ≥ 1/3 of the one-thread NIO loop",
        v64p / ceil64, 1.0 / 3, true);
    double cpuV = CaseSpec.med(throughput, "oneway", 64, "vecino-executor", "cpuNsPerMsg");
    target(s, "(CPU-cost proxy, 64 B) one-thread NIO loop CPU/msg ÷ Vecino CPU/msg ≥ 1/3",
        CaseSpec.med(throughput, "oneway", 64, "nio-ceiling-1t", "cpuNsPerMsg") / cpuV, 1.0 / 3,
        true);
    target(s, "(CPU-cost proxy, 64 B) JeroMQ CPU/msg ÷ Vecino CPU/msg ≥ 5",
        CaseSpec.med(throughput, "oneway", 64, "jeromq", "cpuNsPerMsg") / cpuV, 5, true);
    target(s, "(CPU-cost proxy, 64 B) Netty CPU/msg ÷ Vecino CPU/msg ≥ 8",
        CaseSpec.med(throughput, "oneway", 64, "netty", "cpuNsPerMsg") / cpuV, 8, true);
    target(s, "(CPU-cost proxy, 1 KiB) JeroMQ CPU/msg ÷ Vecino CPU/msg ≥ 3",
        CaseSpec.med(throughput, "oneway", 1024, "jeromq", "cpuNsPerMsg")
            / CaseSpec.med(throughput, "oneway", 1024, "vecino-executor", "cpuNsPerMsg"), 3, true);
    double raw50 = CaseSpec.med(pingPong, "pingpong", 64, "blocking-socket", "p50");
    double raw999 = CaseSpec.med(pingPong, "pingpong", 64, "blocking-socket", "p999");
    target(s, "ping-pong p50, direct + `busyPoll`, listener-driven ≤ 1.15 × blocking socket",
        CaseSpec.med(pingPong, "pingpong", 64, "vecino-poll", "p50") / raw50, 1.15, false);
    target(s, "ping-pong p50, default executor ≤ 3 × blocking socket",
        CaseSpec.med(pingPong, "pingpong", 64, "vecino-executor", "p50") / raw50, 3, false);
    target(s, "ping-pong p99.9, direct ≤ 2 × blocking socket",
        CaseSpec.med(pingPong, "pingpong", 64, "vecino-direct", "p999") / raw999, 2, false);
    double scan24 = CaseSpec.med(scans, "scan24", 0, "vecino", "wallMs");
    target(s, "loopback /24 scan ≤ 50 ms", scan24, 50, false, "%.1f ms");
    CaseSpec nmap = CaseSpec.find(scans, "scan24", 0, "nmap");
    if (nmap != null && nmap.skipped != null) {
      s.append("| loopback /24 scan faster than `nmap -sT` | nmap skipped: ")
          .append(nmap.skipped.replace('|', '/')).append(" | not run |\n");
    } else {
      target(s, "loopback /24 scan faster than `nmap -sT` (Vecino ÷ nmap < 1)",
          scan24 / CaseSpec.med(scans, "scan24", 0, "nmap", "wallMs"), 1, false);
    }
    target(s, "silent /24 ≤ 1.5 × probe timeout (wall ÷ timeout)",
        CaseSpec.med(scans, "scan24silent", 0, "vecino", "wallPerTimeout"), 1.5, false);
    s.append('\n');
  }

  private static void target(StringBuilder s, String what, double value, double bar,
      boolean atLeast) {
    target(s, what, value, bar, atLeast, "%.2f ×");
  }

  private static void target(StringBuilder s, String what, double value, double bar,
      boolean atLeast, String format) {
    String met;
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      met = "not run";
    } else {
      met = (atLeast ? value >= bar : value <= bar) ? "**met**" : "**missed**";
    }
    s.append("| ").append(what).append(" | ")
        .append(Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, format, value))
        .append(" | ").append(met).append(" |\n");
  }
}
