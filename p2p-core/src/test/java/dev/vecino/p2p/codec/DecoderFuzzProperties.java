package dev.vecino.p2p.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.FuzzTries;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * Fuzzes a {@link FramedCodec} session on arbitrary bytes fed in arbitrary reads, the way a
 * connection feeds it: it fails only with {@link CodecException}, never reads past what it was
 * given, asks for a sane number of bytes, and decodes the same frames and fails the same way
 * whatever the cuts (only the excerpt a refusal quotes depends on them). Tries: {@link FuzzTries} (10,000; {@code -Pfuzz}: 1,000,000).
 */
@AddLifecycleHook(value = FuzzTries.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class DecoderFuzzProperties {

  private static final int MAX = 256;

  /**
   * Random bytes, or a run of plausible frame headers (small lengths, mostly known types)
   * with random bodies, so the fuzzer gets past the first header.
   */
  private static byte[] input(byte[] noise, List<Integer> lengths, List<Byte> types, boolean frameLike) {
    if (!frameLike) {
      return noise;
    }
    ByteBuffer b = ByteBuffer.allocate(lengths.stream().mapToInt(n -> 4 + n).sum());
    for (int i = 0; i < lengths.size(); i++) {
      int n = lengths.get(i);
      b.putInt(n);
      if (n > 0) {
        b.put((byte) Math.floorMod(i < types.size() ? types.get(i) : 0, 9));
        for (int j = 1; j < n; j++) {
          b.put(noise.length == 0 ? 0 : noise[(i + j) % noise.length]);
        }
      }
    }
    return b.array();
  }

  /** What a decode run produced: frames (type and length) and the failure, if any. */
  private record Outcome(List<String> frames, String failure, int leftOver) {}

  private static Outcome decode(byte[] bytes, List<Integer> cuts) {
    CodecSession session = FramedCodec.session(MAX);
    List<String> frames = new ArrayList<>();
    FrameSink sink = (type, buf, offset, length) -> {
      assertTrue(offset >= 0 && length >= 0 && offset + length <= buf.limit(), "body inside the buffer");
      frames.add(type + "/" + length + "/" + (length > 0 ? buf.get(offset) : -1));
    };
    ByteBuffer acc = ByteBuffer.allocate(bytes.length + 8);
    List<Integer> points = new ArrayList<>(cuts.stream().map(c -> Math.floorMod(c, bytes.length + 1)).sorted().toList());
    points.add(bytes.length);
    int from = 0;
    try {
      for (int cut : points) {
        if (cut < from) {
          continue;
        }
        acc.put(bytes, from, cut - from);
        from = cut;
        acc.flip();
        int before = acc.position();
        int limit = acc.limit();
        int need = session.decode(acc, sink);
        assertTrue(acc.position() >= before && acc.position() <= limit, "position within what was given");
        assertEquals(limit, acc.limit(), "limit untouched");
        assertTrue(need >= 1 && need <= MAX + 4, () -> "sane need: " + need);
        assertTrue(acc.remaining() < need, () -> "asks for more than it holds: " + need + " vs " + acc.remaining());
        acc.compact();
      }
      return new Outcome(frames, null, acc.position());
    } catch (CodecException e) {
      return new Outcome(frames, e.getClass().getSimpleName() + ": " + withoutExcerpt(e.getMessage()), -1);
    }
  }

  /**
   * A refused length's message quotes, in parentheses after "looks like ...", the bytes that
   * arrived with the length field, so that excerpt depends on the reads; the rest must not.
   */
  private static String withoutExcerpt(String message) {
    int looks = message.indexOf("; looks like ");
    int excerpt = looks < 0 ? -1 : message.indexOf(" (", looks);
    return excerpt < 0 ? message : message.substring(0, excerpt);
  }

  @Property
  void anyBytesInAnyReadsDecodeLikeOneRead(@ForAll @Size(max = 400) byte[] noise,
      @ForAll @Size(max = 10) List<@IntRange(min = 0, max = MAX + 2) Integer> lengths,
      @ForAll @Size(max = 10) List<Byte> types, @ForAll boolean frameLike,
      @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 3000) Integer> cuts) {
    byte[] bytes = input(noise, lengths, types, frameLike);
    Outcome whole = decode(bytes, List.of());
    Outcome split = decode(bytes, cuts);
    assertEquals(whole, split);
  }
}
