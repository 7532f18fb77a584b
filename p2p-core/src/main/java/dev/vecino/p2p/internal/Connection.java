package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.ScanStatus;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameSink;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: its state machine, handshake and close sequence. It is the channel's
 * {@link ChannelHandler} and the codec's {@link FrameSink}, and delegates the rest: decoding
 * reads to its {@link FrameReader}, queueing and writing frames to its {@link FrameWriter},
 * heartbeats and the idle check to its {@link Liveness}.
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
final class Connection implements ChannelHandler, FrameSink {

  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  final Node node;
  /** Where this connection reports: tracking, handshake outcomes, close. */
  private final ConnectionOwner owner;
  final Direction direction;
  /** For outbound connections: completes with the peer after the handshake. */
  final CompletableFuture<Peer> connectFuture;
  /** Completes when the channel is closed and every event is out. */
  final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  final InetSocketAddress target;
  /** Watches the session: the owner, or a scan probe until the session is done. I/O thread. */
  private SessionObserver observer;
  /** How long the session waits for the other side to be recognised. I/O thread. */
  private long recognitionWaitNanos;
  /** Codecs that greet, on a connection this node opened: whether the first read was a greeting. */
  private boolean greeted;
  /** Volatile: {@link #evict} reads it on the listener's thread, racing with {@link #onOpen}. */
  private volatile Channel channel;
  private CodecSession encoder;
  private final FrameReader reader;
  private final Liveness liveness;
  private final FrameWriter writer;
  private volatile PeerState state = PeerState.CONNECTING;
  private volatile InetSocketAddress remote;
  private PeerHandle handle;
  private EventLoop.Timer handshakeTimer;
  private EventLoop.Timer closeTimer;
  private EventLoop.Timer announceTimer;
  private DisconnectReason closeReason;
  /** Set when another connection to the same peer won; this one closes without events. */
  volatile boolean replaced;
  /** Set when the peer said BYE(duplicate): it keeps another connection, which should arrive. */
  volatile boolean remoteKeptOther;
  /** Set (any thread) when {@link Admission} gave this connection's pending slot to a newcomer. */
  private volatile DisconnectReason evicted;
  /** When the handshake finished ({@link System#nanoTime}), for the duplicate rule's overlap window; 0 before. */
  volatile long establishedNanos;
  /** The check of this (established) connection a newcomer with its peer's id started, or null. I/O thread. */
  IdCheck check;
  /** Held in the handshake after a valid HELLO while a check of the peer's older connection runs. I/O thread. */
  private boolean held;
  /** Frames that arrived while held (reading is paused, so at most the rest of one read); null when none. */
  private java.util.List<HeldFrame> heldFrames;
  /** Whether reading is paused (inbound back pressure, or a hold). I/O thread. */
  private boolean readingPaused;
  /** Reading paused while we answer a BYE with our queue and BYE; resumed once our output is shut. I/O thread. */
  private boolean readAfterOwnBye;

