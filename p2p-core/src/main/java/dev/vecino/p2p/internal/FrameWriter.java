package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.EventLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's write side: queues frames in its {@link Outbound}, carries out the
 * {@link WriteTurn.Step} each call returns (write now on this thread, schedule a flush on the
 * I/O thread, set the backstop timer, wait for the socket to drain), completes the send
 * futures, reports writability, and half-closes once the queue drained when asked to.
 *
 * <p><b>Thread safety:</b> {@link #send}, {@link #flushNow}, {@link #park} and the accessors run
 * on any thread; a sender that gets {@link WriteTurn.Step#WRITE_INLINE} holds the write turn and
 * writes to the channel from its own thread (see {@link Outbound}'s state table); a sender
 * streaming corked frames may encode them into its stage without the queue's lock
 * ({@link Staging}). Everything
 * else runs on the connection's I/O thread, which owns the shutdown flags. The channel and
 * encoder are set before {@code outbound} is published (volatile), so a sender that sees
 * {@code outbound} sees them.
 */
final class FrameWriter implements Outbound.Completions {

  /** The connection's logger: these are its log lines, and logging configuration names it. */
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  private final Connection connection;
  private final Node node;
  private final Runnable flushTask = this::flush;
  private final Runnable corkTask = this::corkExpired;
  private final Runnable armCorkTimer = this::armCorkTimer;
  private Channel channel;
  private CodecSession encoder;
  private volatile Outbound outbound;
  private boolean shutdownAfterFlush;
  private boolean outputShut;

  FrameWriter(Connection connection, Node node) {
    this.connection = connection;
    this.node = node;
  }

  /** The channel opened: frames may be queued from now on. I/O thread. */
  void open(Channel channel, CodecSession encoder, int segment) {
    this.channel = channel;
    this.encoder = encoder;
    NodeConfig config = node.config();
    this.outbound = new Outbound(encoder, config.maxQueuedBytes(), config.lowWatermark(), config.highWatermark(),
        segment, this);
  }

  // ---- accessors (any thread) ----

  long messagesOut() {
    Outbound o = outbound;
    return o == null ? 0 : o.messages();
  }

  long bytesOut() {
    Outbound o = outbound;
    return o == null ? 0 : o.bytes();
  }

  long queuedBytes() {
    Outbound o = outbound;
    return o == null ? 0 : o.queuedBytes();
  }

  long writtenBytes() {
    Outbound o = outbound;
    return o == null ? 0 : o.writtenBytes();
  }

  boolean isWritable() {
    Outbound o = outbound;
    return o == null || !o.isUnwritable();
  }

  // ---- sending (any thread) ----

  /** See {@link Connection#send(FrameType, byte[], int, int, ByteBuffer, CompletableFuture, boolean, boolean)}. */
  SendStatus send(FrameType type, byte[] a, int off, int len, ByteBuffer b, CompletableFuture<Void> waiter,
      boolean mayInline, boolean more) {
    Outbound o = outbound;
    if (o == null || connection.publicState() != PeerState.CONNECTED) {
      return SendStatus.CLOSED;
    }
    Offered offered;
    try {
      // At most one lock acquisition per message (none for a staged corked frame).
      offered = o.offer(type, a, off, len, b, waiter, mayInline && !channel.eventLoop().inEventLoop(), more);
    } catch (CodecException e) {
      throw new IllegalArgumentException("cannot encode " + type + " frame: " + e.getMessage(), e);
    }
    if (offered.becameUnwritable) {
      node.events.writabilityChanged(connection.handle(), false);
    }
    run(o, offered.step);
    return offered.status;
  }

  /** See {@link Connection#flush()}. Any thread. */
  void flushNow() {
    Outbound o = outbound;
    if (o != null) {
      run(o, o.offerFlush(!channel.eventLoop().inEventLoop()));
    }
  }

  /** Carries out what {@link Outbound} asked for. */
  private void run(Outbound o, WriteTurn.Step step) {
    switch (step) {
      case WRITE_INLINE -> writeInline(o);
      case SCHEDULE_FLUSH -> channel.eventLoop().execute(flushTask);
      case SET_CORK_TIMER -> setCorkTimer();
      case RUN_FLUSH -> flush();
      case REQUEST_WRITABLE -> channel.requestWritable();
      case NONE -> {
        // The turn holder or a scheduled flush takes the frame.
      }
    }
  }

  /** Writes on the sender's thread, which holds the write turn; hands the rest on. */
  private void writeInline(Outbound o) {
    WriteTurn.Step then = o.writeInline(channel);
    // The turn was released: SCHEDULE_FLUSH, SET_CORK_TIMER or NONE, never WRITE_INLINE again.
    run(o, then);
  }

  @Override
  public void written(List<CompletableFuture<Void>> futures) {
    node.events.completeSends(connection.handle(), futures);
  }

  @Override
  public void failed(List<CompletableFuture<Void>> futures) {
    for (CompletableFuture<Void> f : futures) {
      node.failSend(f, connection);
    }
  }

  @Override
  public void becameWritable() {
    PeerHandle handle = connection.handle();
    if (handle != null) {
      node.events.writabilityChanged(handle, true);
    }
  }

  /** Sets the backstop timer that writes corked frames nobody flushed. Any thread. */
  private void setCorkTimer() {
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      armCorkTimer();
    } else {
      loop.execute(armCorkTimer);
    }
  }

  private void armCorkTimer() {
    channel.eventLoop().schedule(corkTask, Outbound.CORK_NANOS, TimeUnit.NANOSECONDS);
  }

  /** The backstop timer fired. I/O thread. */
  private void corkExpired() {
    Outbound o = outbound;
    if (o != null && channel.isOpen() && o.corkExpired()) {
      flush();
    }
  }

  /** See {@link Connection#park}. */
  boolean park(FrameType type, byte[] payload, CompletableFuture<Void> future, long timeoutNanos) {
    Outbound o = outbound;
    if (o == null || connection.publicState() != PeerState.CONNECTED) {
      return false;
    }
    SendLedger.Parked p = new SendLedger.Parked(type, payload, future);
    EventLoop loop = channel.eventLoop();
    p.timer = loop.schedule(() -> {
      if (o.unpark(p)) {
        node.failQueueTimeout(p.future, connection, timeoutNanos);
      }
    }, timeoutNanos, TimeUnit.NANOSECONDS);
    boolean parked;
    try {
      parked = o.park(p);
    } catch (CodecException e) {
      p.timer.cancel();
      // As when the queue has room (send): the caller's mistake, not a delivery failure.
      throw new IllegalArgumentException("cannot encode " + type + " frame: " + e.getMessage(), e);
    }
    if (!parked) {
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

  // ---- writing and closing (I/O thread) ----

  /**
   * Queues a control frame, ignoring the bound; each kind is bounded by construction (see
   * {@link SendLedger}): a PONG is owed while the last one is unwritten, a PING is skipped while
   * anything is queued. I/O thread.
   */
  void sendControl(FrameType type, byte[] body, boolean closeAfter) {
    if (!encoder.supports(type)) {
      return;
    }
    WriteTurn.Step step;
    try {
      step = switch (type) {
        case PONG -> outbound.offerPong(body);
        case PING -> outbound.offerPing(body);
        default -> outbound.offerControl(type, body, closeAfter);
      };
    } catch (CodecException e) {
      log.warn("{}: cannot encode {} frame: {}", node.logName(), type, e.getMessage());
      return;
    }
    if (step != null) {
      run(outbound, step);
    }
  }

  /**
   * Queues the PING of a check ({@link IdCheck}), even behind other frames (a heartbeat PING
   * is skipped then), and tries to write at once, even when the queue waits for the socket to
   * drain: a write to a reset or closed socket fails at once. A failure closes the connection.
   * I/O thread.
   */
  void sendCheckPing(byte[] nonce) {
    if (!encoder.supports(FrameType.PING)) {
      return;
    }
    try {
      outbound.offerControl(FrameType.PING, nonce, false);
    } catch (CodecException e) {
      log.warn("{}: cannot encode PING frame: {}", node.logName(), e.getMessage());
      return;
    }
    flush();
  }

  /** Writes the codec's opening bytes, ahead of any frame. I/O thread. */
  void writeRaw(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining() && channel.write(b) > 0) {
        // Opening bytes are tiny; the socket buffer is empty: one write takes them.
      }
    } catch (IOException e) {
      channel.close();
    }
  }

  /** Writes what is queued; reschedules itself while more remains. I/O thread. */
  void flush() {
    if (channel == null || !channel.isOpen()) {
      return;
    }
    WriteTurn.Step next;
    try {
      next = outbound.flush(channel);
    } catch (IOException e) {
      // Frames fully written before the failure did go out: their sends succeeded.
      connection.writeFailed(e);
      return;
    }
    if (next == WriteTurn.Step.NONE) {
      if (shutdownAfterFlush && !outputShut && outbound.queuedBytes() == 0) {
        shutdownOutput();
      }
    } else {
      run(outbound, next);
    }
  }

  /** Whether to half-close the channel once the queue has drained. I/O thread. */
  void shutdownAfterFlush(boolean shutdown) {
    shutdownAfterFlush = shutdown;
  }

  private void shutdownOutput() {
    outputShut = true;
    try {
      channel.shutdownOutput();
    } catch (IOException e) {
      channel.close();
      return;
    }
    connection.outputShut();
  }

  /** Closes the queue and fails the sends still in it. I/O thread. */
  void failQueued() {
    outbound.close();
  }

  /** The channel closed: fails what is still queued and frees the buffers. I/O thread. */
  void release() {
    if (outbound != null) {
      failQueued();
      outbound.release();
    }
  }
}
