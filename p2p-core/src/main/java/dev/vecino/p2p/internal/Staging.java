package dev.vecino.p2p.internal;

import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import java.nio.ByteBuffer;

/**
 * One connection's {@link SendStage} and the rules for it: who may stage (a grant), who takes
 * what was staged (a claim), and the staging sender's path without the lock
 * ({@link #offer}). Staged frames join the {@link Outbound}'s queue only through a claim,
 * under the queue's lock, so the queue keeps one order.
 *
 * <h2>Design and hazards</h2>
 *
 * <p>A sender on its own thread (never the I/O thread) that queues a corked frame
 * ({@code trySendMore}, or a plain send the queue corked as part of a flood) under the lock is
 * granted the stage. It then encodes its next corked frames (and, for a flood, its plain
 * ones) straight into the stage, and takes the lock only when a batch is staged (it claims
 * the stage and, as the write turn allows, writes the batch itself) or when it finds the
 * stage revoked. Everything else takes the lock and claims the stage first, so a frame queued
 * under the lock goes behind every frame staged before it:
 *
 * <table>
 * <caption>Who claims, revokes or ends the stage (all under the queue's lock)</caption>
 * <tr><th>who</th><th>does</th></tr>
 * <tr><td>any send under the lock, a control frame, a flush, the admission of parked
 * sends</td><td>claims first (order); the owner's own prompt send or flush also ends its
 * stream: the stage is free for the next stream</td></tr>
 * <tr><td>the turn holder, before each write</td><td>claims (what it writes includes what was
 * staged: a sender that outpaces a writer which holds the turn, for example while the socket is
 * full, has its frames written by it; the owner's own claim swaps the stage's buffer in
 * without a copy when nothing else is queued)</td></tr>
 * <tr><td>the backstop timer, a park, a close, a BYE</td><td>revokes, then claims</td></tr>
 * </table>
 *
 * <p><b>Invariants</b> (besides {@link SendStage}'s 1–4): (5) only corked frames are staged
 * (a flood's plain frames are corked: its stage is granted as a flood's); a prompt frame
 * always takes the lock and ends its sender's stream, so it leaves under the write turn's rules
 * with everything staged before it — a plain send right after its thread's corked send is
 * always prompt, never part of a flood (a staged corked send turns a flood's stage into a
 * stream's; one on the lock path restarts the flood count); (6) a stage is granted only while a
 * backstop timer is on its way, no parked send waits and the queue is open; (7) a stage whose
 * owner was revoked stays that owner's until its next send gives it back (it may be
 * appending when revoked); meanwhile other senders queue under the lock, correct but slower.
 *
 * <p><b>Thread safety:</b> {@link #offer} runs on the sending thread without the lock and
 * takes it itself; every other method runs under the queue's lock; the accessors
 * {@link #unclaimedBytes()} and {@link #unclaimedMessages()} on any thread (approximate).
 */
final class Staging {

  private final Outbound queue;
  private final CodecSession encoder;
  private final OutboundBuffers buffers;
  private final WriteTurn turn;
  private final int batch;
  private final int highWatermark;
  private final int capacity;
  /** Null before the first grant; replaced under the lock; read by its owner without it. */
  private SendStage stage;

  Staging(Outbound queue, CodecSession encoder, OutboundBuffers buffers, WriteTurn turn, int batch,
      int highWatermark, int capacity) {
    this.queue = queue;
    this.encoder = encoder;
    this.buffers = buffers;
    this.turn = turn;
    this.batch = batch;
    this.highWatermark = highWatermark;
    this.capacity = capacity;
  }

