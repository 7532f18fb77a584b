package dev.vecino.p2p.codec;

import java.nio.ByteBuffer;

/**
 * Text lines for {@code nc}, {@code socat} and shell scripts: each message is one line of
 * UTF-8 text ending in {@code \n}.
 *
 * <p><b>Decoding.</b> A line ends at {@code \n}; a {@code \r} right before it is dropped, so
 * {@code \r\n} works too. Each non-empty line becomes one {@link FrameType#TEXT} frame; a
 * line whose first byte is BEL ({@code 0x07}) becomes a {@link FrameType#CALL} with the rest
 * of the line as its text. Empty lines (also a lone {@code \r}) are ignored. Bytes are passed
 * on as received: malformed UTF-8 is replaced when the text is read, never thrown. A line
 * longer than the limit (bytes before the {@code \n}, a {@code \r} included) throws
 * {@link FrameTooLongException} as soon as the limit is passed, before the rest of the line
 * is buffered; the node then closes the connection with reason "frame too long". The limit
 * is the smaller of {@link #maxLineLength()} and the node's {@code maxFrameSize}.
 *
 * <p><b>Encoding.</b> TEXT and BINARY payloads are written followed by {@code \n}; a CALL is
 * BEL, its text, then {@code \n} (a terminal rings). A payload is refused with a
 * {@link CodecException} (turned into {@link IllegalArgumentException} by {@code send}) when
 * it is empty, contains {@code \n}, ends with {@code \r} or (TEXT, BINARY) starts with BEL,
 * because the other side would read it differently. BINARY arrives as TEXT: lines have no
 * types. HELLO, PING, PONG and BYE cannot be carried ({@link CodecSession#supports} is
 * false).
 *
 * <p><b>Identity.</b> There is no handshake: a peer is identified by its address (see {@link
 * Codec#handshake()}).
 *
 * <p><b>Thread safety:</b> the codec is immutable. A session's decoder state (how far the
 * current line was already scanned) belongs to its connection's I/O thread; encoding reads
 * only final fields, so any thread may encode.
 */
public final class LineCodec implements Codec {

  /** The default maximum line length, 64 KiB. */
  public static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

  /** The byte that marks a line as a call: BEL, which rings a terminal. */
  public static final byte CALL_MARK = 0x07;

  private static final byte LF = '\n';
  private static final byte CR = '\r';

  private final int maxLineLength;

  private LineCodec(int maxLineLength) {
    this.maxLineLength = maxLineLength;
  }

  /**
   * Returns a line codec with the {@linkplain #DEFAULT_MAX_LINE_LENGTH default} limit.
   *
   * @return the codec
   */
  public static LineCodec create() {
    return new LineCodec(DEFAULT_MAX_LINE_LENGTH);
  }

  /**
   * Returns a line codec with the given limit.
   *
   * @param maxLineLength the most bytes before the {@code \n}, at least 2
   * @return the codec
   * @throws IllegalArgumentException if {@code maxLineLength} is below 2
   */
  public static LineCodec create(int maxLineLength) {
    if (maxLineLength < 2) {
      throw new IllegalArgumentException("maxLineLength must be at least 2: " + maxLineLength);
    }
    return new LineCodec(maxLineLength);
  }

  /**
   * Returns the configured maximum line length (bytes before the {@code \n}).
   *
   * @return the limit in bytes
   */
  public int maxLineLength() {
    return maxLineLength;
  }

  @Override
  public String name() {
    return "line";
  }

  /**
   * Returns false: lines carry no identity, a peer is its address.
   *
   * @return false
   */
  @Override
  public boolean handshake() {
    return false;
  }

  @Override
  public CodecSession newSession(SessionInfo info) {
    return new Session(Math.min(maxLineLength, info.maxFrameSize()));
  }

  /**
   * Returns a stand-alone session with the given limit, for tools and tests that split lines
   * outside a node.
   *
   * @param maxLineLength the most bytes before the {@code \n}, at least 2
   * @return a new session
   * @throws IllegalArgumentException if {@code maxLineLength} is below 2
   */
  public static CodecSession session(int maxLineLength) {
    return create(maxLineLength).new Session(maxLineLength);
  }

  @Override
  public String toString() {
    return "LineCodec{maxLineLength=" + maxLineLength + "}";
  }

  private final class Session implements CodecSession {
    private final int limit;
    /** Bytes from the position already known to hold no LF. I/O thread only. */
    private int scanned;

    Session(int limit) {
      this.limit = limit;
    }

    @Override
    public int decode(ByteBuffer in, FrameSink sink) throws CodecException {
      int pos = in.position();
      int end = in.limit();
      int i = pos + scanned;
      while (true) {
        int stop = Math.min(end, pos + limit + 1);
        while (i < stop && in.get(i) != LF) {
          i++;
        }
        if (i == stop) {
          if (i - pos > limit) {
            in.position(pos);
            scanned = 0;
            throw new FrameTooLongException(i - pos, limit);
          }
          // No LF yet: keep the partial line and remember how far it was scanned.
          in.position(pos);
          scanned = i - pos;
          return i - pos + 1;
        }
        int lineEnd = i;
        if (lineEnd > pos && in.get(lineEnd - 1) == CR) {
          lineEnd--;
        }
        // Advance before the callback so a sink that throws leaves a consistent position.
        in.position(i + 1);
        scanned = 0;
        if (lineEnd > pos) {
          if (in.get(pos) == CALL_MARK) {
            sink.onFrame(FrameType.CALL, in, pos + 1, lineEnd - pos - 1);
          } else {
            sink.onFrame(FrameType.TEXT, in, pos, lineEnd - pos);
          }
        }
        pos = in.position();
        end = in.limit();
        i = pos;
      }
    }

    @Override
    public int encodedLength(FrameType type, int payloadLength) {
      return (type == FrameType.CALL ? 1 : 0) + payloadLength + 1;
    }

    @Override
    public void encode(FrameType type, ByteBuffer payload, ByteBuffer out) throws CodecException {
      int p = payload.position();
      int n = payload.remaining();
      check(type, payload, p, n);
      if (type == FrameType.CALL) {
        out.put(CALL_MARK);
      }
      out.put(out.position(), payload, p, n);
      out.position(out.position() + n);
      out.put(LF);
    }

    private void check(FrameType type, ByteBuffer payload, int p, int n) throws CodecException {
      if (!supports(type)) {
        throw new CodecException("the line codec cannot carry " + type + " frames");
      }
      if (n == 0) {
        throw new CodecException("the line codec cannot carry an empty message (empty lines are ignored)");
      }
      int line = n + (type == FrameType.CALL ? 1 : 0);
      if (line > limit) {
        throw new FrameTooLongException(line, limit);
      }
      for (int i = p; i < p + n; i++) {
        if (payload.get(i) == LF) {
          throw new CodecException("the line codec cannot carry a message containing '\\n' (at byte "
              + (i - p) + "); send one message per line");
        }
      }
      if (payload.get(p + n - 1) == CR) {
        throw new CodecException("the line codec cannot carry a message ending with '\\r'");
      }
      if (type != FrameType.CALL && payload.get(p) == CALL_MARK) {
        throw new CodecException("the line codec cannot carry a " + type
            + " message starting with BEL (0x07): it would be read as a call");
      }
    }

    @Override
    public boolean supports(FrameType type) {
      return type == FrameType.TEXT || type == FrameType.BINARY || type == FrameType.CALL;
    }
  }
}