  /** A frame that arrived while the handshake was held, replayed once the connection is accepted. */
  private record HeldFrame(FrameType type, byte[] body) {}

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
    this.reader = new FrameReader(this, node);
    this.liveness = new Liveness(this, node);
    this.writer = new FrameWriter(this, node);
  }

  // ---- accessors (any thread) ----

  PeerState publicState() {
    return state;
  }

  InetSocketAddress remoteAddress() {
    return remote;
  }

  long messagesIn() {
    return reader.messagesIn();
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

  /** Queues a frame; returns an {@link Outbound} status. */
  int send(FrameType type, byte[] a, int off, int len, ByteBuffer b, CompletableFuture<Void> waiter) {
    return send(type, a, off, len, b, waiter, true, false);
  }

  /**
   * Queues a frame; returns an {@link Outbound} status.
   *
   * @param mayInline whether an idle connection may be written from this thread (false for a
   *     broadcast: one wake-up of the I/O thread beats one write per peer on the caller)
   * @param more more frames follow soon: this one may wait for them, up to a batch or a flush
   */
  int send(FrameType type, byte[] a, int off, int len, ByteBuffer b, CompletableFuture<Void> waiter,
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
    observer.opened(channel);
    if (!channel.isOpen()) {
      return;
    }
    SessionInfo full = new SessionInfo(direction, channel.localAddress(), remote,
        node.identity().name(), node.config().maxFrameSize());
    this.encoder = node.config().codec().newSession(full);
    writer.open(channel, encoder, new Outbound(encoder, node.config().maxQueuedBytes(),
        node.config().lowWatermark(), node.config().highWatermark(), Outbound.segmentFor(remote)));
    if (evicted != null) {
      // Evicted from its pending-handshake slot before it opened (see evict).
      closeReason = evicted;
      channel.close();
      return;
    }
    if (!owner.track(this)) {
      // The node closed while this connection was opening.
      closeReason = DisconnectReason.of(Kind.CLOSED_LOCALLY, "node closed");
      channel.close();
      return;
    }
    byte[] opening = encoder.openingBytes();
    if (opening.length > 0) {
      writer.writeRaw(opening);
    }
    reader.decodeWith(encoder);
    if (!node.config().codec().handshake()) {
      state = PeerState.CONNECTED;
      // Announced when the other side first says something (the classic greeting names it),
      // or once it has stayed open a moment: a scanner's probe never becomes a peer.
      recognitionWaitNanos = observer.recognitionWaitNanos(node.config().codec().announceDelay().toNanos());
      announceTimer = channel.eventLoop().schedule(() -> announce(null), recognitionWaitNanos, TimeUnit.NANOSECONDS);
      return;
    }
    // One session throughout; until the handshake is done, the reader caps what it buffers.
    state = PeerState.HANDSHAKING;
    recognitionWaitNanos = observer.recognitionWaitNanos(node.config().handshakeTimeout().toNanos());
    handshakeTimer = channel.eventLoop().schedule(this::handshakeTimedOut, recognitionWaitNanos, TimeUnit.NANOSECONDS);
    if (direction == Direction.INBOUND) {
      // The acceptor speaks first, so a scanner can verify us without sending a byte.
      sendControl(FrameType.HELLO, node.localHello(), false);
    }
  }

  @Override
  public void onRead(ByteBuffer data) {
    if (reader.bytesIn() == 0 && !node.config().codec().handshake()
        && Hello.isFramedHelloHeader(data, data.position(), data.limit())) {
      refuseFramedNode();
      return;
    }
    if (reader.bytesIn() == 0 && direction == Direction.OUTBOUND && node.config().codec().greets()) {
      // The first read must be a plausible greeting (docs/PROTOCOL.md, 3), stricter than the
      // name the codec makes of it, so a framed HELLO or a banner is no peer.
      greeted = node.config().codec().isGreeting(data);
    }
    liveness.heard();
    if (check != null) {
      check.heard();
    }
    reader.read(data);
  }

  /**
   * Codecs without a handshake: the first bytes are a framed HELLO (a framed acceptor greets
   * with it), so the other side is a framed Vecino node, not a peer of this codec. Refused as
   * a stranger is, not named after the HELLO's bytes. I/O thread.
   */
  private void refuseFramedNode() {
    DisconnectReason reason = DisconnectReason.of(Kind.NOT_A_PEER, "a framed Vecino node, not a "
        + node.config().codec().name() + " peer (it sent a framed HELLO); use the framed codec");
    closeReason = reason;
    observer.rejected(this, reason);
    failConnect(reason);
    close(reason, false);
  }

  /** The read broke the protocol: refuses a stranger, or closes with a BYE saying why. I/O thread. */
  void protocolViolation(Kind kind, String detail) {
    if (state == PeerState.HANDSHAKING) {
      // No BYE: a stranger does not speak our protocol, and we do not talk to it.
      handshakeFailed(DisconnectReason.of(Kind.NOT_A_PEER, detail), false);
    } else {
      node.logBudget.log(LogBudget.Topic.PROTOCOL_VIOLATION, "{}: closing connection to {}: {}: {}", node.logName(),
          Node.format(remote), kind.text(), detail);
      close(DisconnectReason.of(kind, detail), true);
    }
  }

  @Override
  public void onFrame(FrameType type, ByteBuffer buf, int offset, int length) throws CodecException {
    switch (state) {
      case HANDSHAKING -> onHandshakeFrame(type, buf, offset, length);
      case CONNECTED, CLOSING -> {
        if (handle == null) {
          announce(null);
        }
        if (handle != null) {
          onDataFrame(type, buf, offset, length);
        }
      }
      default -> {
        // CLOSED: the rest of the read is discarded.
      }
    }
  }

  @Override
  public void onRemoteName(String name) {
    if (handle != null) {
      handle.rename(name);
    } else {
      announce(name);
    }
  }

  /** Codecs without a handshake: registers the peer, named {@code name} or its address. */
  private void announce(String name) {
    if (handle != null || state != PeerState.CONNECTED || node.config().codec().handshake()) {
      return;
    }
    if (announceTimer != null) {
      announceTimer.cancel();
    }
    if (!observer.recognised(this, greeted ? ScanStatus.PEER : ScanStatus.NOT_A_PEER, standInHello(name))) {
      return;
    }
    // Announced: it no longer holds a pending-handshake slot (a probe does until it closes).
    owner.handshakeEnded(this);
    owner.registerWithoutHandshake(this, name);
    sessionDone();
  }

  /** Codecs without a handshake: a HELLO that stands in for the one they lack (identity by address). */
  private Hello standInHello(String name) {
    InetSocketAddress a = remote;
    return new Hello(Hello.MIN_VERSION, Hello.VERSION, PeerRegistry.addressId(a), a.getPort(),
        name != null ? name : Node.format(a), node.config().group(), java.util.List.of());
  }

  private void onDataFrame(FrameType type, ByteBuffer buf, int offset, int length) throws CodecException {
    switch (type) {
      case TEXT, BINARY, CALL -> reader.received(handle, type, buf, offset, length);
      case PING -> liveness.onPing(buf, offset, length);
      case PONG -> {
        // Liveness heard it already: every read counts. A check waits for its nonce.
        if (check != null) {
          check.pong(buf, offset, length);
        }
      }
      case BYE -> {
        // Messages read before the BYE reach the listeners before the disconnect event.
        reader.flushInbound();
        int code = Bye.decodeCode(buf, offset, length);
        String text = Bye.decodeText(buf, offset, length);
        Kind kind = Bye.kind(code);
        DisconnectReason reason = kind == Kind.CLOSED_BY_PEER
            ? DisconnectReason.of(Kind.CLOSED_BY_PEER, text)
            : DisconnectReason.of(kind, "closed by peer: " + text);
        if (closeReason == null) {
          closeReason = reason;
        }
        log.debug("{}: {} said BYE: {}", node.logName(), Node.format(remote), Names.printable(reason.toString()));
        if (kind == Kind.DUPLICATE && !Bye.ALREADY_CONNECTED.equals(text)) {
          // A simultaneous connect: the peer kept the other connection, which should arrive.
          // "already connected" is a refusal: the peer keeps an older connection, none comes.
          remoteKeptOther = true;
          if (state == PeerState.CONNECTED) {
            // The peer reads this connection until we close it. What senders queued here (they
            // reached it through the handle just before it moved to the winner) goes before our
            // BYE instead of failing (docs/PROTOCOL.md 1.5). The peer's EOF follows its BYE: not
            // read until our BYE is out, so it cannot close the channel under a sender writing.
            readAfterOwnBye = true;
            pauseReading(true);
            close(DisconnectReason.of(Kind.DUPLICATE, Bye.SIMULTANEOUS_CONNECT), true);
            return;
          }
        }
        // Nothing follows a BYE: close now; the other side has half-closed already.
        channel.close();
      }
      case HELLO -> throw new CodecException("HELLO after the handshake");
    }
  }

  private void onHandshakeFrame(FrameType type, ByteBuffer buf, int offset, int length) throws CodecException {
    if (type == FrameType.BYE) {
      Kind kind = Bye.kind(Bye.decodeCode(buf, offset, length));
      String text = Bye.decodeText(buf, offset, length);
      DisconnectReason reason = DisconnectReason.of(kind == Kind.CLOSED_BY_PEER ? Kind.CLOSED_BY_PEER : kind,
          text);
      // A scanner's probe, a duplicate or a self connection: ordinary, not an error.
      log.debug("{}: {} said BYE during the handshake: {}", node.logName(), Node.format(remote),
          Names.printable(reason.toString()));
      if (kind == Kind.OTHER_GROUP || kind == Kind.VERSION_UNSUPPORTED) {
        observer.rejected(this, reason);
      }
      closeReason = reason;
      failConnect(reason);
      channel.close();
      return;
    }
    if (held) {
      // The peer thinks the handshake is done and may talk already: keep it for later.
      byte[] body = new byte[length];
      buf.get(offset, body);
      if (heldFrames == null) {
        heldFrames = new java.util.ArrayList<>();
      }
      heldFrames.add(new HeldFrame(type, body));
      return;
    }
    if (type != FrameType.HELLO || !Hello.hasMagic(buf, offset, length)) {
      throw new CodecException("expected HELLO, got " + type);
    }
    checkHello(Hello.decode(buf, offset, length));
  }

  /**
   * Checks a HELLO (docs/PROTOCOL.md 1.4: version, self, group), tells the observer what it
   * found, then refuses it with a BYE saying why or hands it to the owner, which applies the
   * duplicate rules. I/O thread.
   */
  private void checkHello(Hello hello) {
    DisconnectReason refusal = refusal(hello);
    ScanStatus verdict = refusal == null ? ScanStatus.PEER : switch (refusal.kind()) {
      case VERSION_UNSUPPORTED -> ScanStatus.INCOMPATIBLE;
      case SELF_CONNECTION -> ScanStatus.SELF;
      default -> ScanStatus.OTHER_GROUP;
    };
    if (!observer.recognised(this, verdict, hello)) {
      return;
    }
    if (refusal != null) {
      handshakeFailed(refusal, true);
      return;
    }
    owner.onHello(this, hello);
  }

  /** Why this node refuses {@code hello} whoever it is (version, self, group), or null. */
  private DisconnectReason refusal(Hello hello) {
    if (node.localHelloRecord().negotiate(hello) < 0) {
      return DisconnectReason.of(Kind.VERSION_UNSUPPORTED, "protocol version " + hello.minVersion() + ".."
          + hello.maxVersion() + " unsupported; this node speaks " + Hello.MIN_VERSION + ".." + Hello.VERSION);
    }
    if (hello.id().equals(node.identity().id())) {
      return DisconnectReason.of(Kind.SELF_CONNECTION, Node.format(remote) + " is this node");
    }
    if (!hello.group().equals(node.config().group())) {
      // The name is the peer's choice: escaped, like everything a peer says that reaches a log.
      return DisconnectReason.of(Kind.OTHER_GROUP, "'" + Names.printable(hello.name()) + "' ("
          + hello.id().shortId() + ") at " + Node.format(remote) + " is in group '"
          + Names.printable(hello.group()) + "', this node in '" + node.config().group() + "'");
    }
    return null;
  }

  /**
   * Holds the handshake after a valid HELLO while a check of the peer's older connection
   * decides whether this one may take its place (docs/PROTOCOL.md 1.4): the handshake timer
   * stops (the check is bounded), reading pauses, and frames already read are kept. Ends with
   * {@link #acceptHeld} or a close. I/O thread.
   */
  void hold() {
    held = true;
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
    }
    pauseReading(true);
  }

  /** Whether the handshake is held and may still be accepted. I/O thread. */
  boolean isHeld() {
    return held && state == PeerState.HANDSHAKING;
  }

  /**
   * A held handshake is accepted: establishes it like {@link #establish}, before the handle
   * moves here; the caller then calls {@link #finishHandshake}. Reading stays paused; the
   * caller hands on the held frames ({@link #replayHeld}) and resumes it. I/O thread.
   */
  void acceptHeld(PeerHandle handle, boolean sendHello) {
    held = false;
    establish(handle, sendHello);
  }

  /** Hands on the frames that arrived while the handshake was held, as if read now. I/O thread. */
  void replayHeld() {
    java.util.List<HeldFrame> frames = heldFrames;
    heldFrames = null;
    if (frames == null) {
      return;
    }
    try {
      for (HeldFrame f : frames) {
        if (state == PeerState.CLOSED) {
          break;
        }
        onFrame(f.type(), ByteBuffer.wrap(f.body()), 0, f.body().length);
      }
    } catch (CodecException e) {
      protocolViolation(Kind.PROTOCOL_ERROR, e.getMessage());
    } finally {
      reader.flushInbound();
    }
  }

  /** Whether reading is paused. I/O thread. */
  boolean readingPaused() {
    return readingPaused;
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
   * moves to {@link PeerState#CONNECTED}. The registry calls it under its lock <em>before</em>
   * it publishes the connection through {@code handle} (or publishes {@code handle}), so a
   * sender that reaches this connection through the handle, on any thread, sees it connected:
   * the handle's field and the registry's map are volatile, and everything here happens
   * before they are written. I/O thread.
   */
  void establish(PeerHandle handle, boolean sendHello) {
    this.handle = handle;
    this.establishedNanos = System.nanoTime();
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
    }
    if (sendHello) {
      sendControl(FrameType.HELLO, node.localHello(), false);
    }
    state = PeerState.CONNECTED;
  }

  /**
   * The rest of a finished handshake, outside the registry's lock: frees the pending-handshake
   * slot, starts heartbeats and hands a scan probe's socket over. I/O thread.
   */
  void finishHandshake() {
    owner.handshakeEnded(this);
    liveness.start(channel.eventLoop(), encoder);
    sessionDone();
  }

  /** The session is done: its observer lets go, and the connection reports to its owner alone. I/O thread. */
  private void sessionDone() {
    SessionObserver o = observer;
    observer = owner;
    o.sessionDone();
  }

  void attachWithoutHandshake(PeerHandle handle) {
    this.handle = handle;
    liveness.start(channel.eventLoop(), encoder);
  }

  /** Our output is shut (queue and BYE written): reads the peer's close if it waited. I/O thread. */
  void outputShut() {
    if (readAfterOwnBye) {
      readAfterOwnBye = false;
      pauseReading(false);
    }
  }

  /** Pauses or resumes reading. I/O thread. */
  void pauseReading(boolean paused) {
    readingPaused = paused;
    liveness.readPaused(paused);
    if (channel != null) {
      channel.pauseReading(paused);
    }
  }

  /** Pauses or resumes reading from any thread. */
  void pauseReadingAsync(boolean paused) {
    Channel ch = channel;
    if (ch == null) {
      return;
    }
    if (ch.eventLoop().inEventLoop()) {
      pauseReading(paused);
    } else {
      ch.eventLoop().execute(() -> pauseReading(paused));
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

  /**
   * The peer took no byte while frames waited, for the write-stall timeout: drops it as a slow
   * consumer with BYE "limit exceeded" (queued behind what it does not read, so it sees it
   * only if it resumes within the close timeout); its sends fail when the channel closes.
   * I/O thread.
   */
  void writeStalled(String detail) {
    node.logBudget.log(LogBudget.Topic.SLOW_CONSUMER, "{}: dropping slow consumer {}: {}", node.logName(), Node.format(remote),
        detail);
    close(DisconnectReason.of(Kind.LIMIT_EXCEEDED, "slow consumer"), true);
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

  private void handshakeTimedOut() {
    if (state == PeerState.HANDSHAKING) {
      handshakeFailed(DisconnectReason.of(Kind.HANDSHAKE_TIMEOUT,
          "no HELLO within " + TimeUnit.NANOSECONDS.toMillis(recognitionWaitNanos) + " ms"), false);
    }
  }

  private void failConnect(DisconnectReason reason) {
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
    boolean handshakeBye = state == PeerState.HANDSHAKING && encoder.supports(FrameType.BYE)
        && node.config().codec().handshake();
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
    boolean handshakeBye = state == PeerState.HANDSHAKING && encoder.supports(FrameType.BYE)
        && node.config().codec().handshake();
    boolean connectedBye = state == PeerState.CONNECTED && node.config().codec().handshake();
    state = PeerState.CLOSING;
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
    }
    if (bye && (handshakeBye || connectedBye) && channel.isOpen()) {
      sendControl(FrameType.BYE, Bye.encode(reason), true);
      writer.shutdownAfterFlush(halfClose);
      closeTimer = channel.eventLoop().schedule(channel::close, waitNanos, TimeUnit.NANOSECONDS);
      writer.flush();
    } else {
      writer.failQueued();
      if (bye && !node.config().codec().handshake() && channel.isOpen()) {
        // Codecs without BYE: flush what is queued, then close.
        writer.shutdownAfterFlush(true);
        closeTimer = channel.eventLoop().schedule(channel::close,
            node.config().closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        writer.flush();
      } else {
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
    Channel ch = channel;
    if (ch == null) {
      return;
    }
    EventLoop loop = ch.eventLoop();
    if (loop.inEventLoop()) {
      close(reason, bye);
    } else {
      loop.execute(() -> close(reason, bye));
    }
  }

  @Override
  public void onClosed(IOException cause) {
    // Messages read before the close reach the listeners before the disconnect event.
    reader.flushInbound();
    boolean wasOpened = channel != null;
    PeerState before = state;
    state = PeerState.CLOSED;
    owner.handshakeEnded(this);
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
    }
    liveness.stop();
    if (closeTimer != null) {
      closeTimer.cancel();
    }
    if (announceTimer != null) {
      announceTimer.cancel();
    }
    DisconnectReason failed = node.failureReason();
    // A node that failed closes its connections, even those its dead loop closes for it.
    DisconnectReason reason = closeReason != null ? closeReason : failed != null ? failed : reasonFrom(cause);
    writer.release();
    reader.release();
    heldFrames = null;
    observer.sessionClosed(wasOpened, cause, wasOpened && reader.bytesIn() == 0 && closeReason == null
        && cause != null);
    if (!wasOpened) {
      if (connectFuture != null) {
        owner.connectFailed(this, cause);
      }
    } else if (before == PeerState.HANDSHAKING || before == PeerState.CONNECTING) {
      // Closed by the other side before its HELLO: how a Vecino node refuses at its limits.
      boolean refusedSilently = closeReason == null && direction == Direction.OUTBOUND && reader.bytesIn() == 0;
      if (closeReason == null) {
        observer.rejected(this, DisconnectReason.of(refusedSilently ? Kind.LIMIT_EXCEEDED : Kind.NOT_A_PEER,
            reason.toString()));
      }
      failConnect(closeReason != null ? closeReason : refusedSilently
          ? DisconnectReason.of(Kind.LIMIT_EXCEEDED, "closed before its HELLO, as a Vecino node at its connection "
              + "limits does (" + reason + ")")
          : DisconnectReason.of(Kind.NOT_A_PEER, "connection closed during the handshake (" + reason + ")"));
    } else if (handle == null && !node.config().codec().handshake()
        && (closeReason == null || closeReason.kind() != Kind.NOT_A_PEER)) {
      // Closed before it said a word or was announced: a scanner's probe, not an error.
      log.debug("{}: {} connection {} closed without a word (a probe?): {}", node.logName(),
          direction, Node.format(remote), reason);
      failConnect(reason.kind() == Kind.CLOSED_LOCALLY ? reason : DisconnectReason.of(Kind.NOT_A_PEER,
          "closed the connection before saying anything (" + reason + ")"));
    }
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
