package dev.vecino.p2p.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FramedCodec#describeForeign} says what a refusal says, reads only the bytes it is
 * given, and moves no position.
 */
@Timeout(30)
class DescribeForeignTest {

  @Test
  void saysWhatTheRefusalOfTheSameBytesSays() {
    byte[] bytes = "xxGET / HTTP/1.1\r\n".getBytes(US_ASCII);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    assertEquals(Optional.of("looks like an HTTP request (GET / HTTP/1.1)"),
        FramedCodec.describeForeign(buf, 2, bytes.length));
    assertEquals(0, buf.position(), "the position is not moved");
    FrameTooLongException refusal = assertThrows(FrameTooLongException.class,
        () -> FramedCodec.session(1024).decode(ByteBuffer.wrap(bytes, 2, bytes.length - 2).slice(),
            (type, b, offset, length) -> { }));
    assertEquals("frame length 1195725856 exceeds the limit of 1024 bytes; looks like an HTTP request (GET / HTTP/1.1)",
        refusal.getMessage());
  }

  @Test
  void isEmptyForUnknownOrTooFewBytes() {
    ByteBuffer buf = ByteBuffer.wrap(new byte[] {0, 0, 0, 9, 1, 2});
    assertEquals(Optional.empty(), FramedCodec.describeForeign(buf, 0, 6));
    assertEquals(Optional.empty(), FramedCodec.describeForeign(ByteBuffer.wrap("GET".getBytes(US_ASCII)), 0, 3));
  }

  @Test
  void refusesIndicesOutsideTheLimit() {
    ByteBuffer buf = ByteBuffer.wrap("GET / HTTP/1.1".getBytes(US_ASCII));
    buf.limit(4);
    assertThrows(IndexOutOfBoundsException.class, () -> FramedCodec.describeForeign(buf, 0, 8));
    assertThrows(IndexOutOfBoundsException.class, () -> FramedCodec.describeForeign(buf, 3, 2));
  }
}
