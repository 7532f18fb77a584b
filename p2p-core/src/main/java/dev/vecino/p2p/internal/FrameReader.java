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
 * <p><b>Thread safety:</b> owned by its connection's I/O thread; everything but
 * {@link #bytesIn()} runs there. {@code cumulation} is this reader's alone and never leaves it.
 */
final class FrameReader {

  /** What the codec stage needs of the connection around it. I/O thread. */
  interface Host {
    /** The stream broke the protocol ({@code kind}: a codec error, a frame too long, not a peer). */
    void protocolViolation(Kind kind, String detail);

    /** Whether the connection closed: the rest of a read is dropped. */
    boolean isClosed();

    /** Whether the session accepts only a HELLO now (handshake under way, not held). */
    boolean helloOnly();
  }

  private final Host host;
  /** The largest frame body the node accepts: caps how far {@code cumulation} doubles. */
  private final int maxFrameSize;
  private CodecSession decoder;
  private FrameSink sink;
  /** A partial frame held from the last read (write mode); null until needed and once closed. */
  private ByteBuffer cumulation;
  /** Bytes the frame held in {@code cumulation} needs in total, as the decoder last said. */
  private int cumulationNeed;
  /**
   * The stream broke the protocol: what follows is out of step with the framing (the body of
   * a refused frame, say), so later reads are dropped unread instead of failing, and logging,
   * once per read while the connection closes.
   */
  private boolean broken;
  private volatile long bytesIn;

  FrameReader(Host host, int maxFrameSize) {
    this.host = host;
    this.maxFrameSize = maxFrameSize;
  }

  /** Sets the session that decodes reads. I/O thread. */
  void decodeWith(CodecSession decoder) {
    this.decoder = decoder;
  }

  /** Sets where decoded frames go from the next decode call on. I/O thread. */
  void decodeTo(FrameSink sink) {
    this.sink = sink;
  }

  /** Bytes read so far. Any thread. */
  long bytesIn() {
    return bytesIn;
  }

  /** The connection closed: drops a held partial frame. I/O thread. */
  void release() {
    cumulation = null;
  }

  /** Decodes one read, handing its frames to the sink. I/O thread. */
  void read(ByteBuffer data) {
    bytesIn += data.remaining();
    if (broken) {
      data.position(data.limit());
      return;
    }
    try {
      if (cumulation != null && cumulation.position() > 0 && !completePartialFrame(data)) {
        return;
      }
      if (!data.hasRemaining() || host.isClosed()) {
        return;
      }
      // The common case: decode straight from the transport's buffer; keep only a partial tail.
      int need = decoder.decode(data, sink);
      if (!checkHandshakeNeed(need, data, data.position(), data.limit())) {
        return;
      }
      if (data.hasRemaining() && !host.isClosed()) {
        ensureCumulation(Math.max(need, data.remaining()));
        cumulation.put(data);
        cumulationNeed = need;
      }
    } catch (FrameTooLongException e) {
      brokenBy(Kind.FRAME_TOO_LONG, e);
    } catch (CodecException e) {
      brokenBy(Kind.PROTOCOL_ERROR, e);
    }
  }

  private void brokenBy(Kind kind, CodecException e) {
    broken = true;
    cumulation = null;
    host.protocolViolation(kind, e.getMessage());
  }

  /**
   * Completes the partial frame held from the last read with only the bytes it still needs,
   * so the rest of the read is decoded in place instead of being copied.
   *
   * @return false when the data ran out or the connection closed
   */
  private boolean completePartialFrame(ByteBuffer data) {
    while (cumulation.position() > 0) {
      int held = cumulation.position();
      int take = cumulationNeed > held ? Math.min(cumulationNeed - held, data.remaining()) : data.remaining();
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
        need = decoder.decode(cumulation, sink);
      } finally {
        // A frame (BYE, a refused HELLO) may have closed the connection inside the decode
        // call: release() dropped the buffer then.
        if (cumulation != null) {
          cumulation.compact();
        }
      }
      if (host.isClosed()
          || !checkHandshakeNeed(need, cumulation, 0, cumulation.position())) {
        return false;
      }
      cumulationNeed = need;
      if (cumulation.position() > 0 && !data.hasRemaining()) {
        ensureCumulation(need);
        return false;
      }
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
