package dev.vecino.p2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.Targets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Classic mode (docs/PROTOCOL.md, 3) in 127.4.10.0/24: a peer is an address whose first chunk
 * is a plausible greeting; a framed HELLO or a banner line is not.
 */
@Timeout(30)
class ClassicScanTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(4, 10);

  @Test
  void findsClassicPeersByTheirGreetingAndNothingElse() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode ana = nodes.start(BLOCK.host(20), 0, x -> x.name("ana").codec(Codec.classic()));
      int port = ana.localAddress().getPort();
      PeerNode bob = nodes.start(BLOCK.host(21), port, x -> x.name("bob").codec(Codec.classic()));
      nodes.start(BLOCK.host(22), port, "framed");
      try (PlainService banner = PlainService.greeting(BLOCK.socket(23, port), "SSH-2.0-OpenSSH_9.2\r\n")) {
        PeerNode scanner = nodes.start(BLOCK.host(24), port, x -> x.name("scanner").codec(Codec.classic()));

        ScanReport r = scanner.scan(Targets.parse(BLOCK.host(16) + "-31"), Ports.of(port),
            ScanOptions.builder().timeout(Duration.ofMillis(300)).build()).report().get(10, TimeUnit.SECONDS);

        assertEquals(Set.of("ana", "bob"), r.peers().stream().map(ScanResult::name).collect(Collectors.toSet()), r.toString());
        assertEquals(Set.of(BLOCK.socket(22, port), banner.address()),
            r.notPeers().stream().map(ScanResult::address).collect(Collectors.toSet()), r.toString());
        assertEquals(5, r.open(), "two peers, two strangers and the scanner itself (counted, never listed): " + r);
        Await.until("both classic peers connected", () -> scanner.peers().size() == 2);
        assertTrue(scanner.peers().stream().allMatch(p -> p.name().equals("ana") || p.name().equals("bob")));
      }
    }
  }
}
