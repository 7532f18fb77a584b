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
 * One connection's outbound queue: a byte bound, two direct buffers and a flush flag.
 *
 * <p>Senders on any thread encode frames straight into {@code pending} under {@code lock}
 * (no per-message allocation). The I/O thread swaps {@code pending} and {@code writing}
 * under the lock and writes {@code writing} without it, so senders keep filling one buffer
 * while the other drains; under load many frames leave in one large write, and when idle a
 * frame leaves at once. A sender schedules a flush only when none is scheduled, so a flood
 * costs one wake-up per drained batch, not one per message.
 *
 * <p><b>Thread safety:</b> {@link #offer} from any thread; {@link #flush} on the channel's
 * I/O thread only.
 */
final class Outbound {

  /** Status codes returned by {@link #offer}. */
  static final int OK = 0;
  static final int FULL = 1;
  static final int CLOSED = 2;
  /** Queued, and the queue just rose above the high watermark. */
  static final int OK_UNWRITABLE = 3;

  private static final int INITIAL_CAPACITY = 8 * 1024;
  /** Writes per flush before yielding to other channels of the loop. */
  private static final int MAX_WRITES_PER_FLUSH = 16;

  private final Object lock = new Object();
  private final CodecSession encoder;
  private final int maxQueuedBytes;
  private final int lowWatermark;
  private final int highWatermark;

  // Guarded by lock.
  private ByteBuffer pending;
  private long queued;
  private long enqueuedTotal;
  private long messages;
  private boolean flushScheduled;
  /** A sender's thread holds the write turn (see {@link #flushInline}); the I/O thread keeps off. */
  private boolean inlineActive;
  private long lastAcquireNanos;
  private boolean closed;
  private boolean unwritable;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(0);
  /** Sends waiting for room (the wait-with-timeout policy), in order; bounded by {@code maxQueuedBytes}. */
  private final ArrayDeque<Parked> parked = new ArrayDeque<>(0);
  private long parkedBytes;

  // I/O thread only.
  private ByteBuffer writing;
  private long writtenTotal;

  private record Waiter(long end, CompletableFuture<Void> future) {}

  /** A send waiting for room in the queue. */
  static final class Parked {
    final FrameType type;
    final byte[] payload;
    final CompletableFuture<Void> future;
    EventLoop.Timer timer;

    Parked(FrameType type, byte[] payload, CompletableFuture<Void> future) {
      this.type = type;
      this.payload = payload;
      this.future = future;
    }
  }

  Outbound(CodecSession encoder, int maxQueuedBytes, int lowWatermark, int highWatermark) {
    this.encoder = encoder;
    this.maxQueuedBytes = maxQueuedBytes;
    this.lowWatermark = lowWatermark;
    this.highWatermark = highWatermark;
  }

  /**
   * Encodes a frame into the queue.
   *
   * @param force ignore the byte bound (control frames: PONG, BYE)
   * @param userMessage count it as a message
   * @param waiter completed once the frame is written, or null
   * @param closeAfter refuse every later frame (used for BYE)
   * @param mayInline whether the caller may write itself if the connection is idle
   * @return {@link #OK}, {@link #OK_UNWRITABLE}, {@link #FULL} or {@link #CLOSED} (read it
   *     with {@link #status}); a queued frame also carries the write turn it took, in the same
   *     lock: {@link #turn} gives {@link #NONE}, {@link #SCHEDULE} or {@link #INLINE}
   */
  int offer(FrameType type, byte[] a, int off, int len, ByteBuffer b, boolean force, boolean userMessage,
      CompletableFuture<Void> waiter, boolean closeAfter, boolean mayInline) throws CodecException {
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
      int turn = acquireLocked(mayInline) << TURN_SHIFT;
      if (!unwritable && queued + parkedBytes > highWatermark) {
        unwritable = true;
        return OK_UNWRITABLE | turn;
      }
      return OK | turn;
    }
  }

  private static final int TURN_SHIFT = 2;
  private static final int STATUS_MASK = (1 << TURN_SHIFT) - 1;

  /** The status part of an {@link #offer} result. */
  static int status(int offered) {
    return offered & STATUS_MASK;
  }

  /** The write-turn part of an {@link #offer} result. */
  static int turn(int offered) {
    return offered >>> TURN_SHIFT;
  }

  /**
   * Parks a send until the queue has room, if the parked bytes stay within the bound.
   *
   * @return false if it could not be parked (closed, or too much already parked)
   */
  boolean park(Parked p) {
    synchronized (lock) {
      if (closed || parkedBytes + p.payload.length > maxQueuedBytes) {
        return false;
      }
      parked.add(p);
      parkedBytes += p.payload.length;
      return true;
    }
  }

  /** Removes a parked send whose time ran out; returns false if it was already queued. */
  boolean unpark(Parked p) {
    synchronized (lock) {
      if (parked.remove(p)) {
        parkedBytes -= p.payload.length;
        return true;
      }
      return false;
    }
  }

  /** Moves parked sends into the queue while they fit. I/O thread, after bytes were written. */
  private void admitParked() {
    Parked p;
    while ((p = parked.peek()) != null && !closed) {
      int n = encoder.encodedLength(p.type, p.payload.length);
      if (queued > 0 && queued + n > maxQueuedBytes) {
        return;
      }
      parked.poll();
      parkedBytes -= p.payload.length;
      if (p.timer != null) {
        p.timer.cancel();
      }
      ensurePending(n);
      encoder.encode(p.type, p.payload, 0, p.payload.length, pending);
      queued += n;
      enqueuedTotal += n;
      messages++;
      waiters.add(new Waiter(enqueuedTotal, p.future));
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


  /** {@link #turn} of an {@link #offer}: a flush is already scheduled or running; nothing to do. */
  static final int NONE = 0;
  /** {@link #turn} of an {@link #offer}: the caller must schedule a flush on the I/O thread. */
  static final int SCHEDULE = 1;
  /** {@link #turn} of an {@link #offer}: the caller holds the write turn and writes now, with {@link #flushInline}. */
  static final int INLINE = 2;

  /**
   * A sender that finds the connection idle this long writes its frame itself instead of
   * waking the I/O thread: one system call instead of a thread hand-off (tens of µs here).
   * Under load, flush requests come faster than this and batching on the I/O thread wins.
   */
  static final long INLINE_IDLE_NANOS = 20_000;

  /**
   * Takes the write turn for the I/O thread once per batch: returns true when the caller must
   * schedule a flush there, false when a flush is already scheduled or running.
   */
  boolean takeFlushRequest() {
    synchronized (lock) {
      return acquireLocked(false) == SCHEDULE;
    }
  }

  /**
   * Takes the write turn if it is free (lock held).
   *
   * @param mayInline whether the caller may write itself (not on the I/O thread)
   * @return {@link #NONE}, {@link #SCHEDULE} or {@link #INLINE}
   */
  private int acquireLocked(boolean mayInline) {
    if (flushScheduled) {
      return NONE;
    }
    flushScheduled = true;
    long now = System.nanoTime();
    boolean idle = now - lastAcquireNanos > INLINE_IDLE_NANOS;
    lastAcquireNanos = now;
    if (mayInline && idle) {
      inlineActive = true;
      return INLINE;
    }
    return SCHEDULE;
  }

  /**
   * Writes the queue once from a sender's thread, which holds the write turn
   * ({@link #INLINE}). Returns {@link #DRAINED} (turn released) or {@link #MORE} (the I/O
   * thread must take over: the caller schedules a flush).
   */
  int flushInline(Channel channel, List<CompletableFuture<Void>> done) throws IOException {
    try {
      if (swapLocked(false) == RELEASED) {
        return DRAINED;
      }
      int n = channel.write(writing);
      if (n > 0) {
        written(n, done);
      }
      synchronized (lock) {
        if (!writing.hasRemaining() && (pending == null || pending.position() == 0)) {
          flushScheduled = false;
          return DRAINED;
        }
        return MORE;
      }
    } finally {
      synchronized (lock) {
        inlineActive = false;
      }
    }
  }

  private void ensurePending(int n) {
    if (pending == null) {
      pending = ByteBuffer.allocateDirect(Math.max(INITIAL_CAPACITY, Integer.highestOneBit(n - 1) << 1));
    } else if (pending.remaining() < n) {
      long needed = (long) pending.position() + n;
      int capacity = pending.capacity();
      while (capacity < needed) {
        capacity = capacity > (1 << 29) ? Integer.MAX_VALUE - 8 : capacity << 1;
      }
      ByteBuffer bigger = ByteBuffer.allocateDirect(capacity);
      pending.flip();
      bigger.put(pending);
      pending = bigger;
    }
  }

  /** {@link #flush} result: everything written; the flush flag is clear. */
  static final int DRAINED = 0;
  /** {@link #flush} result: the socket is full; write interest was requested. */
  static final int BLOCKED = 1;
  /** {@link #flush} result: the write budget ran out; run another flush (the flag stays set). */
  static final int MORE = 2;

  /**
   * Writes what is queued.
   *
   * @param done collects the futures of frames now fully written
   * @return {@link #DRAINED}, {@link #BLOCKED} or {@link #MORE}
   */
  int flush(Channel channel, List<CompletableFuture<Void>> done) throws IOException {
    synchronized (lock) {
      if (inlineActive) {
        // A sender is writing; it hands over with a scheduled flush if anything is left.
        return DRAINED;
      }
      flushScheduled = true;
    }
    boolean wrote = false;
    for (int i = 0; i < MAX_WRITES_PER_FLUSH; i++) {
      if (writing != null && writing.hasRemaining()) {
        int n = channel.write(writing);
        if (n > 0) {
          written(n, done);
          wrote = true;
        }
        if (writing.hasRemaining()) {
          channel.requestWritable();
          return BLOCKED;
        }
      }
      // After a write, keep the turn for one more loop pass: under a flood, senders fill the
      // queue meanwhile and need not schedule (and wake) again; the batches grow.
      int swapped = swapLocked(wrote);
      if (swapped == RELEASED) {
        return DRAINED;
      }
      if (swapped == KEPT) {
        return MORE;
      }
    }
    return MORE;
  }

  private static final int SWAPPED = 0;
  private static final int RELEASED = 1;
  private static final int KEPT = 2;

  /**
   * Swaps {@code pending} (what senders filled) into {@code writing}, or, when nothing is
   * pending, releases the write turn (unless asked to keep it). Called by the turn holder.
   *
   * @param keepTurn when nothing is pending, keep the write turn instead of releasing it
   * @return {@link #SWAPPED}, {@link #RELEASED} or {@link #KEPT}
   */
  private int swapLocked(boolean keepTurn) {
    synchronized (lock) {
      if (pending == null || pending.position() == 0) {
        if (keepTurn) {
          return KEPT;
        }
        flushScheduled = false;
        return RELEASED;
      }
      ByteBuffer drained = writing;
      writing = pending;
      pending = drained;
      if (pending != null) {
        pending.clear();
      }
      writing.flip();
      return SWAPPED;
    }
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

  /** Refuses further frames and returns the futures still waiting, to be failed. Any thread. */
  List<CompletableFuture<Void>> close() {
    synchronized (lock) {
      closed = true;
      List<CompletableFuture<Void>> left = new ArrayList<>(waiters.size() + parked.size());
      for (Waiter w : waiters) {
        left.add(w.future());
      }
      waiters.clear();
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
      pending = null;
      queued = 0;
    }
    writing = null;
  }

  long queuedBytes() {
    synchronized (lock) {
      return queued;
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
