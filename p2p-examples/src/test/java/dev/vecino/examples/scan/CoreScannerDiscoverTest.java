package dev.vecino.examples.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.scan.Scanner.Found;
import dev.vecino.examples.scan.Scanner.Kind;
import dev.vecino.examples.scan.Scanner.Outcome;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.discovery.RangeScanDiscovery;
import dev.vecino.p2p.scan.NetworkScope;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.Targets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat's {@code /scan} without targets runs {@code node.discover()} through
 * {@link CoreScanner} (issue 17): its outcome, on loopback (127.0.8.20-29). The scanning node is
 * bound to one loopback address and scoped to 127.0.8.0/24, so no interface of this machine can
 * carry a beacon (the beacon stage finds no usable link and opens no UDP port); the range stage
 * is the node's own discovery, probed over real loopback TCP.
 */
@Timeout(30)
class CoreScannerDiscoverTest {

  @Test
  void aDiscoveryThroughTheScannerListsWhatTheChainVerifiedAndKeepsThePeersConnected() throws Exception {
    try (ServerSocket service = new ServerSocket(0, 50, InetAddress.getByName("127.0.8.23"));
         PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.8.21").port(0).build().start()) {
      int port = ana.localAddress().getPort();
      // 127.0.8.22 listens on nothing; 127.0.8.23 holds a service that is not Vecino, on ana's port if it can.
      RangeScanDiscovery range = RangeScanDiscovery.of(Targets.parse("127.0.8.21-127.0.8.23"),
          Ports.of(port, service.getLocalPort()));
      try (PeerNode node = PeerNode.builder().name("me").bindAddress("127.0.8.20").port(0)
          .networkScope(NetworkScope.parse("127.0.8.0/24")).discovery(range).build().start()) {
        Scanner.Job job = CoreScanner.INSTANCE.start(node, new Scanner.Request(null, null, Duration.ofMillis(500), true,
            true), (done, total, peers) -> { });
        Outcome o = job.result().get(15, TimeUnit.SECONDS);
        assertFalse(o.cancelled());
        assertEquals(6, o.probed(), "three addresses on two ports: " + o);
        List<Found> peers = o.found().stream().filter(f -> f.kind() == Kind.PEER).toList();
        assertEquals(1, peers.size(), o.toString());
        assertEquals(new InetSocketAddress("127.0.8.21", port), peers.get(0).address());
        assertEquals("ana", peers.get(0).name());
        assertEquals(ana.identity().id().toString(), peers.get(0).id());
        assertTrue(o.found().stream().anyMatch(f -> f.kind() == Kind.NOT_PEER
            && f.address().equals(new InetSocketAddress("127.0.8.23", service.getLocalPort()))), o.toString());
        assertEquals(0, o.self(), "the node's own address is not among the targets");
        assertEquals(1, node.peers().size(), "the peer found stays connected");
      }
    }
  }
}
