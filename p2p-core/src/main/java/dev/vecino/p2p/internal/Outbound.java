package dev.vecino.p2p.internal;

import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.transport.Channel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One connection's outbound queue: senders on any thread encode frames into it under
 * {@code lock}; the holder of the connection's {@link WriteTurn} — the I/O thread, or a sender
 * on its own thread — writes them to the channel, one holder at a time. A sender streaming
 * corked frames ({@code trySendMore}) encodes them into a {@link SendStage} it owns instead,
 * without the lock; {@link Staging} hands them to the queue (a claim, under the lock) a batch
 * at a time, and before anything else is queued, flushed, written or closed. A sender whose
 * plain sends keep finding the writer behind for a whole batch (a flood, {@link FloodCount}) is
 * corked the same way: its plain frames are staged too, until the backstop revokes the stage
 * and a send finds the turn idle.
 *
 * <h2>Design and hazards</h2>
 *
 * <table>
 * <caption>Fields: who writes them</caption>
 * <tr><th>field</th><th>written by</th><th>guard</th></tr>
 * <tr><td>{@code turn} (state, prompt end, cork timer), {@code closed},
 * {@code failWhenReleased}, {@code flood}</td><td>any thread: senders queueing, the turn holder
 * releasing, the I/O thread closing</td><td>{@code lock}</td></tr>
 * <tr><td>{@code buffers.pending}, {@link SendLedger} (waiters, parked sends, owed PONG,
 * watermarks)</td><td>senders (encode, park) and the turn holder (swap, written)</td>
 * <td>{@code lock}</td></tr>
 * <tr><td>{@code counts} ({@link QueueCounts}: queued, enqueued, written, messages)</td>
 * <td>under {@code lock}</td><td>{@code lock}; written and read opaquely, so accessors read
 * them without it (adding the stage's unclaimed bytes and frames, approximately)</td></tr>
 * <tr><td>{@code staging} (the stage, its grants and claims)</td><td>its owner appends without
 * the lock; grants, claims, revocations under it</td><td>see {@link Staging} and
 * {@link SendStage}</td></tr>
 * <tr><td>{@code buffers.writing}, {@code loop} ({@link WriteLoop}), {@code turnDone}</td><td>the
 * turn holder only</td><td>handed over with the turn, under {@code lock}</td></tr>
 * </table>
 *
 * <p><b>Invariants</b> (besides the turn's, in {@link WriteTurn}): (1) bytes reach the channel
 * in the order they were queued, each once; (2) a send's future completes once: with success
 * when its last byte was written, else failed by {@link #close} — unless a sender holds the
 * turn then, which fails what is left when it releases it ({@code failWhenReleased}), since
 * its write may have taken those bytes already; (3) futures complete after the turn is
 * released, never under the lock, so a callback may send again; (4) the bound below; (5) the
 * stage is claimed before anything is queued under the lock, before each write and before the
 * queue closes, so staged frames keep their place in the one order of (1).
 *
 * <p><b>Bound:</b> data frames enter while the queue holds less than {@code maxQueuedBytes} (one
 * larger frame only into an empty queue); control frames ignore the bound and are bounded by
 * construction ({@link SendLedger}). A staged frame enters only below the high watermark
 * (queued plus staged bytes), so staging never crosses a watermark or the bound unseen.
 *
 * <p><b>Thread safety:</b> {@link #offer}, {@link #offerFlush}, {@link #park}, {@link #close},
 * {@link #writeInline} and the accessors from any thread; {@link #flush}, {@link #offerControl},
 * {@link #offerPong}, {@link #offerPing}, {@link #corkExpired}, {@link #takeFlushRequest} and
 * {@link #release} on the channel's I/O thread.
 */
final class Outbound implements WriteTurn.Queue {

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
  /** Room in a stage past a batch, so the frame that completes a batch usually fits. */
  private static final int STAGE_SLACK = 8 * 1024;
  /** Writes per turn on a sender's thread: it returns to its caller soon. */
  private static final int MAX_WRITES_INLINE = 2;

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
  /** The senders' stage (see {@link SendStage}); its claims and grants run under {@code lock}. */
  private final Staging staging;

  // Guarded by lock.
  private boolean closed;
  /** One thread's plain sends in a row that found the writer behind (see {@link FloodCount}). */
  private final FloodCount flood;
  /** {@link #close} ran while a sender held the turn: it fails what is unwritten when it releases it. */
  private boolean failWhenReleased;

  /** The byte and message counters; written under lock, read without it. */
  private final QueueCounts counts = new QueueCounts();
  /** The turn holder's loop; its state is the turn holder's. */
  private final WriteLoop loop;

  /**
   * @param segment the TCP segment size to cut batch writes to, 0 for none
   *     (see {@link OutboundBuffers#segmentFor})
   */
  Outbound(CodecSession encoder, int maxQueuedBytes, int lowWatermark, int highWatermark, int segment,
      Completions completions) {
    this.encoder = encoder;
    this.completions = completions;
    this.maxQueuedBytes = maxQueuedBytes;
    int batch = segment > 0 ? 2 * segment : DEFAULT_BATCH;
    this.flood = new FloodCount(batch);
    this.turn = new WriteTurn(batch, this);
    long cap = (long) maxQueuedBytes + CONTROL_RESERVE + segment;
    this.buffers = new OutboundBuffers(segment, cap);
    this.ledger = new SendLedger(lowWatermark, highWatermark, maxQueuedBytes);
    this.loop = new WriteLoop(this, buffers, turn);
    this.staging = new Staging(this, encoder, buffers, turn, batch, highWatermark,
        (int) Math.min(buffers.pendingHeadroom(Integer.MAX_VALUE) + batch + STAGE_SLACK, cap));
  }

  /** Whether the calling thread stages its frames (owns the stage, not revoked); for tests. */
  boolean staging() {
    synchronized (lock) {
      return staging.staging();
    }
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
    // A sender on its own thread without a future may stage: a corked frame, or a flood's plain one.
    boolean mayStage = mayInline && waiter == null;
    boolean plain = mayStage && !more;
    if (mayStage) {
      Offered staged = staging.offer(type, a, off, len, b, more);
      if (staged != null) {
        return staged;
      }
    }
    synchronized (lock) {
      if (closed) {
        return Offered.CLOSED;
      }
      staging.claim();
      int n = encoder.encodedLength(type, b != null ? b.remaining() : len);
      // One frame larger than the bound still goes when the queue is empty, else it never could.
      // Parked sends go first: nothing jumps the line.
      long queued = counts.queued();
      if ((queued > 0 && queued + n > maxQueuedBytes) || ledger.hasParked()) {
        return Offered.FULL;
      }
      encodeLocked(n, type, a, off, len, b);
      counts.messages(1);
      if (waiter != null) {
        ledger.await(counts.enqueued(), waiter);
      }
      boolean flood = this.flood.count(plain, more, n, turn, staging);
      WriteTurn.Step step = turn.on(more || flood ? WriteTurn.Event.CORKED : WriteTurn.Event.PROMPT, mayInline);
      if ((more && mayStage) || flood) {
        // A stream: its next frames may be staged, once a backstop is on its way.
        if (step == WriteTurn.Step.NONE && !turn.corkTimerPending()) {
          step = turn.armCorkTimer();
        }
        staging.grant(flood);
      } else if (!more) {
        // A prompt send ends the sender's stream, as flush does.
        staging.endStream();
      }
      return accepted(step);
    }
  }

  /** Bytes of the current queue's end that must leave now (lock); for tests. */
  long promptEnd() {
    synchronized (lock) {
      return turn.promptEnd();
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
      if (closeAfter) {
        // Everything the stage published goes before the BYE; nothing after it.
        staging.revoke();
      } else {
        staging.claim();
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
      staging.claim();
      if (ledger.pongUnwritten(counts.written())) {
        ledger.owePong(encoder, body);
        return WriteTurn.Step.NONE;
      }
      encodeLocked(FrameType.PONG, body);
      ledger.pongQueued(counts.enqueued());
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
      staging.claim();
      if (counts.queued() > 0) {
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
    counts.queue(pending.position() - start);
  }

  // ---- for Staging ----

  /** The lock that guards the queue; {@link Staging} takes it for what it changes. */
  Object lock() {
    return lock;
  }

  /** Queues {@code n} bytes and {@code frames} messages a claim moved into the buffers (lock held). */
  void claimed(int n, long frames) {
    counts.queue(n);
    counts.messages(frames);
  }

  /** Queued bytes as last written, without the lock (opaque). */
  long queuedOpaque() {
    return counts.queuedOpaque();
  }

  /** Claims what was staged (lock held); for {@link WriteLoop}. */
  void claimStaged() {
    staging.claim();
  }

  /** Whether parked sends wait (lock held): a stage is not granted then. */
  boolean hasParked() {
    return ledger.hasParked();
  }

  /** The result of an accepted frame, with the watermark crossing (lock held). */
  Offered accepted(WriteTurn.Step step) {
    return Offered.queued(step, ledger.checkHigh(counts.queued()));
  }

  /**
   * Asks for everything queued (corked frames too) to be written now. Any thread.
   *
   * @param mayInline whether the caller may take the write turn (not the I/O thread)
   */
  WriteTurn.Step offerFlush(boolean mayInline) {
    synchronized (lock) {
      if (closed) {
        return WriteTurn.Step.NONE;
      }
      staging.claim();
      staging.endStream();
      // The sender wants its frames out now: a flood starts again from nothing.
      flood.reset();
      if (counts.queued() == 0) {
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
      // Parked sends go first: the stream stops until they are queued.
      staging.revoke();
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
    if (closed || !ledger.hasParked()) {
      return;
    }
    staging.claim();
    SendLedger.Parked p;
    while ((p = ledger.nextAdmissible(counts.queued())) != null) {
      queueEncoded(p.frame());
      counts.messages(1);
      ledger.admitted(p, counts.enqueued());
    }
  }

  /** Queues an already encoded frame (a parked send, an owed PONG) to leave now (lock held). */
  private void queueEncoded(ByteBuffer frame) {
    int n = frame.remaining();
    buffers.pendingFor(n).put(frame);
    counts.queue(n);
    turn.promptThrough(counts.enqueued());
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
      // The backstop takes what the stream published and stops it (invariant 4 of SendStage).
      staging.revoke();
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
      blocked = loop.run(channel, io ? MAX_WRITES_PER_FLUSH : MAX_WRITES_INLINE);
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

  /** The turn holder wrote {@code n} bytes: completes their sends, queues an owed PONG, admits parked sends. */
  void written(int n) {
    synchronized (lock) {
      counts.written(n);
      ledger.completeUpTo(counts.written(), turnDone);
      if (!closed) {
        ByteBuffer pong = ledger.takeOwedPong(counts.written());
        if (pong != null) {
          queueEncoded(pong);
          ledger.pongQueued(counts.enqueued());
        }
        admitLocked();
      }
      ledger.checkLow(counts.queued());
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
    return counts.enqueued();
  }

  @Override
  public long writtenTotal() {
    return counts.written();
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public boolean hasQueued() {
    return counts.queued() > 0;
  }

  @Override
  public boolean wroteInLoop() {
    return loop.wrote();
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
      staging.revoke();
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
      staging.revoke();
      closed = true;
      staging.drop();
      counts.clearQueued();
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

  /** Bytes queued and unwritten, the stream's unclaimed ones included (approximately). Any thread. */
  long queuedBytes() {
    return counts.queuedOpaque() + staging.unclaimedBytes();
  }

  /** Bytes written to the channel so far, control frames included. Any thread. */
  long writtenBytes() {
    return counts.writtenOpaque();
  }

  long messages() {
    return counts.messagesOpaque() + staging.unclaimedMessages();
  }

  long bytes() {
    return counts.enqueuedOpaque() + staging.unclaimedBytes();
  }
}
