package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile inputs of {@link HostileInputTest} and {@link HostileFloodTest}, sent inside the
 * TLS tunnel by attackers that complete the TLS handshake with keys of their own
 * ({@link SecureRawPeer}), to a secure node while a secure friend keeps chatting: each bad
 * connection is dropped with the reason a plaintext node gives, and the friend is untouched.
 * Garbage and HTTP stand for the random bytes, the partial frame for the truncated ones; a
 * backlog of small records is {@link FloodFairnessTest}'s.
 */
@Timeout(90)
class SecureHostileTest {

  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(1000);
  /** Friend round-trip p99 during a flood: generous, the build machine is shared (see HostileFloodTest). */
  private static final long P99_BOUND_MS = 2500;
  private static final String FLOOD_TEXT = "x".repeat(1000);

  private final AtomicLong flooded = new AtomicLong();
  /** Counts the flood's frames rather than keeping them (the recorder's list copies itself on each add). */
  private final Recorder nodeEvents = new Recorder() {
    @Override
    public void onMessage(Message m) {
      if (m.kind() == MessageKind.TEXT && m.text().startsWith(FLOOD_TEXT)) {
        flooded.incrementAndGet();
      } else {
        super.onMessage(m);
      }
    }
  };
  private final Recorder friendEvents = new Recorder();
  private PeerNode node;
  private PeerNode friend;
  private Peer friendAtNode;
  private int round;

  @BeforeEach
  void start() throws Exception {
    node = Nodes.local("node").handshakeTimeout(HANDSHAKE_TIMEOUT).listener(nodeEvents).build().start();
    friend = Nodes.start("friend", friendEvents);
    friend.connect(node.localAddress()).get(10, TimeUnit.SECONDS);
    Await.until("node sees friend", () -> nodeEvents.connected.size() == 1);
    friendAtNode = nodeEvents.connected.get(0);
  }

  @AfterEach
  void stop() {
    friend.close();
    node.close();
    Nodes.assertNoThreadsOf(node);
  }

  /** One exchange each way with the friend; returns its round trip in nanoseconds. */
  private long friendRoundTrip() throws Exception {
    String text = "still here " + round++;
    long start = System.nanoTime();
    node.send(friendAtNode, text).get(5, TimeUnit.SECONDS);
    Await.until("friend hears " + text, () -> friendEvents.texts().contains(text));
    friend.send(friend.peers().get(0), "ack " + text).get(5, TimeUnit.SECONDS);
    Await.until("node hears ack " + text, () -> nodeEvents.texts().contains("ack " + text));
    return System.nanoTime() - start;
  }

  private void assertFriendStillChats() throws Exception {
    friendRoundTrip();
    assertEquals(1, node.peers().size(), node.peers().toString());
    assertTrue(friendEvents.disconnects.isEmpty(), "friend was disconnected: " + friendEvents.disconnects);
    Await.until("no stranger left in " + node.stats(), () -> node.stats().handshaking() == 0
        && node.stats().connections() == 1);
  }

  private static InetAddress from(int lastOctet) throws Exception {
    return InetAddress.getByName("127.0.0." + lastOctet);
  }

  /** What an attacker sends after TLS, and what the node must say about it. */
  interface Attack {
    void run(SecureRawPeer mallory) throws Exception;
  }

