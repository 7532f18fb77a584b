package dev.vecino.bench.scan;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.testkit.SilentHosts;
import dev.vecino.p2p.testkit.TestNodes;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One case of the scan benchmark: one target range, scanned {@code warmups + runs} times by a
 * fresh node. On a loopback range the case first starts its Vecino peers on the range's first
 * addresses and makes its last addresses silent ({@link SilentHosts}), so every run has
 * something to find and something to wait for; it then checks each run found every peer.
 *
 * <p><b>Thread safety:</b> none; ScanMain's thread runs it.
 */
final class ScanCase {

  /** One timed scan. */
  record Run(ScanReport report, long wallNanos, long cpuNanos) {
    double addressesPerSecond() {
      return report.probed() * 1e9 / wallNanos;
    }

    double cpuMicrosPerAddress() {
      return report.probed() == 0 ? Double.NaN : cpuNanos / 1e3 / report.probed();
    }
  }

  /** What one case measured. */
  record Outcome(String spec, long addresses, int peers, int silent, List<Run> runs,
      List<String> problems) {}

  private ScanCase() {}

  /**
   * Runs one case.
   *
   * @param spec the target range, as the user wrote it
   * @param a the command line
   * @param log progress lines
   * @return what it measured, with any problem found
   * @throws Exception if a peer cannot listen, silent hosts are unsupported, or a scan fails
   */
  static Outcome run(String spec, ScanArgs a, PrintStream log) throws Exception {
    Targets targets = ScanArgs.checkAllowed(spec, a.ownNetwork());
    List<InetAddress> first = new ArrayList<>();
    Deque<InetAddress> last = new ArrayDeque<>();
    boolean loopback = true;
    for (Iterator<InetAddress> it = targets.addresses(); it.hasNext(); ) {
      InetAddress address = it.next();
      loopback &= address.isLoopbackAddress();
      if (first.size() < a.peers()) {
        first.add(address);
      } else if (a.silent() > 0) {
        last.addLast(address);
        if (last.size() > a.silent()) {
          last.removeFirst();
        }
      }
    }
    int peers = loopback ? first.size() : 0;
    int silent = loopback ? last.size() : 0;
    if (!loopback && (a.silent() > 0 || a.peers() > 0)) {
      log.printf("%s: not all on loopback, so no local peers or silent hosts are set up%n", spec);
    }
    SilentHosts silentHosts = null;
    try (TestNodes nodes = new TestNodes()) {
      for (int i = 0; i < peers; i++) {
        nodes.start(first.get(i).getHostAddress(), a.port(), "scan-peer-" + i);
      }
      if (silent > 0) {
        silentHosts = SilentHosts.open(List.copyOf(last), a.port());
      }
      PeerNode scanner = nodes.start("127.0.0.1", 0, "scanner");
      ScanOptions options = ScanOptions.builder().timeout(a.timeout()).window(a.window()).build();
      List<Run> runs = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      for (int i = 0; i < a.warmups() + a.runs(); i++) {
        Run run = scan(scanner, targets, a, options);
        boolean warmup = i < a.warmups();
        log.printf("%s: %s %d: %s%n", spec, warmup ? "warm-up" : "run", warmup ? i + 1
            : i + 1 - a.warmups(), run.report());
        if (loopback && run.report().peers().size() != peers) {
          problems.add(spec + ": found " + run.report().peers().size() + " of " + peers
              + " peers");
        }
        if (!warmup) {
          runs.add(run);
        }
      }
      return new Outcome(spec, targets.size(), peers, silent, runs, problems);
    } finally {
      if (silentHosts != null) {
        silentHosts.close();
      }
    }
  }

  private static Run scan(PeerNode scanner, Targets targets, ScanArgs a, ScanOptions options)
      throws Exception {
    // Bounded: every address waits at most one timeout, window at a time, plus a minute.
    long limitMillis = targets.size() * a.timeout().toMillis() / a.window() + 60_000;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    ScanReport report = scanner.scan(targets, Ports.of(a.port()), options).report()
        .get(limitMillis, TimeUnit.MILLISECONDS);
    long wall = System.nanoTime() - t0;
    return new Run(report, wall, os.getProcessCpuTime() - cpu0);
  }
}
