package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.HostilePeer;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/** The hostile-peer kit itself speaks the protocol a node expects, from the address asked for. */
@Timeout(20)
class HostilePeerTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 1);
  private static final Duration WAIT = Duration.ofSeconds(5);

  @ParameterizedTest
  @EnumSource(Wire.class)
  void completesAHandshakeFromTheChosenSourceAddressAndIsHeard(Wire wire) throws Exception {
    List<Message> received = new CopyOnWriteArrayList<>();
    try (TestNodes nodes = wire.nodes()) {
      PeerNode node = nodes.start(BLOCK.host(1), 0, b -> b.name("target").onMessage(received::add));
      try (HostilePeer peer = wire.to(node.localAddress()).from(BLOCK.address(7)).connect()) {
        PeerId mallory = peer.id();
        assertEquals(wire == Wire.TLS, peer.isSecure());
        HostilePeer.Hello hello = peer.handshake("mallory", "vecino");
        assertEquals(wire == Wire.TLS ? 2 : 1, hello.maxVersion());
        assertEquals(node.identity().id(), hello.id());
        assertEquals("target", hello.name());
        assertEquals(BLOCK.address(7), peer.localAddress().getAddress());

        peer.sendText("hola");
        Await.until("the node hears mallory", () -> received.size() == 1);
        assertEquals("hola", received.get(0).text());
        assertEquals(mallory, received.get(0).sender().id());
        assertEquals(BLOCK.address(7), node.peer(mallory).orElseThrow().remoteAddress().getAddress());

        byte[] body = {1, 2, 3, 4, 5, 6, 7, 8};
        peer.send(HostilePeer.PING, body);
        assertArrayEquals(body, peer.readUntil(HostilePeer.PONG, WAIT).body());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void seesTheNodeCloseOnGarbageAfterTheHandshake(Wire wire) throws Exception {
    try (TestNodes nodes = wire.nodes()) {
      PeerNode node = nodes.start(BLOCK.host(2), 0, "target");
      try (HostilePeer peer = wire.to(node.localAddress()).from(BLOCK.address(8)).connect()) {
        peer.handshake("mallory", "vecino");
        peer.send(0x7f, new byte[0]);
        HostilePeer.Frame bye = peer.readUntil(HostilePeer.BYE, WAIT);
        assertEquals(5, bye.byeCode(), "protocol error: " + bye);
        assertTrue(peer.awaitClosed(WAIT), "the node closes after its BYE");
      }
      assertTrue(node.isRunning());
    }
  }
}
