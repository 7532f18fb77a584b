package dev.vecino.bench.compare;

import java.util.List;
import java.util.Locale;

/**
 * The report's result tables: one-way throughput, allocation per message, ping-pong, echo,
 * open loop and scans. Medians over the runs; ratios within the run. Stateless.
 */
final class Tables {

  /** The Vecino one-way contenders, compared with each peer. */
  private static final String[] VECINO_ONE_WAY = {"vecino-executor", "vecino-direct",
      "vecino-trysend-payload", "vecino-trysendmore-payload"};

  private static final String CEILING = "nio-ceiling-2t";

  private Tables() {}

  /**
   * Appends the one-way tables.
   *
   * @param s the report text
   * @param throughput the one-way cases
   */
  static void throughput(StringBuilder s, List<CaseSpec> throughput) {
    s.append("### One-way throughput (messages received and parsed per second)\n\n");
    s.append("CPU ns/msg: CPU time (user + system, both ends: they share one JVM) per message"
        + " received. Unlike msgs/s it hardly moves when other work shares the machine, so it is"
        + " the steadier measure of cost. × ceiling: ÷ the two-thread NIO ceiling"
        + " (`" + CEILING + "`) of the same size.\n\n");
    s.append("| contender | case id | 64 B | × ceiling | CPU ns/msg | 1 KiB | × ceiling |"
        + " CPU ns/msg | notes |\n");
    s.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    CaseSpec ceil64 = CaseSpec.find(throughput, "oneway", 64, CEILING);
    CaseSpec ceil1k = CaseSpec.find(throughput, "oneway", 1024, CEILING);
    for (String c : CaseSet.ONE_WAY) {
      CaseSpec a = CaseSpec.find(throughput, "oneway", 64, c);
      CaseSpec b = CaseSpec.find(throughput, "oneway", 1024, c);
      s.append("| ").append(Cells.label(c)).append(" | `oneway-*/").append(c).append("` | ")
          .append(Cells.rate(a)).append(" | ").append(Cells.ratio(a, ceil64, "msgsPerSec"))
          .append(" | ").append(a == null ? "–" : Cells.num(a.med("cpuNsPerMsg")))
          .append(" | ").append(Cells.rate(b)).append(" | ")
          .append(Cells.ratio(b, ceil1k, "msgsPerSec"))
          .append(" | ").append(b == null ? "–" : Cells.num(b.med("cpuNsPerMsg")))
          .append(" | ").append(Cells.notes(a, b)).append(" |\n");
    }
    s.append("\nVecino against each peer (same run, median / median):\n\n");
    s.append("| Vecino mode | size | ÷ blocking socket | ÷ Netty | ÷ JeroMQ |\n");
    s.append("|---|---|---:|---:|---:|\n");
    for (String v : VECINO_ONE_WAY) {
      for (int size : CaseSet.SIZES) {
        CaseSpec me = CaseSpec.find(throughput, "oneway", size, v);
        s.append("| ").append(Cells.label(v)).append(" | ").append(Cells.sizeLabel(size))
            .append(" | ").append(Cells.ratio(me,
                CaseSpec.find(throughput, "oneway", size, "blocking-socket"), "msgsPerSec"))
            .append(" | ").append(Cells.ratio(me,
                CaseSpec.find(throughput, "oneway", size, "netty"), "msgsPerSec"))
            .append(" | ").append(Cells.ratio(me,
                CaseSpec.find(throughput, "oneway", size, "jeromq"), "msgsPerSec"))
            .append(" |\n");
      }
    }
    s.append('\n');
  }

