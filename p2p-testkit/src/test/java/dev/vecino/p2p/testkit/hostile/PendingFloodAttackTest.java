package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.Footprint;
import dev.vecino.p2p.testkit.Friend;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 4 of issue 14, the quick variant: silent connections from 100 addresses (4 each, each
 * reopened at once when closed) hold all 128 pending-handshake slots of a node; a legitimate
 * node from another address keeps talking on the connection it had, still completes a fresh
 * handshake and talks, 3 times of 3, and again after the flood, while heap, direct memory and
 * threads stay bounded (the sustained variant is {@link PendingFloodAttackIT}). Before the fix
 * it got in 0 times of 3.
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
   * While the flood holds every pending slot (its reopening paused for the measurement: the
   * JDK frees a closed connection's direct buffers only after a collection, and a flood
   * reopening thousands of connections a second outruns that): 64 KiB of direct memory and
   * 64 KiB of heap for each of the 400 connections it holds open (a pending one holds the
   * node's HELLO and at most a HELLO's worth of input), and 4 MiB of heap and 2 MiB of direct
   * memory for what the test, its sockets and class loading add.
   */
  static final Footprint.Allowance DURING = Footprint.Allowance.mebibytes(4, 2)
      .plusDirect(400 * 64 * 1024).plusHeap(400 * 64 * 1024);
  /** After the flood: back to where it was. */
  static final Footprint.Allowance AFTER = Footprint.Allowance.mebibytes(4, 2);

  @Test
  void aPeerGetsInThroughAFloodOfSilentConnectionsFromAHundredAddresses() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      Friend friend = Friend.start(nodes, BLOCK.host(250), "friend");
      PeerNode target = nodes.start(BLOCK.host(1), 0, b -> b.name("target").maxPendingHandshakes(128, 8)
          .listener(friend.echo()));
      friend.connect(target);
      friend.exchange(3);
      Footprint before = Footprint.measure();
      Footprint during;
      List<Long> millis = new ArrayList<>();
      try (SilentFlood flood = new SilentFlood(target.localAddress(), sources(BLOCK, 100), 4).start()) {
        Await.until("the flood holds every pending slot", () -> target.stats().handshaking() >= 128);
        friend.exchange(3);
        for (int i = 0; i < 3; i++) {
          millis.add(friend.reconnect().toMillis());
          friend.exchange(3);
        }
        flood.pause();
        during = Footprint.awaitWithin(before, DURING, "while the flood holds every pending slot");
        flood.resume();
        assertTrue(millis.stream().allMatch(m -> m < 3000), "connect times (ms): " + millis);
        // Awaited: the flood's thread sees an eviction a moment after the newcomer got in.
        Await.until("the flood was refused or evicted meanwhile", () -> flood.closedByNode() > 0);
      }
      Await.until("the flood's slots are released", () -> target.stats().handshaking() == 0);
      friend.checkIn(3);
      friend.assertNothingLost();
      Footprint after = Footprint.awaitWithin(before, AFTER, "after the flood");
      System.out.println("PENDING FLOOD connect times (ms) " + millis + "; footprint before " + before + "; during "
          + during.growthOver(before) + "; after " + after.growthOver(before) + "; " + friend);
    }
  }
}
