package dev.vecino.p2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nodes bound to 0.0.0.0 answer on every loopback address; scans of 127.4.9.0/26 count such a
 * node once, and the scanner zero times.
 *
 * <p>A /26, not a /24: each probe of a secure node is a TLS handshake with that one node, and
 * 254 at once outrun what its two TLS threads finish (about 130 a second on a loaded 2-core
 * machine) before the scanner's retries (five, within 0.8 s) of the probes it refused run out,
 * the rest being refused at its limits (32 pending handshakes per address, 256 queued TLS
 * tasks). 62 addresses still exceed the per-address limit, so refused probes are retried.
 */
@Timeout(30)
class AnyAddressScanTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(4, 9);
  /**
   * Every probe meets the same secure node: its TLS handshakes queue on that node's two TLS
   * threads, longer than the default 500 ms allow on a loaded 2-core machine. Scanning distinct
   * hosts needs no more than the default.
   */
  private static final String CIDR = "127.4.9.0/26";
  private static final int ADDRESSES = 62;
  private static final ScanOptions OPTIONS = ScanOptions.builder().timeout(Duration.ofSeconds(5)).build();

  @Test
  void aNodeOnTheWildcardAddressIsCountedOnce() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode everywhere = nodes.start("0.0.0.0", 0, "everywhere");
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");

      ScanReport r = scanner.scan(Targets.parse(CIDR), Ports.of(everywhere.localAddress().getPort()), OPTIONS)
          .report().get(20, TimeUnit.SECONDS);

      assertEquals(ADDRESSES, r.open(), "it answers on every address: " + r);
      assertEquals(1, r.peers().size(), r.toString());
      assertEquals(0, r.notPeers().size(), "probes it refused at its pending-handshake limit were retried: " + r);
      assertEquals(1, r.newPeers());
      Await.until("one connection each way", () -> scanner.peers().size() == 1 && everywhere.peers().size() == 1);
      Await.until("duplicate probes dropped", () -> everywhere.stats().handshaking() == 0);
      assertEquals(1, everywhere.peers().size());
    }
  }

  @Test
  void aNodeFindsItselfZeroTimes() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode scanner = nodes.start("0.0.0.0", 0, "scanner");

      // At most 16 probes at once, under the 32 pending handshakes one address may hold: what
      // this test counts is the node finding itself, not probes refused at its limits.
      ScanReport r = scanner.scan(Targets.parse(CIDR), Ports.of(scanner.localAddress().getPort()),
          OPTIONS.toBuilder().window(16).build()).report().get(20, TimeUnit.SECONDS);

      assertEquals(ADDRESSES, r.open(), r.toString());
      assertEquals(0, r.peers().size(), r.toString());
      assertEquals(0, r.notPeers().size(), r.toString());
      assertEquals(0, scanner.peers().size());
    }
  }
}
