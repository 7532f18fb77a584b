package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.transport.EventLoop;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether an established connection still reaches its peer, when a newcomer claims
 * the peer's id after the duplicate rule's overlap window (docs/PROTOCOL.md 1.4). The newcomer
 * is held in its handshake meanwhile; the outcome goes to {@link PeerRegistry#checkDone}.
 *
 * <p>The check sends a PING with a fresh nonce on the old connection, writing it at once even
 * when the queue waits for the socket. Then:
 * <ul>
 *   <li><b>alive</b>: the PONG with the nonce, or any read, arrives within the bound, unless the
 *       read holds BYE {@code simultaneous connect resolved}: the peer kept the newcomer (by its
 *       clock the two overlapped), which then takes the peer ({@link #keptOther});
 *   <li><b>stale</b>: the old connection closes first (a write to a reset or closed socket
 *       fails at once), or the bound passes in silence;
 *   <li>when this node does not read the old connection (inbound back pressure) or the PING
 *       cannot leave (the peer does not read; its TCP window is full), silence proves nothing:
 *       the check writes again at 1/8, 1/4, 1/2 and all of the bound, and the old connection is
 *       <b>alive</b> unless a write failed. A reset socket fails the first write; after a FIN,
 *       the first write provokes the RST, one round trip later, and a later write fails. Reads
 *       would not show either: JDK's selector watches no socket whose reading is paused.
 * </ul>
 * Reads do not count while reading was paused at the start: after a reset, a socket still
 * returns the bytes that arrived before it.
 *
 * <p><b>Thread safety:</b> created by {@link PeerRegistry} under its lock; runs on the old
 * connection's I/O thread ({@link #start} hops there), and hands the outcome to the
 * newcomer's. {@code oldClosed} is the registry's, under its lock.
 */
final class IdCheck {

  /** The longest a check waits for an answer: well under a handshake timeout (default 5 s). */
  static final long MAX_BOUND_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int NONCE_BYTES = 8;
  private static final SecureRandom RANDOM = new SecureRandom();

  final PeerHandle handle;
  final Connection old;
  final Connection newcomer;
  /** The name in the newcomer's HELLO: the peer's name if the newcomer takes its place. */
  final String newcomerName;
  private final PeerRegistry registry;
  private final long boundNanos;
  /** Delays of the ticks after the first PING, as fractions of the bound: at 1/8, 1/4, 1/2, 1. */
  private static final int[] TICK_EIGHTHS = {1, 1, 2, 4};
  /** The nonces of the PINGs sent (the peer may answer only the latest). Old's I/O thread. */
  private final byte[][] nonces = new byte[1 + TICK_EIGHTHS.length][];
  private int sent;
  private int tick;
  /** Only writes can tell: reading is paused or the PING could not leave. Old's I/O thread. */
  private boolean writesOnly;
  private boolean done;
  private EventLoop.Timer timer;
  /** Why the old connection closed while the check was pending; else null. Guarded by the registry's lock. */
  DisconnectReason oldClosed;

  IdCheck(PeerHandle handle, Connection old, Connection newcomer, String newcomerName, PeerRegistry registry,
      long handshakeTimeoutNanos) {
    this.handle = handle;
    this.old = old;
    this.newcomer = newcomer;
    this.newcomerName = newcomerName;
    this.registry = registry;
    this.boundNanos = bound(handshakeTimeoutNanos);
  }

  /** The bound for a node's handshake timeout: 1 s, or a quarter of a shorter timeout. */
  static long bound(long handshakeTimeoutNanos) {
    return Math.min(MAX_BOUND_NANOS, Math.max(1, handshakeTimeoutNanos / 4));
  }

  /** Starts the check on the old connection's I/O thread. Any thread. */
  void start() {
    old.eventLoop().execute(this::begin);
  }

  private void begin() {
    if (done) {
      return;
    }
    if (old.publicState() != PeerState.CONNECTED) {
      finish(false, "it is closing");
      return;
    }
    old.check = this;
    writesOnly = old.readingPaused();
    // A write failure closes the connection here: closed() then finishes the check.
    ping();
    if (done) {
      return;
    }
    if (old.queuedBytes() > 0) {
      writesOnly = true;
    }
    scheduleTick();
  }

  private void ping() {
    byte[] n = nonce();
    nonces[sent++] = n;
    old.sendCheckPing(n);
  }

  private void scheduleTick() {
    timer = old.eventLoop().schedule(this::tick, boundNanos * TICK_EIGHTHS[tick] / 8, TimeUnit.NANOSECONDS);
  }

  private static byte[] nonce() {
    byte[] n = new byte[NONCE_BYTES];
    RANDOM.nextBytes(n);
    return n;
  }

  /** Bytes arrived on the old connection. Old's I/O thread. */
  void heard() {
    if (!done && !writesOnly) {
      finish(true, "it answered");
    }
  }

  /** A PONG arrived on the old connection. Old's I/O thread. */
  void pong(ByteBuffer buf, int offset, int length) {
    if (done || length != NONCE_BYTES) {
      return;
    }
    for (byte[] n : nonces) {
      if (n != null && ByteBuffer.wrap(n).equals(buf.slice(offset, length))) {
        finish(true, "it answered the check");
        return;
      }
    }
  }

  /**
   * The peer moved off the old connection to the winner of a simultaneous connect while this
   * check ran: the question is moot. Ends the check without touching the old connection (it is
   * the losing one now, and may be kept open so nothing sent on it is lost); the held newcomer
   * is then refused. Any thread.
   */
  void supersede() {
    old.eventLoop().execute(() -> endLeavingOld(true, "the peer moved to a simultaneous connect's winner"));
  }

  /**
   * The peer said BYE {@code simultaneous connect resolved} on the old connection: it kept the
   * newcomer, a simultaneous connect's winner by its clock (the overlap window had passed by
   * ours). The newcomer takes the peer; the old connection is not reset but closes as that BYE
   * asks (what was queued on it still goes). Old's I/O thread.
   */
  void keptOther() {
    endLeavingOld(false, "the peer kept the new connection (a simultaneous connect)");
  }

  /** Ends the check, if it still runs, without touching the old connection. Old's I/O thread. */
  private void endLeavingOld(boolean alive, String why) {
    if (!done) {
      done = true;
      if (timer != null) {
        timer.cancel();
      }
      registry.checkDone(this, alive, why);
    }
  }

  /**
   * The old connection closed; the registry recorded {@link #oldClosed} under its lock. Old's
   * I/O thread.
   */
  void closed(DisconnectReason reason) {
    if (!done) {
      finish(false, "it closed: " + reason);
    }
  }

  private void tick() {
    if (done) {
      return;
    }
    boolean last = ++tick == TICK_EIGHTHS.length;
    if (writesOnly || old.readingPaused() || old.queuedBytes() > 0) {
      // Silence proves nothing here; a write fails if the socket was reset or closed.
      writesOnly = true;
      ping();
      if (done) {
        return;
      }
      if (last) {
        finish(true, "its writes succeed (no answer can be read: "
            + (old.readingPaused() ? "reading is paused)" : "the peer does not read)"));
        return;
      }
    } else if (last) {
      finish(false, "no answer within " + TimeUnit.NANOSECONDS.toMillis(boundNanos) + " ms");
      return;
    }
    scheduleTick();
  }

  private void finish(boolean alive, String why) {
    done = true;
    if (timer != null) {
      timer.cancel();
    }
    if (!alive && old.publicState() == PeerState.CONNECTED) {
      // Stale: a reset frees both ends at once; the registry decides who gets the peer.
      old.timedOut("no answer to a check within " + TimeUnit.NANOSECONDS.toMillis(boundNanos)
          + " ms (a new connection claims its id)");
    }
    registry.checkDone(this, alive, why);
  }
}
