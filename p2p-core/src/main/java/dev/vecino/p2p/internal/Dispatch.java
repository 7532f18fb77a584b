package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.FrameSink;
import dev.vecino.p2p.codec.FrameType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registered peer's connection, last stage of the read path: hands each decoded frame to
 * whoever acts on it. Messages go to {@link Events} (a read's messages as one batch, or straight
 * to {@code onPayload} listeners in direct mode), a PING to {@link Liveness} (which answers
 * it), a PONG to the running {@link IdCheck}; on a BYE the connection closes.
 *
 * <p>The {@link FrameReader} decodes into this stage once the session is done (before that,
 * into the {@link SessionStage}, which passes frames on here for the rest of the read that
 * finished it). Nothing per frame is allocated here beyond what {@link Events} keeps of the
 * payload.
 *
 * <p><b>Thread safety:</b> owned by its connection's I/O thread; everything but
 * {@link #messagesIn()} runs there. {@code messagesIn} is written there with release
 * semantics and read from any thread.
 */
final class Dispatch implements FrameSink {

  /** The connection's logger: these are its log lines, and logging configuration names it. */
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  private static final VarHandle MESSAGES_IN;

  static {
    try {
      MESSAGES_IN = MethodHandles.lookup().findVarHandle(Dispatch.class, "messagesIn", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Connection connection;
  private final Events events;
  private final Liveness liveness;
  /** The peer the messages are from; null until {@link #attach}. */
  private PeerHandle handle;
  /** The connection closed: the rest of a read is discarded. */
  private boolean closed;
  /** Written by the I/O thread only, with release semantics (a plain store on x86, not a fence per message). */
  private long messagesIn;
  /** The messages of the current read, for the callback executor; null in direct mode or when none. */
  private InboundBatch inbound;
  /** Direct mode: lends payloads to onPayload listeners. */
  private PayloadView payloadView;
  /** Bytes in the current read: sizes the read's batch. Set by the connection before each read. */
  int readBytes;

  Dispatch(Connection connection, Events events, Liveness liveness) {
    this.connection = connection;
    this.events = events;
    this.liveness = liveness;
  }

  /** The session is done: frames from now on are {@code handle}'s. */
  void attach(PeerHandle handle) {
    this.handle = handle;
  }

  /** The connection closed: frames still in the current read are dropped. */
  void closed() {
    closed = true;
  }

  /** Messages received so far. Any thread. */
  long messagesIn() {
    return (long) MESSAGES_IN.getAcquire(this);
  }

  @Override
  public void onFrame(FrameType type, ByteBuffer buf, int offset, int length) throws CodecException {
    if (closed) {
      return;
    }
    switch (type) {
      case TEXT, BINARY, CALL -> received(type, buf, offset, length);
      case PING -> {
        if (connection.standby) {
          Duplicates.dropStandby(connection);
        } else {
          liveness.onPing(buf, offset, length);
        }
      }
      case PONG -> {
        // Liveness heard it already: every read counts. A check waits for its nonce.
        IdCheck check = connection.check;
        if (check != null) {
          check.pong(buf, offset, length);
        }
      }
      case BYE -> {
        // Messages read before the BYE reach the listeners before the disconnect event.
        flushInbound();
        bye(Bye.decodeCode(buf, offset, length), Bye.decodeText(buf, offset, length));
      }
      case HELLO -> throw new CodecException("HELLO after the handshake");
      case ADMIT -> throw new CodecException("ADMIT after the handshake");
    }
  }

  @Override
  public void onRemoteName(String name) {
    handle.rename(name);
  }

  /**
   * Adds a message to the current read's batch, or lends it to the listeners in direct mode.
   * A method of its own, not a case of {@link #onFrame}: that keeps {@code onFrame} small
   * enough to be inlined into the codec's decode loop (with the case written out here, a 64-byte
   * frame took about a fifth longer in a quick measurement).
   */
  private void received(FrameType type, ByteBuffer buf, int offset, int length) {
    MESSAGES_IN.setRelease(this, messagesIn + 1);
    if (payloadView == null && events.direct()) {
      payloadView = new PayloadView();
    }
    inbound = events.received(inbound, handle, kindOf(type), buf, offset, length, payloadView, readBytes);
  }

  /** The peer said BYE: the connection closes, at once or once what senders queued here is out. */
  private void bye(int code, String text) {
    Kind kind = Bye.kind(code);
    DisconnectReason reason = kind == Kind.CLOSED_BY_PEER
        ? DisconnectReason.of(Kind.CLOSED_BY_PEER, text)
        : DisconnectReason.of(kind, "closed by peer: " + text);
    log.debug("{}: {} said BYE: {}", connection.node.logName(), Node.format(connection.remoteAddress()),
        Names.printable(reason.toString()));
    if (kind == Kind.DUPLICATE && !Bye.ALREADY_CONNECTED.equals(text)) {
      // A simultaneous connect: the peer kept the other connection, which should arrive.
      // "already connected" is a refusal: the peer keeps an older connection, none comes.
      connection.remoteKeptOther = true;
      IdCheck check = connection.check;
      if (check != null) {
        // We were checking this connection for a newcomer: that newcomer is the one it kept.
        check.keptOther();
      }
      if (connection.publicState() == PeerState.CONNECTED) {
        connection.answerBye(reason);
        return;
      }
    }
    connection.closedByPeer(reason);
  }

  /** Hands the messages of this read to the callback executor, as one event. */
  void flushInbound() {
    InboundBatch b = inbound;
    if (b != null) {
      inbound = null;
      events.deliver(connection, b);
    }
  }

  private static MessageKind kindOf(FrameType type) {
    return switch (type) {
      case TEXT -> MessageKind.TEXT;
      case CALL -> MessageKind.CALL;
      default -> MessageKind.BINARY;
    };
  }
}
