package dev.vecino.p2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanHandle;
import dev.vecino.p2p.scan.ScanListener;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanProgress;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.scan.Targets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Scans of 127.4.1.0/24: finding peers, not finding self, connecting through the probe. */
@Timeout(30)
class RangeScanTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(4, 1);

  @Test
  void findsExactlyTheThreePeersOfTheBlockAndNotItself() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode a = nodes.start(BLOCK.host(2), 0, "a");
      int port = a.localAddress().getPort();
      PeerNode b = nodes.start(BLOCK.host(50), port, "b");
      PeerNode c = nodes.start(BLOCK.host(200), port, "c");
      PeerNode scanner = nodes.start(BLOCK.host(1), port, "scanner");

      // A generous timeout: nothing here is silent, and a starved machine may be slow to refuse.
      ScanReport r = scanner.scan(Targets.parse(BLOCK.cidr()), Ports.of(port),
          ScanOptions.builder().autoConnect(false).timeout(Duration.ofSeconds(5)).build())
          .report().get(20, TimeUnit.SECONDS);

      assertEquals(254, r.probed(), r.toString());
      assertEquals(4, r.open(), "three peers and the scanner itself: " + r);
      assertEquals(Set.of(a.identity().id(), b.identity().id(), c.identity().id()), ids(r));
      assertEquals(3, r.newPeers());
      assertEquals(250, r.closed());
      assertEquals(0, r.silent());
      assertTrue(r.notPeers().isEmpty() && r.otherGroup().isEmpty(), r.toString());
      assertEquals(Set.of(BLOCK.socket(2, port), BLOCK.socket(50, port), BLOCK.socket(200, port)),
          r.peers().stream().map(ScanResult::address).collect(Collectors.toSet()));
      assertTrue(r.peers().stream().allMatch(p -> p.status() == ScanStatus.PEER));
      assertEquals(0, scanner.peers().size(), "autoConnect off: nobody stays connected");
      Await.until("the probed nodes drop the probe connections",
          () -> a.stats().connections() + a.stats().handshaking() + b.stats().connections() + b.stats().handshaking() + c.stats().connections() + c.stats().handshaking() == 0);
    }
  }

  @Test
  void theProbeBecomesThePeerConnectionAndARescanOpensNoSecondOne() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      AtomicInteger connectedEvents = new AtomicInteger();
      PeerNode a = nodes.start(BLOCK.host(20), 0, "a");
      int port = a.localAddress().getPort();
      PeerNode b = nodes.start(BLOCK.host(21), port, "b");
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, x -> x.name("scanner").listener(new PeerListener() {
        @Override
        public void onConnected(Peer peer) {
          connectedEvents.incrementAndGet();
        }
      }));
      Targets targets = Targets.parse(BLOCK.host(16) + "-31");

      ScanReport first = scanner.scan(targets, Ports.of(port)).report().get(10, TimeUnit.SECONDS);
      assertEquals(2, first.peers().size(), first.toString());
      assertEquals(2, first.newPeers());
      Await.until("both peers connected", () -> scanner.peers().size() == 2);
      assertEquals(1, a.stats().accepted(), "one TCP connection per peer: the probe itself");
      assertEquals(1, b.stats().accepted());

      ScanReport second = scanner.scan(targets, Ports.of(port)).report().get(10, TimeUnit.SECONDS);
      assertEquals(2, second.peers().size(), second.toString());
      assertEquals(0, second.newPeers(), "already connected peers are recognised by id");
      Await.until("duplicate probes dropped", () -> a.stats().handshaking() == 0 && b.stats().handshaking() == 0);
      assertEquals(2, scanner.peers().size());
      assertEquals(1, a.peers().size());
      assertEquals(1, b.peers().size());
      Await.until("two onConnected events", () -> connectedEvents.get() == 2);
    }
  }

  @Test
  void reportsNodesOfAnotherGroupAsSuch() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode other = nodes.start(BLOCK.host(40), 0, x -> x.name("stranger").group("other"));
      int port = other.localAddress().getPort();
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");

      ScanReport r = scanner.scan(Targets.parse(BLOCK.host(32) + "-47"), Ports.of(port))
          .report().get(10, TimeUnit.SECONDS);

      assertEquals(0, r.peers().size(), r.toString());
      assertEquals(1, r.otherGroup().size(), r.toString());
      ScanResult found = r.otherGroup().get(0);
      assertEquals(ScanStatus.OTHER_GROUP, found.status());
      assertEquals(other.identity().id(), found.id());
      assertEquals("other", found.group());
      assertEquals("stranger", found.name());
      assertEquals(0, scanner.peers().size());
      Await.until("the stranger closed the probe", () -> other.stats().handshaking() == 0);
      assertEquals(0, other.stats().rejected(DisconnectReason.Kind.OTHER_GROUP), "a probe is not a rejection to log");
    }
  }

  @Test
  void reportsPlainServicesAsOpenButNotPeersAndLeavesThemQuietly() throws Exception {
    try (TestNodes nodes = new TestNodes();
         PlainService greeter = PlainService.greeting(BLOCK.socket(60, 0), "hello\n");
         PlainService mute = PlainService.silent(BLOCK.socket(61, greeter.address().getPort()))) {
      int port = greeter.address().getPort();
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");

      ScanReport r = scanner.scan(Targets.parse(BLOCK.host(56) + "-63"), Ports.of(port),
          ScanOptions.builder().timeout(Duration.ofMillis(300)).build()).report().get(10, TimeUnit.SECONDS);

      assertEquals(2, r.notPeers().size(), r.toString());
      assertEquals(Set.of(greeter.address(), mute.address()),
          r.notPeers().stream().map(ScanResult::address).collect(Collectors.toSet()));
      assertTrue(r.notPeers().stream().allMatch(x -> x.status() == ScanStatus.NOT_A_PEER && x.id() == null));
      assertEquals(0, r.peers().size());
      Await.until("the scanner closed both connections", () -> greeter.openConnections() == 0 && mute.openConnections() == 0);
      assertEquals(1, greeter.closedByClient(), "closed with FIN");
      assertEquals(1, mute.closedByClient(), "closed with FIN");
      assertEquals(0, greeter.resets() + mute.resets(), "no reset");
      assertEquals(0, greeter.bytesReceived() + mute.bytesReceived(), "the probe sends nothing to strangers");
    }
  }

  @Test
  void scansAPortRangeOnEveryAddress() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode a = nodes.start(BLOCK.host(70), 0, "a");
      int port = a.localAddress().getPort();
      PeerNode b = startOnFreePort(nodes, BLOCK.host(71), port + 1, port + 5);
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");

      ScanReport r = scanner.scan(Targets.parse(BLOCK.host(68) + "-75"),
          Ports.parse(port + "-" + (port + 5)), ScanOptions.builder().autoConnect(false).build())
          .report().get(10, TimeUnit.SECONDS);

      assertEquals(8 * 6, r.probed(), r.toString());
      assertEquals(Set.of(a.identity().id(), b.identity().id()), ids(r));
    }
  }

  @Test
  void reportsProgressUpToTheTotal() throws Exception {
    List<ScanProgress> seen = new CopyOnWriteArrayList<>();
    List<ScanResult> found = new CopyOnWriteArrayList<>();
    try (TestNodes nodes = new TestNodes()) {
      PeerNode a = nodes.start(BLOCK.host(90), 0, "a");
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");
      ScanListener listener = new ScanListener() {
        @Override
        public void onProgress(ScanProgress progress) {
          seen.add(progress);
        }

        @Override
        public void onFound(ScanResult result) {
          found.add(result);
        }
      };
      ScanHandle h = scanner.scan(Targets.parse(BLOCK.host(80) + "-99"), Ports.of(a.localAddress().getPort()),
          ScanOptions.builder().listener(listener).build());
      ScanReport r = h.report().get(10, TimeUnit.SECONDS);

      assertEquals(20, r.probed());
      ScanProgress last = seen.get(seen.size() - 1);
      assertEquals(new ScanProgress(1, 20, 20, 1), last);
      assertEquals(1, found.size());
      assertEquals(a.identity().id(), found.get(0).id());
      assertTrue(h.isDone());
    }
  }

  @Test
  void neverProbesExcludedAddresses() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode a = nodes.start(BLOCK.host(110), 0, "a");
      int port = a.localAddress().getPort();
      PeerNode b = nodes.start(BLOCK.host(111), port, "b");
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");

      ScanReport r = scanner.scan(Targets.parse(BLOCK.host(104) + "-119"), Ports.of(port),
          ScanOptions.builder().exclude(Targets.parse(BLOCK.host(110) + "," + BLOCK.host(116) + "-119")).build())
          .report().get(10, TimeUnit.SECONDS);

      assertEquals(16 - 5, r.probed(), r.toString());
      assertEquals(Set.of(b.identity().id()), ids(r));
      assertEquals(0, a.stats().accepted(), "the excluded node never saw a connection");
    }
  }

  @Test
  void theRateLimitSpacesProbes() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");
      int closedPort = scanner.localAddress().getPort();

      ScanReport r = scanner.scan(Targets.parse(BLOCK.host(130) + "-159"), Ports.of(closedPort),
          ScanOptions.builder().ratePerSecond(200).build()).report().get(10, TimeUnit.SECONDS);

      assertEquals(30, r.closed(), r.toString());
      // 30 probes at 200/s: at least 29 gaps of 5 ms, less a 10 ms burst allowance.
      assertTrue(r.duration().toMillis() >= 130, "took " + r.duration().toMillis() + " ms");
    }
  }

  private static PeerNode startOnFreePort(TestNodes nodes, String host, int from, int to) {
    for (int p = from; p <= to; p++) {
      try {
        return nodes.start(host, p, "b");
      } catch (ConfigurationException e) {
        // Taken by someone else: try the next port of the range.
      }
    }
    throw new AssertionError("no free port in " + from + "-" + to + " on " + host);
  }

  private static Set<PeerId> ids(ScanReport r) {
    return r.peers().stream().map(ScanResult::id).collect(Collectors.toSet());
  }
}
