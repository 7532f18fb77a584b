package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Strangers and broken peers against a live node while a legitimate peer keeps chatting: each
 * bad connection is dropped with a reason, the legitimate one is untouched. Each runs inside
 * the TLS tunnel against a secure node in {@link SecureHostileTest}.
 */
@Timeout(60)
class HostileInputTest {

  private final Recorder nodeEvents = new Recorder();
  private final Recorder friendEvents = new Recorder();
  private PeerNode node;
  private PeerNode friend;
  private Peer friendAtNode;
  private int round;

  @BeforeEach
  void start() throws Exception {
    node = Nodes.plain("node").handshakeTimeout(java.time.Duration.ofMillis(500)).listener(nodeEvents).build().start();
    friend = Nodes.startPlain("friend", friendEvents);
    friend.connect(node.localAddress()).get(5, TimeUnit.SECONDS);
    Await.until("node sees friend", () -> nodeEvents.connected.size() == 1);
    friendAtNode = nodeEvents.connected.get(0);
  }

  @AfterEach
  void stop() {
    friend.close();
    node.close();
  }

  private void assertFriendStillChats() throws Exception {
    String text = "still here " + round++;
    node.send(friendAtNode, text).get(5, TimeUnit.SECONDS);
    Peer nodeAtFriend = friend.peers().get(0);
    friend.send(nodeAtFriend, "ack " + text).get(5, TimeUnit.SECONDS);
    Await.until("friend exchange " + text, () -> friendEvents.texts().contains(text)
        && nodeEvents.texts().contains("ack " + text));
    assertEquals(1, node.peers().size());
    assertTrue(friendEvents.disconnects.isEmpty(), "friend was disconnected: " + friendEvents.disconnects);
  }

  private void assertRejected(DisconnectReason.Kind kind, long count) {
    Await.until("rejected " + kind + " " + count + " in " + node.stats(),
        () -> node.stats().rejected(kind) == count && node.stats().handshaking() == 0);
  }

  @Test
  void dropsGarbageBytes() throws Exception {
    try (RawPeer raw = RawPeer.connect(node.localAddress())) {
      raw.sendRaw(new byte[] {0, 0, 0, 3, (byte) 0xEE, 1, 2, 9, 9, 9});
      assertTrue(raw.awaitEof(), "node must close the connection");
    }
    assertRejected(DisconnectReason.Kind.NOT_A_PEER, 1);
    assertFriendStillChats();
  }

  @Test
  void dropsAnHttpRequestWithoutAllocatingItsLength() throws Exception {
    try (RawPeer raw = RawPeer.connect(node.localAddress())) {
      raw.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertTrue(raw.awaitEof(), "node must close the connection");
    }
    assertRejected(DisconnectReason.Kind.NOT_A_PEER, 1);
    assertFriendStillChats();
  }

  @Test
  void refusesAHelloWhoseNameHoldsABidiOverride() throws Exception {
    try (RawPeer raw = RawPeer.connect(node.localAddress())) {
      raw.readFrame();
      raw.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "\u202Ecarl", "vecino"));
      assertEquals(-1, raw.in.read(), "closed without a BYE, like any malformed HELLO");
    }
    assertRejected(DisconnectReason.Kind.NOT_A_PEER, 1);
    assertTrue(nodeEvents.connected.stream().noneMatch(p -> p.name().contains("carl")), nodeEvents.connected.toString());
    assertFriendStillChats();
  }

  @Test
  void dropsAConnectedPeerThatSpeaksHttpSayingItLooksLikeHttp() throws Exception {
    try (RawPeer raw = RawPeer.connect(node.localAddress())) {
      raw.readFrame();
      raw.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "proxy", "vecino"));
      Await.until("proxy registered", () -> node.peers().size() == 2);
      raw.sendRaw("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertTrue(raw.awaitEof(), "node must close the connection");
    }
    Await.until("proxy dropped with reason", () -> nodeEvents.disconnects.size() == 1);
    assertEquals(DisconnectReason.Kind.FRAME_TOO_LONG, nodeEvents.disconnects.get(0).kind());
    assertEquals("frame length 1195725856 exceeds the limit of 16777216 bytes; "
        + "looks like an HTTP request (GET /index.html HTTP/1.1)", nodeEvents.disconnects.get(0).detail());
    assertFriendStillChats();
  }

  @Test
  void dropsAnOversizedFrameFromAConnectedPeer() throws Exception {
    Recorder r = new Recorder();
    try (RawPeer raw = RawPeer.connect(node.localAddress())) {
      raw.readFrame();
      raw.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "rogue", "vecino"));
      Await.until("rogue registered", () -> node.peers().size() == 2);
      raw.sendRaw(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 2});
      assertTrue(raw.awaitEof(), "node must close the connection");
    }
    Await.until("rogue dropped with reason", () -> nodeEvents.disconnects.stream()
        .anyMatch(d -> d.kind() == DisconnectReason.Kind.FRAME_TOO_LONG));
    assertTrue(nodeEvents.disconnects.get(0).detail().contains("2147483647"), nodeEvents.disconnects.toString());
    assertFriendStillChats();
  }

  @Test
  void dropsAPartialFrameFollowedByEof() throws Exception {
    try (RawPeer raw = RawPeer.connect(node.localAddress())) {
      raw.readFrame();
      raw.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "halfway", "vecino"));
      Await.until("registered", () -> node.peers().size() == 2);
      raw.sendRaw(new byte[] {0, 0, 0, 100, 2, 'h', 'i'});
    }
    Await.until("halfway dropped", () -> nodeEvents.disconnects.size() == 1);
    assertEquals(DisconnectReason.Kind.CONNECTION_LOST, nodeEvents.disconnects.get(0).kind());
    assertTrue(nodeEvents.texts().stream().noneMatch(t -> t.startsWith("hi")), "no partial message delivered");
    assertFriendStillChats();
  }

  @Test
  void dropsAClientThatNeverSpeaks() throws Exception {
    try (RawPeer raw = RawPeer.connect(node.localAddress())) {
      assertTrue(raw.awaitEof(), "node must close a silent connection after the handshake timeout");
    }
    assertRejected(DisconnectReason.Kind.HANDSHAKE_TIMEOUT, 1);
    assertFriendStillChats();
  }

  @Test
  void dropsAFrameOfUnknownType() throws Exception {
    try (RawPeer raw = RawPeer.connect(node.localAddress())) {
      raw.readFrame();
      raw.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "odd", "vecino"));
      raw.sendRaw(new byte[] {0, 0, 0, 1, (byte) 0x99});
      assertTrue(raw.awaitEof());
    }
    Await.until("odd dropped", () -> nodeEvents.disconnects.size() == 1);
    assertEquals(DisconnectReason.Kind.PROTOCOL_ERROR, nodeEvents.disconnects.get(0).kind());
    assertTrue(nodeEvents.disconnects.get(0).detail().contains("0x99"), nodeEvents.disconnects.toString());
    assertFriendStillChats();
  }
}
