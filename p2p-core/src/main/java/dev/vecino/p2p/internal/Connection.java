package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameSink;
import dev.vecino.p2p.codec.FrameTooLongException;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.codec.SessionInfo;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.EventLoop;
import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: its handshake, decoding, outbound queue and close sequence.
 *
 * <p><b>Thread safety:</b> owned by its channel's I/O thread; everything but the methods
 * marked "any thread" runs there. Senders on other threads only touch {@link Outbound}.
 */
final class Connection implements ChannelHandler, FrameSink {

  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  /**
   * Codecs without a handshake: how long a silent new connection stays unannounced. A probe
   * (connect, then close without a word) closes within it and never shows up as a peer.
   */
  static final long ANNOUNCE_GRACE_MILLIS = 300;

  final Node node;
  final Direction direction;
  /** For outbound connections: completes with the peer after the handshake. */
  final CompletableFuture<Peer> connectFuture;
  /** Completes when the channel is closed and every event is out. */
  final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  final InetSocketAddress target;
  /** Set for a scan probe (issue 4): reports its outcome and closes quietly; else null. */
  final Probe probe;
  private final Runnable flushTask = this::flush;

  private Channel channel;
  private CodecSession decoder;
  private CodecSession encoder;
  private volatile Outbound outbound;
  private volatile PeerState state = PeerState.CONNECTING;
  private volatile InetSocketAddress remote;
  private PeerHandle handle;
  private EventLoop.Timer handshakeTimer;
  private EventLoop.Timer closeTimer;
  private EventLoop.Timer announceTimer;
  private ByteBuffer cumulation;
  private DisconnectReason closeReason;
  private boolean shutdownAfterFlush;
  private boolean outputShut;
  /** Set when another connection to the same peer won; this one closes without events. */
  volatile boolean replaced;
  /** Set when the peer said BYE(duplicate): it keeps another connection, which should arrive. */
  volatile boolean remoteKeptOther;
  private final List<CompletableFuture<Void>> written = new ArrayList<>();

  /** Written by the I/O thread only, with release semantics (a plain store on x86, not a fence per message). */
  private long messagesIn;
  private static final VarHandle MESSAGES_IN;

