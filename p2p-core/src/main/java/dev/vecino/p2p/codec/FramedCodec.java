package dev.vecino.p2p.codec;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * The default wire format: each frame is a 4-byte big-endian length, then a type byte, then
 * the body. The length counts the type byte and the body, so the smallest frame has length 1.
 *
 * <pre>
 * +----------------+--------+------------------+
 * | length (u32be) | type   | body             |
 * |                | (u8)   | (length - 1 B)   |
 * +----------------+--------+------------------+
 * </pre>
 *
 * <p>The decoder checks a declared length against the session's maximum before it waits for
 * or allocates anything, so a stranger's {@code "GET / HTTP/1.1"} (read as length
 * 0x47455420) is rejected at once, with a message that says what the bytes look like ({@code
 * frame length 1195725856 exceeds the limit of 16777216 bytes; looks like an HTTP request (GET
 * /)}; likewise TLS and SSH). Zero-length frames, unknown types and PING or PONG bodies longer
 * than {@link #MAX_PING_BODY} are protocol errors; a PING or PONG that long is refused as soon
 * as the frame's header (length and type) has arrived, before its body is waited for.
 * Decoding allocates nothing but the exception of a refused frame.
 *
 * <p><b>Thread safety:</b> the codec and its sessions hold no mutable state; any thread may
 * encode.
 */
public final class FramedCodec implements Codec {

  /** Bytes before the body: the length and the type. */
  public static final int HEADER_LENGTH = 5;

  /**
   * The longest PING body, and so PONG body, the protocol allows: 64 bytes (Vecino sends
   * empty ones). A node queues the PONG that answers a PING whatever its byte bound, so the
   * cap keeps what a peer can make it queue small.
   */
  public static final int MAX_PING_BODY = 64;

  static final FramedCodec INSTANCE = new FramedCodec();

  private FramedCodec() {}

  @Override
  public String name() {
    return "framed";
  }

  @Override
  public boolean handshake() {
    return true;
  }

  @Override
  public CodecSession newSession(SessionInfo info) {
    return new Session(info.maxFrameSize());
  }

  /**
   * Returns a stand-alone session with the given frame limit, for tools and tests that frame
   * bytes outside a node.
   *
   * @param maxFrameSize the largest accepted length field (type byte plus body)
   * @return a new session
   */
  public static CodecSession session(int maxFrameSize) {
    if (maxFrameSize <= 0) {
      throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
    }
    return new Session(maxFrameSize);
  }

  /**
   * Says what bytes that arrived where a frame was expected look like: an HTTP request or
   * response, a TLS handshake, an SSH banner or a line of text, with an excerpt of the first
   * line. It is the text a refused length carries ({@link FrameTooLongException}); tools and
   * other codecs can use it to explain a refusal. The answer depends only on the four bytes of
   * the length field (the excerpt quotes what arrived with them) and holds printable ASCII only,
   * so it is safe in a log line. Allocates the description: for error paths, not per frame.
   *
   * @param bytes the bytes; read with absolute indices, its position is not moved
   * @param from the first byte, where a frame's length field was expected
   * @param to the end of the bytes available
   * @return e.g. {@code "looks like an HTTP request (GET / HTTP/1.1)"}; empty when the first four
   *     bytes look like nothing known, or fewer than four arrived
   * @throws IndexOutOfBoundsException if {@code [from, to)} is not inside the buffer's limit
   */
  public static Optional<String> describeForeign(ByteBuffer bytes, int from, int to) {
    Objects.checkFromToIndex(from, to, bytes.limit());
    return Optional.ofNullable(ForeignBytes.describe(bytes, from, to));
  }

  @Override
  public String toString() {
    return "FramedCodec";
  }

  private static final class Session implements CodecSession {
    private final int maxFrameSize;

    Session(int maxFrameSize) {
      this.maxFrameSize = maxFrameSize;
    }

    @Override
    public int decode(ByteBuffer in, FrameSink sink) throws CodecException {
      int pos = in.position();
      int limit = in.limit();
      while (limit - pos >= 4) {
        long length = in.getInt(pos) & 0xFFFF_FFFFL;
        if (length > maxFrameSize) {
          in.position(pos);
          // The error path alone pays for saying what the bytes look like (HTTP, TLS, SSH).
          throw new FrameTooLongException(length, maxFrameSize, ForeignBytes.describe(in, pos, limit));
        }
        if (length == 0) {
          in.position(pos);
          throw new CodecException("frame with length 0 (no type byte)");
        }
        int total = 4 + (int) length;
        if (limit - pos < HEADER_LENGTH) {
          in.position(pos);
          return total;
        }
        // The header is here: a PING or PONG is refused before its body is waited for.
        int code = in.get(pos + 4) & 0xFF;
        if ((code == FrameType.PING.code() || code == FrameType.PONG.code()) && length - 1 > MAX_PING_BODY) {
          in.position(pos);
          throw new CodecException(FrameType.fromCode(code) + " body of " + (length - 1)
              + " bytes exceeds the limit of " + MAX_PING_BODY + " bytes");
        }
        if (limit - pos < total) {
          in.position(pos);
          return total;
        }
        FrameType type = FrameType.fromCode(code);
        if (type == null) {
          in.position(pos);
          throw new CodecException(String.format("unknown frame type 0x%02x", code));
        }
        // Advance before the callback so a sink that throws leaves a consistent position.
        in.position(pos + total);
        sink.onFrame(type, in, pos + HEADER_LENGTH, total - HEADER_LENGTH);
        pos = in.position();
      }
      in.position(pos);
      return 4;
    }

    @Override
    public int encodedLength(FrameType type, int payloadLength) {
      return HEADER_LENGTH + payloadLength;
    }

    @Override
    public void encode(FrameType type, ByteBuffer payload, ByteBuffer out) throws CodecException {
      int n = payload.remaining();
      checkLength(n);
      out.putInt(n + 1).put((byte) type.code());
      out.put(out.position(), payload, payload.position(), n);
      out.position(out.position() + n);
    }

    @Override
    public void encode(FrameType type, byte[] payload, int offset, int length, ByteBuffer out)
        throws CodecException {
      checkLength(length);
      out.putInt(length + 1).put((byte) type.code()).put(payload, offset, length);
    }

    private void checkLength(int n) throws FrameTooLongException {
      if ((long) n + 1 > maxFrameSize) {
        throw new FrameTooLongException((long) n + 1, maxFrameSize);
      }
    }
  }
}
