package dev.vecino.p2p.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class FramedCodecProperties {

  private static final int MAX = 4096;

  record Frame(FrameType type, byte[] body) {}

  @Provide
  Arbitrary<List<Frame>> frames() {
    Arbitrary<FrameType> types = Arbitraries.of(FrameType.TEXT, FrameType.BINARY, FrameType.CALL, FrameType.PING);
    Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(MAX - 1);
    return Combinators.combine(types, bodies)
        .as((type, body) -> new Frame(type, type == FrameType.PING && body.length > FramedCodec.MAX_PING_BODY
            ? java.util.Arrays.copyOf(body, FramedCodec.MAX_PING_BODY) : body))
        .list().ofMaxSize(20);
  }

  /** Feeds the stream in chunks cut at the given points, like reads from a socket, and keeps partial frames. */
  private static List<Frame> decodeInChunks(byte[] stream, List<Integer> cuts) {
    CodecSession session = FramedCodec.session(MAX);
    List<Frame> out = new ArrayList<>();
    FrameSink sink = (type, buf, offset, length) -> {
      byte[] body = new byte[length];
      buf.get(offset, body);
      out.add(new Frame(type, body));
    };
    ByteBuffer acc = ByteBuffer.allocate(stream.length + 1);
    int pos = 0;
    List<Integer> points = new ArrayList<>(cuts.stream().map(c -> Math.floorMod(c, stream.length + 1)).sorted().toList());
    points.add(stream.length);
    for (int cut : points) {
      if (cut < pos) {
        continue;
      }
      acc.put(stream, pos, cut - pos);
      pos = cut;
      acc.flip();
      session.decode(acc, sink);
      acc.compact();
    }
    assertEquals(0, acc.position(), "no bytes left over");
    return out;
  }

  @Property(tries = 1000)
  void roundTripsAnyFramesCutAtAnyReadBoundaries(@ForAll("frames") List<Frame> frames,
      @ForAll @Size(max = 30) List<Integer> cuts) {
    CodecSession session = FramedCodec.session(MAX);
    int total = frames.stream().mapToInt(f -> session.encodedLength(f.type(), f.body().length)).sum();
    ByteBuffer out = ByteBuffer.allocate(total);
    for (int i = 0; i < frames.size(); i++) {
      Frame f = frames.get(i);
      if (i % 2 == 0) {
        session.encode(f.type(), f.body(), 0, f.body().length, out);
      } else {
        session.encode(f.type(), ByteBuffer.wrap(f.body()), out);
      }
    }
    assertEquals(total, out.position());
    List<Frame> decoded = decodeInChunks(out.array(), cuts);
    assertEquals(frames.size(), decoded.size());
    for (int i = 0; i < frames.size(); i++) {
      assertEquals(frames.get(i).type(), decoded.get(i).type());
      assertArrayEquals(frames.get(i).body(), decoded.get(i).body());
    }
  }

  @Property(tries = 2000)
  void garbageYieldsFramesOrCodecExceptionOnly(@ForAll @Size(max = 512) byte[] garbage) {
    CodecSession session = FramedCodec.session(MAX);
    ByteBuffer in = ByteBuffer.wrap(garbage);
    try {
      int need = session.decode(in, (t, b, o, l) -> { });
      // Whatever is left must be an incomplete frame no longer than the limit allows.
      assert need >= 1 && need <= MAX + 4 : need;
    } catch (CodecException expected) {
      // The only failure garbage may cause.
    }
  }

  @Property(tries = 200)
  void rejectsPingAndPongBodiesOverTheCapOnTheirHeader(@ForAll("pingOrPong") FrameType type,
      @ForAll @net.jqwik.api.constraints.IntRange(min = FramedCodec.MAX_PING_BODY + 1, max = MAX - 1) int bodyLength) {
    CodecSession session = FramedCodec.session(MAX);
    ByteBuffer in = ByteBuffer.allocate(FramedCodec.HEADER_LENGTH).putInt(bodyLength + 1).put((byte) type.code()).flip();
    CodecException e = org.junit.jupiter.api.Assertions.assertThrows(CodecException.class,
        () -> session.decode(in, (t, b, o, l) -> { }));
    assertEquals(type + " body of " + bodyLength + " bytes exceeds the limit of 64 bytes", e.getMessage());
    assertEquals(0, in.position(), "nothing consumed");
  }

  @Provide
  Arbitrary<FrameType> pingOrPong() {
    return Arbitraries.of(FrameType.PING, FrameType.PONG);
  }

  @Property(tries = 200)
  void rejectsDeclaredLengthsOverTheLimitBeforeBuffering(@ForAll("oversized") int length) {
    CodecSession session = FramedCodec.session(MAX);
    ByteBuffer in = ByteBuffer.allocate(4).putInt(length).flip();
    FrameTooLongException e = org.junit.jupiter.api.Assertions.assertThrows(FrameTooLongException.class,
        () -> session.decode(in, (t, b, o, l) -> { }));
    assertEquals(Integer.toUnsignedLong(length), e.length());
    assertEquals(MAX, e.limit());
  }

  @Provide
  Arbitrary<Integer> oversized() {
    return Arbitraries.oneOf(Arbitraries.integers().between(MAX + 1, Integer.MAX_VALUE),
        Arbitraries.integers().between(Integer.MIN_VALUE, -1), Arbitraries.just(0x47455420));
  }
}
