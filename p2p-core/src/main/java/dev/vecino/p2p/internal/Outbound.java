package dev.vecino.p2p.internal;

import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.transport.Channel;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One connection's outbound queue: senders on any thread encode frames into it under
 * {@code lock}; the holder of the connection's {@link WriteTurn} — the I/O thread, or a sender
 * on its own thread — writes them to the channel, one holder at a time.
 *
 * <h2>Design and hazards</h2>
 *
 * <table>
 * <caption>Fields: who writes them</caption>
 * <tr><th>field</th><th>written by</th><th>guard</th></tr>
 * <tr><td>{@code turn} (state, prompt end, cork timer), {@code closed},
 * {@code failWhenReleased}</td><td>any thread: senders queueing, the turn holder releasing,
 * the I/O thread closing</td><td>{@code lock}</td></tr>
 * <tr><td>{@code buffers.pending}, {@link SendLedger} (waiters, parked sends, owed PONG,
 * watermarks)</td><td>senders (encode, park) and the turn holder (swap, written)</td>
 * <td>{@code lock}</td></tr>
 * <tr><td>{@code queued}, {@code enqueued}, {@code written}, {@code messages}</td><td>under
 * {@code lock}</td><td>{@code lock}; written and read opaquely, so accessors read them
 * without it</td></tr>
 * <tr><td>{@code buffers.writing}, {@code wroteInLoop}, {@code turnDone}</td><td>the turn holder
 * only</td><td>handed over with the turn, under {@code lock}</td></tr>
 * </table>
 *
 * <p><b>Invariants</b> (besides the turn's, in {@link WriteTurn}): (1) bytes reach the channel
 * in the order they were queued, each once; (2) a send's future completes once: with success
 * when its last byte was written, else failed by {@link #close} — unless a sender holds the
 * turn then, which fails what is left when it releases it ({@code failWhenReleased}), since
 * its write may have taken those bytes already; (3) futures complete after the turn is
 * released, never under the lock, so a callback may send again; (4) the bound below.
 *
 * <p><b>Bound:</b> data frames enter while the queue holds less than {@code maxQueuedBytes} (one
 * larger frame only into an empty queue); control frames ignore the bound and are bounded by
 * construction ({@link SendLedger}).
 *
 * <p><b>Thread safety:</b> {@link #offer}, {@link #offerFlush}, {@link #park}, {@link #close},
 * {@link #writeInline} and the accessors from any thread; {@link #flush}, {@link #offerControl},
 * {@link #offerPong}, {@link #offerPing}, {@link #corkExpired}, {@link #takeFlushRequest} and
 * {@link #release} on the channel's I/O thread.
 */
final class Outbound implements WriteTurn.Queue {

  /** TCP's segment size on Linux loopback: MTU 65,536 less 40 bytes of headers and 12 of timestamps. */
  static final int LOOPBACK_SEGMENT = 65_483;
  /** Bytes of queued frames at which a sender writes them itself (no segment size known). */
  static final int DEFAULT_BATCH = 64 * 1024;
  /** How long corked frames wait at most for a flush before the I/O thread writes them. */
  static final long CORK_NANOS = 1_000_000;
  /**
   * Room for the control frames a queue holds beyond its bound, each at most once: a HELLO
   * (at most 4,101 bytes), a BYE (1,030), a PONG (69) and a PING (5), with the framed codec.
   */
  static final int CONTROL_RESERVE = 8 * 1024;
  /** Writes per flush on the I/O thread before yielding to other channels of the loop. */
  private static final int MAX_WRITES_PER_FLUSH = 16;
  /** Writes per turn on a sender's thread: it returns to its caller soon. */
  private static final int MAX_WRITES_INLINE = 2;

  /** The segment size to cut writes to for a peer at this address (0: do not cut). */
  static int segmentFor(InetSocketAddress remote) {
    return remote != null && remote.getAddress() != null && remote.getAddress().isLoopbackAddress()
        ? LOOPBACK_SEGMENT : 0;
  }

  /**
   * The counters are written under {@code lock} and read by accessors on any thread without it:
   * opaque access (atomic, no fence) instead of volatile, which would cost a fence per message
   * on the send path (three stores per frame: ~35 ns of CPU per 64-byte message, measured).
   */
  private static final VarHandle QUEUED;
  private static final VarHandle ENQUEUED;
  private static final VarHandle WRITTEN;
  private static final VarHandle MESSAGES;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      QUEUED = l.findVarHandle(Outbound.class, "queued", long.class);
      ENQUEUED = l.findVarHandle(Outbound.class, "enqueued", long.class);
      WRITTEN = l.findVarHandle(Outbound.class, "written", long.class);
      MESSAGES = l.findVarHandle(Outbound.class, "messages", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Object lock = new Object();
  private final CodecSession encoder;
  private final int maxQueuedBytes;
  private final OutboundBuffers buffers;
  private final SendLedger ledger;
  private final Completions completions;
  /** Futures of the frames the current turn wrote; the turn holder's, emptied before it releases the turn. */
  private final List<CompletableFuture<Void>> turnDone = new ArrayList<>();

  /** Where the futures of written and failed frames go; called on the thread that released the turn, without the lock. */
  interface Completions {
    /** These frames were written. */
    void written(List<CompletableFuture<Void>> futures);

    /** These frames will never be written: the queue was closed. */
    void failed(List<CompletableFuture<Void>> futures);

    /** The queue fell under its low watermark: senders may queue again. */
    void becameWritable();
  }

  /** The write turn; guarded by lock. */
  private final WriteTurn turn;

  // Guarded by lock.
  private boolean closed;
  /** {@link #close} ran while a sender held the turn: it fails what is unwritten when it releases it. */
  private boolean failWhenReleased;

  // Written under lock, read without it (see QUEUED).
  private long queued;
  private long enqueued;
  private long written;
  private long messages;

  /** The last write loop wrote something. Turn holder only. */
  private boolean wroteInLoop;

  /**
   * @param segment the TCP segment size to cut batch writes to, 0 for none (see {@link #segmentFor})
   */
  Outbound(CodecSession encoder, int maxQueuedBytes, int lowWatermark, int highWatermark, int segment,
      Completions completions) {
    this.encoder = encoder;
    this.completions = completions;
    this.maxQueuedBytes = maxQueuedBytes;
    this.turn = new WriteTurn(segment > 0 ? 2 * segment : DEFAULT_BATCH, this);
    this.buffers = new OutboundBuffers(segment, (long) maxQueuedBytes + CONTROL_RESERVE + segment);
    this.ledger = new SendLedger(lowWatermark, highWatermark, maxQueuedBytes);
  }

  /** The write turn's state, for tests and diagnostics. Any thread. */
  WriteTurn.State state() {
    synchronized (lock) {
      return turn.state();
    }
  }

  // ---- queueing (any thread) ----

  /**
   * Encodes a data frame into the queue, within the bound.
   *
   * @param waiter completed once the frame is written, or null
   * @param mayInline whether the caller may take the write turn (not the I/O thread)
   * @param more the sender promises more frames soon: this one may wait for them (corked)
   */
  Offered offer(FrameType type, byte[] a, int off, int len, ByteBuffer b, CompletableFuture<Void> waiter,
      boolean mayInline, boolean more) throws CodecException {
    synchronized (lock) {
      if (closed) {
        return Offered.CLOSED;
      }
      int n = encoder.encodedLength(type, b != null ? b.remaining() : len);
      // One frame larger than the bound still goes when the queue is empty, else it never could.
      // Parked sends go first: nothing jumps the line.
      if ((queued > 0 && queued + n > maxQueuedBytes) || ledger.hasParked()) {
        return Offered.FULL;
      }
      encodeLocked(n, type, a, off, len, b);
      MESSAGES.setOpaque(this, messages + 1);
      if (waiter != null) {
        ledger.await(enqueued, waiter);
      }
      WriteTurn.Step step = turn.on(more ? WriteTurn.Event.CORKED : WriteTurn.Event.PROMPT, mayInline);
      return Offered.queued(step, ledger.checkHigh(queued));
    }
  }

  /**
   * Queues a control frame (HELLO, BYE, a check's PING), ignoring the bound; a BYE
   * ({@code closeAfter}) closes the queue. I/O thread.
   *
   * @return {@link WriteTurn.Step#SCHEDULE_FLUSH} or {@link WriteTurn.Step#NONE}; null when the queue is closed
   */
  WriteTurn.Step offerControl(FrameType type, byte[] body, boolean closeAfter) throws CodecException {
    synchronized (lock) {
      if (closed) {
        return null;
      }
      encodeLocked(type, body);
      if (closeAfter) {
        closed = true;
      }
      return turn.on(WriteTurn.Event.PROMPT, false);
    }
  }

  /**
   * Queues the PONG that answers a PING, keeping at most one unwritten: while the last one is
   * unwritten, this one is owed instead (replacing any owed before) and queued once the last
   * one is written. A peer that floods PINGs and never reads makes the queue hold one PONG.
   * I/O thread.
   *
   * @return as {@link #offerControl}; {@link WriteTurn.Step#NONE} when owed
   */
  WriteTurn.Step offerPong(byte[] body) throws CodecException {
    synchronized (lock) {
      if (closed) {
        return null;
      }
      if (ledger.pongUnwritten(written)) {
        ledger.owePong(encoder, body);
        return WriteTurn.Step.NONE;
      }
      encodeLocked(FrameType.PONG, body);
      ledger.pongQueued(enqueued);
      return turn.on(WriteTurn.Event.PROMPT, false);
    }
  }

  /**
   * Queues a heartbeat PING only if the queue is empty: anything queued already tells the peer
   * we are here once read. I/O thread.
   *
   * @return as {@link #offerControl}; {@link WriteTurn.Step#NONE} when skipped
   */
  WriteTurn.Step offerPing(byte[] body) throws CodecException {
    synchronized (lock) {
      if (closed) {
        return null;
      }
      if (queued > 0) {
        return WriteTurn.Step.NONE;
      }
      encodeLocked(FrameType.PING, body);
      return turn.on(WriteTurn.Event.PROMPT, false);
    }
  }

  /** Encodes a control frame into the queue (lock held). */
  private void encodeLocked(FrameType type, byte[] body) throws CodecException {
    encodeLocked(encoder.encodedLength(type, body.length), type, body, 0, body.length, null);
  }

  /** Encodes a frame of {@code n} encoded bytes into the queue (lock held). */
  private void encodeLocked(int n, FrameType type, byte[] a, int off, int len, ByteBuffer b)
      throws CodecException {
    ByteBuffer pending = buffers.pendingFor(n);
    int start = pending.position();
    try {
      if (b != null) {
        encoder.encode(type, b, pending);
      } else {
        encoder.encode(type, a, off, len, pending);
      }
    } catch (RuntimeException e) {
      pending.position(start);
      throw e;
    }
    queue(pending.position() - start);
  }

  private void queue(int n) {
    QUEUED.setOpaque(this, queued + n);
    ENQUEUED.setOpaque(this, enqueued + n);
  }

  /**
   * Asks for everything queued (corked frames too) to be written now. Any thread.
   *
   * @param mayInline whether the caller may take the write turn (not the I/O thread)
   */
  WriteTurn.Step offerFlush(boolean mayInline) {
    synchronized (lock) {
      if (closed || queued == 0) {
        return WriteTurn.Step.NONE;
      }
      return turn.on(WriteTurn.Event.PROMPT, mayInline);
    }
  }

  /**
   * Parks a send until the queue has room, if the parked bytes stay within the bound; encodes
   * its frame now, so the payload array is not referenced after this returns.
   *
   * @return false if it could not be parked (closed, or too much already parked)
   */
  boolean park(SendLedger.Parked p) throws CodecException {
    synchronized (lock) {
      return !closed && ledger.park(p, encoder);
    }
  }

  /** Removes a parked send whose time ran out; false if it was already queued. */
  boolean unpark(SendLedger.Parked p) {
    synchronized (lock) {
      return ledger.unpark(p);
    }
  }

  /** Admits parked sends now (the queue may have drained before they were parked). I/O thread. */
  void admit() {
    synchronized (lock) {
      admitLocked();
    }
  }

  private void admitLocked() {
    if (closed) {
      return;
    }
    SendLedger.Parked p;
    while ((p = ledger.nextAdmissible(queued)) != null) {
      queueEncoded(p.frame());
      MESSAGES.setOpaque(this, messages + 1);
      ledger.admitted(p, enqueued);
    }
  }

  /** Queues an already encoded frame (a parked send, an owed PONG) to leave now (lock held). */
  private void queueEncoded(ByteBuffer frame) {
    int n = frame.remaining();
    buffers.pendingFor(n).put(frame);
    queue(n);
    turn.promptThrough(enqueued);
  }

  /** Takes the write turn for the I/O thread after admitting parked sends: true when the caller must flush now. */
  boolean takeFlushRequest() {
    synchronized (lock) {
      return turn.on(WriteTurn.Event.FLUSH_REQUEST, false) == WriteTurn.Step.RUN_FLUSH;
    }
  }

  /** The backstop timer for corked frames fired: true when the caller must flush now. I/O thread. */
  boolean corkExpired() {
    synchronized (lock) {
      return turn.on(WriteTurn.Event.CORK_EXPIRED, false) == WriteTurn.Step.RUN_FLUSH;
    }
  }

  // ---- writing ----

  /**
   * Writes from the I/O thread: a scheduled flush, the socket drained, the backstop or a
   * check. Returns what the caller must do next.
   */
  WriteTurn.Step flush(Channel channel) throws IOException {
    synchronized (lock) {
      if (turn.on(WriteTurn.Event.FLUSH_RUNS, false) != WriteTurn.Step.RUN_FLUSH) {
        return WriteTurn.Step.NONE;
      }
    }
    return writeTurn(channel, true);
  }

  /**
   * Writes from a sender's thread, which took the turn ({@link WriteTurn.Step#WRITE_INLINE}), and
   * releases it. Returns what the caller must do next ({@link WriteTurn.Step#SCHEDULE_FLUSH},
   * {@link WriteTurn.Step#SET_CORK_TIMER} or {@link WriteTurn.Step#NONE}). A write error is left to the I/O
   * thread, which meets it on its next write and closes with the reason.
   */
  WriteTurn.Step writeInline(Channel channel) {
    try {
      return writeTurn(channel, false);
    } catch (IOException e) {
      throw new AssertionError("writeTurn rethrows a write error only for the I/O thread", e);
    }
  }

  /**
   * The turn holder writes, then releases the turn ({@link WriteTurn#on}) and hands on the
   * futures it completed (and, for a sender that held the turn across a {@link #close}, those
   * it fails) once the lock is released. No allocation unless there are futures. A write error
   * ends the I/O thread's turn and is rethrown (the connection closes); a sender's turn ends
   * in {@code BLOCKED} instead, handing the I/O thread a flush that meets the same error.
   */
  private WriteTurn.Step writeTurn(Channel channel, boolean io) throws IOException {
    boolean blocked = false;
    IOException error = null;
    RuntimeException bug = null;
    try {
      blocked = writeLoop(channel, io ? MAX_WRITES_PER_FLUSH : MAX_WRITES_INLINE);
    } catch (IOException e) {
      error = e;
    } catch (RuntimeException e) {
      bug = e;
    }
    WriteTurn.Step step;
    List<CompletableFuture<Void>> done = null;
    List<CompletableFuture<Void>> failed = null;
    boolean writable;
    synchronized (lock) {
      writable = ledger.takeBecameWritable();
      if (!turnDone.isEmpty()) {
        done = new ArrayList<>(turnDone);
        turnDone.clear();
      }
      if (!io && failWhenReleased) {
        failWhenReleased = false;
        failed = new ArrayList<>();
        ledger.drainWaiters(failed);
      }
      if (bug != null || (error != null && io)) {
        // The channel is lost (it closes); nobody writes again.
        step = turn.writerLost();
      } else {
        // A sender's write error is the I/O thread's to meet on its next write, and close with.
        step = turn.on(blocked || error != null ? WriteTurn.Event.BLOCKED
            : io ? WriteTurn.Event.IO_WROTE : WriteTurn.Event.SENDER_WROTE, false);
      }
    }
    if (done != null) {
      completions.written(done);
    }
    if (failed != null) {
      completions.failed(failed);
    }
    if (writable) {
      completions.becameWritable();
    }
    if (error != null && io) {
      throw error;
    }
    if (bug != null) {
      throw bug;
    }
    return step;
  }

  /**
   * The turn holder's loop: swaps in what senders queued and writes it, at most
   * {@code maxWrites} times. A tail shorter than a segment goes in front of the next batch when
   * one is queued; it is written alone only while bytes that must leave now are unwritten.
   *
   * @return true when the socket is full
   */
  private boolean writeLoop(Channel channel, int maxWrites) throws IOException {
    wroteInLoop = false;
    int writes = 0;
    for (int steps = 0; writes < maxWrites && steps < 2 * maxWrites + 2; steps++) {
      int tail = takeWork();
      if (tail < 0) {
        return false;
      }
      ByteBuffer writing = buffers.writing();
      int limit = writing.limit();
      writing.limit(limit - tail);
      int n;
      try {
        n = channel.write(writing);
      } finally {
        writing.limit(limit);
      }
      writes++;
      if (n > 0) {
        wroteInLoop = true;
        written(n);
      }
      if (writing.remaining() > tail) {
        return true;
      }
    }
    return false;
  }

  /**
   * Gets the turn holder's buffer ready for one write: swaps in queued frames, merges a short
   * tail with them, and decides whether the tail goes now. Turn holder.
   *
   * @return the bytes at the end of the buffer to leave for later (a tail that may wait), or
   *     -1 when there is nothing this writer should write now
   */
  private int takeWork() {
    synchronized (lock) {
      int segment = buffers.segment;
      if (!buffers.writingHasRemaining() && !buffers.swap()) {
        return -1;
      }
      int remaining = buffers.writing().remaining();
      int tail = segment > 0 ? remaining % segment : 0;
      boolean mustLeaveNow = turn.mustLeaveNow();
      if (remaining == tail && tail > 0) {
        // Less than one segment: put it in front of what was queued meanwhile.
        if (!buffers.mergeTail()) {
          return mustLeaveNow ? 0 : -1;
        }
        tail = buffers.writing().remaining() % segment;
      }
      // Nothing to merge the tail with, and it must go now: one write, not two.
      return tail > 0 && mustLeaveNow && buffers.pendingBytes() == 0 ? 0 : tail;
    }
  }

  private void written(int n) {
    synchronized (lock) {
      WRITTEN.setOpaque(this, written + n);
      QUEUED.setOpaque(this, queued - n);
      ledger.completeUpTo(written, turnDone);
      if (!closed) {
        ByteBuffer pong = ledger.takeOwedPong(written);
        if (pong != null) {
          queueEncoded(pong);
          ledger.pongQueued(enqueued);
        }
        admitLocked();
      }
      ledger.checkLow(queued);
    }
  }

  // ---- what the write turn asks about the queue (lock held) ----

  @Override
  public boolean batchQueued(int batch) {
    return buffers.pendingBytes() >= batch;
  }

  @Override
  public boolean hasLeftover() {
    return buffers.pendingBytes() > 0 || buffers.writingHasRemaining();
  }

  @Override
  public long enqueuedTotal() {
    return enqueued;
  }

  @Override
  public long writtenTotal() {
    return written;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public boolean hasQueued() {
    return queued > 0;
  }

  @Override
  public boolean wroteInLoop() {
    return wroteInLoop;
  }

  // ---- closing and accessors ----

  /**
   * Refuses further frames and fails the sends still waiting ({@link Completions#failed}).
   * Any thread. While a sender holds the turn, the sends in the queue stay with it: its write
   * may have taken their frames already; it fails the rest when it releases the turn.
   */
  void close() {
    List<CompletableFuture<Void>> failed = new ArrayList<>();
    synchronized (lock) {
      closed = true;
      if (turn.senderWrites()) {
        failWhenReleased = true;
      } else {
        ledger.drainWaiters(failed);
      }
      ledger.drainParked(failed);
    }
    if (!failed.isEmpty()) {
      completions.failed(failed);
    }
  }

  /** Drops the buffers once the channel is gone. I/O thread. */
  void release() {
    synchronized (lock) {
      closed = true;
      QUEUED.setOpaque(this, 0L);
      if (!turn.senderWrites()) {
        // A sender still writing keeps its buffer until it fails on the closed channel.
        buffers.release();
      }
    }
  }

  /** Whether the queue is above its high watermark and not yet back under the low one. Any thread. */
  boolean isUnwritable() {
    return ledger.isUnwritable();
  }

  long queuedBytes() {
    return (long) QUEUED.getOpaque(this);
  }

  /** Bytes written to the channel so far, control frames included. Any thread. */
  long writtenBytes() {
    return (long) WRITTEN.getOpaque(this);
  }

  long messages() {
    return (long) MESSAGES.getOpaque(this);
  }

  long bytes() {
    return (long) ENQUEUED.getOpaque(this);
  }
}
