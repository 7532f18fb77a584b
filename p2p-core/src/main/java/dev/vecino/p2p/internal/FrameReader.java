package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameSink;
import dev.vecino.p2p.codec.FrameTooLongException;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.codec.FramedCodec;
import java.nio.ByteBuffer;

/**
 * The codec stage of a connection's read path: decodes each read into frames with the
 * connection's {@link CodecSession}, keeps the bytes of a partial frame until the next read, and
 * hands the frames to its {@link FrameSink}: the {@link SessionStage} until the session is done,
 * then the {@link Dispatch} ({@link #decodeTo}).
 *
 * <p>Frames are decoded straight from the transport's buffer; only a partial frame at the end
 * of a read is copied into {@code cumulation}, and the next read tops it up with just the bytes
 * it still needs before decoding the rest in place. Codec errors, and a first frame larger than
 * any HELLO while the session accepts only one, go to its {@link Host}, after which the rest of
 * the stream is dropped unread.
 *
 * <p><b>A budget of frames.</b> The codec gets a read in windows of {@link #WINDOW} bytes (or
 * the frame that needs more), and the {@link Budget} says before each whether the loop turn
 * has room for more frames. When it has none, the rest of the read is copied into {@code
 * backlog} and decoded on a later turn ({@link #readBacklog}), before anything read after it:
 * the budget's owner ({@link ReadGate}) keeps the channel paused meanwhile, so the backlog
 * holds at most what one read returned, and the end of stream cannot overtake it. A window is
 * a multiple of the classic codec's chunk, so ASCII text is cut into the chunks one read would
 * give; after a chunk that ended early, before a multi-byte character, a window's last chunk
 * may be shorter (still never a broken character). Framed and line frames do not depend on
 * the cuts.
 *
 * <p><b>Thread safety:</b> owned by its connection's I/O thread; everything but
 * {@link #bytesIn()} runs there. {@code cumulation} and {@code backlog} are this reader's alone
 * and never leave it.
 */
final class FrameReader implements FrameSink {

  /**
   * Bytes the codec is given per call: small enough that the frames of one window, at five
   * bytes the smallest framed frame, overshoot a spent budget by at most 409, large enough
   * that a call per window is lost in the cost of its frames. A multiple of {@link
   * dev.vecino.p2p.codec.ClassicCodec#CHUNK_SIZE}.
   */
  static final int WINDOW = 2048;
  /**
   * How long an empty backlog buffer is kept after it was last used: a flood that spends its
   * budget every few turns reuses one buffer instead of allocating up to a read's worth each
   * time, and a connection that stopped flooding gives it back within about this long (on its
   * next turn with frames: a heartbeat at the latest).
   */
  static final long KEEP_BACKLOG_NANOS = 1_000_000_000L;

  /** What the codec stage needs of the connection around it. I/O thread. */
  interface Host {
    /** The stream broke the protocol ({@code kind}: a codec error, a frame too long, not a peer). */
    void protocolViolation(Kind kind, String detail);

    /** Whether the connection closed: the rest of a read is dropped. */
    boolean isClosed();

    /** Whether the session accepts only a HELLO now (handshake under way, not held). */
    boolean helloOnly();
  }

  /** How many frames a loop turn may decode. I/O thread. */
  interface Budget {
    /** Before each window: whether the turn has room for more frames; if not, the rest waits. */
    boolean mayDecode();

    /** After each window: it held {@code frames} frames. */
    void decoded(int frames);
  }

  private final Host host;
  private final Budget budget;
  /** The largest frame body the node accepts: caps how far {@code cumulation} doubles. */
  private final int maxFrameSize;
  private CodecSession decoder;
  private FrameSink sink;
  /** Where the current window's frames go: {@code sink} when the window began. */
  private FrameSink windowSink;
  /** Frames of the current window. */
  private int windowFrames;
  /** A partial frame held from the last read (write mode); null until needed and once closed. */
  private ByteBuffer cumulation;
  /** Bytes the frame held in {@code cumulation} needs in total, as the decoder last said. */
  private int cumulationNeed;
  /**
   * What a spent budget left of a read (read mode), decoded before anything read later; kept
   * empty for the next yield while the connection keeps spending its budget, null once it
   * has not for {@link #KEEP_BACKLOG_NANOS} ({@link #dropBacklog}) and once closed.
   */
  private ByteBuffer backlog;
  /** When {@code backlog} last took bytes (System.nanoTime()). */
  private long backlogUsed;
  /** What the codec last said the backlog's next frame needs, so the next turn's window holds it. */
  private int backlogNeed = 1;
  /**
   * The stream broke the protocol: what follows is out of step with the framing (the body of
   * a refused frame, say), so later reads are dropped unread instead of failing, and logging,
   * once per read while the connection closes.
   */
  private boolean broken;
  private volatile long bytesIn;

