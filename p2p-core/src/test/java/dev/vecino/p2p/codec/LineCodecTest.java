package dev.vecino.p2p.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineCodecTest {

  private static byte[] encode(CodecSession s, FrameType type, String text) throws CodecException {
    byte[] p = text.getBytes(UTF_8);
    ByteBuffer out = ByteBuffer.allocate(s.encodedLength(type, p.length));
    s.encode(type, ByteBuffer.wrap(p), out);
    assertEquals(0, out.remaining(), "encodedLength is exact");
    return out.array();
  }

  @Test
  void splitsLinesEndingInLfOrCrLf() throws Exception {
    Collected c = Collected.feed(LineCodec.session(100), "hola\r\nqué tal\nadiós\n".getBytes(UTF_8));
    assertEquals(List.of("TEXT:hola", "TEXT:qué tal", "TEXT:adiós"), c.texts());
  }

  @Test
  void ignoresEmptyLines() throws Exception {
    Collected c = Collected.feed(LineCodec.session(100), "\n\r\na\n\n".getBytes(UTF_8));
    assertEquals(List.of("TEXT:a"), c.texts());
  }

  @Test
  void keepsAPartialLineUntilItsNewlineArrives() throws Exception {
    CodecSession s = LineCodec.session(100);
    Collected c = new Collected();
    ByteBuffer in = ByteBuffer.wrap("abc".getBytes(UTF_8));
    assertEquals(4, s.decode(in, c), "needs one byte more than it has");
    assertEquals(0, in.position());
    assertTrue(c.frames.isEmpty());
  }

  @Test
  void lineStartingWithBelIsACall() throws Exception {
    Collected c = Collected.feed(LineCodec.session(100), "\u0007ven ya\n".getBytes(UTF_8));
    assertEquals(List.of("CALL:ven ya"), c.texts());
  }

  @Test
  void rejectsLineLongerThanLimitBeforeItsEnd() {
    CodecSession s = LineCodec.session(8);
    // Nine bytes and no newline yet: thrown now, not when the newline finally comes.
    FrameTooLongException e = assertThrows(FrameTooLongException.class,
        () -> s.decode(ByteBuffer.wrap("123456789".getBytes(UTF_8)), new Collected()));
    assertEquals(8, e.limit());
    assertEquals(9, e.length());
  }

  @Test
  void acceptsLineOfExactlyTheLimit() throws Exception {
    Collected c = Collected.feed(LineCodec.session(8), "12345678\n".getBytes(UTF_8), 3, 8);
    assertEquals(List.of("TEXT:12345678"), c.texts());
  }

  @Test
  void tooLongIsDetectedAcrossReads() {
    CodecSession s = LineCodec.session(8);
    assertThrows(FrameTooLongException.class,
        () -> Collected.feed(s, "1234567890\n".getBytes(UTF_8), 2, 5, 7, 9));
  }

  @Test
  void encodesTextAndCallAsLines() throws Exception {
    CodecSession s = LineCodec.session(100);
    assertArrayEquals("sí\n".getBytes(UTF_8), encode(s, FrameType.TEXT, "sí"));
    assertArrayEquals("\u0007hola\n".getBytes(UTF_8), encode(s, FrameType.CALL, "hola"));
    assertArrayEquals("raw\n".getBytes(UTF_8), encode(s, FrameType.BINARY, "raw"));
  }

  @Test
  void refusesPayloadsTheOtherSideWouldReadDifferently() {
    CodecSession s = LineCodec.session(100);
    assertTrue(assertThrows(CodecException.class, () -> encode(s, FrameType.TEXT, "a\nb"))
        .getMessage().contains("'\\n'"));
    assertThrows(CodecException.class, () -> encode(s, FrameType.TEXT, ""));
    assertThrows(CodecException.class, () -> encode(s, FrameType.TEXT, "a\r"));
    assertThrows(CodecException.class, () -> encode(s, FrameType.BINARY, "\u0007x"));
    assertThrows(FrameTooLongException.class, () -> encode(s, FrameType.TEXT, "x".repeat(101)));
    assertThrows(FrameTooLongException.class, () -> encode(s, FrameType.CALL, "x".repeat(100)));
  }

  @Test
  void carriesNoControlFrames() {
    CodecSession s = LineCodec.session(100);
    for (FrameType t : List.of(FrameType.HELLO, FrameType.PING, FrameType.PONG, FrameType.BYE)) {
      assertFalse(s.supports(t), t.name());
      assertThrows(CodecException.class, () -> encode(s, t, "x"));
    }
  }

  @Test
  void nodeFrameLimitCapsTheLineLength() {
    Codec codec = Codec.line(1000);
    CodecSession s = codec.newSession(new SessionInfo(dev.vecino.p2p.Direction.INBOUND,
        new java.net.InetSocketAddress("127.0.0.1", 1), new java.net.InetSocketAddress("127.0.0.1", 2),
        "me", 64));
    assertThrows(FrameTooLongException.class,
        () -> s.decode(ByteBuffer.wrap(new byte[65]), new Collected()));
  }

  @Test
  void byNamePicksBuiltInCodecs() {
    assertEquals("framed", Codec.byName("framed").name());
    assertEquals("line", Codec.byName(" LINE ").name());
    assertEquals("classic", Codec.byName("Classic").name());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codec.byName("zmq"));
    assertTrue(e.getMessage().contains("framed, line, classic"), e.getMessage());
    assertFalse(Codec.line().handshake());
    assertFalse(Codec.classic().handshake());
    assertEquals(LineCodec.DEFAULT_MAX_LINE_LENGTH, ((LineCodec) Codec.line()).maxLineLength());
    assertThrows(IllegalArgumentException.class, () -> Codec.line(1));
  }
}
