package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may connect in: the limits an inbound connection is checked against when the listener
 * accepts it, by remote address (docs/reliability.md, "Limits"). In the order checked:
 *
 * <ol>
 *   <li>at most {@code maxConnectionsPerAddress} inbound connections, handshaking or
 *       established, from one address;
 *   <li>at most {@code maxConnections} connections in all, and the last
 *       {@value #RESERVED_SHARE_DIVISOR}th of them (the reserve) only for addresses that hold
 *       fewer than {@value #FEW} inbound connections: one address that fills the node with
 *       completed handshakes (sybils under random ids) stops at the reserve, and a newcomer
 *       from another machine still gets in;
 *   <li>at most {@code maxPendingHandshakesPerAddress} inbound connections in the handshake
 *       from one address;
 *   <li>at most {@code maxPendingHandshakes} in the handshake in all. When that is reached, a
 *       newcomer from an address holding fewer pending handshakes than the heaviest address
 *       (the one holding most; of several, the one whose oldest is oldest) takes the slot of
 *       that address's oldest pending connection, which is closed without a BYE. Silent
 *       connections from many addresses therefore cannot keep a real peer out: it is admitted
 *       at once and, being the newest, is the last to be evicted.
 * </ol>
 * A refused connection is closed at once, before the HELLO. Refusals and evictions are
 * counted as {@link Kind#LIMIT_EXCEEDED} and logged at DEBUG only: a flood must not flood the
 * log.
 *
 * <p><b>Why a quarter and four:</b> the reserve must be large enough that the honest peers of a
 * node under attack fit in it (1,024 of the default 4,096), and an address must hold few
 * connections to use it: a machine running up to three nodes, or a peer reconnecting while its
 * stale connection is still open, still gets in, while one address holding many is kept out.
 * To exhaust the reserve too, an attacker needs a third of it in distinct addresses (342 with
 * the defaults, more than a /24 holds); only keys (the security issue) stop more.
 *
 * <p><b>Thread safety and ownership:</b>
 * <table>
 *   <caption>Who changes what</caption>
 *   <tr><th>state</th><th>added by</th><th>removed by</th></tr>
 *   <tr><td>inbound count per address</td><td>{@link #admit}: the listener's I/O thread</td>
 *       <td>{@link #closed}: the connection's I/O thread</td></tr>
 *   <tr><td>pending queue per address, pending total</td><td>{@link #admit}</td>
 *       <td>{@link #handshakeEnded}: the connection's I/O thread; {@link #admit} for an
 *       evicted connection</td></tr>
 * </table>
 * All of it is guarded by this object's lock, held only for map updates. Only the listener
 * thread adds, so a decision stays true until the connection is registered under the same
 * lock. An evicted connection leaves its pending slot at once, under the lock; its own I/O
 * thread closes it later ({@link Connection#evict}), and only if it has not completed its
 * handshake meanwhile (it then stays, established, and is counted inbound as any other).
 * The connections counted against {@code maxConnections} are the inbound ones admitted here
 * (from accept to close, so a burst of accepts handed to other I/O threads is counted before
 * those threads open them) plus the caller's count of open outbound ones.
 */
final class Admission {

  /** The reserve is {@code maxConnections / RESERVED_SHARE_DIVISOR}, the last slots. */
  static final int RESERVED_SHARE_DIVISOR = 4;
  /** Only addresses holding fewer than this many inbound connections may use the reserve. */
  static final int FEW = 4;

  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  /** A connection in its handshake, with its admission order. */
  private record Pending(Connection connection, long sequence) {}

  private final NodeConfig config;
  private final String logName;
  private final NodeCounters counters;
  /** Open connections from which the reserve applies. */
  private final int reserveFrom;
  private final Map<InetAddress, Integer> inbound = new HashMap<>();
  private final Map<InetAddress, ArrayDeque<Pending>> pending = new HashMap<>();
  private int pendingTotal;
  /** Inbound connections admitted and not yet closed (open or about to open). */
  private int inboundTotal;
  private long sequence;

  Admission(NodeConfig config, String logName, NodeCounters counters) {
    this.config = config;
    this.logName = logName;
    this.counters = counters;
    this.reserveFrom = config.maxConnections() - config.maxConnections() / RESERVED_SHARE_DIVISOR;
  }

  /**
   * Admits an inbound connection from {@code remote}, created by {@code create}, or refuses
   * it (null). May evict another address's pending connection for it. Listener's I/O thread.
   *
   * @param outbound the outbound connections open now
   */
  Connection admit(InetSocketAddress remote, int outbound, Supplier<Connection> create) {
    InetAddress address = remote.getAddress();
    String refusal;
    Connection admitted = null;
    Connection victim = null;
    int victimHeld = 0;
    synchronized (this) {
      refusal = connectionRefusal(inbound.getOrDefault(address, 0), inboundTotal + outbound);
      ArrayDeque<Pending> own = pending.get(address);
      int ownPending = own == null ? 0 : own.size();
      if (refusal == null && ownPending >= config.maxPendingHandshakesPerAddress()) {
        refusal = "pending handshake limit of " + config.maxPendingHandshakesPerAddress() + " per address reached";
      }
      if (refusal == null && pendingTotal >= config.maxPendingHandshakes()) {
        ArrayDeque<Pending> heaviest = heaviest();
        if (heaviest == null || heaviest.size() <= ownPending) {
          refusal = "pending handshake limit of " + config.maxPendingHandshakes() + " reached";
        } else {
          victimHeld = heaviest.size();
          victim = removePending(heaviest.peekFirst().connection());
        }
      }
      if (refusal == null) {
        admitted = create.get();
        inbound.merge(address, 1, Integer::sum);
        inboundTotal++;
        pending.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(new Pending(admitted, sequence++));
        pendingTotal++;
      }
    }
    if (refusal != null) {
      counters.reject(Kind.LIMIT_EXCEEDED);
      if (log.isDebugEnabled()) {
        log.debug("{}: refused connection from {}: {}", logName, Node.format(remote), refusal);
      }
      return null;
    }
    if (victim != null) {
      counters.reject(Kind.LIMIT_EXCEEDED);
      if (log.isDebugEnabled()) {
        log.debug("{}: pending handshake limit of {} reached: evicting the oldest pending connection from {} "
            + "({} pending) for one from {}", logName, config.maxPendingHandshakes(), Node.format(victim.target),
            victimHeld, Node.format(remote));
      }
      victim.evict(DisconnectReason.of(Kind.LIMIT_EXCEEDED, "evicted: pending handshake limit of "
          + config.maxPendingHandshakes() + " reached and this address holds the most"));
    }
    return admitted;
  }

  /** Why the connection limits refuse one more from an address holding {@code held}, or null. */
  private String connectionRefusal(int held, int open) {
    if (held >= config.maxConnectionsPerAddress()) {
      return "connection limit of " + config.maxConnectionsPerAddress() + " per address reached";
    }
    if (open >= config.maxConnections()) {
      return "connection limit of " + config.maxConnections() + " reached";
    }
    if (open >= reserveFrom && held >= FEW) {
      return "the last " + (config.maxConnections() - reserveFrom) + " of " + config.maxConnections()
          + " connections are kept for addresses holding fewer than " + FEW + "; this one holds " + held;
    }
    return null;
  }

  /** The pending queue of the address holding most; of several, the one whose oldest is oldest. Under the lock. */
  private ArrayDeque<Pending> heaviest() {
    ArrayDeque<Pending> best = null;
    for (ArrayDeque<Pending> q : pending.values()) {
      if (best == null || q.size() > best.size()
          || (q.size() == best.size() && q.peekFirst().sequence() < best.peekFirst().sequence())) {
        best = q;
      }
    }
    return best;
  }

  /** Releases {@code c}'s pending slot if it holds one; returns it, or null. Under the lock. */
  private Connection removePending(Connection c) {
    InetAddress address = c.target.getAddress();
    ArrayDeque<Pending> q = pending.get(address);
    if (q == null || !q.removeIf(p -> p.connection() == c)) {
      return null;
    }
    pendingTotal--;
    if (q.isEmpty()) {
      pending.remove(address);
    }
    return c;
  }

  /** A connection left the handshake (done or closed): releases its pending slot, if any. Its I/O thread. */
  void handshakeEnded(Connection c) {
    if (c.direction != Direction.INBOUND) {
      return;
    }
    synchronized (this) {
      removePending(c);
    }
  }

  /**
   * An inbound connection closed: it no longer counts against its address. Its I/O thread,
   * once per admitted connection.
   */
  void closed(Connection c) {
    if (c.direction != Direction.INBOUND) {
      return;
    }
    InetAddress address = c.target.getAddress();
    synchronized (this) {
      removePending(c);
      Integer held = inbound.get(address);
      if (held != null) {
        inboundTotal--;
        if (held <= 1) {
          inbound.remove(address);
        } else {
          inbound.put(address, held - 1);
        }
      }
    }
  }

  /** The inbound connections admitted and not yet closed. Any thread. */
  synchronized int inboundTotal() {
    return inboundTotal;
  }

  /** The inbound connections open from {@code address}, handshaking or established. Any thread. */
  synchronized int inboundFrom(InetAddress address) {
    return inbound.getOrDefault(address, 0);
  }

  /** The inbound connections in the handshake. Any thread. */
  synchronized int pendingHandshakes() {
    return pendingTotal;
  }
}
