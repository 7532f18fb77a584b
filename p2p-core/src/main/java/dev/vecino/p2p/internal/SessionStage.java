package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameSink;
import dev.vecino.p2p.transport.EventLoop;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The session stage of a connection's read path, between the codec stage ({@link FrameReader})
 * and the {@link Dispatch}: finds out who the other side is before it becomes a peer, and says
 * so to the connection's {@link SessionObserver}. Chosen from the codec when the connection is
 * made ({@link #forCodec}):
 *
 * <ul>
 *   <li>{@link HelloSession}, for codecs with the HELLO handshake (framed): sends and checks
 *       HELLOs, holds a newcomer while a check runs (docs/PROTOCOL.md 1.3, 1.4);
 *   <li>{@link AnnounceSession}, for codecs without one (line, classic, third-party): refuses a
 *       framed node, recognises a greeting, announces the peer when it first says something or
 *       once the codec's {@link Codec#announceDelay()} passed (docs/PROTOCOL.md 2, 3).
 * </ul>
 *
 * <p>The reader decodes into this stage until the session is done, then into the dispatch; the
 * session passes on to the dispatch what follows in the read that finished it. It is also the
 * reader's {@link FrameReader.Host}: what a broken stream means depends on the session.
 *
 * <p><b>Thread safety:</b> owned by its connection's I/O thread; every method runs there.
 */
abstract class SessionStage implements FrameSink, FrameReader.Host {

  /** What a close that says goodbye does, by session and state. */
  enum Goodbye {
    /** Flush what is queued, send BYE, then half-close and wait for the other side. */
    BYE,
    /** No BYE on this wire: flush what is queued, then close. */
    FLUSH,
    /** Close at once. */
    NONE
  }

  final Connection connection;
  final Dispatch dispatch;

  SessionStage(Connection connection, Dispatch dispatch) {
    this.connection = connection;
    this.dispatch = dispatch;
  }

  /** The session stage a connection with {@code codec} runs. */
  static SessionStage forCodec(Codec codec, Connection connection, Dispatch dispatch) {
    return codec.handshake() ? new HelloSession(connection, dispatch) : new AnnounceSession(connection, dispatch, codec);
  }

  /**
   * The connection opened and is tracked: moves it to its first state and starts waiting for
   * the other side.
   *
   * @param loop the connection's loop, for timers
   * @param encoder the connection's codec session
   */
  abstract void open(EventLoop loop, CodecSession encoder);

  /**
   * The first read, before it is decoded.
   *
   * @return false if the session refused the other side on it (the read is dropped)
   */
  boolean firstRead(ByteBuffer data) {
    return true;
  }

  /** What a close that says goodbye does in {@code state}. */
  abstract Goodbye goodbye(PeerState state);

  @Override
  public boolean helloOnly() {
    return false;
  }

  @Override
  public boolean isClosed() {
    return connection.publicState() == PeerState.CLOSED;
  }

  /** The read broke the protocol: refuses a stranger, or closes with a BYE saying why. */
  @Override
  public void protocolViolation(Kind kind, String detail) {
    if (connection.publicState() == PeerState.HANDSHAKING) {
      // No BYE: a stranger does not speak our protocol, and we do not talk to it.
      connection.handshakeFailed(DisconnectReason.of(Kind.NOT_A_PEER, detail), false);
    } else {
      Node node = connection.node;
      node.logBudget.log(LogBudget.Topic.PROTOCOL_VIOLATION, "{}: closing connection to {}: {}: {}", node.logName(),
          Node.format(connection.remoteAddress()), kind.text(), detail);
      connection.close(DisconnectReason.of(kind, detail), true);
    }
  }

  /** Stops waiting for the other side: the session is done, or the connection closes. */
  abstract void stopWaiting();

  /** The connection closed: stops waiting and drops what the session kept. */
  void closed() {
    stopWaiting();
  }

  /**
   * The connection closed ({@code reason}; {@code closeReason} is the reason this node gave, or
   * null): tells the observer if the session was not done, and fails the connect future if
   * the connection never became a peer's.
   *
   * @param opened whether the connect succeeded
   * @param before the connection's state before it closed
   * @param cause the transport's cause, null for a local close
   */
  final void ended(boolean opened, PeerState before, IOException cause, DisconnectReason reason,
      DisconnectReason closeReason) {
    boolean silent = connection.bytesIn() == 0;
    connection.observer().sessionClosed(opened, cause, opened && silent && closeReason == null && cause != null);
    if (!opened) {
      if (connection.connectFuture != null) {
        connection.owner.connectFailed(connection, cause);
      }
    } else if (before == PeerState.HANDSHAKING || before == PeerState.CONNECTING) {
      // Closed by the other side before its HELLO: how a Vecino node refuses at its limits.
      boolean refusedSilently = closeReason == null && connection.direction == Direction.OUTBOUND && silent;
      if (closeReason == null) {
        connection.observer().rejected(connection, DisconnectReason.of(refusedSilently ? Kind.LIMIT_EXCEEDED
            : Kind.NOT_A_PEER, reason.toString()));
      }
      connection.failConnect(closeReason != null ? closeReason : refusedSilently
          ? DisconnectReason.of(Kind.LIMIT_EXCEEDED, "closed before its HELLO, as a Vecino node at its connection "
              + "limits does (" + reason + ")")
          : DisconnectReason.of(Kind.NOT_A_PEER, "connection closed during the handshake (" + reason + ")"));
    } else if (connection.handle() == null) {
      closedUnregistered(reason, closeReason);
    }
  }

  /**
   * The connection closed after its session started, without becoming a peer's (and not in a
   * handshake, see {@link #ended}). Nothing by default.
   *
   * @param reason why it closed
   * @param closeReason the reason this node gave, or null when the other side or the transport closed it
   */
  void closedUnregistered(DisconnectReason reason, DisconnectReason closeReason) {}

  /** Held handshakes (framed only, see {@link HelloSession#hold}); nothing by default. */
  void hold() {}

  /** Whether the handshake is held and may still be accepted. */
  boolean isHeld() {
    return false;
  }

  /** The held handshake is accepted: the connection is being established. */
  void acceptHeld() {}

  /** Hands on the frames kept while the handshake was held. */
  void replayHeld() {}

  /** A name from the codec (the classic greeting): renames a registered peer. */
  @Override
  public void onRemoteName(String name) {
    if (connection.handle() != null) {
      dispatch.onRemoteName(name);
    }
  }
}
