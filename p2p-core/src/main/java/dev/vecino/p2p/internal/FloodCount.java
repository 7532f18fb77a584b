package dev.vecino.p2p.internal;

/**
 * Tells a flood of plain sends from the rest, for one connection's {@link Outbound}: a plain
 * send is part of a flood when the same thread's plain sends before it — a whole batch of bytes
 * and at least {@link #SENDS} of them, with no pause of {@link #PAUSE_NANOS} — and this one each
 * found the write turn held or waited for, or active within {@link WriteTurn#INLINE_IDLE_NANOS}
 * ({@link WriteTurn#idleNanos}): the writer is behind. A send that finds the turn idle a little
 * longer neither counts nor ends the count (the writer caught up for a moment). The sender then
 * outpaces the writer, and its frames are better batched than written in pieces beside it:
 * {@link Outbound} corks them as {@code trySendMore}'s are and grants the sender the stage, so
 * they leave a batch at a time, written by the sender, or with the backstop.
 *
 * <p>The count starts again when a send finds the turn idle longer than the pause, when another
 * thread's plain send comes between, and on a flush or any send that is not a plain one
 * ({@link #reset}). A flood's staged sends do not pass here, so the flood lasts until its stage
 * is revoked (the backstop, at most about a millisecond after the grant).
 *
 * <p><b>Thread safety:</b> none of its own; every method runs under the owning
 * {@link Outbound}'s lock.
 */
final class FloodCount {

  /** Plain sends in a row, besides a batch of bytes, before the next one is part of a flood. */
  static final int SENDS = 32;
  /** A turn idle this long when a plain send comes ends the count: the sender paused. */
  static final long PAUSE_NANOS = 50_000;

  private final int batch;
  /** Bytes of {@code sender}'s plain sends in a row that found the writer behind. */
  private int bytes;
  /** How many sends {@code bytes} counts, up to {@link #SENDS}. */
  private int sends;
  /** The thread counted; null after an idle turn, so a dead thread is not kept long. */
  private Thread sender;

  /**
   * @param batch the queue's batch: bytes a sender writes itself at once
   */
  FloodCount(int batch) {
    this.batch = batch;
  }

  /**
   * Counts the calling thread's send of {@code n} bytes, on the lock path: true if it is a plain
   * send that is part of a flood. A corked send turns the sender's flood stage into a stream's,
   * any send that is not a plain one starts the count again, and a plain send that ends the
   * sender's corked stream is never part of a flood: so the one that ends a {@code trySendMore}
   * burst always leaves now.
   */
  boolean count(boolean plain, boolean more, int n, WriteTurn turn, Staging staging) {
    if (more) {
      staging.endFlood();
    }
    if (!plain) {
      reset();
      return false;
    }
    return !staging.streams() && plainSend(n, turn);
  }

  /** Counts the calling thread's plain send of {@code n} bytes: true if it is part of a flood. */
  private boolean plainSend(int n, WriteTurn turn) {
    Thread me = Thread.currentThread();
    if (me != sender) {
      // One thread's sends in a row: another sender's message, in the middle, is not batched with them.
      sender = me;
      reset();
    }
    long idle = turn.idleNanos();
    if (idle > PAUSE_NANOS) {
      reset();
      sender = null;
      return false;
    }
    if (idle > WriteTurn.INLINE_IDLE_NANOS) {
      // A short gap (the writer caught up for a moment): neither a sign of a flood nor its end.
      return false;
    }
    // The sends before this one make the batch, and are many: a few large sends are no flood
    // (each is a big write already), and the small one after them leaves now.
    boolean flood = bytes >= batch && sends >= SENDS;
    bytes = Math.min(bytes + n, Integer.MAX_VALUE / 2);
    sends = Math.min(sends + 1, SENDS);
    return flood;
  }

  /** Starts the count again: a flush (or see {@link #count}). */
  void reset() {
    bytes = 0;
    sends = 0;
  }
}
