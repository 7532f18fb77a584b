package dev.vecino.p2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.discovery.Backoff;
import dev.vecino.p2p.discovery.StaticDiscovery;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanHandle;
import dev.vecino.p2p.scan.ScanListener;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Periodic re-scans and static discovery with backoff, in 127.4.8.0/24. */
@Timeout(30)
class RescanTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(4, 8);

  @Test
  void aPeriodicRescanFindsANodeStartedLater() throws Exception {
    List<ScanReport> rounds = new CopyOnWriteArrayList<>();
    try (TestNodes nodes = new TestNodes()) {
      int port = freePort(BLOCK.host(30));
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");
      ScanHandle h = scanner.scan(Targets.parse(BLOCK.host(16) + "-47"), Ports.of(port),
          ScanOptions.builder().rescanEvery(Duration.ofMillis(100)).listener(new ScanListener() {
            @Override
            public void onRoundComplete(ScanReport report) {
              rounds.add(report);
            }
          }).build());
      ScanReport first = h.report().get(10, TimeUnit.SECONDS);
      assertEquals(0, first.peers().size());

      PeerNode late = nodes.start(BLOCK.host(30), port, "late");
      Await.until("the late node is connected", () -> scanner.peer(late.identity().id()).isPresent());
      Await.until("a second round reported", () -> rounds.size() >= 2);
      assertTrue(!h.isDone(), "periodic scans run until cancelled");
      h.cancel();
      Await.until("the scan stops", h::isDone);
    }
  }

  @Test
  void staticDiscoveryRetriesWithBackoffUntilThePeerAnswers() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      int port = freePort(BLOCK.host(60));
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");
      StaticDiscovery d = StaticDiscovery.parse(BLOCK.host(60) + ":" + port)
          .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2.0, 0.0, 0));
      ScanHandle h = scanner.scan(d, ScanOptions.defaults());
      assertEquals(1, h.report().get(10, TimeUnit.SECONDS).closed());

      PeerNode late = nodes.start(BLOCK.host(60), port, "late");
      Await.until("found after a retry", () -> scanner.peer(late.identity().id()).isPresent());
      Await.until("no retry once every address answered", h::isDone);
    }
  }

  private static int freePort(String host) throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new java.net.InetSocketAddress(host, 0));
      return s.getLocalPort();
    }
  }
}
