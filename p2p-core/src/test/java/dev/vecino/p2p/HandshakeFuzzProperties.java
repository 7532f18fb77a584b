package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.embedded.EmbeddedChannel;
import dev.vecino.p2p.embedded.ManualTransport;
import dev.vecino.p2p.internal.Hello;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * Fuzzes a live node's connection handling (handshake, frame decoding, BYE, limits) through
 * the transport SPI: a {@link ManualTransport} hands arbitrary bytes, cut into arbitrary reads,
 * to the node's connection handlers on the test thread. Whatever arrives, no exception escapes
 * a handler, the node keeps running, and once the connection is gone nothing of it remains
 * (no pending handshake, no peer). A legitimate stream is delivered whatever its cuts.
 *
 * <p>Tries: {@link FuzzTries} (10,000 per property; {@code -Pfuzz}: 1,000,000).
 */
@AddLifecycleHook(value = FuzzTries.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class HandshakeFuzzProperties {

  private static final int MAX_FRAME = 6 * 1024;

  private final ManualTransport transport = new ManualTransport();
  private final List<Message> received = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Peer>> connects = new ArrayList<>();
  private final PeerNode node = PeerNode.builder().plaintext(true).name("fuzzed").bindAddress("127.0.0.1")
      .transport(transport).directCallbacks(true).maxFrameSize(MAX_FRAME)
      .heartbeatInterval(Duration.ofSeconds(1))
      .onMessage(received::add).build().start();

  @AfterProperty
  void closeNode() {
    node.close();
    Nodes.assertNoThreadsOf(node);
    Await.until("every connect future completed", () -> connects.stream().allMatch(CompletableFuture::isDone));
  }

  // ---- generators ----

  private static byte[] frame(int type, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).putInt(body.length + 1).put((byte) type).put(body).array();
  }

  private static byte[] hello(long hi, long lo, int min, int max, String name, String group) {
    return new Hello(min, max, new PeerId(hi, lo), 0, name, group, List.of()).encode();
  }

  @Provide
  Arbitrary<byte[]> helloBodies() {
    Arbitrary<String> names = Arbitraries.strings().ofMinLength(1).ofMaxLength(12);
    Arbitrary<String> groups = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.just(PeerNode.DEFAULT_GROUP)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMinLength(1).ofMaxLength(6)));
    Arbitrary<Integer> versions = Arbitraries.integers().between(0, 3);
    return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), versions, versions, names, groups)
        .as((hi, lo, a, b, name, group) -> {
          try {
            return hello(hi, lo, Math.min(a, b), Math.max(a, b), name, group);
          } catch (RuntimeException e) {
            return name.getBytes(StandardCharsets.UTF_8); // a name over 255 bytes: plain garbage
          }
        });
  }

  @Provide
  Arbitrary<byte[]> frames() {
    Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    Arbitrary<byte[]> knownFrame = Combinators.combine(Arbitraries.integers().between(1, 8), bodies)
        .as(HandshakeFuzzProperties::frame);
    Arbitrary<byte[]> anyType = Combinators.combine(Arbitraries.integers().between(0, 255), bodies)
        .as(HandshakeFuzzProperties::frame);
    Arbitrary<byte[]> hello = helloBodies().map(b -> frame(FrameType.HELLO.code(), b));
    Arbitrary<byte[]> bye = Combinators.combine(Arbitraries.integers().between(0, 12), Arbitraries.strings().ofMaxLength(8))
        .as((code, text) -> {
          byte[] t = text.getBytes(StandardCharsets.UTF_8);
          byte[] body = new byte[1 + t.length];
          body[0] = (byte) (int) code;
          System.arraycopy(t, 0, body, 1, t.length);
          return frame(FrameType.BYE.code(), body);
        });
    Arbitrary<byte[]> length = Arbitraries.integers().map(n -> ByteBuffer.allocate(4).putInt(n).array());
    Arbitrary<byte[]> garbage = Arbitraries.bytes().array(byte[].class).ofMaxSize(24);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, hello), net.jqwik.api.Tuple.of(4, knownFrame), net.jqwik.api.Tuple.of(1, anyType),
        net.jqwik.api.Tuple.of(2, bye), net.jqwik.api.Tuple.of(1, length), net.jqwik.api.Tuple.of(1, garbage));
  }

  /** Random bytes, or a stream of plausible frames (HELLO first, mostly) with a few bytes flipped. */
  @Provide
  Arbitrary<byte[]> streams() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    Arbitrary<byte[]> framed = Combinators.combine(helloBodies(), frames().list().ofMaxSize(6),
        Arbitraries.integers().between(0, 3).list().ofMaxSize(3), Arbitraries.integers().between(0, 9))
        .as((helloBody, rest, flips, leadWithHello) -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          if (leadWithHello > 0) {
            out.writeBytes(frame(FrameType.HELLO.code(), helloBody));
          }
          rest.forEach(out::writeBytes);
          byte[] bytes = out.toByteArray();
          for (int f : flips) {
            if (bytes.length > 0) {
              int at = Math.floorMod(f * 7919 + bytes.length * 31, bytes.length);
              bytes[at] ^= (byte) (1 << (f + at) % 8);
            }
          }
          return bytes;
        });
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, random), net.jqwik.api.Tuple.of(3, framed));
  }

  // ---- properties ----

  private static void feedInReads(EmbeddedChannel ch, byte[] bytes, List<Integer> cuts) {
    int from = 0;
    List<Integer> points = new ArrayList<>(cuts.stream().map(c -> Math.floorMod(c, bytes.length + 1)).sorted().toList());
    points.add(bytes.length);
    for (int cut : points) {
      if (cut > from) {
        ch.feed(bytes, from, cut);
        from = cut;
      }
    }
  }

  private void assertNothingLeft(EmbeddedChannel ch) {
    ch.remoteClose();
    transport.fireTimers();
    transport.fireTimers();
    assertTrue(node.isRunning(), "node stopped");
    NodeStats s = node.stats();
    assertEquals(0, s.connections() + s.handshaking(), () -> "connections left over: " + s);
    assertTrue(node.peers().isEmpty(), () -> "peers left over: " + node.peers());
  }

  @Property
  void anInboundConnectionSurvivesAnyBytesInAnyReads(@ForAll("streams") byte[] bytes,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 1000) Integer> cuts) {
    EmbeddedChannel ch = transport.accept();
    assertNotNull(ch, () -> "the node refused a connection: a pending-handshake slot leaked; " + node.stats());
    assertTrue(ch.written.size() > 0, "the acceptor speaks first");
    feedInReads(ch, bytes, cuts);
    assertNothingLeft(ch);
  }

  @Property
  void anOutboundConnectionSurvivesAnyBytesInAnyReads(@ForAll("streams") byte[] bytes,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 1000) Integer> cuts) {
    CompletableFuture<Peer> f = node.connect("127.0.0.1", 9);
    connects.add(f);
    EmbeddedChannel ch = transport.completeConnect();
    feedInReads(ch, bytes, cuts);
    assertNothingLeft(ch);
  }

  /** A legitimate peer's HELLO and messages (up to the frame limit), in any reads, are delivered in order. */
  @Property
  void aLegitimateStreamIsDeliveredWhateverItsReads(
      @ForAll @Size(max = 4) List<@IntRange(min = 0, max = MAX_FRAME - 1) Integer> sizes,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 30_000) Integer> cuts) {
    received.clear();
    EmbeddedChannel ch = transport.accept();
    assertNotNull(ch);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(frame(FrameType.HELLO.code(), RawPeer.hello(PeerId.random(), "legit", PeerNode.DEFAULT_GROUP)));
    for (int i = 0; i < sizes.size(); i++) {
      byte[] body = new byte[sizes.get(i)];
      java.util.Arrays.fill(body, (byte) i);
      out.writeBytes(frame(FrameType.BINARY.code(), body));
    }
    feedInReads(ch, out.toByteArray(), cuts);
    assertEquals(1, node.peers().size(), () -> "the peer is connected: " + node.stats());
    assertEquals(sizes.size(), received.size(), "delivered");
    for (int i = 0; i < sizes.size(); i++) {
      byte[] p = received.get(i).bytes();
      assertEquals((int) sizes.get(i), p.length);
      if (p.length > 0) {
        assertEquals((byte) i, p[0]);
      }
    }
    assertNothingLeft(ch);
  }
}