  /**
   * The staging sender's path for a corked frame: encodes it into its stage without the lock.
   * Takes the lock only for a whole batch or a revoked stage. Sending thread.
   *
   * @return what happened, or null when the caller must queue under the lock (nothing staged)
   */
  Offered offer(FrameType type, byte[] a, int off, int len, ByteBuffer b, boolean more) throws CodecException {
    SendStage s = stage;
    if (s == null || s.owner != Thread.currentThread() || s.isRevoked() || !(more || s.flood)) {
      return null;
    }
    if (more && s.flood) {
      // A corked send turns the flood into a stream: the plain send that ends it leaves now.
      s.flood = false;
    }
    int n = SendStage.encodedLength(encoder, type, len, b);
    // Below the high watermark the bound holds too, and no watermark is crossed without the lock.
    if (queue.queuedOpaque() + s.unclaimedByOwner() + n >= highWatermark) {
      return null;
    }
    int end = s.append(encoder, n, type, a, off, len, b);
    if (end < 0) {
      return null;
    }
    if (!s.isRevoked() && end - s.taken < batch) {
      return Offered.QUEUED;
    }
    synchronized (queue.lock()) {
      // The sender is at work now: its next send on the lock path is not taken for a new one.
      turn.touch();
      int before = s.taken;
      claim(s);
      if (queue.isClosed()) {
        // Claimed before the close (queued like any frame then), or not at all.
        return before >= end || s.taken >= end ? Offered.QUEUED : Offered.CLOSED;
      }
      WriteTurn.Step step = turn.on(WriteTurn.Event.CORKED, true);
      if (s.owner == Thread.currentThread() && (s.isRevoked() || !turn.corkTimerPending())) {
        // Staging on needs a backstop on its way and no revocation: given back, asked again.
        s.owner = null;
        if (s == stage) {
          grant(s.flood);
        }
      }
      return queue.accepted(step);
    }
  }

  /** Claims the current stage (lock held); see {@link #claim(SendStage)}. */
  void claim() {
    claim(stage);
  }

  /**
   * Claims what {@code s} published and nobody claimed yet: queues it (unless the queue is
   * closed) behind what is queued, so it goes before whatever the caller queues next. The
   * owner's own claim also empties the stage, swapping buffers when nothing else is queued.
   * Lock held.
   */
  private void claim(SendStage s) {
    if (s == null) {
      return;
    }
    int p = s.published();
    int n = p - s.taken;
    boolean own = s.owner == Thread.currentThread();
    if (n > 0 && !queue.isClosed()) {
      ByteBuffer next = buffers.takeStage(s.buf, s.taken, n, own, capacity);
      long m = s.messages();
      queue.claimed(n, m - s.messagesTaken);
      s.messagesTaken = m;
      s.taken = p;
      if (own) {
        s.reset(next);
      }
    } else if (own && n == 0) {
      s.reset(s.buf);
    }
  }

  /** Grants the stage to the calling sender if invariant 6 allows and nobody else stages. Lock held. */
  void grant(boolean flood) {
    if (queue.isClosed() || !turn.corkTimerPending() || queue.hasParked()) {
      return;
    }
    Thread me = Thread.currentThread();
    SendStage s = stage;
    if (s == null) {
      s = new SendStage(ByteBuffer.allocateDirect(capacity), buffers.pendingHeadroom(capacity));
      stage = s;
    } else if (s.owner != null && s.owner != me) {
      // Another sender stages, or was revoked and may still be appending (invariant 7).
      return;
    }
    if (s.owner == me) {
      claim(s);
    } else {
      s.reset(s.buf);
    }
    s.grant(me, flood);
  }

  /** The owner ends its stream (its prompt send or flush): others may be granted the stage. Lock held. */
  void endStream() {
    SendStage s = stage;
    if (s != null && s.owner == Thread.currentThread()) {
      claim(s);
      s.owner = null;
    }
  }

  /** Revokes the stage and claims what it published: nothing published is left unclaimed. Lock held. */
  void revoke() {
    SendStage s = stage;
    if (s != null && s.owner != null) {
      s.revoke();
      claim(s);
    }
  }

  /** Forgets the stage (the channel is gone); an owner still appending fails on its next send. Lock held. */
  void drop() {
    stage = null;
  }

  /** A corked send of the stage's owner turns its flood into a stream (lock held). */
  void endFlood() {
    SendStage s = stage;
    if (s != null && s.owner == Thread.currentThread()) {
      s.flood = false;
    }
  }

  /** Whether the calling thread owns the stage for a corked stream (not a flood), revoked or not. Lock held. */
  boolean streams() {
    SendStage s = stage;
    return s != null && s.owner == Thread.currentThread() && !s.flood;
  }

  /** Whether the calling thread stages (owns the stage, not revoked). Lock held; for tests. */
  boolean staging() {
    SendStage s = stage;
    return s != null && s.owner == Thread.currentThread() && !s.isRevoked();
  }

  /** Staged bytes not yet claimed (approximate). Any thread. */
  long unclaimedBytes() {
    SendStage s = stage;
    return s == null ? 0 : s.unclaimedBytes();
  }

  /** Staged frames not yet claimed (approximate). Any thread. */
  long unclaimedMessages() {
    SendStage s = stage;
    return s == null ? 0 : s.unclaimedMessages();
  }
}