  /**
   * Appends bytes allocated per message, per thread, for the Vecino one-way floods (64 B) and
   * the idle path, then CPU time per message of the same threads for the floods.
   *
   * @param s the report text
   * @param throughput the one-way cases
   * @param idle the idle-path cases
   */
  static void allocation(StringBuilder s, List<CaseSpec> throughput, List<CaseSpec> idle) {
    s.append("### Allocation per message (64 B, bytes, per-thread counters)\n\n");
    s.append("`com.sun.management.ThreadMXBean#getThreadAllocatedBytes` over the measured"
        + " window ÷ messages received. Sending thread: the thread calling `trySend` alone."
        + " I/O threads (direct callbacks only): the thread that ran each node's `onConnected`."
        + " Send path: sending thread + every thread of the sender's node; receive path: every"
        + " thread of the receiver's node (by their documented names). The idle case sends one"
        + " message, waits until it was received, and repeats: every `trySend` finds a quiet"
        + " connection.\n\n");
    s.append("| case id | msgs/s | sending thread | sender's I/O | receiver's I/O | send path |"
        + " receive path | queue-full retries/msg |\n");
    s.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String v : VECINO_ONE_WAY) {
      allocationRow(s, CaseSpec.find(throughput, "oneway", 64, v));
    }
    for (CaseSpec c : idle) {
      allocationRow(s, c);
    }
    s.append('\n');
    s.append("### CPU per message, per thread (64 B, ns)\n\n");
    s.append("`ThreadMXBean#getThreadCpuTime` over the measured window ÷ messages received, for"
        + " the same threads; the whole process beside them. On two cores the busiest thread"
        + " bounds the rate: at 100 % of a core, 10⁹ ÷ its ns/msg messages a second.\n\n");
    s.append("| case id | msgs/s | sending thread | sender's I/O | receiver's I/O | process |\n");
    s.append("|---|---:|---:|---:|---:|---:|\n");
    for (String v : VECINO_ONE_WAY) {
      CaseSpec c = CaseSpec.find(throughput, "oneway", 64, v);
      if (c != null && !c.runs.isEmpty()) {
        s.append("| `").append(c.id()).append("` | ").append(Cells.rate(c)).append(" | ")
            .append(bytes(c, "sendThreadCpuNsPerMsg")).append(" | ")
            .append(bytes(c, "senderIoCpuNsPerMsg")).append(" | ")
            .append(bytes(c, "receiverIoCpuNsPerMsg")).append(" | ")
            .append(bytes(c, "cpuNsPerMsg")).append(" |\n");
      }
    }
    s.append('\n');
  }

  private static void allocationRow(StringBuilder s, CaseSpec c) {
    if (c == null || c.runs.isEmpty()) {
      return;
    }
    s.append("| `").append(c.id()).append("` | ").append(Cells.rate(c)).append(" | ")
        .append(bytes(c, "sendThreadBytesPerMsg")).append(" | ")
        .append(bytes(c, "senderIoBytesPerMsg")).append(" | ")
        .append(bytes(c, "receiverIoBytesPerMsg")).append(" | ")
        .append(bytes(c, "sendBytesPerMsg")).append(" | ")
        .append(bytes(c, "receiveBytesPerMsg")).append(" | ")
        .append(Cells.num(c.med("queueFullPerMsg"))).append(" |\n");
  }

  /** A median with two decimals (bytes or nanoseconds per message), or a dash. */
  private static String bytes(CaseSpec c, String key) {
    double v = c.med(key);
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
  }

  /**
   * Appends the ping-pong, echo and open-loop tables.
   *
   * @param s the report text
   * @param cases the run's cases
   */
  static void latency(StringBuilder s, CaseSet cases) {
    s.append("### Ping-pong, 64 B, closed loop (round trip, µs)\n\n");
    latencyTable(s, cases.pingPong());
    s.append("\n### Echo client, 64 B, closed loop (round trip, µs)\n\n");
    s.append("The example `echo-client` against `echo-server` (their code rewritten against the"
        + " public API: the benchmarks do not depend on `p2p-examples`), beside a blocking-socket"
        + " client and echo thread with the same request and response sizes.\n\n");
    latencyTable(s, cases.echo());
    List<CaseSpec> openLoop = cases.openLoop();
    double r = openLoop.isEmpty() ? Double.NaN : openLoop.get(0).rate;
    s.append(String.format(Locale.ROOT, "%n### Open loop, 64 B at a fixed %,.0f msgs/s"
        + " (µs, from each message's intended send time: coordinated omission corrected)%n%n"
        + "One rate for every contender: half the closed-loop maximum (1 / mean round trip)"
        + " of the slowest contender in the ping-pong table, so none runs past half its own"
        + " capacity.%n%n", r));
    latencyTable(s, openLoop);
    s.append('\n');
  }

  private static void latencyTable(StringBuilder s, List<CaseSpec> cases) {
    CaseSpec ref = cases.isEmpty() ? null : cases.get(0);
    s.append("| contender | case id | p50 | p99 | p99.9 | max | p50 × blocking |"
        + " p99.9 × blocking | samples | notes |\n");
    s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (CaseSpec c : cases) {
      s.append("| ").append(Cells.label(c.contender)).append(" | `").append(c.id())
          .append("` | ").append(Cells.num(c.med("p50")))
          .append(" | ").append(Cells.num(c.med("p99"))).append(" | ")
          .append(Cells.num(c.med("p999"))).append(" | ").append(Cells.num(c.med("max")))
          .append(" | ").append(Cells.ratio(c, ref, "p50")).append(" | ")
          .append(Cells.ratio(c, ref, "p999")).append(" | ").append(Cells.num(c.med("count")))
          .append(" | ").append(Cells.notes(c, null)).append(" |\n");
    }
  }

  /**
   * Appends the scan table.
   *
   * @param s the report text
   * @param scans the scan cases
   */
  static void scans(StringBuilder s, List<CaseSpec> scans) {
    s.append("### Scans\n\n");
    if (scans.isEmpty()) {
      s.append("Not run in this mode (smoke mode leaves the scan cases out; the scan"
          + " integration tests in `p2p-testkit` cover the API).\n\n");
      return;
    }
    s.append("| case | contender | wall time (ms) | addresses/s | CPU µs/address | notes |\n");
    s.append("|---|---|---:|---:|---:|---|\n");
    for (CaseSpec c : scans) {
      s.append("| ").append(c.kind).append(" | ").append(Cells.label(c.contender)).append(" | ")
          .append(Cells.num(c.med("wallMs"))).append(" | ")
          .append(Cells.num(c.med("addressesPerSec"))).append(" | ")
          .append(Cells.num(c.med("cpuMicrosPerAddress"))).append(" | ")
          .append(Cells.notes(c, null)).append(" |\n");
    }
    s.append('\n');
  }
}
