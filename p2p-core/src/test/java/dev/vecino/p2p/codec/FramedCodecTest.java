package dev.vecino.p2p.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A refused length says what the bytes look like (HTTP, TLS, SSH, text), and only the refusal
 * pays for it: decoding valid frames allocates nothing.
 */
@Timeout(30)
class FramedCodecTest {

  private static final int MAX = 16 * 1024 * 1024;
  private static final String PREFIX_HTTP = "frame length 1195725856 exceeds the limit of 16777216 bytes; ";

  private static String refusal(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    FrameTooLongException e = assertThrows(FrameTooLongException.class,
        () -> FramedCodec.session(MAX).decode(in, (type, buf, offset, length) -> { }));
    assertEquals(0, in.position(), "nothing consumed");
    return e.getMessage();
  }

  private static String refusal(String ascii) {
    return refusal(ascii.getBytes(UTF_8));
  }

  @Test
  void anHttpRequestIsCalledOne() {
    assertEquals(PREFIX_HTTP + "looks like an HTTP request (GET / HTTP/1.1)",
        refusal("GET / HTTP/1.1\r\nHost: 127.0.0.1:9999\r\n\r\n"));
    assertEquals(PREFIX_HTTP + "looks like an HTTP request (GET /)", refusal("GET /"), "the [error-http] vector");
    assertTrue(refusal("POST /api HTTP/1.1\r\n").endsWith("looks like an HTTP request (POST /api HTTP/1.1)"));
    assertTrue(refusal("HTTP/1.1 400 Bad Request\r\n").endsWith("looks like an HTTP response (HTTP/1.1 400 Bad Request)"));
  }

  @Test
  void tlsAndSshAreRecognised() {
    // A TLS 1.2/1.3 ClientHello record: handshake (16), version 3.1, length, then type 1.
    assertTrue(refusal(HexFormat.of().parseHex("1603010200010001fc0303"))
        .endsWith("bytes; looks like a TLS handshake (ClientHello)"));
    assertTrue(refusal(HexFormat.of().parseHex("16030102")).endsWith("bytes; looks like a TLS handshake"),
        "what it is comes from the length field alone: the same in any split of the reads");
    assertTrue(refusal("GET ").endsWith("; looks like an HTTP request (GET)"));
    assertTrue(refusal("SSH-2.0-OpenSSH_9.2\r\n").endsWith("looks like an SSH banner (SSH-2.0-OpenSSH_9.2)"));
  }

  @Test
  void textIsCalledTextAndLongOrOddLinesAreCut() {
    assertTrue(refusal("hola, ¿hay alguien?\n").endsWith("looks like a line of text (hola, ...)"));
    assertTrue(refusal("hello there\r\n").endsWith("looks like a line of text (hello there)"));
    String longPath = "GET /" + "a".repeat(100) + " HTTP/1.1\r\n";
    assertTrue(refusal(longPath).endsWith("(GET /" + "a".repeat(35) + "...)"), refusal(longPath));
    String escapes = refusal("GET /\u001b[2J\r\n");
    assertTrue(escapes.endsWith("(GET /...)"), "control bytes never reach the message: " + escapes);
  }

  @Test
  void bytesThatLookLikeNothingKnownGetNoGuess() {
    assertEquals("frame length 2147483647 exceeds the limit of 16777216 bytes",
        refusal(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 2, (byte) 0x80, 0}));
    assertEquals("frame length 1700855919 exceeds the limit of 16777216 bytes", refusal("ea\u0000o"),
        "fewer than four printable characters are no line of text");
    assertEquals("frame length 538976288 exceeds the limit of 16777216 bytes; looks like a line of text",
        refusal("      \r\n"), "nothing to quote: no empty parentheses");
  }

  @Test
  void decodingValidFramesAllocatesNothing() throws CodecException {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ByteBuffer frames = ByteBuffer.allocate(100 * 10);
    for (int i = 0; i < 100; i++) {
      frames.putInt(6).put((byte) FrameType.TEXT.code()).put("hola!".getBytes(US_ASCII));
    }
    frames.flip();
    CodecSession session = FramedCodec.session(MAX);
    FrameSink sink = (type, buf, offset, length) -> { };
    for (int i = 0; i < 2_000; i++) {
      session.decode(frames.position(0), sink); // warm-up
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 1_000; i++) {
      session.decode(frames.position(0), sink);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 1024, "100,000 frames decoded, " + allocated + " bytes allocated");
  }
}
