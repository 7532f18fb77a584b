package dev.vecino.p2p.testkit.hostile;

import static java.nio.charset.StandardCharsets.US_ASCII;
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
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14, fault 8: a peer that claims a name with a bidi override (so it would be shown
 * reversed), and strangers speaking HTTP, TLS or SSH, are closed without ever becoming peers,
 * while a legitimate peer from another address keeps exchanging messages.
 */
@Timeout(30)
class StrangerAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 80);
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final List<Message> atNode = new CopyOnWriteArrayList<>();
  private final List<Message> atFriend = new CopyOnWriteArrayList<>();
  private int round;

  /** The friend and the node exchange one message each way. */
  private void exchange(PeerNode node, PeerNode friend, Peer nodeAtFriend) throws Exception {
    String text = "round " + round++;
    friend.send(nodeAtFriend, text).get(5, TimeUnit.SECONDS);
    Await.until("node hears " + text, () -> atNode.stream().anyMatch(m -> m.text().equals(text)));
    Peer friendAtNode = node.peer(friend.identity().id()).orElseThrow();
    node.send(friendAtNode, "ack " + text).get(5, TimeUnit.SECONDS);
    Await.until("friend hears ack " + text, () -> atFriend.stream().anyMatch(m -> m.text().equals("ack " + text)));
  }

  @Test
  void namesAndGroupsWithBidiControlsAreRefusedWhileAFriendChats() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode node = nodes.start(BLOCK.host(1), 0, b -> b.name("node").onMessage(atNode::add));
      PeerNode friend = nodes.start(BLOCK.host(2), 0, b -> b.name("friend").onMessage(atFriend::add));
      Peer nodeAtFriend = friend.connect(node.localAddress()).get(5, TimeUnit.SECONDS);
      exchange(node, friend, nodeAtFriend);

      String[][] claims = {{"\u202Ecarl", "vecino"}, {"carl\u2066", "vecino"}, {"carl", "vec\u202Aino"}};
      for (String[] claim : claims) {
        try (HostilePeer mallory = HostilePeer.to(node.localAddress()).from(BLOCK.address(7)).connect()) {
          mallory.handshake(PeerId.random(), claim[0], claim[1]);
          assertTrue(mallory.awaitClosed(WAIT), "closed: " + claim[0] + " / " + claim[1]);
        }
        exchange(node, friend, nodeAtFriend);
      }
      assertEquals(List.of("friend"), node.peers().stream().map(p -> p.name()).toList());
      Await.until("three claims refused", () -> node.stats().rejected(DisconnectReason.Kind.NOT_A_PEER) == 3);
    }
  }

  @Test
  void httpTlsAndSshStrangersAreClosedWhileAFriendChats() throws Exception {
    byte[][] strangers = {
      "GET / HTTP/1.1\r\nHost: vecino\r\n\r\n".getBytes(US_ASCII),
      HexFormat.of().parseHex("1603010200010001fc0303"),
      "SSH-2.0-OpenSSH_9.2\r\n".getBytes(US_ASCII)
    };
    try (TestNodes nodes = new TestNodes()) {
      PeerNode node = nodes.start(BLOCK.host(3), 0, b -> b.name("node").onMessage(atNode::add));
      PeerNode friend = nodes.start(BLOCK.host(4), 0, b -> b.name("friend").onMessage(atFriend::add));
      Peer nodeAtFriend = friend.connect(node.localAddress()).get(5, TimeUnit.SECONDS);
      for (byte[] bytes : strangers) {
        try (HostilePeer stranger = HostilePeer.to(node.localAddress()).from(BLOCK.address(8)).connect()) {
          stranger.sendRaw(bytes);
          assertTrue(stranger.awaitClosed(Duration.ofSeconds(2)), "closed at once, not by the 5 s handshake timeout");
        }
        exchange(node, friend, nodeAtFriend);
      }
      assertEquals(1, node.peers().size());
      Await.until("three strangers refused", () -> node.stats().rejected(DisconnectReason.Kind.NOT_A_PEER) == 3);
    }
  }
}