  static {
    try {
      MESSAGES_IN = MethodHandles.lookup().findVarHandle(Connection.class, "messagesIn", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
  /** The messages of the current read, for the callback executor; null in direct mode or when none. */
  private Events.Batch inbound;
  /** Direct mode: lends payloads to onPayload listeners (I/O thread). */
  private PayloadView payloadView;
  /** Whether this connection counts against the node's pending-handshake limits. */
  boolean countedAsPending;
  private volatile long bytesIn;
  volatile long lastHeardNanos = System.nanoTime();

  Connection(Node node, Direction direction, InetSocketAddress target, CompletableFuture<Peer> connectFuture) {
    this(node, direction, target, connectFuture, null);
  }

  Connection(Node node, Direction direction, InetSocketAddress target, CompletableFuture<Peer> connectFuture,
      Probe probe) {
    this.node = node;
    this.direction = direction;
    this.target = target;
    this.remote = target;
    this.connectFuture = connectFuture;
    this.probe = probe;
  }

  // ---- accessors (any thread) ----

  PeerState publicState() {
    return state;
  }

  InetSocketAddress remoteAddress() {
    return remote;
  }

  long messagesIn() {
    return (long) MESSAGES_IN.getAcquire(this);
  }


  long bytesIn() {
    return bytesIn;
  }

  long messagesOut() {
    Outbound o = outbound;
    return o == null ? 0 : o.messages();
  }

  long bytesOut() {
    Outbound o = outbound;
    return o == null ? 0 : o.bytes();
  }

  /** Converts the monotonic last-heard time to wall-clock time. Any thread. */
  java.time.Instant lastHeard() {
    long ago = System.nanoTime() - lastHeardNanos;
    return java.time.Instant.now().minusNanos(Math.max(0, ago));
  }

  long queuedBytes() {
    Outbound o = outbound;
    return o == null ? 0 : o.queuedBytes();
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
    return send(type, a, off, len, b, waiter, true);
  }

  /**
   * Queues a frame; returns an {@link Outbound} status.
   *
   * @param mayInline whether an idle connection may be written from this thread (false for a
   *     broadcast: one wake-up of the I/O thread beats one write per peer on the caller)
   */
  int send(FrameType type, byte[] a, int off, int len, ByteBuffer b, CompletableFuture<Void> waiter,
      boolean mayInline) {
    Outbound o = outbound;
    if (o == null || state != PeerState.CONNECTED) {
      return Outbound.CLOSED;
    }
    EventLoop loop = channel.eventLoop();
    int offered;
    try {
      // One lock acquisition per message: the frame and, if free, the write turn.
      offered = o.offer(type, a, off, len, b, false, true, waiter, false, mayInline && !loop.inEventLoop());
    } catch (CodecException e) {
      throw new IllegalArgumentException("cannot encode " + type + " frame: " + e.getMessage(), e);
    }
    int status = Outbound.status(offered);
    if (status == Outbound.OK_UNWRITABLE) {
      node.events.writabilityChanged(handle, false);
      status = Outbound.OK;
    }
    if (status == Outbound.OK) {
      int turn = Outbound.turn(offered);
      if (turn == Outbound.INLINE) {
        flushInline(o);
      } else if (turn == Outbound.SCHEDULE) {
        loop.execute(flushTask);
      }
    }
    return status;
  }

  /** Writes from the sender's thread, which holds the write turn; hands the rest to the I/O thread. */
  private void flushInline(Outbound o) {
    // A list of its own: the write turn is released inside Outbound.flushInline, so the I/O
    // thread (whose list 'written' is) or another sender may be flushing while this one
    // completes its futures.
    List<CompletableFuture<Void>> done = new ArrayList<>(4);
    int result;
    try {
      result = o.flushInline(channel, done);
    } catch (IOException e) {
      // The I/O thread meets the same error on its next write and closes with the reason.
      result = Outbound.MORE;
    }
    if (!done.isEmpty()) {
      node.events.completeSends(handle, done);
    }
    if (o.takeBecameWritable() && handle != null) {
      node.events.writabilityChanged(handle, true);
    }
    if (result != Outbound.DRAINED) {
      channel.eventLoop().execute(flushTask);
    }
  }

  /**
   * Parks a send until the queue has room or {@code timeoutNanos} pass (then the future
   * fails with {@link dev.vecino.p2p.QueueFullException}). Any thread.
   *
   * @return false if it could not be parked (closed, or the parked bytes are at the bound)
   */
  boolean park(FrameType type, byte[] payload, CompletableFuture<Void> future, long timeoutNanos) {
    Outbound o = outbound;
    if (o == null || state != PeerState.CONNECTED) {
      return false;
    }
    Outbound.Parked p = new Outbound.Parked(type, payload, future);
    EventLoop loop = channel.eventLoop();
    p.timer = loop.schedule(() -> {
      if (o.unpark(p)) {
        node.failQueueTimeout(p.future, this, timeoutNanos);
      }
    }, timeoutNanos, TimeUnit.NANOSECONDS);
    if (!o.park(p)) {
      p.timer.cancel();
      return false;
    }
    loop.execute(() -> {
      o.admit();
      if (o.takeFlushRequest()) {
        flush();
      }
    });
    return true;
  }

  boolean isWritable() {
    Outbound o = outbound;
    return o == null || !o.isUnwritable();
  }

  /** Queues a control frame, ignoring the bound. I/O thread. */
  private void sendControl(FrameType type, byte[] body, boolean closeAfter) {
    if (!encoder.supports(type)) {
      return;
    }
    int offered;
    try {
      offered = outbound.offer(type, body, 0, body.length, null, true, false, null, closeAfter, false);
    } catch (CodecException e) {
      log.warn("{}: cannot encode {} frame: {}", node.logName(), type, e.getMessage());
      return;
    }
    if (Outbound.status(offered) != Outbound.CLOSED && Outbound.turn(offered) == Outbound.SCHEDULE) {
      channel.eventLoop().execute(flushTask);
    }
  }

  // ---- channel events (I/O thread) ----

  @Override
  public void onConnecting(Channel channel) {
    if (probe != null) {
      probe.connecting(channel);
    }
  }

  @Override
  public void onOpen(Channel channel) {
    this.channel = channel;
    this.remote = channel.remoteAddress();
    if (probe != null) {
      probe.opened(channel);
      if (!channel.isOpen()) {
        return;
      }
    }
    SessionInfo full = new SessionInfo(direction, channel.localAddress(), remote,
        node.identity().name(), node.config().maxFrameSize());
    this.encoder = node.config().codec().newSession(full);
    this.outbound = new Outbound(encoder, node.config().maxQueuedBytes(),
        node.config().lowWatermark(), node.config().highWatermark());
    if (!node.track(this)) {
      // The node closed while this connection was opening.
      closeReason = DisconnectReason.of(Kind.CLOSED_LOCALLY, "node closed");
      channel.close();
      return;
    }
    byte[] opening = encoder.openingBytes();
    if (opening.length > 0) {
      writeRaw(opening);
    }
    if (!node.config().codec().handshake()) {
      this.decoder = encoder;
      state = PeerState.CONNECTED;
      if (probe != null) {
        // A classic-mode probe: a peer only if it greets within the probe's wait.
        announceTimer = channel.eventLoop().schedule(() -> node.classicProbeAnswered(this, null),
            probe.helloWaitNanos, TimeUnit.NANOSECONDS);
        return;
      }
      // Announced when the other side first says something (the classic greeting names it),
      // or once it has stayed open a moment: a scanner's probe never becomes a peer.
      announceTimer = channel.eventLoop().schedule(() -> announce(null), ANNOUNCE_GRACE_MILLIS,
          TimeUnit.MILLISECONDS);
      return;
    }
    // One session throughout; until the handshake is done, checkHandshakeNeed caps what we buffer.
    this.decoder = encoder;
    state = PeerState.HANDSHAKING;
    handshakeTimer = channel.eventLoop().schedule(this::handshakeTimedOut,
        probe != null ? probe.helloWaitNanos : node.config().handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    if (direction == Direction.INBOUND) {
      // The acceptor speaks first, so a scanner can verify us without sending a byte.
      sendControl(FrameType.HELLO, node.localHello(), false);
    }
  }

  private void writeRaw(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining() && channel.write(b) > 0) {
        // Opening bytes are tiny; the socket buffer is empty: one write takes them.
      }
    } catch (IOException e) {
      channel.close();
    }
  }

  @Override
  public void onRead(ByteBuffer data) {
    if (probe != null && bytesIn == 0 && !node.config().codec().handshake()) {
      // Classic-mode scan: the first chunk must be a plausible greeting (docs/PROTOCOL.md, 3),
      // stricter than the name the codec makes of it, so a framed HELLO or a banner is no peer.
      int n = Math.min(data.remaining(), dev.vecino.p2p.codec.ClassicCodec.CHUNK_SIZE);
      byte[] first = new byte[n];
      data.get(data.position(), first);
      probe.greeted(dev.vecino.p2p.codec.ClassicCodec.isGreeting(first, 0, n));
    }
    lastHeardNanos = System.nanoTime();
    bytesIn += data.remaining();
    try {
      decodeRead(data);
    } finally {
      flushInbound();
    }
  }

  /** Hands the messages of this read to the callback executor, as one event. I/O thread. */
  private void flushInbound() {
    Events.Batch b = inbound;
    if (b != null) {
      inbound = null;
      node.events.deliver(this, b);
    }
  }

  private void decodeRead(ByteBuffer data) {
    try {
      if (cumulation != null && cumulation.position() > 0 && !completePartialFrame(data)) {
        return;
      }
      if (!data.hasRemaining() || state == PeerState.CLOSED) {
        return;
      }
      // The common case: decode straight from the transport's buffer; keep only a partial tail.
      int need = decoder.decode(data, this);
      if (!checkHandshakeNeed(need)) {
        return;
      }
      if (data.hasRemaining() && state != PeerState.CLOSED) {
        ensureCumulation(Math.max(need, data.remaining()));
        cumulation.put(data);
        cumulationNeed = need;
      }
    } catch (FrameTooLongException e) {
      protocolViolation(Kind.FRAME_TOO_LONG, e.getMessage());
    } catch (CodecException e) {
      protocolViolation(Kind.PROTOCOL_ERROR, e.getMessage());
    }
  }

  /** Bytes the frame held in {@code cumulation} needs in total, as the decoder last said. */
  private int cumulationNeed;

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
        need = decoder.decode(cumulation, this);
      } finally {
        // A frame (BYE, a refused HELLO) may have closed the connection inside the decode
        // call: onClosed dropped the buffer then.
        if (cumulation != null) {
          cumulation.compact();
        }
      }
      if (state == PeerState.CLOSED || !checkHandshakeNeed(need)) {
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

  /** Until the handshake is done, a frame longer than a HELLO can be is a stranger's. */
  private boolean checkHandshakeNeed(int need) {
    if (state == PeerState.HANDSHAKING && need > Hello.MAX_HELLO_FRAME + 4) {
      protocolViolation(Kind.NOT_A_PEER, "first frame declares " + need + " bytes, more than a HELLO");
      return false;
    }
    return true;
  }

  private void ensureCumulation(int capacity) {
    if (cumulation == null) {
      cumulation = ByteBuffer.allocate(Math.max(capacity, 1024));
    } else if (cumulation.capacity() < capacity) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, cumulation.capacity() * 2));
      cumulation.flip();
      bigger.put(cumulation);
      cumulation = bigger;
    }
  }

  private void protocolViolation(Kind kind, String detail) {
    if (state == PeerState.HANDSHAKING) {
      // No BYE: a stranger does not speak our protocol, and we do not talk to it.
      handshakeFailed(DisconnectReason.of(Kind.NOT_A_PEER, detail), false);
    } else {
      log.warn("{}: closing connection to {}: {}: {}", node.logName(), remote, kind.text(), detail);
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
    if (probe != null) {
      node.classicProbeAnswered(this, name);
      return;
    }
    // Announced: it no longer holds a pending-handshake slot (a probe does until it closes).
    node.handshakeEnded(this);
    node.registerWithoutHandshake(this, name);
  }

  private void onDataFrame(FrameType type, ByteBuffer buf, int offset, int length) throws CodecException {
    switch (type) {
      case TEXT, BINARY, CALL -> {
        MESSAGES_IN.setRelease(this, messagesIn + 1);
        if (payloadView == null && node.events.direct()) {
          payloadView = new PayloadView();
        }
        inbound = node.events.received(inbound, handle, kindOf(type), buf, offset, length, payloadView);
      }
      case PING -> {
        byte[] body = new byte[length];
        buf.get(offset, body);
        sendControl(FrameType.PONG, body, false);
      }
      case PONG -> {
        // lastHeardNanos is already updated for every read.
      }
      case BYE -> {
        flushInbound();
        int code = Bye.decodeCode(buf, offset, length);
        String text = Bye.decodeText(buf, offset, length);
        Kind kind = Bye.kind(code);
        DisconnectReason reason = kind == Kind.CLOSED_BY_PEER
            ? DisconnectReason.of(Kind.CLOSED_BY_PEER, text)
            : DisconnectReason.of(kind, "closed by peer: " + text);
        if (closeReason == null) {
          closeReason = reason;
        }
        if (kind == Kind.DUPLICATE) {
          remoteKeptOther = true;
        }
        log.debug("{}: {} said BYE: {}", node.logName(), remote, reason);
        // Nothing follows a BYE: close now; the other side has half-closed already.
        channel.close();
      }
      case HELLO -> throw new CodecException("HELLO after the handshake");
    }
  }

  private static MessageKind kindOf(FrameType type) {
    return switch (type) {
      case TEXT -> MessageKind.TEXT;
      case CALL -> MessageKind.CALL;
      default -> MessageKind.BINARY;
    };
  }

  private void onHandshakeFrame(FrameType type, ByteBuffer buf, int offset, int length) throws CodecException {
    if (type == FrameType.BYE) {
      Kind kind = Bye.kind(Bye.decodeCode(buf, offset, length));
      String text = Bye.decodeText(buf, offset, length);
      DisconnectReason reason = DisconnectReason.of(kind == Kind.CLOSED_BY_PEER ? Kind.CLOSED_BY_PEER : kind,
          text);
      // A scanner's probe, a duplicate or a self connection: ordinary, not an error.
      log.debug("{}: {} said BYE during the handshake: {}", node.logName(), remote, reason);
      if (kind == Kind.OTHER_GROUP || kind == Kind.VERSION_UNSUPPORTED) {
        node.rejected(this, reason);
      }
      closeReason = reason;
      failConnect(reason);
      channel.close();
      return;
    }
    if (type != FrameType.HELLO || !Hello.hasMagic(buf, offset, length)) {
      throw new CodecException("expected HELLO, got " + type);
    }
    Hello hello = Hello.decode(buf, offset, length);
    node.onHello(this, hello);
  }

  /** The handshake succeeded and the node registered this connection under {@code handle}. */
  void handshakeDone(PeerHandle handle, boolean sendHello) {
    this.handle = handle;
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
    }
    if (sendHello) {
      sendControl(FrameType.HELLO, node.localHello(), false);
    }
    this.decoder = encoder;
    state = PeerState.CONNECTED;
    node.handshakeEnded(this);
    startTimers();
    if (probe != null) {
      probe.handedOver();
    }
  }

  void attachWithoutHandshake(PeerHandle handle) {
    this.handle = handle;
    startTimers();
  }

  private long lastIdleMessages = -1;
  private long idleSinceNanos;
  private EventLoop.Timer heartbeatTimer;

  /** Starts heartbeats and the idle check, whichever are configured. I/O thread. */
  private void startTimers() {
    long interval = node.config().heartbeatInterval().toNanos();
    long idle = node.config().idleTimeout().toNanos();
    boolean pings = interval > 0 && encoder.supports(FrameType.PING) && node.config().codec().handshake();
    long period = pings ? interval : 0;
    if (idle > 0) {
      period = period == 0 ? Math.max(idle / 4, TimeUnit.MILLISECONDS.toNanos(10)) : Math.min(period, Math.max(idle / 4, TimeUnit.MILLISECONDS.toNanos(10)));
    }
    if (period > 0) {
      idleSinceNanos = System.nanoTime();
      long p = period;
      heartbeatTimer = channel.eventLoop().schedule(() -> tick(p, pings ? interval : 0, idle), p, TimeUnit.NANOSECONDS);
    }
  }

  private void tick(long period, long interval, long idle) {
    if (state != PeerState.CONNECTED) {
      return;
    }
    long now = System.nanoTime();
    if (readPaused) {
      lastHeardNanos = now;
    }
    if (interval > 0) {
      long silent = now - lastHeardNanos;
      if (silent > 3 * interval) {
        timedOut("nothing heard for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms (heartbeat every "
            + TimeUnit.NANOSECONDS.toMillis(interval) + " ms)");
        return;
      }
      if (now - lastPingNanos >= interval - period / 10) {
        lastPingNanos = now;
        sendControl(FrameType.PING, new byte[0], false);
      }
    }
    if (idle > 0) {
      long messages = messagesIn + messagesOut();
      if (messages != lastIdleMessages) {
        lastIdleMessages = messages;
        idleSinceNanos = now;
      } else if (now - idleSinceNanos >= idle) {
        log.debug("{}: closing idle connection to {}", node.logName(), remote);
        close(DisconnectReason.of(Kind.TIMED_OUT, "idle for " + TimeUnit.NANOSECONDS.toMillis(now - idleSinceNanos) + " ms"), true);
        return;
      }
    }
    heartbeatTimer = channel.eventLoop().schedule(() -> tick(period, interval, idle), period, TimeUnit.NANOSECONDS);
  }

  private long lastPingNanos;
  /** Reading is paused for the listeners to catch up; silence then is ours, not the peer's. */
  private boolean readPaused;

  /** Pauses or resumes reading. I/O thread. */
  void pauseReading(boolean paused) {
    readPaused = paused;
    if (!paused) {
      lastHeardNanos = System.nanoTime();
    }
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

  private void timedOut(String detail) {
    log.warn("{}: peer at {} timed out: {}", node.logName(), remote, detail);
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
    node.rejected(this, reason);
    failConnect(reason);
    close(reason, bye);
  }

  private void handshakeTimedOut() {
    if (state == PeerState.HANDSHAKING) {
      handshakeFailed(DisconnectReason.of(Kind.HANDSHAKE_TIMEOUT,
          "no HELLO within " + node.config().handshakeTimeout().toMillis() + " ms"), false);
    }
  }

  private void failConnect(DisconnectReason reason) {
    if (connectFuture != null && !connectFuture.isDone()) {
      node.failConnect(this, Node.handshakeException(target, reason));
    }
  }

  // ---- writing and closing (I/O thread) ----

  void flush() {
    if (channel == null || !channel.isOpen()) {
      return;
    }
    int result;
    try {
      result = outbound.flush(channel, written);
    } catch (IOException e) {
      onWriteFailed(e);
      return;
    }
    if (!written.isEmpty()) {
      node.events.completeSends(handle, written);
      written.clear();
    }
    if (outbound.takeBecameWritable() && handle != null) {
      node.events.writabilityChanged(handle, true);
    }
    if (result == Outbound.DRAINED) {
      if (shutdownAfterFlush && !outputShut && outbound.isEmpty()) {
        shutdownOutput();
      }
    } else if (result == Outbound.MORE) {
      channel.eventLoop().execute(flushTask);
    }
  }

  @Override
  public void onWritable() {
    flush();
  }

  private void onWriteFailed(IOException e) {
    if (closeReason == null) {
      closeReason = DisconnectReason.of(Kind.CONNECTION_LOST, String.valueOf(e.getMessage()));
    }
    channel.close();
  }

  private void shutdownOutput() {
    outputShut = true;
    try {
      channel.shutdownOutput();
    } catch (IOException e) {
      channel.close();
    }
  }

  /**
   * Starts closing: with {@code bye}, flushes what is queued, sends BYE, half-closes, and
   * waits (up to the close timeout) for the other side to close; else closes at once.
   */
  void close(DisconnectReason reason, boolean bye) {
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
      // A probe does not half-close: the other side closes first on our BYE, so the
      // TIME_WAIT of a scan lands there, one per peer, not thousands on the scanner.
      boolean lingerForPeer = probe != null && handshakeBye;
      shutdownAfterFlush = !lingerForPeer;
      closeTimer = channel.eventLoop().schedule(channel::close,
          lingerForPeer ? probe.lingerNanos : node.config().closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
      flush();
    } else {
      outbound.close().forEach(f -> node.failSend(f, this));
      if (bye && !node.config().codec().handshake() && channel.isOpen()) {
        // Codecs without BYE: flush what is queued, then close.
        shutdownAfterFlush = true;
        closeTimer = channel.eventLoop().schedule(channel::close,
            node.config().closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        flush();
      } else {
        channel.close();
      }
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
    flushInbound();
    boolean wasOpened = channel != null;
    PeerState before = state;
    state = PeerState.CLOSED;
    node.handshakeEnded(this);
    if (handshakeTimer != null) {
      handshakeTimer.cancel();
    }
    if (heartbeatTimer != null) {
      heartbeatTimer.cancel();
    }
    if (closeTimer != null) {
      closeTimer.cancel();
    }
    if (announceTimer != null) {
      announceTimer.cancel();
    }
    DisconnectReason reason = closeReason != null ? closeReason : reasonFrom(cause);
    if (outbound != null) {
      outbound.close().forEach(f -> node.failSend(f, this));
      outbound.release();
    }
    cumulation = null;
    if (probe != null && !probe.isHandedOver()) {
      // Accepted, then closed by the other side before it said a word: maybe a Vecino node at
      // its pending-handshake limit; the scanner retries those.
      probe.closed(wasOpened, cause, wasOpened && bytesIn == 0 && closeReason == null && cause != null);
    }
    if (!wasOpened) {
      if (connectFuture != null) {
        node.connectFailed(this, cause);
      }
    } else if (before == PeerState.HANDSHAKING || before == PeerState.CONNECTING) {
      if (closeReason == null) {
        node.rejected(this, DisconnectReason.of(Kind.NOT_A_PEER, reason.toString()));
      }
      failConnect(closeReason != null ? closeReason : DisconnectReason.of(Kind.NOT_A_PEER,
          "connection closed during the handshake (" + reason + ")"));
    } else if (handle == null && !node.config().codec().handshake()) {
      // Closed before it said a word or was announced: a scanner's probe, not an error.
      log.debug("{}: {} connection {} closed without a word (a probe?): {}", node.logName(),
          direction, remote, reason);
      failConnect(reason.kind() == Kind.CLOSED_LOCALLY ? reason : DisconnectReason.of(Kind.NOT_A_PEER,
          "closed the connection before saying anything (" + reason + ")"));
    }
    node.closed(this, reason);
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