  FrameReader(Host host, int maxFrameSize, Budget budget) {
    this.host = host;
    this.maxFrameSize = maxFrameSize;
    this.budget = budget;
  }

  /** Sets the session that decodes reads. I/O thread. */
  void decodeWith(CodecSession decoder) {
    this.decoder = decoder;
  }

  /** Sets where decoded frames go from the next window on. I/O thread. */
  void decodeTo(FrameSink sink) {
    this.sink = sink;
  }

  /** Bytes read so far. Any thread. */
  long bytesIn() {
    return bytesIn;
  }

  /** The connection closed: drops a held partial frame and the backlog. I/O thread. */
  void release() {
    cumulation = null;
    backlog = null;
  }

  /** Whether bytes of earlier reads wait for a turn with budget. I/O thread. */
  boolean hasBacklog() {
    return backlog != null && backlog.hasRemaining();
  }

  /** The bytes waiting in the backlog. I/O thread. */
  int backlogBytes() {
    return backlog == null ? 0 : backlog.remaining();
  }

  /**
   * A turn went by without a spent budget: frees the (empty) backlog's buffer if it has not
   * been used for {@link #KEEP_BACKLOG_NANOS}. I/O thread.
   */
  void dropBacklog() {
    if (backlog != null && !backlog.hasRemaining() && System.nanoTime() - backlogUsed > KEEP_BACKLOG_NANOS) {
      backlog = null;
    }
  }

  /**
   * Decodes one read, handing its frames to the sink, as far as the budget goes; the rest goes
   * to the backlog. I/O thread.
   */
  void read(ByteBuffer data) {
    bytesIn += data.remaining();
    if (broken) {
      data.position(data.limit());
      return;
    }
    if (hasBacklog()) {
      // Only when the layer below reads on while the gate holds it paused: keep the order.
      keep(data);
      readBacklog();
      return;
    }
    if (!decode(data, 1)) {
      keep(data);
    }
  }

  /** Decodes the backlog as far as the budget goes. I/O thread. */
  void readBacklog() {
    ByteBuffer b = backlog;
    if (b == null || broken) {
      return;
    }
    decode(b, backlogNeed);
  }

