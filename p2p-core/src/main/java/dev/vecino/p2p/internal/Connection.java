package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.codec.SessionInfo;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.EventLoop;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection: its state and close sequence, and the stages it is made of. It is the
 * {@link ChannelHandler} of its channel (the transport's, or the last byte stage's, see
 * {@link ByteStage}), and every byte it writes goes to the {@link Channel} it got in
 * {@link #onOpen}. The read path:
 *
 * <pre>
 * channel ─onRead→ Connection ─read→ FrameReader (codec) ─onFrame→ SessionStage ─→ Dispatch ─→ Events
 *                                                         (once the session is done: ───→ Dispatch)
 * </pre>
 *
 * <p>The {@link FrameReader} decodes reads with the codec; the {@link SessionStage} ({@link
 * HelloSession} or {@link AnnounceSession}, chosen from the codec) finds out who the other side
 * is and reports to the {@link SessionObserver} (the owner, or a scan probe); the {@link
 * Dispatch} hands a peer's frames on. Queueing and writing frames is the {@link FrameWriter}'s,
 * heartbeats and the idle check {@link Liveness}'s. Reports go to the {@link ConnectionOwner}.
 *
 * <p><b>Thread safety:</b> owned by its channel's I/O thread; everything but the methods
 * marked "any thread" runs there. Senders on other threads only touch the {@link FrameWriter}
 * and its {@link Outbound}. {@link Admission} evicts a pending inbound connection from the
 * listener's thread ({@link #evict}): it only sets a volatile reason and hands the close to
 * the owner. A newcomer's {@link PeerRegistry} run reads {@code establishedNanos} (volatile)
 * from another I/O thread; an {@link IdCheck} of this connection runs on this one's, and a
 * held newcomer is accepted or refused on its own. The registry makes a connection take sends
 * ({@link #establish}, on this I/O thread) before any sender can reach it through a handle.
 */
final class Connection implements ChannelHandler {

  final Node node;
  /** Where this connection reports: tracking, handshake outcomes, close. */
  final ConnectionOwner owner;
  final Direction direction;
  /** For outbound connections: completes with the peer after the handshake. */
  final CompletableFuture<Peer> connectFuture;
  /** Completes when the channel is closed and every event is out. */
  final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  final InetSocketAddress target;
  /** Watches the session: the owner, or a scan probe until the session is done. I/O thread. */
  private SessionObserver observer;
  /** Volatile: {@link #evict} reads it on the listener's thread, racing with {@link #onOpen}. */
  private volatile Channel channel;
  private CodecSession encoder;
  private final FrameReader reader;
  /** When the channel is read: the connection's pause, the turn's budget of frames. */
  private final ReadGate gate;
  private final SessionStage session;
  private final Dispatch dispatch;
  private final Liveness liveness;
  private final FrameWriter writer;
  private volatile PeerState state = PeerState.CONNECTING;
  private volatile InetSocketAddress remote;
  private PeerHandle handle;
  private EventLoop.Timer closeTimer;
  private DisconnectReason closeReason;
  /** Set when another connection to the same peer won; this one closes without events. */
  volatile boolean replaced;
  /** Set when the peer said BYE(duplicate): it keeps another connection, which should arrive. */
  volatile boolean remoteKeptOther;
  /**
   * The losing connection of a simultaneous connect, kept open until the peer closes it
   * ({@link Duplicates#standby}); a PING on it is answered by dropping it. I/O thread.
   */
  boolean standby;
  /** Set (any thread) when {@link Admission} gave this connection's pending slot to a newcomer. */
  private volatile DisconnectReason evicted;
  /** When the handshake finished ({@link System#nanoTime}), for the duplicate rule's overlap window; 0 before. */
  volatile long establishedNanos;
  /** The check of this (established) connection a newcomer with its peer's id started, or null. I/O thread. */
  IdCheck check;
  /** The TLS stage of a secure connection, set before it opens; null for plaintext. */
  private TlsStage tls;
  /** No byte read yet: the session sees the first read before it is decoded. I/O thread. */
  private boolean firstRead = true;
  /** Reading paused while we answer a BYE with our queue and BYE; resumed once our output is shut. I/O thread. */
  private boolean readAfterOwnBye;

  Connection(Node node, ConnectionOwner owner, Direction direction, InetSocketAddress target,
      CompletableFuture<Peer> connectFuture) {
    this(node, owner, owner, direction, target, connectFuture);
  }

  Connection(Node node, ConnectionOwner owner, SessionObserver observer, Direction direction,
      InetSocketAddress target, CompletableFuture<Peer> connectFuture) {
    this.node = node;
    this.owner = owner;
    this.observer = observer;
    this.direction = direction;
    this.target = target;
    this.remote = target;
    this.connectFuture = connectFuture;
    this.liveness = new Liveness(this, node);
    this.writer = new FrameWriter(this, node);
    this.dispatch = new Dispatch(this, node.events, liveness);
    this.session = SessionStage.forCodec(node.config().codec(), this, dispatch);
    this.gate = new ReadGate(session, node.config().maxFrameSize(), dispatch);
    this.reader = gate.reader();
    reader.decodeTo(session);
  }

  // ---- accessors (any thread) ----

  /** The TLS stage of a secure connection; null for a plaintext one. */
  TlsStage tls() {
    return tls;
  }

  /** Puts this connection behind a TLS stage whose tunnel its session hears of; before the channel opens. */
  TlsStage secure(Tls secure) {
    tls = secure.stage(this, (HelloSession) session);
    return tls;
  }

  PeerState publicState() {
    return state;
  }

  InetSocketAddress remoteAddress() {
    return remote;
  }

  long messagesIn() {
    return dispatch.messagesIn();
  }

  long bytesIn() {
    return reader.bytesIn();
  }

  long messagesOut() {
    return writer.messagesOut();
  }

  long bytesOut() {
    return writer.bytesOut();
  }

  /** Converts the monotonic last-heard time to wall-clock time. Any thread. */
  java.time.Instant lastHeard() {
    return liveness.lastHeard();
  }

  long queuedBytes() {
    return writer.queuedBytes();
  }

  /** Bytes written to the socket so far, control frames included. Any thread. */
  long writtenBytes() {
    return writer.writtenBytes();
  }

  boolean isWritable() {
    return writer.isWritable();
  }

  boolean isClosingOrClosed() {
    PeerState s = state;
    return s == PeerState.CLOSING || s == PeerState.CLOSED;
  }

  EventLoop eventLoop() {
    return channel.eventLoop();
  }

  // ---- sending (any thread) ----

  /** Queues a frame. */
  SendStatus send(FrameType type, byte[] a, int off, int len, ByteBuffer b, CompletableFuture<Void> waiter) {
    return send(type, a, off, len, b, waiter, true, false);
  }

  /**
   * Queues a frame.
   *
   * @param mayInline whether an idle connection may be written from this thread (false for a
   *     broadcast: one wake-up of the I/O thread beats one write per peer on the caller)
   * @param more more frames follow soon: this one may wait for them, up to a batch or a flush
   */
  SendStatus send(FrameType type, byte[] a, int off, int len, ByteBuffer b, CompletableFuture<Void> waiter,
      boolean mayInline, boolean more) {
    return writer.send(type, a, off, len, b, waiter, mayInline, more);
  }

  /** Writes frames queued with {@code more} now. Any thread. */
  void flush() {
    writer.flushNow();
  }

  /**
   * Parks a send until the queue has room or {@code timeoutNanos} pass (then the future
   * fails with {@link dev.vecino.p2p.QueueFullException}). Any thread.
   *
   * @return false if it could not be parked (closed, or the parked bytes are at the bound)
   */
  boolean park(FrameType type, byte[] payload, CompletableFuture<Void> future, long timeoutNanos) {
    return writer.park(type, payload, future, timeoutNanos);
  }

  /** Queues a control frame, ignoring the bound (each kind is bounded by construction). I/O thread. */
  void sendControl(FrameType type, byte[] body, boolean closeAfter) {
    writer.sendControl(type, body, closeAfter);
  }

  // ---- channel events (I/O thread) ----

  @Override
  public void onConnecting(Channel channel) {
    observer.connecting(channel);
  }

  @Override
  public void onOpen(Channel channel) {
    this.channel = channel;
    this.remote = channel.remoteAddress();
    gate.open(channel);
    observer.opened(channel);
    if (!channel.isOpen()) {
      return;
    }
    SessionInfo full = new SessionInfo(direction, channel.localAddress(), remote,
        node.identity().name(), node.config().maxFrameSize());
    this.encoder = node.config().codec().newSession(full);
    writer.open(channel, encoder, OutboundBuffers.segmentFor(remote));
    // Evicted from its pending-handshake slot before it opened (see evict), or the node closed meanwhile.
    DisconnectReason refused = evicted != null ? evicted
        : owner.track(this) ? null : DisconnectReason.of(Kind.CLOSED_LOCALLY, "node closed");
    if (refused != null) {
      closeReason = refused;
      channel.close();
      return;
    }
    byte[] opening = encoder.openingBytes();
    if (opening.length > 0) {
      writer.writeRaw(opening);
    }
    reader.decodeWith(encoder);
    session.open(channel.eventLoop(), encoder);
  }

  @Override
  public void onRead(ByteBuffer data) {
    if (firstRead) {
      firstRead = false;
      if (!session.firstRead(data)) {
        return;
      }
    }
    liveness.heard();
    gate.read(data);
    // After the frames: any bytes prove a checked connection alive, unless among them the peer
    // said it kept the newcomer (a BYE that ends the check first, see IdCheck#keptOther).
    IdCheck k = check;
    if (k != null) {
      k.heard();
    }
  }

  // ---- the session (I/O thread) ----

  /** The session's observer: the owner, or a scan probe until the session is done. */
  SessionObserver observer() {
    return observer;
  }

  /** The session moves the connection to its first state. */
  void enter(PeerState first) {
    state = first;
  }

  /** The peer said BYE ({@code reason}): nothing follows, and it has half-closed already; closes now. */
  void closedByPeer(DisconnectReason reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
    channel.close();
  }

  /**
   * The peer said BYE ({@code reason}) because it kept the other connection of a simultaneous
   * connect, and reads this one until we close it: what senders queued here (they reached it
   * through the handle just before it moved to the winner) goes before our BYE instead of
   * failing (docs/PROTOCOL.md 1.5). The peer's EOF follows its BYE: not read until our BYE is
   * out, so it cannot close the channel under a sender writing.
   */
  void answerBye(DisconnectReason reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
    readAfterOwnBye = true;
    pauseReading(true);
    close(DisconnectReason.of(Kind.DUPLICATE, Bye.SIMULTANEOUS_CONNECT), true);
  }

  /**
   * Holds the handshake after a valid HELLO while a check of the peer's older connection
   * decides (see {@link HelloSession#hold}). Ends with {@link #acceptHeld} or a close.
   */
  void hold() {
    session.hold();
  }

  /** Whether the handshake is held and may still be accepted. I/O thread. */
  boolean isHeld() {
    return session.isHeld();
  }

  /**
   * A held handshake is accepted: establishes it like {@link #establish}, before the handle
   * moves here; the caller then calls {@link #finishHandshake}. Reading stays paused; the
   * caller hands on the held frames ({@link #replayHeld}) and resumes it. I/O thread.
   */
  void acceptHeld(PeerHandle handle, boolean sendHello) {
    session.acceptHeld();
    establish(handle, sendHello);
  }

  /** Hands on the frames that arrived while the handshake was held, as if read now. I/O thread. */
  void replayHeld() {
    session.replayHeld();
  }

  /** Whether the connection paused reading (a turn's spent budget is not a pause). I/O thread. */
  boolean readingPaused() {
    return gate.connectionPaused();
  }

  /**
   * Sends a check's PING and tries to write at once, even when the queue waits for the socket
   * to drain: a write to a reset or closed connection fails at once, which is how a check sees
   * a reset that paused reading hides. A failure closes the connection. I/O thread.
   */
  void sendCheckPing(byte[] nonce) {
    writer.sendCheckPing(nonce);
  }

  /**
   * The handshake succeeded and the node registered this connection under {@code handle}:
   * {@link #establish}, then {@link #finishHandshake}. I/O thread.
   */
  void handshakeDone(PeerHandle handle, boolean sendHello) {
    establish(handle, sendHello);
    finishHandshake();
  }

  /**
   * Makes this connection take sends: queues our HELLO first (with {@code sendHello}), then
   * moves to {@link PeerState#CONNECTED}; its frames go to the dispatch from now on. The
   * registry calls it under its lock <em>before</em> it publishes the connection through
   * {@code handle} (or publishes {@code handle}), so a sender that reaches this connection
   * through the handle, on any thread, sees it connected: the handle's field and the
   * registry's map are volatile, and everything here happens before they are written. I/O
   * thread.
   */
  void establish(PeerHandle handle, boolean sendHello) {
    this.handle = handle;
    this.establishedNanos = System.nanoTime();
    session.stopWaiting();
    if (sendHello) {
      sendControl(FrameType.HELLO, node.localHello(), false);
    }
    state = PeerState.CONNECTED;
    dispatchTo(handle);
  }

  /**
   * The rest of a finished handshake, outside the registry's lock: frees the pending-handshake
   * slot, starts heartbeats and lets the observer go (a scan probe hands its socket over). I/O
   * thread.
   */
  void finishHandshake() {
    owner.handshakeEnded(this);
    liveness.start(channel.eventLoop(), encoder);
    sessionDone();
  }

  /** The session is done: its observer lets go, and the connection reports to its owner alone. I/O thread. */
  void sessionDone() {
    SessionObserver o = observer;
    observer = owner;
    o.sessionDone();
  }

  /** Codecs without a handshake: the registry registered this connection's peer under {@code handle}. */
  void attachWithoutHandshake(PeerHandle handle) {
    this.handle = handle;
    dispatchTo(handle);
    liveness.start(channel.eventLoop(), encoder);
  }

  /** Frames are {@code handle}'s from now on: the reader decodes into the dispatch. */
  private void dispatchTo(PeerHandle handle) {
    dispatch.attach(handle);
    reader.decodeTo(dispatch);
  }

  /** Our output is shut (queue and BYE written): reads the peer's close if it waited. I/O thread. */
  void outputShut() {
    if (readAfterOwnBye) {
      readAfterOwnBye = false;
      pauseReading(false);
    }
  }

  /** Pauses or resumes reading; the {@link ReadGate} combines it with the turn's budget. I/O thread. */
  void pauseReading(boolean paused) {
    liveness.readPaused(paused);
    gate.pauseReading(paused);
  }

  /** Pauses or resumes reading from any thread. */
  void pauseReadingAsync(boolean paused) {
    onIoThread(() -> pauseReading(paused));
  }

  /** Runs {@code task} on this connection's I/O thread: at once when called there, else queued. Any thread. */
  private void onIoThread(Runnable task) {
    Channel ch = channel;
    if (ch == null) {
      return;
    }
    EventLoop loop = ch.eventLoop();
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }

  /** The peer stopped answering: resets the connection. I/O thread. */
  void timedOut(String detail) {
    node.logBudget.log(LogBudget.Topic.TIMED_OUT, "{}: peer at {} timed out: {}", node.logName(), Node.format(remote), detail);
    if (closeReason == null) {
      closeReason = DisconnectReason.of(Kind.TIMED_OUT, detail);
    }
    // The peer does not answer: no BYE, no flush; a reset frees both sides at once.
    channel.abort();
  }

  PeerHandle handle() {
    return handle;
  }

  /** Refuses the handshake: BYE with the reason (if {@code bye}), then close. */
  void handshakeFailed(DisconnectReason reason, boolean bye) {
    if (state != PeerState.HANDSHAKING) {
      return;
    }
    observer.rejected(this, reason);
    failConnect(reason);
    close(reason, bye);
  }

  /** Fails the connect future (if any, and not done yet) with what {@code reason} says. I/O thread. */
  void failConnect(DisconnectReason reason) {
    if (connectFuture != null && !connectFuture.isDone()) {
      owner.failConnect(this, reason);
    }
  }

  // ---- writing and closing (I/O thread) ----

  @Override
  public void onWritable() {
    writer.flush();
  }

  /** A write failed: the connection is lost. I/O thread. */
  void writeFailed(IOException e) {
    if (closeReason == null) {
      closeReason = DisconnectReason.of(Kind.CONNECTION_LOST, String.valueOf(e.getMessage()));
    }
    channel.close();
  }

  /**
   * Starts closing: with {@code bye}, flushes what is queued, sends BYE, half-closes, and
   * waits (up to the close timeout) for the other side to close; else closes at once.
   */
  void close(DisconnectReason reason, boolean bye) {
    close(reason, bye, true, node.config().closeTimeout().toNanos());
  }

  /**
   * Ends the connection without a fuss (a scan probe that found what it looked for): in the
   * handshake, says BYE and waits up to {@code lingerNanos} for the other side to close first,
   * without half-closing, so the TIME_WAIT lands there; else closes at once. I/O thread.
   */
  void closeQuietly(DisconnectReason reason, long lingerNanos) {
    boolean handshakeBye = state == PeerState.HANDSHAKING && session.goodbye(state) == SessionStage.Goodbye.BYE;
    close(reason, handshakeBye, false, lingerNanos);
  }

  private void close(DisconnectReason reason, boolean bye, boolean halfClose, long waitNanos) {
    if (state == PeerState.CLOSED || state == PeerState.CLOSING) {
      return;
    }
    if (closeReason == null) {
      closeReason = reason;
    }
    if (channel == null) {
      return;
    }
    SessionStage.Goodbye goodbye = bye && channel.isOpen() ? session.goodbye(state) : SessionStage.Goodbye.NONE;
    state = PeerState.CLOSING;
    session.stopWaiting();
    switch (goodbye) {
      case BYE -> {
        sendControl(FrameType.BYE, Bye.encode(reason), true);
        writer.shutdownAfterFlush(halfClose);
        closeTimer = channel.eventLoop().schedule(channel::close, waitNanos, TimeUnit.NANOSECONDS);
        writer.flush();
      }
      case FLUSH -> {
        // Codecs without BYE: flush what is queued, then close.
        writer.failQueued();
        writer.shutdownAfterFlush(true);
        closeTimer = channel.eventLoop().schedule(channel::close, waitNanos, TimeUnit.NANOSECONDS);
        writer.flush();
      }
      case NONE -> {
        writer.failQueued();
        channel.close();
      }
    }
  }

  /**
   * Closes this inbound connection without a BYE unless it is a registered peer by the time
   * its I/O thread gets to it: {@link Admission} gave its pending-handshake slot to a newcomer.
   * Any thread; if the connection has not opened yet, {@link #onOpen} closes it.
   */
  void evict(DisconnectReason reason) {
    evicted = reason;
    Channel ch = channel;
    if (ch != null) {
      ch.eventLoop().execute(() -> {
        if (handle == null && !isClosingOrClosed()) {
          close(reason, false);
        }
      });
    }
  }

  /** Closes from any thread. */
  void closeAsync(DisconnectReason reason, boolean bye) {
    onIoThread(() -> close(reason, bye));
  }

  @Override
  public void onClosed(IOException cause) {
    // Messages read before the close reach the listeners before the disconnect event.
    dispatch.flushInbound();
    boolean wasOpened = channel != null;
    PeerState before = state;
    state = PeerState.CLOSED;
    dispatch.closed();
    owner.handshakeEnded(this);
    session.closed();
    liveness.stop();
    if (closeTimer != null) {
      closeTimer.cancel();
    }
    DisconnectReason failed = node.failureReason();
    // A node that failed closes its connections, even those its dead loop closes for it.
    DisconnectReason reason = closeReason != null ? closeReason : failed != null ? failed : reasonFrom(cause);
    writer.release();
    reader.release();
    session.ended(wasOpened, before, cause, reason, closeReason);
    owner.closed(this, reason);
    closedFuture.complete(null);
  }

  private static DisconnectReason reasonFrom(IOException cause) {
    if (cause == null) {
      return DisconnectReason.of(Kind.CLOSED_LOCALLY);
    }
    if (cause instanceof EOFException) {
      return DisconnectReason.of(Kind.CONNECTION_LOST, "end of stream");
    }
    return DisconnectReason.of(Kind.CONNECTION_LOST, String.valueOf(cause.getMessage()));
  }

  @Override
  public String toString() {
    return "Connection{" + direction + " " + remote + " " + state + "}";
  }
}