  static Stream<Arguments> beforeTheHello() {
    return Stream.of(
        Arguments.of("garbage", DisconnectReason.Kind.NOT_A_PEER, (Attack) m -> m.sendRaw(new byte[] {0, 0, 0, 3,
            (byte) 0xEE, 1, 2, 9, 9, 9})),
        Arguments.of("an HTTP request", DisconnectReason.Kind.NOT_A_PEER, (Attack) m -> m.sendRaw(
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII))),
        Arguments.of("a name with a bidi override", DisconnectReason.Kind.NOT_A_PEER, (Attack) m ->
            m.sendFrame(FrameType.HELLO, m.hello("\u202Ecarl", "vecino"))),
        Arguments.of("an id its key does not prove", DisconnectReason.Kind.PROTOCOL_ERROR, (Attack) m ->
            m.sendFrame(FrameType.HELLO, SecureRawPeer.hello(PeerId.random(), "liar", "vecino"))),
        Arguments.of("a plaintext HELLO (version 1)", DisconnectReason.Kind.VERSION_UNSUPPORTED, (Attack) m ->
            m.sendFrame(FrameType.HELLO, RawPeer.hello(m.id, "old", "vecino"))),
        Arguments.of("nothing", DisconnectReason.Kind.HANDSHAKE_TIMEOUT, (Attack) m -> { }),
        Arguments.of("a HELLO one record a byte, every 200 ms (slowloris)", DisconnectReason.Kind.HANDSHAKE_TIMEOUT,
            (Attack) SecureHostileTest::trickleHello));
  }

  /** HostileFloodTest's slowloris inside the tunnel: a valid HELLO that would take seconds, dropped by the timeout. */
  private static void trickleHello(SecureRawPeer m) throws Exception {
    byte[] frame = RecordPeer.frame(FrameType.HELLO, m.hello("slow", "vecino"));
    long start = System.nanoTime();
    // Bounded: four handshake timeouts at most; the node drops the connection after one.
    for (int i = 0; i < frame.length && System.nanoTime() - start < 4 * HANDSHAKE_TIMEOUT.toNanos(); i++) {
      try {
        m.sendRaw(new byte[] {frame[i]});
      } catch (java.io.IOException e) {
        return; // dropped: awaitEof sees the close
      }
      long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
      Await.until("the next byte is due", () -> System.nanoTime() > next);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("beforeTheHello")
  void aStrangerInsideTheTunnelIsRefusedWhileTheFriendChats(String what, DisconnectReason.Kind kind, Attack attack)
      throws Exception {
    try (SecureRawPeer mallory = SecureRawPeer.connect(node.localAddress(), from(7))) {
      assertEquals(2, mallory.preHello.maxVersion());
      byte[] hello = mallory.readFrame();
      assertEquals(FrameType.HELLO.code(), hello[0], "the acceptor's HELLO comes first, inside the tunnel");
      attack.run(mallory);
      assertTrue(mallory.awaitEof(), what + ": the node closes the connection");
    }
    long rejected = node.stats().rejected(kind);
    Await.until(what + ": refused as " + kind + " in " + node.stats(), () -> node.stats().rejected(kind) >= 1);
    assertTrue(rejected <= 1, node.stats().toString());
    assertEquals(1, nodeEvents.connected.size(), "only the friend became a peer: " + nodeEvents.connected);
    assertFriendStillChats();
  }

  static Stream<Arguments> afterTheHello() {
    return Stream.of(
        Arguments.of("an oversized length", DisconnectReason.Kind.FRAME_TOO_LONG, "2147483647", (Attack) m ->
            m.sendRaw(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 2})),
        Arguments.of("an HTTP request", DisconnectReason.Kind.FRAME_TOO_LONG, "looks like an HTTP request", (Attack) m ->
            m.sendRaw("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII))),
        Arguments.of("a frame of unknown type", DisconnectReason.Kind.PROTOCOL_ERROR, "0x99", (Attack) m ->
            m.sendRaw(new byte[] {0, 0, 0, 1, (byte) 0x99})),
        Arguments.of("a second HELLO", DisconnectReason.Kind.PROTOCOL_ERROR, "HELLO", (Attack) m ->
            m.sendFrame(FrameType.HELLO, m.hello("again", "vecino"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("afterTheHello")
  void aPeerThatMisbehavesInsideTheTunnelIsDroppedWithItsReason(String what, DisconnectReason.Kind kind,
      String detail, Attack attack) throws Exception {
    try (SecureRawPeer mallory = SecureRawPeer.connect(node.localAddress(), from(8))) {
      mallory.readFrame();
      mallory.sendFrame(FrameType.HELLO, mallory.hello("rogue", "vecino"));
      Await.until("rogue registered", () -> node.peer(mallory.id).isPresent());
      attack.run(mallory);
      assertTrue(mallory.awaitEof(), what + ": the node closes the connection");
    }
    Await.until(what + ": rogue dropped", () -> nodeEvents.disconnects.size() == 1);
    DisconnectReason reason = nodeEvents.disconnects.get(0);
    assertEquals(kind, reason.kind(), reason.toString());
    assertTrue(reason.detail().contains(detail), reason.toString());
    assertFriendStillChats();
  }

  @Test
  void aPartialFrameThenTheConnectionCutDeliversNothing() throws Exception {
    try (SecureRawPeer mallory = SecureRawPeer.connect(node.localAddress(), from(9))) {
      mallory.readFrame();
      mallory.sendFrame(FrameType.HELLO, mallory.hello("halfway", "vecino"));
      Await.until("registered", () -> node.peer(mallory.id).isPresent());
      mallory.sendRaw(new byte[] {0, 0, 0, 100, 2, 'h', 'i'});
    }
    Await.until("halfway dropped", () -> nodeEvents.disconnects.size() == 1);
    assertFalse(nodeEvents.texts().stream().anyMatch(t -> t.startsWith("hi")), "no partial message delivered");
    assertFriendStillChats();
  }

  @Test
  void aFloodOfValidFramesInsideTheTunnelKeepsTheFriendsRoundTripsBounded() throws Exception {
    byte[] text = FLOOD_TEXT.getBytes(StandardCharsets.UTF_8);
    List<Long> roundTrips = new ArrayList<>();
    long sent = 0;
    try (SecureRawPeer mallory = SecureRawPeer.connect(node.localAddress(), from(10))) {
      mallory.readFrame();
      mallory.sendFrame(FrameType.HELLO, mallory.hello("flooder", "vecino"));
      Await.until("flooder registered", () -> node.peer(mallory.id).isPresent());
      Thread flood = new Thread(() -> {
        try {
          // Bounded: the test's own length; the write blocks when the node stops reading.
          for (int i = 0; i < 200_000 && !Thread.currentThread().isInterrupted(); i++) {
            mallory.sendFrame(FrameType.TEXT, text);
          }
        } catch (Exception e) {
          // Closed under it at the end of the test: the flood is over.
        }
      }, "test-tls-flood");
      flood.start();
      try {
        Await.until("the flood arrives", () -> flooded.get() > 1000);
        for (int i = 0; i < 40; i++) {
          roundTrips.add(friendRoundTrip());
        }
        sent = flooded.get();
      } finally {
        flood.interrupt();
        mallory.close();
        flood.join(10_000);
      }
    }
    long p99 = HostileFloodTest.percentile(roundTrips, 0.99);
    System.out.printf("HOSTILE TLS flood: %d frames of 1000 B through the tunnel meanwhile; friend round trips %d, "
        + "p50 %.2f ms, p99 %.2f ms%n", sent, roundTrips.size(), HostileFloodTest.percentile(roundTrips, 0.5) / 1e6,
        p99 / 1e6);
    assertTrue(p99 < TimeUnit.MILLISECONDS.toNanos(P99_BOUND_MS), "friend p99 " + p99 / 1e6 + " ms");
    Await.until("flooder gone", () -> node.peers().size() == 1);
    assertFriendStillChats();
  }
}