  /** Copies what is left of {@code data} to the end of the backlog. */
  private void keep(ByteBuffer data) {
    if (broken || host.isClosed() || !data.hasRemaining()) {
      data.position(data.limit());
      return;
    }
    int held = backlogBytes();
    backlogUsed = System.nanoTime();
    if (backlog == null || backlog.capacity() < held + data.remaining()) {
      // Doubling: a flood settles on one buffer of about a read in a few steps.
      int capacity = backlog == null ? 0 : backlog.capacity();
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(held + data.remaining(), 2 * capacity));
      if (backlog != null) {
        bigger.put(backlog);
      }
      backlog = bigger.flip();
    }
    backlog.compact().put(data).flip();
  }

  /**
   * Decodes {@code data} window by window while the budget has room; a partial frame at its
   * end goes to {@code cumulation}.
   *
   * @param need what the codec said the next frame needs, if it saw the bytes at the position
   * @return false if the budget stopped it with bytes left in {@code data}
   */
  private boolean decode(ByteBuffer data, int need) {
    try {
      int windowEnd = data.position();
      while (!host.isClosed()) {
        if (cumulation != null && cumulation.position() > 0) {
          if (!data.hasRemaining()) {
            return true;
          }
          if (!budget.mayDecode()) {
            backlogNeed = 1;
            return false;
          }
          if (!completePartialFrame(data)) {
            return true;
          }
          windowEnd = data.position();
          continue;
        }
        if (!data.hasRemaining()) {
          return true;
        }
        if (!budget.mayDecode()) {
          backlogNeed = need;
          return false;
        }
        int end = data.limit();
        // Windows tile the read; one grows to hold a frame that needs more.
        windowEnd = (int) Math.min(end, Math.max((long) windowEnd + WINDOW, (long) data.position() + need));
        data.limit(windowEnd);
        try {
          need = decodeWindow(data);
        } finally {
          data.limit(end);
        }
        if (windowEnd < end) {
          continue;
        }
        // The read's last window: what is left is a partial frame, as one decode call would leave it.
        if (!checkHandshakeNeed(need, data, data.position(), end)) {
          return true;
        }
        if (data.hasRemaining() && !host.isClosed()) {
          ensureCumulation(Math.max(need, data.remaining()));
          cumulation.put(data);
          cumulationNeed = need;
        }
      }
      return true;
    } catch (FrameTooLongException e) {
      brokenBy(Kind.FRAME_TOO_LONG, e);
    } catch (CodecException e) {
      brokenBy(Kind.PROTOCOL_ERROR, e);
    }
    return true;
  }

  /** One call of the codec, counting its frames against the budget. */
  private int decodeWindow(ByteBuffer in) throws CodecException {
    windowSink = sink;
    windowFrames = 0;
    try {
      return decoder.decode(in, this);
    } finally {
      budget.decoded(windowFrames);
    }
  }

  /** Counts a decoded frame and hands it on. */
  @Override
  public void onFrame(FrameType type, ByteBuffer buf, int offset, int length) throws CodecException {
    windowFrames++;
    windowSink.onFrame(type, buf, offset, length);
  }

  @Override
  public void onRemoteName(String name) {
    windowSink.onRemoteName(name);
  }

  private void brokenBy(Kind kind, CodecException e) {
    broken = true;
    cumulation = null;
    backlog = null;
    host.protocolViolation(kind, e.getMessage());
  }

  /**
   * Tops up the partial frame held from an earlier read with only the bytes it still needs,
   * so the rest of the read is decoded in place instead of being copied, and decodes it.
   *
   * @return false when the data ran out, the connection closed or the frame was refused
   */
  private boolean completePartialFrame(ByteBuffer data) throws CodecException {
    int held = cumulation.position();
    int take = Math.min(cumulationNeed > held ? cumulationNeed - held : WINDOW, data.remaining());
    ensureCumulation(held + take);
    cumulation.put(cumulation.position(), data, data.position(), take);
    cumulation.position(held + take);
    data.position(data.position() + take);
    if (cumulation.position() < cumulationNeed) {
      return false;
    }
    cumulation.flip();
    int need;
    try {
      need = decodeWindow(cumulation);
    } finally {
      // A frame (BYE, a refused HELLO) may have closed the connection inside the decode
      // call: release() dropped the buffer then.
      if (cumulation != null) {
        cumulation.compact();
      }
    }
    if (host.isClosed() || !checkHandshakeNeed(need, cumulation, 0, cumulation.position())) {
      return false;
    }
    cumulationNeed = need;
    if (cumulation.position() > 0 && !data.hasRemaining()) {
      ensureCumulation(need);
      return false;
    }
    return true;
  }

  /**
   * Until the handshake is done, a frame longer than a HELLO can be is a stranger's; {@code
   * buf[from, to)} holds its first bytes, to say what they look like. A held handshake (the
   * HELLO was valid, the peer may talk already) takes any frame.
   */
  private boolean checkHandshakeNeed(int need, ByteBuffer buf, int from, int to) {
    if (need > Hello.MAX_HELLO_FRAME + 4 && host.helloOnly()) {
      String looksLike = FramedCodec.describeForeign(buf, from, to).orElse(null);
      host.protocolViolation(Kind.NOT_A_PEER, "first frame declares " + need + " bytes, more than a HELLO"
          + (looksLike == null ? "" : "; " + looksLike));
      return false;
    }
    return true;
  }

  /**
   * Grows {@code cumulation} to hold {@code capacity} bytes. Doubling stops at the largest
   * frame the decoder accepts, so a frame near the limit never costs twice the limit.
   */
  private void ensureCumulation(int capacity) {
    if (cumulation == null) {
      cumulation = ByteBuffer.allocate(Math.max(capacity, 1024));
    } else if (cumulation.capacity() < capacity) {
      long largestFrame = (long) maxFrameSize + FramedCodec.HEADER_LENGTH;
      int doubled = (int) Math.min(cumulation.capacity() * 2L, largestFrame);
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, doubled));
      cumulation.flip();
      bigger.put(cumulation);
      cumulation = bigger;
    }
  }
}
