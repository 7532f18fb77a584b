package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.Footprint;
import dev.vecino.p2p.testkit.Friend;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 4 of issue 14 as reported: silent connections from 100 addresses, 20 each, each
 * reopened at once when closed, against a node with the default pending-handshake limits (256
 * overall, 32 per address). A legitimate node from another address, connected before the
 * flood, reconnects once a second for 8 seconds: each fresh connection must complete its
 * handshake within 3 s and exchange messages both ways; it does again after the flood, and
 * heap, direct memory and threads stay bounded. Before the fix it got in 0 times of 8 over
 * 16 s.
 */
@Timeout(120)
class PendingFloodAttackIT {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 33);
  private static final int VISITS = 8;

  /**
   * While the flood holds every pending slot (its reopening paused for the measurement, as in
   * {@link PendingFloodAttackTest#DURING}): 64 KiB of direct memory and 64 KiB of heap for each
   * of the 2,000 connections it holds open, and 4 MiB of heap and 2 MiB of direct memory for
   * what the test, its sockets and class loading add.
   */
  private static final Footprint.Allowance DURING = Footprint.Allowance.mebibytes(4, 2)
      .plusDirect(2000 * 64 * 1024).plusHeap(2000 * 64 * 1024);

  @Test
  void aPeerGetsInEveryTimeWhileTheFloodLasts() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      Friend friend = Friend.start(nodes, BLOCK.host(250), "friend");
      PeerNode target = nodes.start(BLOCK.host(1), 0, b -> b.name("target").listener(friend.echo()));
      friend.connect(target);
      friend.exchange(3);
      Footprint before = Footprint.measure();
      Footprint during;
      List<Long> millis = new ArrayList<>();
      try (SilentFlood flood = new SilentFlood(target.localAddress(), PendingFloodAttackTest.sources(BLOCK, 100), 20)
          .start()) {
        Await.until("the flood holds every pending slot", Duration.ofSeconds(30),
            () -> target.stats().handshaking() >= 256);
        long start = System.nanoTime();
        for (int i = 0; i < VISITS; i++) {
          long due = start + Duration.ofSeconds(i).toNanos();
          Await.until("visit " + i + " is due", Duration.ofSeconds(30), () -> System.nanoTime() - due >= 0);
          Await.until("the flood holds every pending slot again", Duration.ofSeconds(30),
              () -> target.stats().handshaking() >= 256);
          millis.add(friend.reconnect().toMillis());
          friend.exchange(3);
        }
        flood.pause();
        during = Footprint.awaitWithin(before, DURING, "while the flood holds every pending slot");
        flood.resume();
        System.out.printf("pending flood, 100 addresses x 20, limits 256/32: %d silent connections opened, %d "
            + "closed by the node; friend's connect times (ms): %s; footprint before %s, during %s%n",
            flood.opened(), flood.closedByNode(), millis, before, during.growthOver(before));
      }
      assertTrue(millis.stream().allMatch(m -> m < 3000), "connect times (ms): " + millis);
      Await.until("the flood's slots are released", () -> target.stats().handshaking() == 0);
      friend.checkIn(3);
      friend.assertNothingLost();
      Footprint after = Footprint.awaitWithin(before, PendingFloodAttackTest.AFTER, "after the flood");
      System.out.println("PENDING FLOOD IT footprint after: " + after.growthOver(before) + "; " + friend);
    }
  }
}
