package dev.vecino.p2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.ScanOptions;
import dev.vecino.p2p.ScanReport;
import dev.vecino.p2p.ScanResult;
import dev.vecino.p2p.ScanStatus;
import dev.vecino.p2p.discovery.Ports;
import dev.vecino.p2p.discovery.Targets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

      ScanReport r = scanner.scan(Targets.parse(BLOCK.cidr()), Ports.of(port),
          ScanOptions.builder().autoConnect(false).build()).report().get(10, TimeUnit.SECONDS);

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

  private static Set<PeerId> ids(ScanReport r) {
    return r.peers().stream().map(ScanResult::id).collect(Collectors.toSet());
  }
}
