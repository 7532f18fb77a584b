package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.codec.ClassicCodec;
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
 * first violation, which goes to the stage's {@link FrameReader.Host}. With a budget that lets
 * one window through per turn, the stage stops at every window and goes on from its backlog:
 * the same frames, in order, for every codec.
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

  /** No budget: every window is decoded at once (the budget's tests are below and in {@link ReadGateTest}). */
  private static final FrameReader.Budget UNBOUNDED = new FrameReader.Budget() {
    @Override
    public boolean mayDecode() {
      return true;
    }

    @Override
    public void decoded(int frames) {}
  };

  /** A reader decoding with {@code codec} into {@code sink}, behind an embedded channel that feeds it. */
  private EmbeddedChannel stage(Codec codec, int maxFrameSize, Collected sink) {
    FrameReader reader = new FrameReader(host, maxFrameSize, UNBOUNDED);
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

  /** Lets one window through per turn: every read stops at its first window's end. */
  private static final class OneWindowPerTurn implements FrameReader.Budget {
    boolean spent;
    int frames;

    @Override
    public boolean mayDecode() {
      boolean may = !spent;
      spent = true;
      return may;
    }

    @Override
    public void decoded(int frames) {
      this.frames += frames;
    }
  }

  /** Feeds {@code stream} to a reader with {@code codec} in reads cut every {@code cut} bytes, one window per turn. */
  private Collected decodeWindowByWindow(Codec codec, byte[] stream, int cut) {
    Collected got = new Collected();
    OneWindowPerTurn budget = new OneWindowPerTurn();
    FrameReader reader = new FrameReader(host, 65_536, budget);
    reader.decodeWith(codec.newSession(new SessionInfo(Direction.INBOUND, REMOTE, REMOTE, "local", 65_536)));
    reader.decodeTo(got);
    for (int from = 0; from < stream.length; from += cut) {
      ByteBuffer read = ByteBuffer.wrap(stream, from, Math.min(cut, stream.length - from)).slice();
      budget.spent = false;
      reader.read(read);
      assertFalse(read.hasRemaining(), "the read is decoded or kept: the transport reuses its buffer");
      for (int turns = 0; reader.hasBacklog(); turns++) {
        assertTrue(turns < stream.length, "the backlog shrinks every turn");
        budget.spent = false;
        reader.readBacklog();
      }
    }
    assertTrue(host.violations.isEmpty(), host.violations.toString());
    assertEquals(got.bodies.size(), budget.frames, "every frame counted against the budget");
    return got;
  }

  @Test
  void framesArriveWholeAndInOrderWhenEveryWindowWaitsForATurn() {
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      bodies.add(body(i % 7 == 0 ? 5000 : i % 3 == 0 ? 0 : 64, i));
    }
    byte[] framed = Frames.concat(bodies.stream().map(x -> Frames.frame(FrameType.BINARY, x)).toArray(byte[][]::new));
    StringBuilder lines = new StringBuilder();
    List<String> expectedLines = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      String line = i % 50 == 0 ? "larga ".repeat(1000) + i : "línea " + i;
      expectedLines.add(line);
      lines.append(line).append(i % 2 == 0 ? "\n" : "\r\n");
    }
    byte[] lineStream = lines.toString().getBytes(StandardCharsets.UTF_8);
    String text = "texto sin marcas, ".repeat(3000);
    for (int cut : new int[] {100_000_000, 65_536, 3001, 517}) {
      Collected got = decodeWindowByWindow(Codec.framed(), framed, cut);
      assertEquals(bodies.size(), got.bodies.size(), "framed, reads of " + cut);
      for (int i = 0; i < bodies.size(); i++) {
        assertArrayEquals(bodies.get(i), got.bodies.get(i), "framed frame " + i + ", reads of " + cut);
      }
      assertEquals(expectedLines, decodeWindowByWindow(Codec.line(), lineStream, cut).bodies.stream()
          .map(b -> new String(b, StandardCharsets.UTF_8)).toList(), "lines, reads of " + cut);
      Collected classic = decodeWindowByWindow(Codec.classic(), text.getBytes(StandardCharsets.UTF_8), cut);
      assertEquals(text, classic.text(), "classic, reads of " + cut);
      assertTrue(classic.bodies.stream().allMatch(b -> b.length == ClassicCodec.CHUNK_SIZE
          || b == classic.bodies.get(classic.bodies.size() - 1) || cut % ClassicCodec.CHUNK_SIZE != 0),
          "ASCII text is cut in whole chunks, as by one read");
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
    FrameReader reader = new FrameReader(host, 8192, UNBOUNDED);
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
