package dev.vecino.p2p.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class LineCodecProperties {

  private static final int LIMIT = 200;

  @Provide
  Arbitrary<String> lines() {
    // Any text that is a valid message: not empty, no LF, no trailing CR, no leading BEL.
    return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(60)
        .filter(s -> s.indexOf('\n') < 0 && !s.endsWith("\r") && s.charAt(0) != '\u0007')
        .filter(s -> s.getBytes(UTF_8).length <= LIMIT - 1)
        // Lone surrogates do not survive UTF-8; real text has none.
        .filter(s -> s.equals(new String(s.getBytes(UTF_8), UTF_8)));
  }

  @Property
  void anyLinesRoundTripUnderAnySplit(
      @ForAll @Size(max = 8) List<@net.jqwik.api.From("lines") String> texts,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 2000) Integer> cuts,
      @ForAll boolean calls) throws CodecException {
    CodecSession s = LineCodec.session(LIMIT);
    FrameType type = calls ? FrameType.CALL : FrameType.TEXT;
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (String t : texts) {
      byte[] p = t.getBytes(UTF_8);
      ByteBuffer out = ByteBuffer.allocate(s.encodedLength(type, p.length));
      s.encode(type, ByteBuffer.wrap(p), out);
      wire.writeBytes(out.array());
    }
    Collected c = Collected.feed(LineCodec.session(LIMIT), wire.toByteArray(),
        cuts.stream().mapToInt(Integer::intValue).toArray());
    List<String> expected = new ArrayList<>();
    for (String t : texts) {
      expected.add(type + ":" + t);
    }
    assertEquals(expected, c.texts());
  }

  @Property
  void garbageYieldsOnlyFramesOrCodecExceptions(
      @ForAll @Size(max = 600) byte[] garbage,
      @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 600) Integer> cuts) {
    try {
      Collected c = Collected.feed(LineCodec.session(LIMIT), garbage,
          cuts.stream().mapToInt(Integer::intValue).toArray());
      for (Collected.Frame f : c.frames) {
        assertTrue(f.body().length <= LIMIT);
      }
    } catch (CodecException expected) {
      // The only failure garbage may cause.
    }
  }
}
