package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 4 of issue 14, the quick variant: silent connections from 100 addresses (4 each, each
 * reopened at once when closed) hold all 128 pending-handshake slots of a node; a legitimate
 * node from another address still completes its handshake and talks, 3 times of 3 (the
 * sustained variant is {@link PendingFloodAttackIT}). Before the fix it got in 0 times of 3.
 *
 * <p>Fairness among addresses works while the flood has fewer addresses than pending slots
 * (here 100 of 128; by default 256 slots, more addresses than a /24 holds): then some flood
 * address always holds more pending handshakes than the newcomer's, and is the one evicted.
 */
@Timeout(30)
class PendingFloodAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 31);

  /** The flood's sources: {@code block.host(10)} to {@code block.host(10 + count - 1)}. */
  static List<InetAddress> sources(LoopbackBlock block, int count) {
    List<InetAddress> sources = new ArrayList<>();
    for (int h = 10; h < 10 + count; h++) {
      sources.add(block.address(h));
    }
    return sources;
  }

  /**
   * One legitimate visit: connect, a message each way, disconnect. Returns the milliseconds
   * the connect took, or -1 if it failed.
   */
  static long visit(PeerNode legit, PeerNode target, List<Message> atTarget, String text) throws Exception {
    long start = System.nanoTime();
    Peer peer;
    try {
      peer = legit.connect(target.localAddress()).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return -1;
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    legit.send(peer, text).get(5, TimeUnit.SECONDS);
    Await.until("target hears " + text, () -> atTarget.stream().anyMatch(m -> m.text().equals(text)));
    Peer back = target.peer(legit.identity().id()).orElseThrow();
    target.send(back, "re: " + text).get(5, TimeUnit.SECONDS);
    legit.disconnect(peer).get(5, TimeUnit.SECONDS);
    return millis;
  }

  @Test
  void aPeerGetsInThroughAFloodOfSilentConnectionsFromAHundredAddresses() throws Exception {
    List<Message> atTarget = new CopyOnWriteArrayList<>();
    try (TestNodes nodes = new TestNodes()) {
      PeerNode target = nodes.start(BLOCK.host(1), 0, b -> b.name("target").maxPendingHandshakes(128, 8)
          .onMessage(atTarget::add));
      PeerNode legit = nodes.start(BLOCK.host(250), 0, "legit");
      try (SilentFlood flood = new SilentFlood(target.localAddress(), sources(BLOCK, 100), 4).start()) {
        Await.until("the flood holds every pending slot", () -> target.stats().handshaking() >= 128);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          millis.add(visit(legit, target, atTarget, "visit " + i));
        }
        assertTrue(millis.stream().allMatch(m -> m >= 0 && m < 3000), "connect times (ms): " + millis);
        assertTrue(flood.closedByNode() > 0, "the flood was refused or evicted meanwhile");
      }
      assertEquals(3, atTarget.size());
      Await.until("the flood's slots are released", () -> target.stats().handshaking() == 0);
    }
  }
}
