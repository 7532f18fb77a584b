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
 * <p>A /26 probed at most 16 at a time: each probe of a secure node is a TLS handshake with
 * that one node, and a full window of them at once outruns what its TLS threads finish on a
 * loaded 2-core machine before the scanner's retries of the probes it refused run out (it
 * refuses past 32 pending handshakes per source address). What these tests count is the
 * wildcard node found once and the scanner never, not the limits, which other tests cover.
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
  private static final ScanOptions OPTIONS = ScanOptions.builder().timeout(Duration.ofSeconds(5)).window(16).build();

  @Test
  void aNodeOnTheWildcardAddressIsCountedOnce() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode everywhere = nodes.start("0.0.0.0", 0, "everywhere");
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");

      ScanReport r = scanner.scan(Targets.parse(CIDR), Ports.of(everywhere.localAddress().getPort()), OPTIONS)
          .report().get(25, TimeUnit.SECONDS);

      assertEquals(ADDRESSES, r.open(), "it answers on every address: " + r);
      assertEquals(1, r.peers().size(), r.toString());
      assertEquals(0, r.notPeers().size(), r.toString());
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

      ScanReport r = scanner.scan(Targets.parse(CIDR), Ports.of(scanner.localAddress().getPort()), OPTIONS)
          .report().get(25, TimeUnit.SECONDS);

      assertEquals(ADDRESSES, r.open(), r.toString());
      assertEquals(0, r.peers().size(), r.toString());
      assertEquals(0, r.notPeers().size(), r.toString());
      assertEquals(0, scanner.peers().size());
    }
  }
}
