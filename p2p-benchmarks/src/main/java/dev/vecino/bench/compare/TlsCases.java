package dev.vecino.bench.compare;

import dev.vecino.bench.Loopback;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What TLS costs: each case twice in the same run, on secure nodes ({@code vecino-tls}: TLS 1.3,
 * the default) and on plaintext ones ({@code vecino-plain}), so their ratio is measured under the
 * same load. Ids: {@code oneway-64/vecino-tls}, {@code oneway-1024/...}, {@code pingpong-64/...}
 * (direct callbacks, {@code trySend}, {@code onPayload} receiver, as {@code vecino-trysend-payload}),
 * {@code handshake/...} (connects and handshakes per second, warm: after {@value
 * #WARM_HANDSHAKES} of them and {@link #handshakeWarmup} (21 s in full mode);
 * {@value #CLIENTS} client nodes connect and disconnect in a loop, one thread each) and {@code
 * scan24peers3/...} (a /24 of 127.89.1.0 with three peers, after {@value #WARM_HANDSHAKES}
 * handshakes with them and two scans; the median of {@value #SCANS} scans). Run them alone with
 * {@code --only 'vecino-(tls|plain)'}, the handshake cases alone with {@code --only
 * '^handshake/vecino-(tls|plain)'}. {@code CaseMain} also takes {@code vecino-tls-poll} and
 * {@code vecino-plain-poll} for {@code pingpong}: the round trip driven by the client's listener
 * with both nodes busy-polling (as {@code vecino-poll}), so only CPU is on the critical path.
 *
 * <p>Thread safety: none; one case per JVM.
 */
final class TlsCases {

  static final String TLS = "vecino-tls";
  static final String PLAIN = "vecino-plain";
  static final String HANDSHAKE = "handshake";
  static final String SCAN = "scan24peers3";
  static final int WARM_HANDSHAKES = 50;
  /**
   * How long the handshake cases warm up: 3.5 times the mode's warm-up (21 s in full mode). The
   * JDK's pure-Java P-256 and X25519 code, compiled while handshakes run, takes 10 to 20 s of
   * them on 2 shared cores to reach its steady cost (docs/benchmarks.md has the curve).
   */
  static Duration handshakeWarmup(CompareMain.Mode mode) {
    return Duration.ofMillis(mode.warmup().toMillis() * 7 / 2);
  }
  static final int CLIENTS = 4;
  static final int SCANS = 5;

  private TlsCases() {}

  /** The TLS-beside-plaintext cases of a mode, TLS first in each pair. */
  static List<CaseSpec> cases(CompareMain.Mode mode) {
    List<CaseSpec> cases = new ArrayList<>();
    for (String c : List.of(TLS, PLAIN)) {
      for (int size : CaseSet.SIZES) {
        cases.add(new CaseSpec(c, "oneway", size, mode.warmup(), mode.measure()));
      }
      cases.add(new CaseSpec(c, "pingpong", 64, mode.warmup(), mode.measure()));
      cases.add(new CaseSpec(c, HANDSHAKE, 0, handshakeWarmup(mode), mode.measure()));
      cases.add(new CaseSpec(c, SCAN, 0, mode.warmup(), Duration.ZERO));
    }
    return cases;
  }

  /** Whether {@code kind} is one this class runs itself (not through a {@link Contender}). */
  static boolean runs(String kind) {
    return kind.equals(HANDSHAKE) || kind.equals(SCAN);
  }

  static Result run(String contender, String kind, Duration warmup, Duration measure) throws Exception {
    boolean tls = switch (contender) {
      case TLS -> true;
      case PLAIN -> false;
      default -> throw new IllegalArgumentException("unknown contender for " + kind + ": " + contender);
    };
    return kind.equals(HANDSHAKE) ? handshakes(tls, warmup, measure) : scan(tls);
  }

  /**
   * Connect, handshake, disconnect, repeated by {@value #CLIENTS} nodes at once: first through the
   * warm-up (at least {@value #WARM_HANDSHAKES} handshakes, and for {@code warmup}, so the JIT has
   * compiled the key exchange and signature code before the window opens), then measured.
   */
  private static Result handshakes(boolean tls, Duration warmup, Duration measure) throws Exception {
    try (TestNodes nodes = tls ? new TestNodes() : TestNodes.plaintext()) {
      PeerNode server = nodes.start("127.0.0.1", 0, b -> b.name("server"));
      List<PeerNode> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(nodes.start("127.0.0.1", 0, b -> b.name("client")));
      }
      for (int i = 0; i < WARM_HANDSHAKES; i++) {
        cycle(clients.get(i % CLIENTS), server);
      }
      loop(clients, server, warmup);
      long cpu0 = Timing.processCpuNanos();
      long t0 = System.nanoTime();
      long n = loop(clients, server, measure);
      long wall = System.nanoTime() - t0;
      long cpu = Timing.processCpuNanos() - cpu0;
      return new Result().put("handshakesPerSec", n * 1e9 / wall).put("cpuMicrosPerHandshake", cpu / 1e3 / n)
          .put("handshakes", n);
    }
  }

  /**
   * Each client connects and disconnects on its own thread for {@code time}; returns how many
   * cycles all made.
   */
  private static long loop(List<PeerNode> clients, PeerNode server, Duration time) throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + time.toNanos();
    List<Thread> threads = new ArrayList<>();
    Throwable[] failure = new Throwable[1];
    for (PeerNode client : clients) {
      Thread t = new Thread(() -> {
        try {
          while (System.nanoTime() < end) {
            cycle(client, server);
            done.incrementAndGet();
          }
        } catch (Exception e) {
          failure[0] = e;
        }
      }, "vecino-bench-connector");
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(time.toMillis() + Loopback.WAIT_LIMIT.toMillis());
    }
    if (failure[0] != null) {
      throw new IllegalStateException("a connector failed", failure[0]);
    }
    return done.get();
  }

  private static void cycle(PeerNode client, PeerNode server) throws Exception {
    Peer p = client.connect(server.localAddress()).get(Loopback.WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    client.disconnect(p).get(Loopback.WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A /24 with three peers on one port; warm-up scans first, then {@value #SCANS} timed ones. */
  private static Result scan(boolean tls) throws Exception {
    LoopbackBlock block = new LoopbackBlock(89, 1);
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, block.address(10))) {
      port = probe.getLocalPort();
    }
    try (TestNodes nodes = tls ? new TestNodes() : TestNodes.plaintext()) {
      List<PeerNode> peers = new ArrayList<>();
      for (int h : new int[] {10, 20, 30}) {
        peers.add(nodes.start(block.host(h), port, b -> b.name("peer-" + h).listener(new PeerListener() { })));
      }
      PeerNode scanner = nodes.start(block.host(1), 0, "scanner");
      // Warm: a cold JVM's first TLS handshakes take longer than a probe's 0.5 s.
      for (int i = 0; i < WARM_HANDSHAKES; i++) {
        cycle(scanner, peers.get(i % peers.size()));
      }
      // Found peers are not connected, so each scan probes all three again.
      ScanOptions options = ScanOptions.builder().autoConnect(false).build();
      for (int i = 0; i < 2; i++) {
        scanOnce(scanner, block, port, options);
      }
      double[] wall = new double[SCANS];
      long cpu0 = Timing.processCpuNanos();
      for (int i = 0; i < SCANS; i++) {
        long t0 = System.nanoTime();
        scanOnce(scanner, block, port, options);
        wall[i] = (System.nanoTime() - t0) / 1e6;
      }
      long cpu = Timing.processCpuNanos() - cpu0;
      Arrays.sort(wall);
      return new Result().put("wallMs", wall[SCANS / 2]).put("maxWallMs", wall[SCANS - 1])
          .put("cpuMsPerScan", cpu / 1e6 / SCANS).put("peers", 3);
    }
  }

  private static void scanOnce(PeerNode scanner, LoopbackBlock block, int port, ScanOptions options) throws Exception {
    ScanReport r = scanner.scan(Targets.parse(block.cidr()), Ports.of(port), options).report()
        .get(Loopback.WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    if (r.peers().size() != 3) {
      throw new IllegalStateException("the scan found " + r.peers().size() + " of 3 peers: " + r);
    }
  }
}
