package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.codec.FrameSink;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.codec.SessionInfo;
import dev.vecino.p2p.embedded.EmbeddedChannel;
import dev.vecino.p2p.embedded.EmbeddedEventLoop;
import dev.vecino.p2p.embedded.Frames;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.ChannelHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The codec stage ({@link FrameReader}) alone, on an embedded channel: reads cut at every
 * position (and every pair of positions) yield the same frames, a partial frame is kept across
 * reads (the transport's buffer is valid only during a read), and a broken stream stops at the
 * first violation, which goes to the stage's {@link FrameReader.Host}.
 */
@Timeout(60)
class CodecStageTest {

  private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.2", 4000);

  /** The host: records violations, answers as told. */
  private static final class Host implements FrameReader.Host {
    final List<String> violations = new ArrayList<>();
    boolean helloOnly;

    @Override
    public void protocolViolation(Kind kind, String detail) {
      violations.add(kind + ": " + detail);
    }

    @Override
    public boolean isClosed() {
      return !violations.isEmpty();
    }

    @Override
    public boolean helloOnly() {
      return helloOnly;
    }
  }

  /** A sink that copies what it gets (the buffer is the reader's, valid only during the call). */
  private static final class Collected implements FrameSink {
    final List<FrameType> types = new ArrayList<>();
    final List<byte[]> bodies = new ArrayList<>();

    @Override
    public void onFrame(FrameType type, ByteBuffer buffer, int offset, int length) {
      byte[] body = new byte[length];
      buffer.get(offset, body);
      types.add(type);
      bodies.add(body);
    }

    String text() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      bodies.forEach(out::writeBytes);
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private final Host host = new Host();

  /** A reader decoding with {@code codec} into {@code sink}, behind an embedded channel that feeds it. */
  private EmbeddedChannel stage(Codec codec, int maxFrameSize, Collected sink) {
    FrameReader reader = new FrameReader(host, maxFrameSize);
    // Inbound: a classic session then reads no greeting first.
    reader.decodeWith(codec.newSession(new SessionInfo(Direction.INBOUND, REMOTE, REMOTE, "local", maxFrameSize)));
    reader.decodeTo(sink);
    ChannelHandler feedsTheReader = new ChannelHandler() {
      @Override
      public void onOpen(Channel channel) {}

      @Override
      public void onRead(ByteBuffer data) {
        reader.read(data);
      }

      @Override
      public void onWritable() {}

      @Override
      public void onClosed(IOException cause) {}
    };
    return new EmbeddedChannel(new EmbeddedEventLoop(), feedsTheReader, REMOTE).open();
  }

  private static byte[] body(int size, int seed) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (seed * 31 + i);
    }
    return b;
  }

  private void assertSameFramesWhateverTheCuts(Codec codec, byte[] stream, List<byte[]> expected, boolean pairs) {
    for (int a = 0; a <= stream.length; a++) {
      for (int b = pairs ? a : stream.length; b <= stream.length; b++) {
        Collected got = new Collected();
        stage(codec, 8192, got).feedCut(stream, a, b);
        assertTrue(host.violations.isEmpty(), host.violations.toString());
        assertEquals(expected.size(), got.bodies.size(), "cuts at " + a + ", " + b);
        for (int i = 0; i < expected.size(); i++) {
          assertArrayEquals(expected.get(i), got.bodies.get(i), "frame " + i + ", cuts at " + a + ", " + b);
        }
      }
    }
  }

  @Test
  void framedFramesArriveWholeWhateverTheCuts() {
    List<byte[]> small = List.of(body(0, 1), body(1, 2), body(5, 3), body(40, 4));
    List<byte[]> large = List.of(body(3000, 5), body(70, 6), body(1500, 7));
    for (List<byte[]> bodies : List.of(small, large)) {
      byte[] stream = Frames.concat(bodies.stream().map(x -> Frames.frame(FrameType.BINARY, x)).toArray(byte[][]::new));
      // Every pair of cuts for the small stream; every single cut for the one that outgrows the buffer.
      assertSameFramesWhateverTheCuts(Codec.framed(), stream, bodies, bodies == small);
    }
  }

  @Test
  void linesArriveWholeWhateverTheCuts() {
    byte[] stream = "hola\r\n\nsegunda línea\n\u0007¡llamada!\nfin\n".getBytes(StandardCharsets.UTF_8);
    List<byte[]> lines = List.of("hola", "segunda línea", "¡llamada!", "fin").stream()
        .map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    assertSameFramesWhateverTheCuts(Codec.line(), stream, lines, true);
  }

  @Test
  void classicTextSurvivesAnyCutWithoutBreakingACharacter() {
    String text = "ñandú, café, 日本語 y más";
    byte[] stream = text.getBytes(StandardCharsets.UTF_8);
    for (int a = 0; a <= stream.length; a++) {
      for (int b = a; b <= stream.length; b++) {
        Collected got = new Collected();
        stage(Codec.classic(), 8192, got).feedCut(stream, a, b);
        assertEquals(text, got.text(), "cuts at " + a + ", " + b);
        for (byte[] m : got.bodies) {
          assertFalse(new String(m, StandardCharsets.UTF_8).contains("\uFFFD"), "a broken character");
        }
      }
    }
  }

  @Test
  void aFrameOverTheLimitStopsTheStream() {
    Collected got = new Collected();
    EmbeddedChannel ch = stage(Codec.framed(), 64, got);
    ch.feed(Frames.concat(Frames.text("ok"), Frames.frame(FrameType.BINARY, new byte[100])), 0, 12);
    ch.feed(Frames.text("dropped"));
    assertEquals(List.of(FrameType.TEXT), got.types);
    assertEquals(1, host.violations.size());
    assertTrue(host.violations.get(0).startsWith(Kind.FRAME_TOO_LONG + ": "), host.violations.toString());
  }

  @Test
  void aCodecErrorStopsTheStreamOnce() {
    Collected got = new Collected();
    EmbeddedChannel ch = stage(Codec.framed(), 8192, got);
    ch.feed(new byte[] {0, 0, 0, 2, (byte) 0x7F, 0});
    ch.feed(Frames.text("dropped"));
    assertTrue(got.types.isEmpty());
    assertEquals(List.of(Kind.PROTOCOL_ERROR + ": unknown frame type 0x7f"), host.violations);
  }

  @Test
  void whileOnlyAHelloIsAcceptableALargerFirstFrameIsAStranger() {
    host.helloOnly = true;
    Collected got = new Collected();
    EmbeddedChannel ch = stage(Codec.framed(), 1 << 20, got);
    byte[] big = Frames.frame(FrameType.BINARY, new byte[5000]);
    // Refused on its length field: its body is never waited for.
    ch.feed(big, 0, 2);
    assertTrue(host.violations.isEmpty());
    ch.feed(big, 2, 6);
    assertEquals(1, host.violations.size());
    assertTrue(host.violations.get(0).startsWith(Kind.NOT_A_PEER + ": first frame declares 5005 bytes"),
        host.violations.toString());
    assertTrue(got.types.isEmpty());
  }

  @Test
  void framesGoWhereTheSinkIsSetBetweenReads() {
    Collected first = new Collected();
    Collected then = new Collected();
    FrameReader reader = new FrameReader(host, 8192);
    reader.decodeWith(Codec.framed().newSession(new SessionInfo(Direction.INBOUND, REMOTE, REMOTE, "local", 8192)));
    reader.decodeTo(first);
    byte[] two = Frames.concat(Frames.text("one"), Frames.text("two"));
    reader.read(ByteBuffer.wrap(two, 0, two.length - 2));
    reader.decodeTo(then);
    reader.read(ByteBuffer.wrap(two, two.length - 2, 2));
    assertEquals(1, first.bodies.size());
    assertEquals("two", then.text(), "a partial frame completes into the new sink");
    assertEquals(two.length, reader.bytesIn());
  }
}
