package dev.vecino.p2p.internal;

import dev.vecino.p2p.transport.Channel;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The write-turn holder's loop over one connection's {@link OutboundBuffers}: takes what was
 * queued (and staged: it claims the {@link Staging} first), writes it cut to whole segments,
 * and reports each write to the {@link Outbound}.
 *
 * <p><b>Thread safety:</b> run only by the holder of the connection's write turn (one thread
 * at a time, handed over under the queue's lock); it takes that lock itself to take work.
 * {@code wrote} is the holder's, read by the turn under the lock when it is released.
 */
final class WriteLoop {

  private final Outbound queue;
  private final OutboundBuffers buffers;
  private final WriteTurn turn;
  /** The last run wrote something. Turn holder. */
  private boolean wrote;

  WriteLoop(Outbound queue, OutboundBuffers buffers, WriteTurn turn) {
    this.queue = queue;
    this.buffers = buffers;
    this.turn = turn;
  }

  /**
   * Swaps in what senders queued and writes it, at most {@code maxWrites} times. A tail
   * shorter than a segment goes in front of the next batch when one is queued; it is written
   * alone only while bytes that must leave now are unwritten. Turn holder.
   *
   * @return true when the socket is full
   */
  boolean run(Channel channel, int maxWrites) throws IOException {
    wrote = false;
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
        wrote = true;
        queue.written(n);
      }
      if (writing.remaining() > tail) {
        return true;
      }
    }
    return false;
  }

  /** Whether the last run wrote something. Turn holder, or under the lock at the release. */
  boolean wrote() {
    return wrote;
  }

  /**
   * Gets the turn holder's buffer ready for one write: claims what was staged, swaps in queued
   * frames, merges a short tail with them, and decides whether the tail goes now.
   *
   * @return the bytes at the end of the buffer to leave for later (a tail that may wait), or
   *     -1 when there is nothing this writer should write now
   */
  private int takeWork() {
    synchronized (queue.lock()) {
      int segment = buffers.segment;
      queue.claimStaged();
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
}
