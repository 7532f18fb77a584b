package dev.vecino.p2p;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameSink;
import dev.vecino.p2p.codec.FrameTooLongException;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.codec.FramedCodec;
import dev.vecino.p2p.internal.Bye;
import dev.vecino.p2p.internal.Hello;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The framed protocol's test vectors ({@code protocol-vectors.txt}): each is decoded and
 * encoded byte for byte, HELLO vectors are played against real nodes, and {@code
 * docs/PROTOCOL.md} must show every vector, so the document and the code cannot drift.
 */
@Timeout(60)
class ProtocolVectorsTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX_FRAME = PeerNodeBuilder.DEFAULT_MAX_FRAME_SIZE;

  /** One named vector: its keys in file order. */
  record Vector(String name, Map<String, String> fields) {
    String get(String key) {
      return fields.get(key);
    }

    byte[] bytes() {
      return HEX.parseHex(get("hex").replace(" ", ""));
    }
  }

  static List<Vector> vectors() throws IOException {
    List<Vector> out = new ArrayList<>();
    try (InputStream in = ProtocolVectorsTest.class.getResourceAsStream("/protocol-vectors.txt")) {
      String name = null;
      Map<String, String> fields = null;
      for (String line : new String(in.readAllBytes(), UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        if (line.startsWith("[")) {
          if (name != null) {
            out.add(new Vector(name, fields));
          }
          name = line.substring(1, line.indexOf(']'));
          fields = new LinkedHashMap<>();
        } else {
          int eq = line.indexOf(" = ");
          fields.put(line.substring(0, eq).strip(), line.substring(eq + 3));
        }
      }
      out.add(new Vector(name, fields));
    }
    return out;
  }

  private record Decoded(FrameType type, byte[] body) {}

  private static List<Decoded> decode(byte[] wire) throws CodecException {
    List<Decoded> frames = new ArrayList<>();
    FrameSink sink = (type, buf, offset, length) -> {
      byte[] body = new byte[length];
      buf.get(offset, body);
      frames.add(new Decoded(type, body));
    };
    ByteBuffer in = ByteBuffer.wrap(wire);
    FramedCodec.session(MAX_FRAME).decode(in, sink);
    assertFalse(in.hasRemaining(), "every byte is part of the frame");
    return frames;
  }

  /** The body the vector's fields describe. */
  private static byte[] body(Vector v) {
    FrameType type = FrameType.valueOf(v.get("frame"));
    return switch (type) {
      case HELLO -> hello(v.get("hello")).encode();
      case TEXT, CALL -> v.get("text").getBytes(UTF_8);
      case BINARY, PING, PONG, ADMIT -> HEX.parseHex(v.get("body"));
      case BYE -> {
        String[] parts = v.get("bye").split(" ", 2);
        byte[] text = parts.length > 1 ? parts[1].getBytes(UTF_8) : new byte[0];
        byte[] b = new byte[1 + text.length];
        b[0] = (byte) Integer.parseInt(parts[0]);
        System.arraycopy(text, 0, b, 1, text.length);
        yield b;
      }
    };
  }

  private static Hello hello(String spec) {
    String[] f = spec.split(" ");
    List<Hello.Extension> ext = new ArrayList<>();
    for (int i = 6; i < f.length; i++) {
      String[] tv = f[i].split(":");
      ext.add(new Hello.Extension(Integer.parseInt(tv[0], 16), HEX.parseHex(tv[1])));
    }
    String id = f[2];
    return new Hello(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
        new PeerId(Long.parseUnsignedLong(id.substring(0, 16), 16), Long.parseUnsignedLong(id.substring(16), 16)),
        Integer.parseInt(f[3]), unescape(f[4]), unescape(f[5]), ext);
  }

  /** In the vectors file, {@code \}{@code uXXXX} in a name or group stands for that character. */
  private static String unescape(String s) {
    return Pattern.compile("\\\\u([0-9a-fA-F]{4})").matcher(s)
        .replaceAll(m -> String.valueOf((char) Integer.parseInt(m.group(1), 16)));
  }

  @TestFactory
  Stream<DynamicTest> vectorsDecodeAndEncodeByteForByte() throws IOException {
    return vectors().stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> {
      if (v.get("error") != null) {
        Class<? extends CodecException> expected = v.get("error").equals("FrameTooLongException")
            ? FrameTooLongException.class : CodecException.class;
        CodecException e = assertThrows(expected, () -> decode(v.bytes()));
        assertTrue(e.getMessage().startsWith(v.get("message")), e.getMessage());
        return;
      }
      FrameType type = FrameType.valueOf(v.get("frame"));
      List<Decoded> frames = decode(v.bytes());
      assertEquals(1, frames.size());
      assertEquals(type, frames.get(0).type());
      byte[] body = frames.get(0).body();
      assertArrayEquals(body(v), body, "body fields");
      if (type == FrameType.HELLO && v.get("hello-error") != null) {
        CodecException e = assertThrows(CodecException.class, () -> Hello.decode(ByteBuffer.wrap(body), 0, body.length));
        assertTrue(e.getMessage().startsWith(v.get("hello-error")), e.getMessage());
      } else if (type == FrameType.HELLO) {
        Hello decoded = Hello.decode(ByteBuffer.wrap(body), 0, body.length);
        Hello expected = hello(v.get("hello"));
        assertEquals(expected.id(), decoded.id());
        assertEquals(expected.name(), decoded.name());
        assertEquals(expected.group(), decoded.group());
        assertEquals(expected.minVersion(), decoded.minVersion());
        assertEquals(expected.maxVersion(), decoded.maxVersion());
        assertEquals(expected.listenPort(), decoded.listenPort());
        assertEquals(expected.extensions().size(), decoded.extensions().size());
      }
      if (type == FrameType.BYE && body[0] == 4) {
        String text = v.get("bye").substring(2);
        assertArrayEquals(body, Bye.encode(DisconnectReason.of(DisconnectReason.Kind.VERSION_UNSUPPORTED, text)),
            "what a node sends for an unsupported version");
      }
      CodecSession s = FramedCodec.session(MAX_FRAME);
      ByteBuffer out = ByteBuffer.allocate(s.encodedLength(type, body.length));
      s.encode(type, ByteBuffer.wrap(body(v)), out);
      assertArrayEquals(v.bytes(), out.array(), "encoded bytes");
    }));
  }

  @Test
  void protocolDocumentShowsEveryVector() throws IOException {
    Path doc = Path.of("..", "docs", "PROTOCOL.md");
    String text = Files.readString(doc);
    for (Vector v : vectors()) {
      assertTrue(text.contains("[" + v.name() + "]"), "PROTOCOL.md lacks vector " + v.name());
      assertTrue(text.contains(v.get("hex")), "PROTOCOL.md shows other bytes for " + v.name()
          + "; expected: " + v.get("hex"));
    }
  }

  /** The initiator's side: the node accepts, a raw peer answers its HELLO with the vector. */
  @TestFactory
  Stream<DynamicTest> nodeNegotiatesWithHandMadeHellosAsAcceptor() throws IOException {
    return vectors().stream().filter(v -> v.get("node") != null).map(v ->
        DynamicTest.dynamicTest(v.name(), () -> {
          try (PeerNode node = PeerNode.builder().plaintext(true).name("ana").bindAddress("127.0.0.1").build().start();
               RawPeer raw = RawPeer.connect(node.localAddress())) {
            byte[] first = raw.readFrame();
            assertEquals(FrameType.HELLO.code(), first[0], "the acceptor speaks first");
            raw.sendRaw(v.bytes());
            expectOutcome(v, node, raw);
          }
        }));
  }

  /** The acceptor's side: the node connects, a raw peer greets it with the vector. */
  @TestFactory
  Stream<DynamicTest> nodeNegotiatesWithHandMadeHellosAsInitiator() throws IOException {
    return vectors().stream().filter(v -> v.get("node") != null).map(v ->
        DynamicTest.dynamicTest(v.name(), () -> {
          try (PeerNode node = PeerNode.builder().plaintext(true).name("ana").bindAddress("127.0.0.1").build().start();
               ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Peer> f = node.connect((InetSocketAddress) server.getLocalSocketAddress());
            try (RawPeer raw = RawPeer.accept(server)) {
              raw.sendRaw(v.bytes());
              expectOutcome(v, node, raw);
              if (v.get("node").startsWith("accept")) {
                assertEquals(hello(v.get("hello")).name(), f.get(5, TimeUnit.SECONDS).name());
              } else if (v.get("node").equals("close")) {
                Exception e = assertThrows(Exception.class, () -> f.get(5, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof NotAPeerException, e.toString());
                assertTrue(e.getCause().getMessage().contains(v.get("hello-error")), e.getCause().getMessage());
              } else {
                Exception e = assertThrows(Exception.class, () -> f.get(5, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof UnsupportedVersionException, e.toString());
              }
            }
          }
        }));
  }

  /**
   * Section 1.7 after the handshake: each error vector makes a node answer BYE 7 (frame too
   * long) or BYE 5 (protocol error) with the decoder's message, and close; the vectors carry
   * only a header, so the node refuses before any body arrives.
   */
  @TestFactory
  Stream<DynamicTest> nodeAnswersEachErrorVectorAfterTheHandshakeWithBye() throws IOException {
    return vectors().stream().filter(v -> v.get("error") != null).map(v ->
        DynamicTest.dynamicTest(v.name(), () -> {
          Recorder events = new Recorder();
          try (PeerNode node = PeerNode.builder().plaintext(true).name("ana").bindAddress("127.0.0.1").listener(events).build().start();
               RawPeer raw = RawPeer.connect(node.localAddress())) {
            assertEquals(FrameType.HELLO.code(), raw.readFrame()[0]);
            raw.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "mallory", "vecino"));
            Await.until("handshake done", () -> node.peers().size() == 1);
            raw.sendRaw(v.bytes());
            byte[] frame = raw.readFrame();
            assertEquals(FrameType.BYE.code(), frame[0]);
            boolean tooLong = v.get("error").equals("FrameTooLongException");
            assertEquals(tooLong ? 7 : 5, frame[1], tooLong ? "BYE 7: frame too long" : "BYE 5: protocol error");
            String text = new String(frame, 2, frame.length - 2, UTF_8);
            assertTrue(text.startsWith(v.get("message")), text);
            assertTrue(raw.awaitEof(), "then the node half-closes");
            raw.close(); // the node closes once this side has (or after its close timeout)
            Await.until("disconnect reported", () -> events.disconnects.size() == 1);
            assertEquals(tooLong ? DisconnectReason.Kind.FRAME_TOO_LONG : DisconnectReason.Kind.PROTOCOL_ERROR,
                events.disconnects.get(0).kind());
            assertTrue(node.isRunning());
          }
        }));
  }

  private static void expectOutcome(Vector v, PeerNode node, RawPeer raw) throws IOException {
    String outcome = v.get("node");
    if (outcome.startsWith("accept")) {
      Await.until("node accepts " + v.name(), () -> node.peers().size() == 1);
      assertEquals(hello(v.get("hello")).name(), node.peers().get(0).name());
    } else if (outcome.equals("close")) {
      assertEquals(-1, raw.in.read(), "the node closes without a BYE: a malformed HELLO is a stranger's");
      Await.until("refusal counted", () -> node.stats().rejected(DisconnectReason.Kind.NOT_A_PEER) == 1);
      assertEquals(0, node.peers().size());
    } else {
      byte[] frame = raw.readFrame();
      if (frame[0] == FrameType.HELLO.code()) {
        frame = raw.readFrame(); // as initiator the node reads first, so nothing precedes BYE
      }
      assertEquals(FrameType.BYE.code(), frame[0]);
      assertEquals(4, frame[1], "BYE code 4: version unsupported");
      assertEquals(outcome.substring("refuse ".length()), new String(frame, 2, frame.length - 2, UTF_8));
      assertTrue(raw.awaitEof(), "then the node closes");
      assertEquals(0, node.peers().size());
    }
  }

  @Test
  void bothSidesUseTheHighestSharedVersion() {
    PeerId id = PeerId.random();
    Hello v1to2 = new Hello(1, 2, id, 0, "a", "g", List.of());
    Hello v2to5 = new Hello(2, 5, id, 0, "b", "g", List.of());
    Hello v1 = new Hello(1, 1, id, 0, "c", "g", List.of());
    Hello v3to4 = new Hello(3, 4, id, 0, "d", "g", List.of());
    assertEquals(2, v1to2.negotiate(v2to5), "newer peer");
    assertEquals(2, v2to5.negotiate(v1to2), "older peer: symmetric");
    assertEquals(1, v1to2.negotiate(v1));
    assertEquals(-1, v1.negotiate(v2to5), "nothing shared");
    assertEquals(-1, v1to2.negotiate(v3to4));
  }
}
