package dev.vecino.p2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 17: explicit targets may be as large as maxAddresses; a /16 of loopback (127.17.0.0/16) within 10 s. */
@Timeout(60)
class SixteenScanTest {

  @Test
  void aSlash16OfLoopbackCompletesWithinTenSeconds() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode peer = nodes.start("127.17.200.9", 0, "peer");
      PeerNode scanner = nodes.start("127.17.0.1", 0, "scanner");
      ScanReport r = scanner.scan(Targets.parse("127.17.0.0/16"), Ports.of(peer.localAddress().getPort()),
          ScanOptions.builder().autoConnect(false).timeout(Duration.ofSeconds(5)).build())
          .report().get(50, TimeUnit.SECONDS);
      System.out.println("SixteenScanTest: " + r);
      assertEquals(65_534, r.probed(), r.toString());
      assertEquals(1, r.peers().size(), r.toString());
      assertTrue(r.duration().toMillis() <= 10_000, "a /16 of loopback within 10 s: " + r);
    }
  }
}
