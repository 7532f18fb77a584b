package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 4 of issue 14 as reported: silent connections from 100 addresses, 20 each, each
 * reopened at once when closed, against a node with the default pending-handshake limits (256
 * overall, 32 per address). A legitimate node from another address visits once a second for
 * 8 seconds: each visit must complete its handshake within 3 s and exchange a message each
 * way. Before the fix it got in 0 times of 8 over 16 s.
 */
@Timeout(120)
class PendingFloodAttackIT {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 33);
  private static final int VISITS = 8;

  @Test
  void aPeerGetsInEveryTimeWhileTheFloodLasts() throws Exception {
    List<Message> atTarget = new CopyOnWriteArrayList<>();
    try (TestNodes nodes = new TestNodes()) {
      PeerNode target = nodes.start(BLOCK.host(1), 0, b -> b.name("target").onMessage(atTarget::add));
      PeerNode legit = nodes.start(BLOCK.host(250), 0, "legit");
      long threadsBefore = HostileBounds.vecinoThreads();
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
          millis.add(PendingFloodAttackTest.visit(legit, target, atTarget, "visit " + i));
        }
        System.out.printf("pending flood, 100 addresses x 20, limits 256/32: %d silent connections opened, %d "
            + "closed by the node; legit connect times (ms, -1 = failed): %s; vecino threads %d -> %d%n",
            flood.opened(), flood.closedByNode(), millis, threadsBefore, HostileBounds.vecinoThreads());
        assertEquals(threadsBefore, HostileBounds.vecinoThreads(), "no thread per connection");
      }
      assertTrue(millis.stream().allMatch(m -> m >= 0 && m < 3000), "connect times (ms): " + millis);
      assertEquals(VISITS, atTarget.size());
      Await.until("the flood's slots are released", () -> target.stats().handshaking() == 0);
    }
  }
}
