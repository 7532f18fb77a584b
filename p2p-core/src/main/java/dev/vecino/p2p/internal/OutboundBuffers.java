package dev.vecino.p2p.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The two direct buffers of one connection's outbound queue: senders encode frames into
 * {@code pending}; the writer swaps it with the drained {@code writing} and writes that, so
 * senders keep filling one buffer while the other drains.
 *
 * <p>Writes are cut to whole TCP segments where the segment size is known (loopback): a write
 * that is not a whole number of segments leaves a short tail segment, which on loopback costs
 * about as much as a full one, so whole-segment writes move ~2-3x the bytes per second
 * (PERF-NOTES "Write sizes"). A tail shorter than a segment is put in front of the next batch,
 * into headroom kept at the start of {@code pending} ({@link #mergeTail}).
 *
 * <p><b>Bound:</b> each buffer grows by doubling but never past {@code capacityCap} (the queue
 * bound, {@link Outbound#CONTROL_RESERVE} and a segment of headroom), unless one frame needs
 * more (then that frame plus the reserve); a buffer grown past the cap for one large frame is
 * dropped once written.
 *
 * <p><b>Thread safety:</b> none of its own. {@code pending} and {@code pendingStart} are guarded
 * by the owning {@link Outbound}'s lock; {@code writing} belongs to whoever holds the write
 * turn ({@link WriteTurn.State#IO_WRITING} or {@link WriteTurn.State#SENDER_WRITING}), which
 * takes it over under that lock ({@link #swap}, {@link #mergeTail}). A {@link SendStage}'s
 * buffer becomes {@code pending} in {@link #takeStage} (its owner's claim, under the lock),
 * and the drained buffer becomes the stage's: three buffers circulate while a stream runs.
 */
final class OutboundBuffers {

  /** TCP's segment size on Linux loopback: MTU 65,536 less 40 bytes of headers and 12 of timestamps. */
  static final int LOOPBACK_SEGMENT = 65_483;
  private static final int INITIAL_CAPACITY = 8 * 1024;

  /** The TCP segment size writes are cut to, 0 for none. */
  final int segment;
  /** The capacity a buffer's doubling stops at. */
  private final long capacityCap;

  /** What senders queue into; guarded by the Outbound's lock. Null until the first frame. */
  private ByteBuffer pending;
  /** Where frames start in {@code pending}: 0, or {@code segment} of headroom for a tail. Lock. */
  private int pendingStart;
  /** What the write-turn holder writes; null or drained when nothing is taken. Turn holder only. */
  private ByteBuffer writing;

  /** The segment size to cut writes to for a peer at this address (0: do not cut). */
  static int segmentFor(InetSocketAddress remote) {
    return remote != null && remote.getAddress() != null && remote.getAddress().isLoopbackAddress()
        ? LOOPBACK_SEGMENT : 0;
  }

  OutboundBuffers(int segment, long capacityCap) {
    this.segment = segment;
    this.capacityCap = capacityCap;
  }

  // ---- senders' side (lock held) ----

  /** The buffer to encode a frame of {@code n} bytes into, grown if needed. Lock held. */
  ByteBuffer pendingFor(int n) {
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
    return pending;
  }

  /**
   * Queues {@code n} bytes of a {@link SendStage} from {@code from}: the stage's buffer becomes
   * {@code pending} when nothing else is queued, {@code swap} allows (the owner's claim) and it
   * is no smaller than {@code pending} (no copy), else they are copied. Lock held.
   *
   * <p>A smaller stage buffer never takes {@code pending}'s place: while the peer reads slower
   * than the sender writes, {@code pending} has grown to hold what waits, and a small buffer in
   * its place would grow again by doubling, allocating and zeroing megabytes of direct memory
   * per cycle that only a GC frees (measured: 80–440 MB in 7 s of a 1 KiB flood, and runs
   * stalled in {@code Bits.reserveMemory}). The claim copies instead: the peer is the
   * bottleneck then, and a copy of one batch costs less than the growth it avoids.
   *
   * @return the buffer the stage continues with: {@code stage} (copied), or a drained one (at
   *     least {@code capacity} bytes) after a swap
   */
  ByteBuffer takeStage(ByteBuffer stage, int from, int n, boolean swap, int capacity) {
    if (swap && pendingBytes() == 0 && from >= pendingHeadroom(stage.capacity())
        && (pending == null || stage.capacity() >= pending.capacity())) {
      ByteBuffer old = pending;
      pending = stage;
      pendingStart = from;
      return old != null && old.capacity() >= capacity ? old : ByteBuffer.allocateDirect(capacity);
    }
    ByteBuffer into = pendingFor(n);
    into.put(into.position(), stage, from, n);
    into.position(into.position() + n);
    return stage;
  }

  /** The headroom {@code pending} keeps for a tail in a buffer of this capacity. */
  int pendingHeadroom(int capacity) {
    return segment > 0 && capacity >= 2 * segment ? segment : 0;
  }

  /** Bytes queued in {@code pending}, not yet taken by a writer. Lock held. */
  int pendingBytes() {
    return pending == null ? 0 : pending.position() - pendingStart;
  }

  /** Whether the turn holder's buffer still has bytes. Turn holder, or under the lock. */
  boolean writingHasRemaining() {
    return writing != null && writing.hasRemaining();
  }

  // ---- the turn holder's side ----

  /** The buffer to write. Turn holder only. */
  ByteBuffer writing() {
    return writing;
  }

  /** Makes what is queued the buffer to write; false if nothing is queued. Lock held, by the turn holder. */
  boolean swap() {
    if (pendingBytes() == 0) {
      return false;
    }
    swapFrom(pendingStart);
    return true;
  }

  /**
   * Puts the unwritten tail of {@code writing} in front of the frames queued in {@code pending}
   * (into its headroom) and makes that the buffer to write. Lock held, by the turn holder.
   *
   * @return true when {@code writing} now holds a whole segment or more
   */
  boolean mergeTail() {
    int tail = writing.remaining();
    if (pendingBytes() > 0 && pendingStart >= tail) {
      int start = pendingStart - tail;
      pending.put(start, writing, writing.position(), tail);
      swapFrom(start);
      return writing.remaining() >= segment;
    }
    return false;
  }

  private void swapFrom(int start) {
    ByteBuffer drained = writing;
    writing = pending;
    writing.limit(writing.position());
    writing.position(start);
    // A buffer grown past the cap for one large frame is not kept for the small ones.
    pending = drained != null && drained.capacity() > capacityCap ? null : drained;
    if (pending != null) {
      pending.clear();
      // Headroom for a tail once it has held a batch (only a stream grows it that far).
      pendingStart = pendingHeadroom(pending.capacity());
      pending.position(pendingStart);
    } else {
      pendingStart = 0;
    }
  }

  /** Drops both buffers (the channel is gone). Lock held, when no sender holds the turn. */
  void release() {
    pending = null;
    writing = null;
  }

  /**
   * A buffer capacity of at least {@code needed}: {@code from} doubled until it fits, but not
   * past {@code capacityCap}. When one frame needs more than that, just enough for it plus
   * {@link Outbound#CONTROL_RESERVE}, so the few control frames that may follow it do not each
   * copy the buffer again.
   */
  private int grownCapacity(int from, long needed) {
    long capacity = Math.max(from, 1);
    while (capacity < needed) {
      capacity <<= 1;
    }
    capacity = needed <= capacityCap ? Math.min(capacity, capacityCap) : needed + Outbound.CONTROL_RESERVE;
    return (int) Math.min(capacity, Integer.MAX_VALUE - 8);
  }
}
