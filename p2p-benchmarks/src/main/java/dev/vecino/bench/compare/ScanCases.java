package dev.vecino.bench.compare;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.SilentHosts;
import dev.vecino.p2p.testkit.TestNodes;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Scan cases, each in its own loopback block so runs never see each other's listeners:
 *
 * <ul>
 *   <li>{@code scan24}: 127.88.1.0/24, one Vecino peer at .10, every other address closed;
 *   <li>{@code scan20}: 127.88.16.0/20 (4,094 addresses), one peer;
 *   <li>{@code scan24silent}: 127.88.2.0/24, one peer and 100 silent addresses (.100-.199:
 *       listeners whose accept queue is full, so SYNs are dropped), probe timeout 0.5 s.
 * </ul>
 *
 * <p>Contenders: {@code vecino} ({@code node.scan}, default window, 0.5 s timeout), {@code
 * sequential} (one address after another with a blocking connect and a 0.5 s timeout, like the
 * original program; on the silent block it times 10 of the 100 silent addresses and
 * extrapolates, else a run would take 50 s), and {@code nmap} ({@code nmap -sT}, skipped when
 * nmap is not installed). Only 127.88.0.0/16 is ever probed.
 */
final class ScanCases {

  private static final Duration TIMEOUT = ScanOptions.DEFAULT_TIMEOUT;
  private static final int SILENT_FROM = 100;
  private static final int SILENT_COUNT = 100;
  private static final int SILENT_SAMPLED = 10;

  private ScanCases() {}

  static Result run(String contender, String kind, Duration warmup, Duration measure)
      throws Exception {
    String cidr;
    LoopbackBlock block;
    switch (kind) {
      case "scan24" -> {
        block = new LoopbackBlock(88, 1);
        cidr = block.cidr();
      }
      case "scan20" -> {
        block = new LoopbackBlock(88, 16);
        cidr = "127.88.16.0/20";
      }
      case "scan24silent" -> {
        block = new LoopbackBlock(88, 2);
        cidr = block.cidr();
      }
      default -> throw new IllegalArgumentException("unknown scan case: " + kind);
    }
    if (contender.equals("nmap") && !onPath("nmap")) {
      throw new UnsupportedOperationException("nmap is not installed");
    }
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, block.address(10))) {
      port = probe.getLocalPort();
    }
    SilentHosts silent = null;
    try (TestNodes nodes = new TestNodes()) {
      nodes.start(block.host(10), port, "scan-target");
      if (kind.equals("scan24silent")) {
        List<InetAddress> addresses = new ArrayList<>();
        for (int h = SILENT_FROM; h < SILENT_FROM + SILENT_COUNT; h++) {
          addresses.add(block.address(h));
        }
        try {
          silent = SilentHosts.open(addresses, port);
        } catch (SilentHosts.Unsupported e) {
          throw new UnsupportedOperationException("no silent hosts here: " + e.getMessage());
        }
      }
      return switch (contender) {
        case "vecino" -> vecino(nodes, block, cidr, port, !warmup.isZero());
        case "sequential" -> sequential(kind, cidr, port);
        case "nmap" -> nmap(cidr, port);
        default -> throw new IllegalArgumentException("unknown scan contender: " + contender);
      };
    } finally {
      if (silent != null) {
        silent.close();
      }
    }
  }

  private static Result vecino(TestNodes nodes, LoopbackBlock block, String cidr, int port,
      boolean warm) throws Exception {
    PeerNode scanner = nodes.start(block.host(1), 0, "scanner");
    ScanOptions options = ScanOptions.builder().timeout(TIMEOUT).build();
    if (warm) {
      scanner.scan(Targets.parse(cidr), Ports.of(port), options).report()
          .get(60, TimeUnit.SECONDS);
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    ScanReport r = scanner.scan(Targets.parse(cidr), Ports.of(port), options).report()
        .get(60, TimeUnit.SECONDS);
    long wall = System.nanoTime() - t0;
    long cpu = os.getProcessCpuTime() - cpu0;
    if (r.peers().isEmpty()) {
      throw new IllegalStateException("the scan missed the peer: " + r);
    }
    return new Result().put("wallMs", wall / 1e6).put("probed", r.probed())
        .put("addressesPerSec", r.probed() * 1e9 / wall)
        .put("cpuMicrosPerAddress", cpu / 1e3 / r.probed())
        .put("silent", r.silent()).put("timeoutMs", TIMEOUT.toMillis())
        .put("wallPerTimeout", wall / (double) TIMEOUT.toNanos());
  }

  private static Result sequential(String kind, String cidr, int port) throws Exception {
    List<InetAddress> all = new ArrayList<>();
    for (Iterator<InetAddress> it = Targets.parse(cidr).addresses(); it.hasNext(); ) {
      all.add(it.next());
    }
    boolean silentBlock = kind.equals("scan24silent");
    long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    long silentNanos = 0;
    int silentProbed = 0;
    int found = 0;
    for (InetAddress a : all) {
      int host = a.getAddress()[3] & 0xFF;
      boolean isSilent = silentBlock && host >= SILENT_FROM && host < SILENT_FROM + SILENT_COUNT;
      if (isSilent && silentProbed >= SILENT_SAMPLED) {
        continue;
      }
      long s = System.nanoTime();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(a, port), (int) TIMEOUT.toMillis());
        found++;
      } catch (SocketTimeoutException e) {
        // Silent: the original program waits out its timeout here.
      } catch (IOException e) {
        // Refused: closed port.
      }
      if (isSilent) {
        silentNanos += System.nanoTime() - s;
        silentProbed++;
      }
    }
    long wall = System.nanoTime() - t0;
    long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
    Result r = new Result();
    if (silentBlock && silentProbed > 0) {
      wall += silentNanos * (SILENT_COUNT - silentProbed) / silentProbed;
      r.note("extrapolated: " + silentProbed + " of " + SILENT_COUNT + " silent addresses timed");
    }
    if (found == 0) {
      throw new IllegalStateException("the sequential scan missed the peer");
    }
    return r.put("wallMs", wall / 1e6).put("probed", all.size())
        .put("addressesPerSec", all.size() * 1e9 / wall)
        .put("cpuMicrosPerAddress", cpu / 1e3 / all.size())
        .put("timeoutMs", TIMEOUT.toMillis()).put("wallPerTimeout", wall / (double) TIMEOUT.toNanos());
  }

  private static Result nmap(String cidr, int port) throws Exception {
    List<String> cmd = List.of("nmap", "-sT", "-n", "-Pn", "-p", Integer.toString(port), cidr,
        "-oG", "-");
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("nmap ran past 120 s");
    }
    long wall = System.nanoTime() - t0;
    if (p.exitValue() != 0) {
      throw new IllegalStateException("nmap exited " + p.exitValue());
    }
    long n = Targets.parse(cidr).size();
    return new Result().put("wallMs", wall / 1e6).put("probed", n)
        .put("addressesPerSec", n * 1e9 / wall).put("timeoutMs", TIMEOUT.toMillis())
        .put("wallPerTimeout", wall / (double) TIMEOUT.toNanos())
        .note("nmap's own timing (-T3), not a 0.5 s timeout");
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (new File(dir, tool).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
