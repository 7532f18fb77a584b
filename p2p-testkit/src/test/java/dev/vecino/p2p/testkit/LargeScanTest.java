package dev.vecino.p2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A /22 of loopback (127.4.4.0/22, this class's own four /24s) and the size guard. */
@Timeout(30)
class LargeScanTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(4, 4);

  @Test
  void aSlash22OfLoopbackCompletes() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode peer = nodes.start("127.4.6.77", 0, "peer");
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");

      ScanReport r = scanner.scan(Targets.parse("127.4.4.0/22"), Ports.of(peer.localAddress().getPort()),
          ScanOptions.builder().autoConnect(false).timeout(Duration.ofSeconds(5)).build())
          .report().get(20, TimeUnit.SECONDS);

      assertEquals(1022, r.probed(), r.toString());
      assertEquals(1, r.peers().size());
      assertEquals(1021, r.closed());
      assertTrue(r.duration().toMillis() < 10_000, r.toString());
    }
  }

  @Test
  void refusesToScanWithTheLineCodecWhichNeitherHandshakesNorGreets() {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode lineNode = nodes.start(BLOCK.host(2), 0, x -> x.name("line").codec(Codec.line()));
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> lineNode.scan(Targets.parse(BLOCK.host(3)), Ports.of(9)));
      assertTrue(e.getMessage().contains("line"), e.getMessage());
    }
  }

  @Test
  void refusesMoreAddressesThanTheGuardAllowsUnlessRaised() {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> scanner.scan(Targets.parse("127.4.0.0/15"), Ports.of(9)));
      assertTrue(e.getMessage().contains("131070"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> scanner.scan(Targets.parse("127.4.4.0/22"), Ports.of(9),
          ScanOptions.builder().maxAddresses(1000).build()));
    }
  }
}
