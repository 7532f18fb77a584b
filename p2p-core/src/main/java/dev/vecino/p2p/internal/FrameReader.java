package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameTooLongException;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.codec.FramedCodec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * One connection's inbound read path: decodes each read, keeps the bytes of a partial frame
 * until the next read, and hands a read's messages to {@link Events} as one batch.
 *
 * <p>Frames are decoded straight from the transport's buffer; only a partial frame at the end
 * of a read is copied into {@code cumulation}, and the next read tops it up with just the bytes
 * it still needs before decoding the rest in place. Decoded frames go to the connection (its
 * {@link dev.vecino.p2p.codec.FrameSink}), codec errors to
 * {@link Connection#protocolViolation}.
 *
 * <p><b>Thread safety:</b> owned by its connection's I/O thread; everything but the methods
 * marked "any thread" runs there. {@code cumulation} is this reader's alone and never leaves it.
 */
final class FrameReader {

  private final Connection connection;
  private final Node node;
  private CodecSession decoder;
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

  /** Written by the I/O thread only, with release semantics (a plain store on x86, not a fence per message). */
  private long messagesIn;
  private static final VarHandle MESSAGES_IN;

  static {
    try {
      MESSAGES_IN = MethodHandles.lookup().findVarHandle(FrameReader.class, "messagesIn", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The messages of the current read, for the callback executor; null in direct mode or when none. */
  private InboundBatch inbound;
  /** Direct mode: lends payloads to onPayload listeners (I/O thread). */
  private PayloadView payloadView;

  FrameReader(Connection connection, Node node) {
    this.connection = connection;
    this.node = node;
  }

  /** Sets the session that decodes reads. I/O thread. */
  void decodeWith(CodecSession decoder) {
    this.decoder = decoder;
  }

  /** Bytes read so far. Any thread. */
  long bytesIn() {
    return bytesIn;
  }

  /** Messages received so far. Any thread. */
  long messagesIn() {
    return (long) MESSAGES_IN.getAcquire(this);
  }

  /** Bytes in the current read: sizes the read's batch. I/O thread. */
  private int readBytes;

  /** Decodes one read; its messages go to the callback executor as one event. I/O thread. */
  void read(ByteBuffer data) {
    readBytes = data.remaining();
    bytesIn += readBytes;
    try {
      decodeRead(data);
    } finally {
      flushInbound();
    }
  }

  /**
   * Adds a received message to the current read's batch (or lends it to the listeners in direct
   * mode). I/O thread, inside {@link #read}.
   */
  void received(PeerHandle handle, FrameType type, ByteBuffer buf, int offset, int length) {
    MESSAGES_IN.setRelease(this, messagesIn + 1);
    if (payloadView == null && node.events.direct()) {
      payloadView = new PayloadView();
    }
    inbound = node.events.received(inbound, handle, kindOf(type), buf, offset, length, payloadView,
        readBytes);
  }

  /** Hands the messages of this read to the callback executor, as one event. I/O thread. */
  void flushInbound() {
    InboundBatch b = inbound;
    if (b != null) {
      inbound = null;
      node.events.deliver(connection, b);
    }
  }

  /** The connection closed: drops a held partial frame. I/O thread. */
  void release() {
    cumulation = null;
  }

  private static MessageKind kindOf(FrameType type) {
    return switch (type) {
      case TEXT -> MessageKind.TEXT;
      case CALL -> MessageKind.CALL;
      default -> MessageKind.BINARY;
    };
  }

  private void decodeRead(ByteBuffer data) {
    if (broken) {
      data.position(data.limit());
      return;
    }
    try {
      if (cumulation != null && cumulation.position() > 0 && !completePartialFrame(data)) {
        return;
      }
      if (!data.hasRemaining() || connection.publicState() == PeerState.CLOSED) {
        return;
      }
      // The common case: decode straight from the transport's buffer; keep only a partial tail.
      int need = decoder.decode(data, connection);
      if (!checkHandshakeNeed(need, data, data.position(), data.limit())) {
        return;
      }
      if (data.hasRemaining() && connection.publicState() != PeerState.CLOSED) {
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
    connection.protocolViolation(kind, e.getMessage());
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
        need = decoder.decode(cumulation, connection);
      } finally {
        // A frame (BYE, a refused HELLO) may have closed the connection inside the decode
        // call: release() dropped the buffer then.
        if (cumulation != null) {
          cumulation.compact();
        }
      }
      if (connection.publicState() == PeerState.CLOSED
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
    if (connection.publicState() == PeerState.HANDSHAKING && !connection.isHeld()
        && need > Hello.MAX_HELLO_FRAME + 4) {
      String looksLike = FramedCodec.describeForeign(buf, from, to).orElse(null);
      connection.protocolViolation(Kind.NOT_A_PEER, "first frame declares " + need + " bytes, more than a HELLO"
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
      long largestFrame = (long) node.config().maxFrameSize() + FramedCodec.HEADER_LENGTH;
      int doubled = (int) Math.min(cumulation.capacity() * 2L, largestFrame);
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, doubled));
      cumulation.flip();
      bigger.put(cumulation);
      cumulation = bigger;
    }
  }
}
