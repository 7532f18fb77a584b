package dev.vecino.p2p.internal;

import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The stage of one connection's corked stream: the sending thread that owns it encodes its
 * {@code trySendMore} frames straight into it without taking the {@link Outbound}'s lock, and
 * hands them to the queue a whole batch at a time. Anyone holding that lock may
 * <em>claim</em> what the owner has published (copy it into the queue, in order, before the
 * frame it queues itself) and may <em>revoke</em> the stage (the owner then stops using it).
 *
 * <h2>Design and hazards</h2>
 *
 * <table>
 * <caption>Fields: who writes them</caption>
 * <tr><th>field</th><th>written by</th><th>read by</th></tr>
 * <tr><td>the bytes of {@code buf} from {@code published} on, {@code buf}'s position,
 * {@code messages}</td><td>the owner only, without the lock</td><td>the owner; claimers read
 * bytes only below {@code published}</td></tr>
 * <tr><td>{@code published}</td><td>the owner, after each whole frame (volatile)</td>
 * <td>claimers, under the lock (volatile)</td></tr>
 * <tr><td>{@code flood}</td><td>the owner: set or cleared at each grant to it (under the lock),
 * cleared by its first corked send (without it)</td><td>the owner only</td></tr>
 * <tr><td>{@code owner}, {@code taken}, {@code messagesTaken}, {@code buf} (swapped by the
 * owner's own claim), the positions' reset</td><td>under the lock; the reset and the swap only
 * by the owner</td><td>under the lock; the owner reads {@code owner} without it (only it writes
 * its own thread there, or null)</td></tr>
 * <tr><td>{@code revoked}</td><td>under the lock (volatile): set by the backstop, a park, a
 * close, a BYE; cleared by a grant</td><td>the owner, after each publish (volatile)</td></tr>
 * </table>
 *
 * <p><b>Invariants:</b> (1) only the owner writes into {@code buf}, and only at or past
 * {@code published}; claimers read only below it, under the lock, so no byte is read while it
 * is written; (2) every published frame is claimed exactly once, in order, into the queue
 * (a claim moves {@code taken} up to {@code published}) — once the queue is closed it is not
 * claimed, and its sender is told {@code CLOSED} unless a claim took it before the close;
 * (3) no published frame is left
 * behind by a revocation: the owner publishes (a volatile write), then reads {@code revoked}
 * (a volatile read); the revoker writes {@code revoked}, then reads {@code published}. Volatile
 * accesses are totally ordered, so either the revoker sees the frame (and claims it) or the
 * owner sees the revocation (and claims it itself under the lock) — the one fence per message
 * this costs replaces a lock's two atomic operations; (4) an owned stage that is not revoked
 * always has a backstop timer on its way ({@link Staging} grants a stage only then, and the
 * timer revokes it), so corked frames leave within {@link Outbound#CORK_NANOS}.
 *
 * <p><b>Thread safety:</b> as the table says; the owner calls {@link #append},
 * {@link #isRevoked} and {@link #unclaimedByOwner}, statistics read {@link #unclaimedBytes}
 * and {@link #unclaimedMessages} from any thread, everything else runs under the owning
 * {@link Outbound}'s lock.
 */
final class SendStage {

  private static final VarHandle PUBLISHED;
  private static final VarHandle MESSAGES;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      PUBLISHED = l.findVarHandle(SendStage.class, "published", int.class);
      MESSAGES = l.findVarHandle(SendStage.class, "messages", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Where frames start in {@code buf}: headroom for a write's short tail once the buffer is queued. */
  final int start;
  /** The owner's buffer (see the table). */
  ByteBuffer buf;
  /** The owning thread; null when nobody streams. Lock (the owner reads it without). */
  Thread owner;
  /**
   * Granted to a flood of plain sends: they stage too. Set or cleared at each grant, with
   * {@code owner}, and cleared by the owner's first corked send; read only by the owner.
   */
  boolean flood;
  /** Bytes of {@code buf} below this hold whole frames the owner handed on. */
  @SuppressWarnings("unused") // accessed through PUBLISHED
  private volatile int published;
  private volatile boolean revoked;
  /** Bytes below this were claimed. Lock. */
  int taken;
  /** Frames the owner appended; written before their publish, so claimers count no fewer. */
  @SuppressWarnings("unused") // accessed through MESSAGES
  private long messages;
  /** Frames counted into the queue by claims. Lock. */
  long messagesTaken;

  SendStage(ByteBuffer buf, int start) {
    this.start = start;
    reset(buf);
  }

  /**
   * Encodes a frame of {@code n} bytes at the owner's position and publishes it. Owner only,
   * without the lock.
   *
   * @return the frame's end in {@code buf}, or -1 when it does not fit (nothing written)
   */
  int append(CodecSession encoder, int n, FrameType type, byte[] a, int off, int len, ByteBuffer b)
      throws CodecException {
    ByteBuffer out = buf;
    int from = out.position();
    if (out.remaining() < n) {
      return -1;
    }
    try {
      if (b != null) {
        encoder.encode(type, b, out);
      } else {
        encoder.encode(type, a, off, len, out);
      }
    } catch (RuntimeException e) {
      out.position(from);
      throw e;
    }
    int end = out.position();
    MESSAGES.setOpaque(this, (long) MESSAGES.getOpaque(this) + 1);
    // The fence of invariant (3): this volatile write comes before the owner's read of revoked.
    PUBLISHED.setVolatile(this, end);
    return end;
  }

  /** Whether the stage was revoked; a volatile read (invariant 3). */
  boolean isRevoked() {
    return revoked;
  }

  /** Published bytes not yet claimed, as the owner sees them (it may see {@code taken} late: more, never fewer). */
  int unclaimedByOwner() {
    return buf.position() - taken;
  }

  /** Revokes the stage (lock held): its owner stops appending once it sees this. */
  void revoke() {
    revoked = true;
  }

  /** The end of the published frames (volatile read; lock held by claimers). */
  int published() {
    return (int) PUBLISHED.getVolatile(this);
  }

  /** Frames appended so far (opaque). */
  long messages() {
    return (long) MESSAGES.getOpaque(this);
  }

  /** Empties the stage onto {@code fresh} (lock held, by the owner or when nobody owns it). */
  void reset(ByteBuffer fresh) {
    buf = fresh;
    buf.clear().position(start);
    taken = start;
    PUBLISHED.setVolatile(this, start);
  }

  /** Makes {@code thread} the owner of an empty stage, not revoked (lock held; nobody else appends). */
  void grant(Thread thread, boolean flood) {
    owner = thread;
    this.flood = flood;
    revoked = false;
  }

  /** Approximate unclaimed frames and bytes, for statistics; any thread. */
  long unclaimedMessages() {
    return Math.max(0, messages() - messagesTaken);
  }

  long unclaimedBytes() {
    return Math.max(0, published() - taken);
  }

  /** Encoded length of a frame, for the owner's bound check. */
  static int encodedLength(CodecSession encoder, FrameType type, int len, ByteBuffer b) {
    return encoder.encodedLength(type, b != null ? b.remaining() : len);
  }
}
