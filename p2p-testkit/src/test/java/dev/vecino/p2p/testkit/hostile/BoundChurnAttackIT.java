package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanHandle;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.Footprint;
import dev.vecino.p2p.testkit.Friend;
import dev.vecino.p2p.testkit.TestNodes;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
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
 * keeping each port in TIME_WAIT for a minute), and 65,534 probes. Meanwhile a legitimate
 * peer from another address exchanges messages with the churned (or scanning) node and
 * reconnects, during and after, and heap, direct memory and threads stay bounded. Hostile
 * profile for its length.
 */
@Timeout(300)
class BoundChurnAttackIT {

  private static final int CYCLES = 20_000;
  /**
   * Churn and scans hold no connection for long: 4 MiB of heap and 4 MiB of direct memory for
   * the buffers of connections just closed that the cleaner has not freed yet, and what the test
   * and class loading add.
   */
  private static final Footprint.Allowance BOUNDS = Footprint.Allowance.mebibytes(4, 4);
  /**
   * At the end of the /16 scan: 128 B of heap per probed address (8 MiB), for the cancelled
   * timers still queued until their deadlines (a cancelled timer drops its task, so a finished
   * probe is garbage at once; before that, ~72 MiB of finished probes stayed reachable here
   * until their timeout timers fired). Measured: +2.8 MiB.
   */
  private static final Footprint.Allowance SCANNING = BOUNDS.plusHeap(65_534 * 128);

  @Test
  void twentyThousandConnectCloseCyclesFromABoundNode() throws Exception {
    // A fresh source address per run: the ports of the previous run stay in TIME_WAIT a minute.
    String source = "127.6.34." + ThreadLocalRandom.current().nextInt(10, 250);
    try (TestNodes nodes = new TestNodes()) {
      Friend friend = Friend.start(nodes, "127.6.34.2", "friend");
      PeerNode acceptor = nodes.start("127.6.34.1", 0, b -> b.name("acceptor").listener(friend.echo()));
      PeerNode churner = nodes.start(source, 0, "churner");
      friend.connect(acceptor);
      friend.exchange(3);
      long establishedBefore = acceptor.stats().established();
      Footprint before = Footprint.measure();
      Footprint during = null;
      long directUncollected = 0;
      long start = System.nanoTime();
      for (int i = 0; i < CYCLES; i++) {
        Peer p = churner.connect(acceptor.localAddress()).get(10, TimeUnit.SECONDS);
        if (i % 1000 == 0) {
          Await.until("the acceptor registers the churner", () -> acceptor.peer(churner.identity().id()).isPresent());
          assertEquals(source, acceptor.peer(churner.identity().id()).orElseThrow().remoteAddress().getAddress()
              .getHostAddress());
          friend.exchange(1);
        }
        if (i == CYCLES / 2) {
          friend.checkIn(3);
          directUncollected = directInUse();
          during = Footprint.awaitWithin(before, BOUNDS, "during the churn");
        }
        churner.disconnect(p).get(10, TimeUnit.SECONDS);
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      Await.until("every churned connection closed", () -> acceptor.stats().connections() == 1
          && churner.stats().connections() == 0);
      assertEquals(CYCLES + 1, acceptor.stats().established() - establishedBefore, "the churn and the friend's reconnect");
      friend.checkIn(3);
      friend.assertNothingLost();
      Footprint after = Footprint.awaitWithin(before, BOUNDS, "after the churn");
      System.out.printf("%d connect/close cycles from bound %s: %d ms; footprint before %s, during %s (direct memory "
          + "%d B before that collection), after %s; %s%n", CYCLES, source, millis, before, during.growthOver(before),
          directUncollected, after.growthOver(before), friend);
    }
  }

  /** The direct buffer pool's use now, without a collection. */
  private static long directInUse() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
  }

  @Test
  void aSlash16OfLoopbackFromABoundScanner() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      // Outside the scanned /16, so the scan never meets it.
      Friend friend = Friend.start(nodes, "127.47.0.2", "friend");
      PeerNode peer = nodes.start("127.46.200.7", 0, "peer");
      PeerNode scanner = nodes.start("127.46.0.1", 0, b -> b.name("scanner").listener(friend.echo()));
      friend.connect(scanner);
      friend.exchange(3);
      Footprint before = Footprint.measure();
      ScanHandle scan = scanner.scan(Targets.parse("127.46.0.0/16"), Ports.of(peer.localAddress().getPort()),
          ScanOptions.builder().autoConnect(false).timeout(Duration.ofSeconds(5)).build());
      friend.reconnect();
      int exchanges = 0;
      // Bounded by the scan: the friend keeps talking until the report is in (120 s at most).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!scan.report().isDone() && System.nanoTime() < deadline) {
        friend.exchange(1);
        exchanges++;
      }
      Footprint during = Footprint.awaitWithin(before, SCANNING, "at the end of the scan");
      ScanReport r = scan.report().get(1, TimeUnit.SECONDS);
      System.out.printf("/16 scan from bound 127.46.0.1: %s; friend exchanges during it: %d%n", r, exchanges);
      assertEquals(65_534, r.probed(), r.toString());
      assertEquals(1, r.peers().size(), r.toString());
      assertEquals(65_533, r.closed(), r.toString());
      assertTrue(exchanges >= 3, "friend exchanges during the scan: " + exchanges);
      friend.checkIn(3);
      friend.assertNothingLost();
      Footprint after = Footprint.awaitWithin(before, BOUNDS, "after the scan");
      System.out.printf("/16 scan footprint before %s, during %s, after %s; %s%n", before, during.growthOver(before),
          after.growthOver(before), friend);
    }
  }
}
