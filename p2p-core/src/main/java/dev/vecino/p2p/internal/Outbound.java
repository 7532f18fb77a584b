package dev.vecino.p2p.internal;

import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.EventLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One connection's outbound queue: a byte bound, two direct buffers and a write role.
 *
 * <p>Senders on any thread encode frames straight into {@code pending} under {@code lock}
 * (no per-message allocation). One writer at a time (the I/O thread, or a sender's thread)
 * swaps {@code pending} and {@code writing} under the lock and writes {@code writing} without
 * it, so senders keep filling one buffer while the other drains. Under load many frames leave
 * in one large write; when idle a frame leaves at once, written by its sender.
 *
 * <p>Frames queued with {@code more} (the sender promises more frames soon) do not wake the
 * I/O thread: their sender writes whole batches itself, cut to whole TCP segments, until a
 * frame without {@code more} (or {@link #offerFlush}) asks for the rest to go now. A backstop
 * timer writes corked frames nobody flushed within {@link #CORK_NANOS}.
 *
 * <p><b>Bound:</b> data frames enter while the queue holds less than {@code maxQueuedBytes}
 * (one larger frame only into an empty queue). Control frames ignore the bound, so each is
 * bounded by construction: one HELLO, one BYE (it closes the queue), at most one unwritten
 * PONG ({@link #offerPong}: later PINGs replace the PONG owed, which is queued once the last
 * one is written) and at most one heartbeat PING, only into an empty queue
 * ({@link #offerPing}). Each of the two direct buffers grows by doubling but never past the
 * bound plus {@link #CONTROL_RESERVE} and a segment of headroom, unless one frame needs more
 * (then that frame plus the reserve); a buffer grown past that for one large frame is dropped
 * once written.
 *
 * <p><b>Thread safety:</b> {@link #offer} and {@link #flushInline} from any thread;
 * {@link #flush}, {@link #offerPong} and {@link #offerPing} on the channel's I/O thread only.
 * Every field but the writer's ({@code writing}, {@code writtenTotal}) is guarded by
 * {@code lock}; an owed PONG is queued by whichever thread writes the last one.
 */
final class Outbound {

  /**
   * TCP's segment size on Linux loopback: MTU 65,536 less 40 bytes of IP and TCP headers and 12
   * of timestamp option.
   */
  static final int LOOPBACK_SEGMENT = 65_483;

  /** Bytes of corked frames at which their sender writes them itself (no segment size known). */
  static final int DEFAULT_BATCH = 64 * 1024;

  /** How long corked frames wait at most for a flush before the I/O thread writes them. */
  static final long CORK_NANOS = 1_000_000;

  /** The segment size to cut writes to for a peer at this address (0: do not cut). */
  static int segmentFor(java.net.InetSocketAddress remote) {
    return remote != null && remote.getAddress() != null && remote.getAddress().isLoopbackAddress()
        ? LOOPBACK_SEGMENT : 0;
  }

  /** Status codes returned by {@link #offer}. */
  static final int OK = 0;
  static final int FULL = 1;
  static final int CLOSED = 2;
  /** Queued, and the queue just rose above the high watermark. */
  static final int OK_UNWRITABLE = 3;

  private static final int INITIAL_CAPACITY = 8 * 1024;
  /**
   * Room for the control frames a queue holds beyond its bound, each at most once: a HELLO
   * (at most 4,101 bytes), a BYE (1,030), a PONG (69) and a PING (5), with the framed codec.
   */
  static final int CONTROL_RESERVE = 8 * 1024;
  /** Writes per flush before yielding to other channels of the loop. */
  private static final int MAX_WRITES_PER_FLUSH = 16;

  private final Object lock = new Object();
  private final CodecSession encoder;
  private final int maxQueuedBytes;
  private final int lowWatermark;
  private final int highWatermark;
  /**
   * The TCP segment size writes of corked frames are cut to (0: no cutting). A write that is
   * not a whole number of segments leaves a short tail segment, which on loopback costs about
   * as much as a full one: whole-segment writes move ~2-3x the bytes per second.
   */
  private final int segment;
  /** Corked bytes at which their sender writes them itself. */
  private final int batch;
  /** The capacity a buffer's doubling stops at: the bound, the control frames and a segment of headroom. */
  private final long capacityCap;

  // Guarded by lock.
  private ByteBuffer pending;
  /**
   * Where frames start in {@code pending}: 0, or {@code segment} once the buffer is large, so
   * an unwritten tail of the previous batch can be put in front of them (see {@link #mergeTail}).
   */
  private int pendingStart;
  private long queued;
  private long enqueuedTotal;
  private long messages;
  /** A flush task is queued on the I/O thread, or it waits for the socket to drain ({@code blocked}). */
  private boolean flushScheduled;
  /** The backstop timer for corked frames is set. */
  private boolean corkTimerSet;
  /** Who writes now: {@link #W_NONE}, {@link #W_IO} or {@link #W_SENDER}; the writer owns {@code writing}. */
  private int writer;
  /** The socket was full at the last write: only the I/O thread writes, once it drains. */
  private boolean blocked;
  /**
   * Bytes queued up to here must leave now (a frame without {@code more}, a flush, the
   * backstop): until they are written, writers write short tails too. Compared with
   * {@code writtenTotal}; what was queued after it with {@code more} may wait.
   */
  private long promptEnd;
  private long lastAcquireNanos;
  private boolean closed;
  /**
   * {@link #close} ran while a sender held the writer role: the sends of the frames it is
   * writing may have been written already (its write may have returned, not yet counted), so
   * it fails what is still unwritten when it gives up the role.
   */
  private boolean failWhenReleased;
  private boolean unwritable;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(0);
  /** Sends waiting for room (the wait-with-timeout policy), in order; bounded by {@code maxQueuedBytes}. */
  private final ArrayDeque<Parked> parked = new ArrayDeque<>(0);
  private long parkedBytes;
  /**
   * Where the last PONG queued ends, counted like {@code enqueuedTotal}: it is unwritten while
   * fewer bytes than that were written.
   */
  private long pongEnd;
  /** A PING arrived while the last PONG was unwritten: its PONG, encoded in {@code pongSlot}, is owed. */
  private boolean pongOwed;
  /** The encoded PONG owed (heap, reused: a PING flood makes no garbage here); null until needed. */
  private ByteBuffer pongSlot;

  // The writer's (handed over under lock).
  private ByteBuffer writing;
  private long writtenTotal;
  /** The last {@link #writeLoop} wrote something. */
  private boolean wroteInLoop;

  private static final int W_NONE = 0;
  private static final int W_IO = 1;
  private static final int W_SENDER = 2;

  private record Waiter(long end, CompletableFuture<Void> future) {}

  /** A send waiting for room in the queue. */
  static final class Parked {
    final FrameType type;
    /** The payload's length: what the parked bytes count. */
    final int length;
    /** The caller's payload, until {@link #park} encodes it into {@code frame}. */
    private byte[] payload;
    /**
     * The encoded frame, made by {@link #park} under the lock, so a frame the codec refuses
     * fails the send there and then, and admitting it later (on whichever thread writes) only
     * copies bytes and cannot throw.
     */
    private ByteBuffer frame;
    final CompletableFuture<Void> future;
    EventLoop.Timer timer;

    Parked(FrameType type, byte[] payload, CompletableFuture<Void> future) {
      this.type = type;
      this.length = payload.length;
      this.payload = payload;
      this.future = future;
    }
  }

  /**
   * @param segment the TCP segment size to cut batch writes to, 0 for none (see {@link #segmentFor})
   */
  Outbound(CodecSession encoder, int maxQueuedBytes, int lowWatermark, int highWatermark, int segment) {
    this.segment = segment;
    this.batch = segment > 0 ? 2 * segment : DEFAULT_BATCH;
    this.encoder = encoder;
    this.maxQueuedBytes = maxQueuedBytes;
    this.lowWatermark = lowWatermark;
    this.highWatermark = highWatermark;
    this.capacityCap = (long) maxQueuedBytes + CONTROL_RESERVE + segment;
  }

  /**
   * Encodes a frame into the queue.
   *
   * @param force ignore the byte bound (control frames: PONG, BYE)
   * @param userMessage count it as a message
   * @param waiter completed once the frame is written, or null
   * @param closeAfter refuse every later frame (used for BYE)
   * @param mayInline whether the caller may write itself (not on the I/O thread)
   * @param more the sender promises more frames soon: this one may wait for them (corked)
   * @return {@link #OK}, {@link #OK_UNWRITABLE}, {@link #FULL} or {@link #CLOSED} (read it
   *     with {@link #status}); a queued frame also carries what the caller must do next, decided
   *     in the same lock: {@link #turn} gives {@link #NONE}, {@link #SCHEDULE}, {@link #INLINE},
   *     {@link #INLINE_BATCH} or {@link #CORK}
   */
  int offer(FrameType type, byte[] a, int off, int len, ByteBuffer b, boolean force, boolean userMessage,
      CompletableFuture<Void> waiter, boolean closeAfter, boolean mayInline, boolean more)
      throws CodecException {
    synchronized (lock) {
      if (closed) {
        return CLOSED;
      }
      int n = encoder.encodedLength(type, b != null ? b.remaining() : len);
      // One frame larger than the bound still goes when the queue is empty, else it never could.
      // Parked sends go first: nothing jumps the line.
      if (!force && ((queued > 0 && queued + n > maxQueuedBytes) || !parked.isEmpty())) {
        return FULL;
      }
      ensurePending(n);
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
      int written = pending.position() - start;
      queued += written;
      enqueuedTotal += written;
      if (userMessage) {
        messages++;
      }
      if (waiter != null) {
        waiters.add(new Waiter(enqueuedTotal, waiter));
      }
      if (closeAfter) {
        closed = true;
      }
      int turn = (more ? corkedTurnLocked(mayInline) : promptTurnLocked(mayInline)) << TURN_SHIFT;
      if (!unwritable && queued + parkedBytes > highWatermark) {
        unwritable = true;
        return OK_UNWRITABLE | turn;
      }
      return OK | turn;
    }
  }

  /**
   * Queues the PONG that answers a PING, keeping at most one PONG unwritten: while the last
   * one is unwritten, this one is owed instead (replacing any PONG owed before) and
   * {@link #written} queues it once the last one is written. A peer that floods PINGs and
   * never reads makes the queue hold one PONG, not one per PING. I/O thread.
   *
   * @param body the PING's body; not kept
   * @return as {@link #offer}; a PONG owed returns {@link #OK} with nothing to do ({@link #NONE})
   */
  int offerPong(byte[] body) throws CodecException {
    synchronized (lock) {
      if (closed) {
        return CLOSED;
      }
      if (pongEnd > enqueuedTotal - queued) {
        int n = encoder.encodedLength(FrameType.PONG, body.length);
        if (pongSlot == null || pongSlot.capacity() < n) {
          pongSlot = ByteBuffer.allocate(n);
        }
        pongOwed = false;
        pongSlot.clear();
        encoder.encode(FrameType.PONG, body, 0, body.length, pongSlot);
        pongSlot.flip();
        pongOwed = true;
        return OK;
      }
      int offered = offer(FrameType.PONG, body, 0, body.length, null, true, false, null, false, false, false);
      if (status(offered) != CLOSED) {
        pongEnd = enqueuedTotal;
        pongOwed = false;
      }
      return offered;
    }
  }

  /**
   * Queues a heartbeat PING only if the queue is empty: a PING of ours still unwritten, or any
   * queued frame, already tells the peer we are here once it is read. I/O thread.
   *
   * @param body the PING's body; not kept
   * @return as {@link #offer}; {@link #FULL} when skipped
   */
  int offerPing(byte[] body) throws CodecException {
    synchronized (lock) {
      if (closed) {
        return CLOSED;
      }
      if (queued > 0) {
        return FULL;
      }
      return offer(FrameType.PING, body, 0, body.length, null, true, false, null, false, false, false);
    }
  }

  /** Queues the owed PONG now that the last one is written (lock held, by the writer). */
  private void admitOwedPongLocked() {
    int n = pongSlot.remaining();
    ensurePending(n);
    pending.put(pongSlot);
    queued += n;
    enqueuedTotal += n;
    pongEnd = enqueuedTotal;
    promptEnd = enqueuedTotal;
    pongOwed = false;
  }

  /**
   * Asks for everything queued (corked frames too) to be written now, like a frame without
   * {@code more} would. Any thread.
   *
   * @param mayInline whether the caller may write itself (not on the I/O thread)
   * @return {@link #NONE}, {@link #SCHEDULE} or {@link #INLINE}; {@link #NONE} also when closed
   */
  int offerFlush(boolean mayInline) {
    synchronized (lock) {
      if (closed || queued == 0) {
        return NONE;
      }
      return promptTurnLocked(mayInline);
    }
  }

  private static final int TURN_SHIFT = 3;
  private static final int STATUS_MASK = (1 << TURN_SHIFT) - 1;

  /** The status part of an {@link #offer} result. */
  static int status(int offered) {
    return offered & STATUS_MASK;
  }

  /** The next-step part of an {@link #offer} result. */
  static int turn(int offered) {
    return offered >>> TURN_SHIFT;
  }

  /**
   * Parks a send until the queue has room, if the parked bytes stay within the bound. Encodes
   * its frame now: the payload array is not referenced after this returns.
   *
   * @return false if it could not be parked (closed, or too much already parked)
   * @throws CodecException if the codec cannot encode the frame (nothing is parked)
   */
  boolean park(Parked p) throws CodecException {
    synchronized (lock) {
      if (closed || parkedBytes + p.length > maxQueuedBytes) {
        return false;
      }
      ByteBuffer frame = ByteBuffer.allocate(encoder.encodedLength(p.type, p.length));
      encoder.encode(p.type, p.payload, 0, p.length, frame);
      p.frame = frame.flip();
      p.payload = null;
      parked.add(p);
      parkedBytes += p.length;
      return true;
    }
  }

  /** Removes a parked send whose time ran out; returns false if it was already queued. */
  boolean unpark(Parked p) {
    synchronized (lock) {
      if (parked.remove(p)) {
        parkedBytes -= p.length;
        return true;
      }
      return false;
    }
  }

  /** Moves parked sends into the queue while they fit. I/O thread, after bytes were written. */
  private void admitParked() {
    Parked p;
    while ((p = parked.peek()) != null && !closed) {
      int n = p.frame.remaining();
      if (queued > 0 && queued + n > maxQueuedBytes) {
        return;
      }
      parked.poll();
      parkedBytes -= p.length;
      if (p.timer != null) {
        p.timer.cancel();
      }
      ensurePending(n);
      // Encoded by park(): a copy that cannot fail, here inside written() on a writer's thread.
      pending.put(p.frame);
      p.frame = null;
      queued += n;
      enqueuedTotal += n;
      messages++;
      waiters.add(new Waiter(enqueuedTotal, p.future));
      promptEnd = enqueuedTotal;
    }
  }

  /** Admits parked sends now (the queue may have drained before they were parked). I/O thread. */
  void admit() {
    synchronized (lock) {
      if (!parked.isEmpty()) {
        admitParked();
      }
    }
  }

  /** Whether the queue is above its high watermark (set) and not yet back under the low one. */
  boolean isUnwritable() {
    synchronized (lock) {
      return unwritable;
    }
  }


  /** {@link #turn}: a writer or a scheduled flush takes the frame; nothing to do. */
  static final int NONE = 0;
  /** {@link #turn}: the caller must schedule a flush on the I/O thread. */
  static final int SCHEDULE = 1;
  /** {@link #turn}: the caller is the writer and writes everything now, with {@link #flushInline}. */
  static final int INLINE = 2;
  /** {@link #turn}: the caller is the writer and writes whole segments of the batch, with {@link #flushInline}. */
  static final int INLINE_BATCH = 3;
  /** {@link #turn}: the caller must set the backstop timer for corked frames ({@link #corkExpired}). */
  static final int CORK = 4;

  /**
   * A sender that finds the connection idle this long writes its frame itself instead of
   * waking the I/O thread: one system call instead of a thread hand-off (tens of µs here).
   * Under load, flush requests come faster than this and batching on the I/O thread wins.
   */
  static final long INLINE_IDLE_NANOS = 20_000;

  /** The next step after queuing a frame that should leave now (lock held). */
  private int promptTurnLocked(boolean mayInline) {
    promptEnd = enqueuedTotal;
    if (writer != W_NONE || flushScheduled) {
      // The writer sees this frame when it finishes, or the scheduled flush writes it.
      return NONE;
    }
    long now = System.nanoTime();
    boolean idle = now - lastAcquireNanos > INLINE_IDLE_NANOS;
    lastAcquireNanos = now;
    if (mayInline && idle) {
      writer = W_SENDER;
      return INLINE;
    }
    flushScheduled = true;
    return SCHEDULE;
  }

  /** The next step after queuing a corked frame (lock held). */
  private int corkedTurnLocked(boolean mayInline) {
    if (writer != W_NONE || blocked) {
      return NONE;
    }
    if (pending.position() - pendingStart >= batch) {
      if (mayInline) {
        writer = W_SENDER;
        return INLINE_BATCH;
      }
      return requestFlushLocked();
    }
    if (!corkTimerSet && !flushScheduled) {
      corkTimerSet = true;
      return CORK;
    }
    return NONE;
  }

  /**
   * Takes the write turn for the I/O thread: returns true when the caller must schedule a
   * flush there, false when a writer or a scheduled flush will write anyway.
   */
  boolean takeFlushRequest() {
    synchronized (lock) {
      promptEnd = enqueuedTotal;
      if (writer != W_NONE || flushScheduled) {
        return false;
      }
      flushScheduled = true;
      return true;
    }
  }

  /**
   * Writes from a sender's thread, which holds the writer role ({@link #INLINE} or
   * {@link #INLINE_BATCH}), and gives the role up.
   *
   * @param done collects the futures of frames now fully written
   * @param failed collects the futures of frames left unwritten when the queue was closed
   *     ({@link #close}) while this sender wrote
   * @return what the caller must do next: {@link #NONE}, {@link #SCHEDULE} or {@link #CORK}
   */
  int flushInline(Channel channel, List<CompletableFuture<Void>> done, List<CompletableFuture<Void>> failed) {
    int result;
    try {
      result = writeLoop(channel, 2, done);
    } catch (IOException e) {
      // The I/O thread meets the same error on its next write and closes with the reason.
      result = BLOCKED;
    } catch (RuntimeException e) {
      synchronized (lock) {
        releaseSenderLocked(failed);
      }
      throw e;
    }
    synchronized (lock) {
      releaseSenderLocked(failed);
      if (result == BLOCKED) {
        // Only the I/O thread can wait for the socket to drain.
        blocked = true;
        return requestFlushLocked();
      }
      if (closed) {
        // Closing: the I/O thread finishes what is left and then half-closes. Its flush may
        // have run while this sender held the role (and left at once), so hand it over.
        return requestFlushLocked();
      }
      return nextAfterWriteLocked();
    }
  }

  /** Asks for a flush on the I/O thread unless one is scheduled (lock held): {@link #SCHEDULE} or {@link #NONE}. */
  private int requestFlushLocked() {
    if (flushScheduled) {
      return NONE;
    }
    flushScheduled = true;
    return SCHEDULE;
  }

  /** Whether bytes that must leave now (or anything, once closed) are still unwritten (lock held). */
  private boolean mustLeaveNowLocked() {
    return promptEnd > writtenTotal || closed;
  }

  /** A sender gives up the writer role (lock held); fails the unwritten sends if closed meanwhile. */
  private void releaseSenderLocked(List<CompletableFuture<Void>> failed) {
    writer = W_NONE;
    if (failWhenReleased) {
      failWhenReleased = false;
      for (Waiter w : waiters) {
        failed.add(w.future());
      }
      waiters.clear();
    }
  }

  /**
   * What must happen to frames left after a writer gave up its role (lock held): a prompt
   * frame, or any frame once closed, needs a flush; corked ones the backstop timer.
   */
  private int nextAfterWriteLocked() {
    if (!hasPendingLocked() && (writing == null || !writing.hasRemaining())) {
      return NONE;
    }
    if (mustLeaveNowLocked()) {
      // Closed with frames left (BYE queued, or a codec without BYE): they must go now too.
      return requestFlushLocked();
    }
    if (flushScheduled) {
      return NONE;
    }
    if (!corkTimerSet) {
      corkTimerSet = true;
      return CORK;
    }
    return NONE;
  }

  /**
   * The backstop timer for corked frames fired: writes them if nobody else is about to.
   * I/O thread.
   *
   * @return true when the caller must run {@link #flush} now
   */
  boolean corkExpired() {
    synchronized (lock) {
      corkTimerSet = false;
      if (closed || writer != W_NONE || flushScheduled || queued == 0) {
        // A writer sets the timer again when it leaves corked frames behind.
        return false;
      }
      promptEnd = enqueuedTotal;
      flushScheduled = true;
      return true;
    }
  }

  private void ensurePending(int n) {
    if (pending == null) {
      pending = ByteBuffer.allocateDirect(grownCapacity(INITIAL_CAPACITY, n));
      pendingStart = 0;
    } else if (pending.remaining() < n) {
      long needed = (long) pending.position() + n;
      ByteBuffer bigger = ByteBuffer.allocateDirect(grownCapacity(pending.capacity(), needed));
      pending.flip();
      bigger.put(pending);
      pending = bigger;
    }
  }

  /**
   * A buffer capacity of at least {@code needed}: {@code from} doubled until it fits, but not
   * past {@code capacityCap} (where rounding up would overshoot the bound). When one frame
   * needs more than that, just enough for it plus {@link #CONTROL_RESERVE}, so the few control
   * frames that may follow it do not each copy the buffer again.
   */
  private int grownCapacity(int from, long needed) {
    long capacity = Math.max(from, 1);
    while (capacity < needed) {
      capacity <<= 1;
    }
    // Within the bound (control frames and headroom included) needed never passes the cap.
    capacity = needed <= capacityCap ? Math.min(capacity, capacityCap) : needed + CONTROL_RESERVE;
    return (int) Math.min(capacity, Integer.MAX_VALUE - 8);
  }

  /** {@link #flush} result: everything written, or what is left waits for a sender or the timer. */
  static final int DRAINED = 0;
  /** {@link #flush} result: the socket is full; write interest was requested. */
  static final int BLOCKED = 1;
  /** {@link #flush} result: the write budget ran out; run another flush (it is scheduled). */
  static final int MORE = 2;
  /** {@link #flush} result: corked frames are left; set the backstop timer. */
  static final int CORKED = 3;

  /**
   * Writes what is queued. I/O thread: a scheduled flush, the socket drained, or the backstop.
   *
   * @param done collects the futures of frames now fully written
   * @return {@link #DRAINED}, {@link #BLOCKED}, {@link #MORE} or {@link #CORKED}
   */
  int flush(Channel channel, List<CompletableFuture<Void>> done) throws IOException {
    synchronized (lock) {
      flushScheduled = false;
      blocked = false;
      if (writer != W_NONE) {
        // A sender is writing; when it finishes it schedules what is left.
        return DRAINED;
      }
      writer = W_IO;
    }
    int result;
    try {
      result = writeLoop(channel, MAX_WRITES_PER_FLUSH, done);
    } catch (IOException | RuntimeException e) {
      synchronized (lock) {
        writer = W_NONE;
      }
      throw e;
    }
    int next;
    synchronized (lock) {
      writer = W_NONE;
      if (result == BLOCKED) {
        blocked = true;
        flushScheduled = true;
        next = -1;
      } else {
        next = nextAfterWriteLocked();
        if (next == NONE && wroteInLoop && !flushScheduled && !closed) {
          // Keep the turn for one more pass: under a flood, senders fill the queue meanwhile
          // and need not schedule (and wake) this thread again for every few messages.
          flushScheduled = true;
          next = SCHEDULE;
        }
      }
    }
    if (result == BLOCKED) {
      channel.requestWritable();
      return BLOCKED;
    }
    return next == SCHEDULE ? MORE : next == CORK ? CORKED : DRAINED;
  }

  /**
   * The writer's loop: swaps in what senders queued and writes it, at most {@code maxWrites}
   * times. A tail shorter than a segment goes in front of the next batch when one is queued;
   * it is written alone only while bytes that must leave now are unwritten.
   *
   * @return {@link #DRAINED} (nothing more this writer should write now), {@link #BLOCKED}
   *     (the socket is full) or {@link #MORE} (the budget ran out)
   */
  private int writeLoop(Channel channel, int maxWrites, List<CompletableFuture<Void>> done)
      throws IOException {
    wroteInLoop = false;
    int writes = 0;
    for (int steps = 0; writes < maxWrites && steps < 2 * maxWrites + 2; steps++) {
      if (writing == null || !writing.hasRemaining()) {
        if (!swap()) {
          return DRAINED;
        }
      }
      int remaining = writing.remaining();
      int tail = segment > 0 ? remaining % segment : 0;
      if (remaining == tail && tail > 0) {
        // Less than one segment: put it in front of what was queued meanwhile.
        int merged = mergeTail();
        if (merged == MERGED) {
          continue;
        }
        if (merged == LEAVE) {
          return DRAINED;
        }
        tail = 0;
      } else if (tail > 0 && mayWriteTail()) {
        // Nothing to merge the tail with, and it must go now: one write, not two.
        tail = 0;
      }
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
        written(n, done);
      }
      if (writing.remaining() > tail) {
        return BLOCKED;
      }
    }
    return MORE;
  }

  /** Whether bytes that must leave now are unwritten and nothing is queued behind them. Writer only. */
  private boolean mayWriteTail() {
    synchronized (lock) {
      return mustLeaveNowLocked() && !hasPendingLocked();
    }
  }

  private static final int MERGED = 0;
  private static final int WRITE_ALONE = 1;
  private static final int LEAVE = 2;

  /**
   * Puts the unwritten tail of {@code writing} in front of the frames queued in {@code pending}
   * (into its headroom) and makes that the buffer to write. Writer only.
   *
   * @return {@link #MERGED} when {@code writing} now holds a whole segment or more;
   *     {@link #WRITE_ALONE} when what it holds must go now although shorter; {@link #LEAVE}
   *     when it may wait for more frames (all corked)
   */
  private int mergeTail() {
    synchronized (lock) {
      int tail = writing.remaining();
      if (hasPendingLocked() && pendingStart >= tail) {
        int start = pendingStart - tail;
        pending.put(start, writing, writing.position(), tail);
        swapLocked(start);
        if (writing.remaining() >= segment) {
          return MERGED;
        }
      }
      return mustLeaveNowLocked() ? WRITE_ALONE : LEAVE;
    }
  }

  /** Swaps {@code pending} (what senders queued) into {@code writing}; false if nothing is queued. */
  private boolean swap() {
    synchronized (lock) {
      if (!hasPendingLocked()) {
        return false;
      }
      swapLocked(pendingStart);
      return true;
    }
  }

  /**
   * Makes what is queued in {@code pending}, from {@code start}, the buffer to write, and the
   * drained {@code writing} the (empty) buffer to queue into. Lock held, by the writer.
   */
  private void swapLocked(int start) {
    ByteBuffer drained = writing;
    writing = pending;
    writing.limit(writing.position());
    writing.position(start);
    // A buffer grown past the cap for one large frame is not kept for the small ones.
    pending = drained != null && drained.capacity() > capacityCap ? null : drained;
    if (pending != null) {
      resetPendingLocked();
    } else {
      pendingStart = 0;
    }
  }

  private boolean hasPendingLocked() {
    return pending != null && pending.position() > pendingStart;
  }

  /**
   * Empties {@code pending}, with headroom for a tail once it has held a batch (only a stream
   * grows it that far; it then grows once more to fit headroom and a batch).
   */
  private void resetPendingLocked() {
    pending.clear();
    pendingStart = segment > 0 && pending.capacity() >= 2 * segment ? segment : 0;
    pending.position(pendingStart);
  }

  private void written(int n, List<CompletableFuture<Void>> done) {
    writtenTotal += n;
    synchronized (lock) {
      queued -= n;
      Waiter w;
      while ((w = waiters.peek()) != null && w.end() <= writtenTotal) {
        waiters.poll();
        done.add(w.future());
      }
      if (pongOwed && !closed && pongEnd <= writtenTotal) {
        admitOwedPongLocked();
      }
      if (!parked.isEmpty()) {
        admitParked();
      }
      if (unwritable && queued + parkedBytes <= lowWatermark) {
        unwritable = false;
        becameWritable = true;
      }
    }
  }

  /** Set by {@link #written} when the queue fell under the low watermark; read and cleared by the I/O thread. */
  private boolean becameWritable;

  /** Returns and clears the "became writable" transition. I/O thread. */
  boolean takeBecameWritable() {
    synchronized (lock) {
      boolean b = becameWritable;
      becameWritable = false;
      return b;
    }
  }

  /** Whether nothing is left to write. I/O thread. */
  boolean isEmpty() {
    synchronized (lock) {
      return queued == 0;
    }
  }

  /**
   * Refuses further frames and returns the futures still waiting, to be failed. Any thread.
   * While a sender writes, the sends in the queue stay with it: its write may have taken
   * their frames already; it fails the rest when it gives up the role ({@link #flushInline}).
   */
  List<CompletableFuture<Void>> close() {
    synchronized (lock) {
      closed = true;
      List<CompletableFuture<Void>> left = new ArrayList<>(waiters.size() + parked.size());
      if (writer == W_SENDER) {
        failWhenReleased = true;
      } else {
        for (Waiter w : waiters) {
          left.add(w.future());
        }
        waiters.clear();
      }
      for (Parked p : parked) {
        if (p.timer != null) {
          p.timer.cancel();
        }
        left.add(p.future);
      }
      parked.clear();
      parkedBytes = 0;
      return left;
    }
  }

  /** Drops the buffers once the channel is gone. I/O thread. */
  void release() {
    synchronized (lock) {
      closed = true;
      queued = 0;
      if (writer == W_NONE) {
        // A sender still writing keeps its buffer until it fails on the closed channel.
        pending = null;
        writing = null;
      }
    }
  }

  long queuedBytes() {
    synchronized (lock) {
      return queued;
    }
  }

  /** Bytes written to the channel so far, control frames included. Any thread. */
  long writtenBytes() {
    synchronized (lock) {
      return enqueuedTotal - queued;
    }
  }

  long messages() {
    synchronized (lock) {
      return messages;
    }
  }

  long bytes() {
    synchronized (lock) {
      return enqueuedTotal;
    }
  }
}
