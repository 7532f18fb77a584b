package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.HostilePeer;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 3 of issue 14: sybils (completed handshakes under random ids, kept alive with PINGs)
 * from one address, then from a second, against a node with {@code maxConnections(64)}. The
 * first address stops at the reserve (48), the second holds at most 3 of the reserve, and a
 * legitimate node from a third address connects and exchanges messages during and after.
 * Before the fix, the first address took all 64 slots and the legitimate node was refused.
 */
@Timeout(30)
class SybilAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 30);
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** Opens up to {@code attempts} sybils from {@code source}; returns those the node kept. */
  static List<HostilePeer> sybils(PeerNode target, InetAddress source, int attempts) throws IOException {
    List<HostilePeer> kept = new ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      HostilePeer hp = HostilePeer.to(target.localAddress()).from(source).connect();
      try {
        hp.handshake(PeerId.random(), "sybil", "vecino");
        kept.add(hp);
      } catch (IOException refused) {
        // Closed before its HELLO: refused at the limits.
        hp.close();
      }
    }
    return kept;
  }

  @Test
  void sybilsFromOneAddressLeaveRoomForPeersFromOthers() throws Exception {
    List<Message> atTarget = new CopyOnWriteArrayList<>();
    List<Message> atFriend = new CopyOnWriteArrayList<>();
    List<HostilePeer> sybils = new ArrayList<>();
    try (TestNodes nodes = new TestNodes()) {
      PeerNode target = nodes.start(BLOCK.host(1), 0, b -> b.name("target").maxConnections(64)
          .onMessage(atTarget::add));
      PeerNode friend = nodes.start(BLOCK.host(9), 0, b -> b.name("friend").onMessage(atFriend::add));
      try {
        sybils.addAll(sybils(target, BLOCK.address(7), 100));
        assertEquals(48, sybils.size(), "one address stops where the reserve begins");
        List<HostilePeer> second = sybils(target, BLOCK.address(8), 20);
        assertEquals(4, second.size(), "another address gets at most 4 of the reserve");
        sybils.addAll(second);
        for (HostilePeer s : sybils) {
          s.send(HostilePeer.PING, new byte[0]);
        }
        Await.until("the sybils are peers", () -> target.peers().size() == 52);

        // During: the friend gets in and both sides talk.
        Peer atFriendSide = friend.connect(target.localAddress()).get(5, TimeUnit.SECONDS);
        friend.send(atFriendSide, "during").get(5, TimeUnit.SECONDS);
        Await.until("target hears the friend", () -> atTarget.size() == 1);
        Peer atTargetSide = target.peer(friend.identity().id()).orElseThrow();
        target.send(atTargetSide, "back").get(5, TimeUnit.SECONDS);
        Await.until("friend hears the target", () -> atFriend.size() == 1);
        assertTrue(target.stats().rejected(DisconnectReason.Kind.LIMIT_EXCEEDED) >= 52 + 16,
            target.stats().toString());
      } finally {
        for (HostilePeer s : sybils) {
          s.close();
        }
      }
      // After: the sybils are gone, the friend is still heard.
      Await.until("only the friend left", () -> target.peers().size() == 1);
      Peer atFriendSide = friend.peer(target.identity().id()).orElseThrow();
      friend.send(atFriendSide, "after").get(5, TimeUnit.SECONDS);
      Await.until("target hears the friend after", () -> atTarget.size() == 2);
      assertEquals(List.of("during", "after"), atTarget.stream().map(Message::text).toList());
    }
  }
}
