package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.ScanOptions;
import dev.vecino.p2p.ScanReport;
import dev.vecino.p2p.discovery.Ports;
import dev.vecino.p2p.discovery.Targets;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.TestNodes;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 8 of issue 14 (bind part): with a specific {@code bindAddress}, every outbound socket
 * binds to it (port 0) before connecting, which costs a source port per connection instead of
 * the kernel's per-destination sharing. Connection churn and a loopback /16 scan must still
 * work: 20,000 connect/close cycles from one bound node (about 10 s here, the closing side
 * keeping each port in TIME_WAIT for a minute), and 65,534 probes. Hostile profile for its
 * length.
 */
@Timeout(300)
class BoundChurnAttackIT {

  private static final int CYCLES = 20_000;

  @Test
  void twentyThousandConnectCloseCyclesFromABoundNode() throws Exception {
    // A fresh source address per run: the ports of the previous run stay in TIME_WAIT a minute.
    String source = "127.6.34." + ThreadLocalRandom.current().nextInt(10, 250);
    try (TestNodes nodes = new TestNodes()) {
      PeerNode acceptor = nodes.start("127.6.34.1", 0, "acceptor");
      PeerNode churner = nodes.start(source, 0, "churner");
      long threadsBefore = HostileBounds.vecinoThreads();
      long start = System.nanoTime();
      for (int i = 0; i < CYCLES; i++) {
        Peer p = churner.connect(acceptor.localAddress()).get(10, TimeUnit.SECONDS);
        if (i % 1000 == 0) {
          Await.until("the acceptor registers the churner", () -> acceptor.peer(churner.identity().id()).isPresent());
          assertEquals(source, acceptor.peer(churner.identity().id()).orElseThrow().remoteAddress().getAddress()
              .getHostAddress());
        }
        churner.disconnect(p).get(10, TimeUnit.SECONDS);
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("%d connect/close cycles from bound %s: %d ms; vecino threads %d -> %d%n", CYCLES, source,
          millis, threadsBefore, HostileBounds.vecinoThreads());
      assertEquals(threadsBefore, HostileBounds.vecinoThreads());
      Await.until("every connection closed", () -> acceptor.stats().connections() == 0
          && churner.stats().connections() == 0);
      assertEquals(CYCLES, acceptor.stats().established());
    }
  }

  @Test
  void aSlash16OfLoopbackFromABoundScanner() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode peer = nodes.start("127.46.200.7", 0, "peer");
      PeerNode scanner = nodes.start("127.46.0.1", 0, "scanner");
      ScanReport r = scanner.scan(Targets.parse("127.46.0.0/16"), Ports.of(peer.localAddress().getPort()),
          ScanOptions.builder().autoConnect(false).timeout(Duration.ofSeconds(5)).build())
          .report().get(120, TimeUnit.SECONDS);
      System.out.printf("/16 scan from bound 127.46.0.1: %s%n", r);
      assertEquals(65_534, r.probed(), r.toString());
      assertEquals(1, r.peers().size(), r.toString());
      assertEquals(65_533, r.closed(), r.toString());
    }
  }
}
