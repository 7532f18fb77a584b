package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.EventLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's write side: queues frames in its {@link Outbound}, writes them from the
 * sender's thread when the connection is idle or from the I/O thread otherwise, completes the
 * send futures and reports writability, and half-closes once the queue drained when asked to.
 *
 * <p><b>Thread safety:</b> {@link #send}, {@link #park} and the accessors run on any thread
 * and touch only {@link Outbound} (which orders senders) and the channel set before
 * {@code outbound} was published; everything else runs on the connection's I/O thread, which
 * owns {@code written} and the shutdown flags.
 */
final class FrameWriter {

  /** The connection's logger: these are its log lines, and logging configuration names it. */
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  private final Connection connection;
  private final Node node;
  private final Runnable flushTask = this::flush;
  private final Runnable corkTask = this::corkExpired;
  /** Futures of the frames a flush on the I/O thread wrote; I/O thread only. */
  private final List<CompletableFuture<Void>> written = new ArrayList<>();
  /** Set before {@code outbound} is published, so a sender that sees {@code outbound} sees it. */
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
  void open(Channel channel, CodecSession encoder, Outbound outbound) {
    this.channel = channel;
    this.encoder = encoder;
    this.outbound = outbound;
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
  int send(FrameType type, byte[] a, int off, int len, ByteBuffer b, CompletableFuture<Void> waiter,
      boolean mayInline, boolean more) {
    Outbound o = outbound;
    if (o == null || connection.publicState() != PeerState.CONNECTED) {
      return Outbound.CLOSED;
    }
    EventLoop loop = channel.eventLoop();
    int offered;
    try {
      // One lock acquisition per message: the frame and what to do next.
      offered = o.offer(type, a, off, len, b, false, true, waiter, false, mayInline && !loop.inEventLoop(), more);
    } catch (CodecException e) {
      throw new IllegalArgumentException("cannot encode " + type + " frame: " + e.getMessage(), e);
    }
    int status = Outbound.status(offered);
    if (status == Outbound.OK_UNWRITABLE) {
      node.events.writabilityChanged(connection.handle(), false);
      status = Outbound.OK;
    }
    if (status == Outbound.OK) {
      next(o, Outbound.turn(offered));
    }
    return status;
  }

  /** See {@link Connection#flush()}. Any thread. */
  void flushNow() {
    Outbound o = outbound;
    if (o != null) {
      next(o, o.offerFlush(!channel.eventLoop().inEventLoop()));
    }
  }

  /** Does what {@link Outbound} asked for after queuing a frame. */
  private void next(Outbound o, int turn) {
    switch (turn) {
      case Outbound.INLINE, Outbound.INLINE_BATCH -> flushInline(o);
      case Outbound.SCHEDULE -> channel.eventLoop().execute(flushTask);
      case Outbound.CORK -> setCorkTimer();
      default -> {
        // NONE: a writer or a scheduled flush takes the frame.
      }
    }
  }

  /** Writes from the sender's thread, which holds the writer role; hands the rest on. */
  private void flushInline(Outbound o) {
    // A list of its own: the writer role is given up inside Outbound.flushInline, so the I/O
    // thread (whose list 'written' is) or another sender may be writing while this one
    // completes its futures.
    List<CompletableFuture<Void>> done = new ArrayList<>(4);
    List<CompletableFuture<Void>> failed = new ArrayList<>(0);
    int then;
    try {
      then = o.flushInline(channel, done, failed);
    } finally {
      // Sends left unwritten by a close that came while this thread wrote.
      failed.forEach(f -> node.failSend(f, connection));
    }
    PeerHandle handle = connection.handle();
    if (!done.isEmpty()) {
      node.events.completeSends(handle, done);
    }
    if (o.takeBecameWritable() && handle != null) {
      node.events.writabilityChanged(handle, true);
    }
    // SCHEDULE, CORK or NONE: the role was given up, so never INLINE again.
    next(o, then);
  }

  /** Sets the backstop timer that writes corked frames nobody flushed. Any thread. */
  private void setCorkTimer() {
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      loop.schedule(corkTask, Outbound.CORK_NANOS, TimeUnit.NANOSECONDS);
    } else {
      loop.execute(() -> loop.schedule(corkTask, Outbound.CORK_NANOS, TimeUnit.NANOSECONDS));
    }
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
    Outbound.Parked p = new Outbound.Parked(type, payload, future);
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
   * {@link Outbound}): a PONG is owed while the last one is unwritten, a PING is skipped while
   * anything is queued. I/O thread.
   */
  void sendControl(FrameType type, byte[] body, boolean closeAfter) {
    if (!encoder.supports(type)) {
      return;
    }
    int offered;
    try {
      offered = switch (type) {
        case PONG -> outbound.offerPong(body);
        case PING -> outbound.offerPing(body);
        default -> outbound.offer(type, body, 0, body.length, null, true, false, null, closeAfter, false, false);
      };
    } catch (CodecException e) {
      log.warn("{}: cannot encode {} frame: {}", node.logName(), type, e.getMessage());
      return;
    }
    if (Outbound.status(offered) != Outbound.CLOSED && Outbound.turn(offered) == Outbound.SCHEDULE) {
      channel.eventLoop().execute(flushTask);
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
      outbound.offer(FrameType.PING, nonce, 0, nonce.length, null, true, false, null, false, false, false);
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
    int result;
    try {
      result = outbound.flush(channel, written);
    } catch (IOException e) {
      // Frames fully written before the failure did go out: their sends succeeded.
      completeWritten(connection.handle());
      connection.writeFailed(e);
      return;
    }
    PeerHandle handle = connection.handle();
    completeWritten(handle);
    if (outbound.takeBecameWritable() && handle != null) {
      node.events.writabilityChanged(handle, true);
    }
    if (result == Outbound.DRAINED) {
      if (shutdownAfterFlush && !outputShut && outbound.isEmpty()) {
        shutdownOutput();
      }
    } else if (result == Outbound.MORE) {
      channel.eventLoop().execute(flushTask);
    } else if (result == Outbound.CORKED) {
      setCorkTimer();
    }
  }

  /**
   * Completes the sends of the frames the last flush wrote. Takes them out of {@code written}
   * first: with direct callbacks a future's callback runs here and may flush again on this
   * thread (a disconnect does), which uses the list. I/O thread.
   */
  private void completeWritten(PeerHandle handle) {
    if (!written.isEmpty()) {
      List<CompletableFuture<Void>> done = new ArrayList<>(written);
      written.clear();
      node.events.completeSends(handle, done);
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
    outbound.close().forEach(f -> node.failSend(f, connection));
  }

  /** The channel closed: fails what is still queued and frees the buffers. I/O thread. */
  void release() {
    if (outbound != null) {
      failQueued();
      outbound.release();
    }
  }
}
