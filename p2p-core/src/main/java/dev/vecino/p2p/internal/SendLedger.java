package dev.vecino.p2p.internal;

import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.transport.EventLoop;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The bookkeeping of one {@link Outbound} besides its bytes: the futures waiting for their
 * frame to be written, the sends parked until the queue has room, the PONG owed, and the
 * writability watermarks.
 *
 * <p><b>Bound:</b> parked sends hold at most {@code maxQueuedBytes} of payload. Control frames
 * are bounded by construction: one HELLO, one BYE (it closes the queue), at most one unwritten
 * PONG (later PINGs replace the PONG owed, queued once the last one is written) and at most
 * one heartbeat PING, only into an empty queue.
 *
 * <p><b>Thread safety:</b> none of its own: every method runs under the owning
 * {@link Outbound}'s lock, except {@link #isUnwritable} (a volatile read).
 */
final class SendLedger {

  private final int lowWatermark;
  private final int highWatermark;
  private final int maxQueuedBytes;

  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(0);
  /** Sends waiting for room (the wait-with-timeout policy), in order. */
  private final ArrayDeque<Parked> parked = new ArrayDeque<>(0);
  private long parkedBytes;
  /** Where the last PONG queued ends, counted like the queue's bytes: unwritten while fewer were written. */
  private long pongEnd;
  /** The encoded PONG owed (heap, reused: a PING flood makes no garbage here); null until needed. */
  private ByteBuffer pongSlot;
  private boolean pongOwed;
  private volatile boolean unwritable;
  private boolean becameWritable;

  private record Waiter(long end, CompletableFuture<Void> future) {}

  /** A send waiting for room in the queue. */
  static final class Parked {
    final FrameType type;
    /** The payload's length: what the parked bytes count. */
    final int length;
    /** The caller's payload, until {@link #park} encodes it into {@code frame}. */
    private byte[] payload;
    /** The encoded frame: made when parked, so admitting it later only copies bytes and cannot throw. */
    private ByteBuffer frame;
    final CompletableFuture<Void> future;
    EventLoop.Timer timer;

    /** The encoded frame, from when it was parked until it is queued. */
    ByteBuffer frame() {
      return frame;
    }

    Parked(FrameType type, byte[] payload, CompletableFuture<Void> future) {
      this.type = type;
      this.length = payload.length;
      this.payload = payload;
      this.future = future;
    }
  }

  SendLedger(int lowWatermark, int highWatermark, int maxQueuedBytes) {
    this.lowWatermark = lowWatermark;
    this.highWatermark = highWatermark;
    this.maxQueuedBytes = maxQueuedBytes;
  }

  // ---- futures ----

  /** Completes {@code future} once the queue's written bytes reach {@code end}. */
  void await(long end, CompletableFuture<Void> future) {
    waiters.add(new Waiter(end, future));
  }

  /** Moves the futures of frames written up to {@code written} to {@code done}. */
  void completeUpTo(long written, List<CompletableFuture<Void>> done) {
    Waiter w;
    while ((w = waiters.peek()) != null && w.end() <= written) {
      waiters.poll();
      done.add(w.future());
    }
  }

  /** Moves every waiting future to {@code failed}. */
  void drainWaiters(List<CompletableFuture<Void>> failed) {
    for (Waiter w : waiters) {
      failed.add(w.future());
    }
    waiters.clear();
  }

  // ---- parked sends ----

  boolean hasParked() {
    return !parked.isEmpty();
  }

  /** Parks a send if the parked bytes stay within the queue's bound; encodes it now. */
  boolean park(Parked p, CodecSession encoder) throws CodecException {
    if (parkedBytes + p.length > maxQueuedBytes) {
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

  boolean unpark(Parked p) {
    if (parked.remove(p)) {
      parkedBytes -= p.length;
      return true;
    }
    return false;
  }

  /**
   * The next parked send if its frame fits a queue holding {@code queued} bytes, taken out of
   * the parked list (its timer cancelled); the caller queues {@link Parked#frame} and calls
   * {@link #admitted}.
   */
  Parked nextAdmissible(long queued) {
    Parked p = parked.peek();
    if (p == null || (queued > 0 && queued + p.frame.remaining() > maxQueuedBytes)) {
      return null;
    }
    parked.poll();
    parkedBytes -= p.length;
    if (p.timer != null) {
      p.timer.cancel();
    }
    return p;
  }

  /** The frame of {@code p} (from {@link #nextAdmissible}) is queued, ending at {@code end}. */
  void admitted(Parked p, long end) {
    p.frame = null;
    waiters.add(new Waiter(end, p.future));
  }

  /** Moves every parked send's future to {@code failed}, cancelling its timer. */
  void drainParked(List<CompletableFuture<Void>> failed) {
    for (Parked p : parked) {
      if (p.timer != null) {
        p.timer.cancel();
      }
      failed.add(p.future);
    }
    parked.clear();
    parkedBytes = 0;
  }

  // ---- the PONG owed ----

  /** Whether the last PONG queued is still unwritten. */
  boolean pongUnwritten(long written) {
    return pongEnd > written;
  }

  /** Keeps this PING's PONG to queue once the last one is written (replacing any owed before). */
  void owePong(CodecSession encoder, byte[] body) throws CodecException {
    int n = encoder.encodedLength(FrameType.PONG, body.length);
    if (pongSlot == null || pongSlot.capacity() < n) {
      pongSlot = ByteBuffer.allocate(n);
    }
    pongOwed = false;
    pongSlot.clear();
    encoder.encode(FrameType.PONG, body, 0, body.length, pongSlot);
    pongSlot.flip();
    pongOwed = true;
  }

  /** A PONG was queued, ending at {@code end}. */
  void pongQueued(long end) {
    pongEnd = end;
    pongOwed = false;
  }

  /** The owed PONG, if the last one is written by now; the caller queues it and calls {@link #pongQueued}. */
  ByteBuffer takeOwedPong(long written) {
    return pongOwed && pongEnd <= written ? pongSlot : null;
  }

  // ---- watermarks ----

  /** Whether the queue just rose above the high watermark with {@code queued} bytes. */
  boolean checkHigh(long queued) {
    if (!unwritable && queued + parkedBytes > highWatermark) {
      unwritable = true;
      return true;
    }
    return false;
  }

  /** Notes when the queue fell under the low watermark with {@code queued} bytes. */
  void checkLow(long queued) {
    if (unwritable && queued + parkedBytes <= lowWatermark) {
      unwritable = false;
      becameWritable = true;
    }
  }

  boolean takeBecameWritable() {
    boolean b = becameWritable;
    becameWritable = false;
    return b;
  }

  boolean isUnwritable() {
    return unwritable;
  }
}
