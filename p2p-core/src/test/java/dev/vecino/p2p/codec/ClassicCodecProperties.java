package dev.vecino.p2p.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Direction;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ClassicCodecProperties {

  private static CodecSession inbound() {
    return Codec.classic().newSession(new SessionInfo(Direction.INBOUND,
        new InetSocketAddress("127.0.0.7", 9999), new InetSocketAddress("127.0.0.5", 40000), "ana", 1 << 20));
  }

  @Property
  void anyBytesUnderAnySplitDecodeToTheSameBytesInOrder(
      @ForAll @Size(max = 3000) byte[] data,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 3000) Integer> cuts) throws Exception {
    // Plain text only (no call marker in random bytes of this size is practically certain;
    // filter it anyway): the decoder never throws, loses nothing, and respects 1024.
    if (new String(data, UTF_8).contains(ClassicCodec.CALL_MARKER)) {
      return;
    }
    CodecSession s = inbound();
    Collected c = Collected.feed(s, data, cuts.stream().mapToInt(Integer::intValue).toArray());
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (Collected.Frame f : c.frames) {
      assertTrue(f.body().length <= ClassicCodec.CHUNK_SIZE);
      joined.writeBytes(f.body());
    }
    byte[] got = joined.toByteArray();
    // At most an incomplete trailing character (3 bytes) is still held back.
    assertTrue(data.length - got.length <= 3);
    assertArrayEquals(java.util.Arrays.copyOf(data, got.length), got);
  }

}
