package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.Footprint;
import dev.vecino.p2p.testkit.Friend;
import dev.vecino.p2p.testkit.HostilePeer;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 3 of issue 14: sybils (completed handshakes under random ids, kept alive with PINGs)
 * from one address, then from a second, against a node with {@code maxConnections(64)}. The
 * first address stops at the reserve (48), the second holds at most 4 of the reserve, and a
 * legitimate node from a third address connects, exchanges messages and reconnects during and
 * after, while heap, direct memory and threads stay bounded. Before the fix, the first address
 * took all 64 slots and the legitimate node was refused.
 */
@Timeout(30)
class SybilAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 30);

  /** Opens up to {@code attempts} sybils from {@code source}; returns those the node kept. */
  static List<HostilePeer> sybils(Wire wire, PeerNode target, InetAddress source, int attempts) throws IOException {
    List<HostilePeer> kept = new ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      HostilePeer hp = null;
      try {
        // Under TLS the connect reads the pre-HELLO: a refusal at the limits shows here already.
        hp = wire.to(target.localAddress()).from(source).connect();
        hp.handshake("sybil", "vecino");
        kept.add(hp);
      } catch (IOException refused) {
        // Closed before its HELLO: refused at the limits.
        if (hp != null) {
          hp.close();
        }
      }
    }
    return kept;
  }

  /**
   * While 52 sybils are peers: 64 KiB of direct memory and 64 KiB of heap each (their queues
   * hold a HELLO and a PONG, their undelivered messages none), and 4 MiB for what the test and
   * class loading add.
   */
  private static Footprint.Allowance during(Wire wire) {
    return Footprint.Allowance.mebibytes(4, 2).plusDirect(52 * 64 * 1024).plusHeap(52 * wire.heapPerConnection());
  }
  /** After the sybils left: back to where it was, but for the test's closed sockets. */
  private static final Footprint.Allowance AFTER = Footprint.Allowance.mebibytes(4, 2);

  @ParameterizedTest
  @EnumSource(Wire.class)
  void sybilsFromOneAddressLeaveRoomForPeersFromOthers(Wire wire) throws Exception {
    List<HostilePeer> sybils = new ArrayList<>();
    try (TestNodes nodes = wire.nodes()) {
      Friend friend = Friend.start(nodes, BLOCK.host(9), "friend");
      PeerNode target = nodes.start(BLOCK.host(1), 0, b -> b.name("target").maxConnections(64)
          .listener(friend.echo()));
      Footprint before = Footprint.measure();
      Footprint during;
      try {
        sybils.addAll(sybils(wire, target, BLOCK.address(7), 100));
        assertEquals(48, sybils.size(), "one address stops where the reserve begins");
        List<HostilePeer> second = sybils(wire, target, BLOCK.address(8), 20);
        assertEquals(4, second.size(), "another address gets at most 4 of the reserve");
        sybils.addAll(second);
        for (HostilePeer s : sybils) {
          s.send(HostilePeer.PING, new byte[0]);
        }
        Await.until("the sybils are peers", () -> target.peers().size() == 52);

        // During: the friend gets in, both sides talk, and it gets in again on a fresh connection.
        friend.connect(target);
        friend.checkIn(3);
        assertTrue(target.stats().rejected(DisconnectReason.Kind.LIMIT_EXCEEDED) >= 52 + 16,
            target.stats().toString());
        during = Footprint.awaitWithin(before, during(wire), "while the sybils are peers");
      } finally {
        for (HostilePeer s : sybils) {
          s.close();
        }
      }
      // After: the sybils are gone, the friend is still heard and gets in again.
      Await.until("only the friend left", () -> target.peers().size() == 1);
      friend.checkIn(3);
      friend.assertNothingLost();
      Footprint after = Footprint.awaitWithin(before, AFTER, "after the sybils left");
      System.out.println("SYBILS footprint: before " + before + "; during " + during.growthOver(before)
          + "; after " + after.growthOver(before) + "; " + friend);
    }
  }
}
