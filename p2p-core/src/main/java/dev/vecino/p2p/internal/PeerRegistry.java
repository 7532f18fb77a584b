package dev.vecino.p2p.internal;

import dev.vecino.p2p.ConnectTimeoutException;
import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.HandshakeException;
import dev.vecino.p2p.NodeClosedException;
import dev.vecino.p2p.NotAPeerException;
import dev.vecino.p2p.NotAdmittedException;
import dev.vecino.p2p.OtherGroupException;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerUnreachableException;
import dev.vecino.p2p.SelfConnectionException;
import dev.vecino.p2p.UnsupportedVersionException;
import dev.vecino.p2p.VecinoException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's peer registry and the handshake rules that feed it: version, self and group checks
 * on a received HELLO, the duplicate-connection rule, registration of peers without a
 * handshake, how a failed connect or handshake reaches the connect future, and
 * unregistering a peer when its connection is gone. What follows once a peer has two
 * connections (which one stays, what becomes of the other) is in {@link Duplicates}.
 *
 * <p><b>Thread safety:</b> owned by its {@link Node}. Handshake and close reports arrive on the
 * connections' I/O threads, reads from any thread. The registry is changed under
 * {@code lock} so that two I/O threads never register the same peer; the maps are concurrent
 * so that readers need no lock. A connection is established ({@link Connection#establish}, on
 * its own I/O thread, under the lock) before a handle or the map publishes it: a sender on any
 * thread that reads it through the handle's volatile field or the map sees it ready for sends,
 * even when the connection the handle leaves lives on another I/O thread. A check of an
 * established connection ({@link IdCheck}) runs on that connection's I/O thread; its outcome
 * is applied on the held newcomer's, under {@code lock} where it touches the peer's handle.
 */
final class PeerRegistry {

  private static final Logger log = LoggerFactory.getLogger(PeerRegistry.class);

  private final Node node;
  private final NodeConfig config;
  private final PeerId localId;
  private final String logName;
  private final NodeCounters counters;
  private final Events events;
  /** Null when the node does not reconnect. */
  private final Reconnector reconnector;
  private final Object lock = new Object();
  private final Map<PeerId, PeerHandle> peers = new ConcurrentHashMap<>();
  private final AtomicLong peerSequence = new AtomicLong();
  private final Duplicates duplicates;

  PeerRegistry(Node node, NodeConfig config, NodeCounters counters, Events events, Reconnector reconnector) {
    this.node = node;
    this.config = config;
    this.localId = config.identity().id();
    this.logName = node.logName();
    this.counters = counters;
    this.events = events;
    this.reconnector = reconnector;
    this.duplicates = new Duplicates(node, config, counters, events, this);
  }

  // ---- reading ----

  /** Returns the registered peer with this id, or null. Any thread. */
  PeerHandle get(PeerId id) {
    return peers.get(id);
  }

  boolean contains(PeerId id) {
    return peers.containsKey(id);
  }

  int size() {
    return peers.size();
  }

  /**
   * Returns the current connection of {@code peer}, a handle of this registry's node. Any thread.
   *
   * @throws IllegalArgumentException if the peer belongs to another node or is not a handle
   */
  Connection connectionOf(Peer peer) {
    Objects.requireNonNull(peer, "peer");
    if (!(peer instanceof PeerHandle h) || h.node != node) {
      throw new IllegalArgumentException("peer " + peer + " does not belong to node " + logName);
    }
    return h.connection;
  }

  /** Returns the registered peers in the order they connected. Any thread. */
  List<PeerHandle> sortedHandles() {
    List<PeerHandle> list = new ArrayList<>(peers.values());
    list.sort(Comparator.comparingLong(h -> h.sequence));
    return list;
  }

  // ---- handshake ----

  /**
   * Applies the duplicate rules to a received HELLO that passed the connection's checks
   * (version, self, group): registers the peer, moves its handle, holds the newcomer for a
   * check, or keeps the existing connection. I/O thread.
   */
  void onHello(Connection c, Hello hello) {
    // The name is the peer's choice: escaped, like everything a peer says that reaches a log.
    String who = "'" + Names.printable(hello.name()) + "' (" + hello.id().shortId() + ") at "
        + Node.format(c.remoteAddress());
    PeerHandle existing;
    Connection loser = null;
    Connection previous = null; // the connection the handle leaves, when it moves to c
    PeerHandle handle;
    boolean isNew = false;
    boolean checkRunning = false;
    // The existing connection, when it stays and c does not; read under the lock, as another
    // I/O thread may move the handle once it is released.
    Connection kept = null;
    IdCheck check = null;
    IdCheck superseded = null;
    synchronized (lock) {
      if (!node.isRunning()) {
        c.handshakeFailed(DisconnectReason.of(Kind.CLOSED_LOCALLY, "node closing"), true);
        return;
      }
      existing = peers.get(hello.id());
      boolean simultaneous = simultaneous(existing, c);
      if (existing != null && existing.check != null && !simultaneous && !existing.connection.isClosingOrClosed()) {
        // A check of this peer's connection runs for another newcomer: one at a time.
        checkRunning = true;
        kept = existing.connection;
        handle = null;
      } else if (existing != null && existing.connection.remoteKeptOther) {
        // The peer dropped our connection as a duplicate: this is the one it kept.
        previous = existing.connection;
        // Established before it is published (here and below), so senders never see it handshaking.
        c.establish(existing, c.direction == Direction.OUTBOUND);
        existing.connection = c;
        handle = existing;
      } else if (existing == null || existing.connection.isClosingOrClosed()) {
        superseded = existing != null ? endCheck(existing) : null;
        handle = new PeerHandle(node, hello.id(), hello.name(), hello.listenPort(),
            peerSequence.incrementAndGet(), c);
        c.establish(handle, c.direction == Direction.OUTBOUND);
        peers.put(hello.id(), handle);
        isNew = true;
      } else if (!simultaneous) {
        // Not a simultaneous connect (see Duplicates.overlaps): check the old connection before giving it up.
        check = new IdCheck(existing, existing.connection, c, hello.name(), this, config.handshakeTimeout().toNanos());
        existing.check = check;
        handle = null;
      } else if (duplicates.newConnectionWins(c, existing.connection, hello.id())) {
        // A check of the loser for another newcomer is moot now: it ends without touching it.
        superseded = endCheck(existing);
        loser = existing.connection;
        loser.replaced = true;
        previous = loser;
        c.establish(existing, c.direction == Direction.OUTBOUND);
        existing.connection = c;
        handle = existing;
      } else {
        kept = existing.connection;
        handle = null;
      }
    }
    if (superseded != null) {
      superseded.supersede();
    }
    if (check != null) {
      hold(c, hello, who, check);
      return;
    }
    if (handle == null) {
      duplicates.keepExisting(c, hello, existing, kept, who, checkRunning);
      return;
    }
    c.finishHandshake();
    if (previous != null) {
      duplicates.switched(handle, previous, c, true);
    }
    if (loser != null) {
      duplicates.dropLoser(c, loser, who);
    }
    if (isNew) {
      node.discovery().seen(hello.id(), c.remoteAddress(), hello.listenPort());
      counters.established.increment();
      log.debug("{}: connected to {} ({})", logName, who, c.direction);
      fireConnected(handle);
    }
    if (c.connectFuture != null) {
      completeConnect(handle, c.connectFuture);
    }
  }

  /**
   * Takes the check of {@code h}'s connection for another newcomer, if one runs, to end it
   * after the lock ({@link IdCheck#supersede}: its newcomer is refused). The question is moot
   * when a newcomer wins a simultaneous connect, and when the old connection closes (a local
   * disconnect, say): the newcomer then starts the peer afresh, as without a check, since the
   * other side may have kept it as a simultaneous connect's winner and be sending on it. Lock
   * held.
   */
  private static IdCheck endCheck(PeerHandle h) {
    IdCheck k = h.check;
    h.check = null;
    return k;
  }

  /**
   * Whether {@code c} and {@code existing}'s connection make a simultaneous connect (opened by
   * different sides, overlapping: {@link Duplicates#overlaps}). The lower-id rule decides it even
   * while a check of the existing connection runs for another newcomer: the peer applies the
   * same rule without knowing of our check, and may already be sending on its side of {@code c}.
   * Lock held.
   */
  private boolean simultaneous(PeerHandle existing, Connection c) {
    return existing != null && !existing.connection.isClosingOrClosed() && !existing.connection.remoteKeptOther
        && duplicates.overlaps(existing.connection) && c.direction != existing.connection.direction;
  }

  /** Holds the newcomer {@code c} in its handshake while {@code check} decides. I/O thread. */
  private void hold(Connection c, Hello hello, String who, IdCheck check) {
    log.debug("{}: {} claims the id of the peer connected at {}: checking that connection", logName, who,
        Node.format(check.old.remoteAddress()));
    c.hold();
    check.start();
  }

  /**
   * A check of {@code k.old} ended. Its outcome is applied on the newcomer's I/O thread (or
   * here, when the node is closing). Old connection's I/O thread.
   */
  void checkDone(IdCheck k, boolean alive, String why) {
    if (node.isRunning()) {
      k.newcomer.eventLoop().execute(() -> applyCheck(k, alive, why));
    } else {
      applyCheck(k, alive, why);
    }
  }

  /**
   * Gives the peer to the held newcomer when its old connection is stale (or gone), else
   * refuses the newcomer; unregisters the peer when the old connection closed and the newcomer
   * cannot take its place. Newcomer's I/O thread, or any thread when the node is closing.
   */
  private void applyCheck(IdCheck k, boolean alive, String why) {
    PeerHandle h = k.handle;
    Connection c = k.newcomer;
    Connection old = k.old;
    boolean accept;
    boolean handleGone;
    DisconnectReason oldGone;
    synchronized (lock) {
      handleGone = h.gone;
      if (h.check == k) {
        h.check = null;
      }
      oldGone = k.oldClosed;
      accept = (!alive || oldGone != null) && node.isRunning() && c.isHeld() && !handleGone && h.connection == old;
      if (accept) {
        // Established before it is published, so senders never see it handshaking (see onHello).
        c.acceptHeld(h, c.direction == Direction.OUTBOUND);
        old.replaced = true;
        h.rename(k.newcomerName);
        h.connection = c;
      }
    }
    String oldAt = Node.format(old.remoteAddress());
    String newAt = Node.format(c.remoteAddress());
    if (accept) {
      c.finishHandshake();
      node.logBudget.log(LogBudget.Topic.MOVED,
          "{}: connection to '{}' ({}) at {} is stale ({}): the peer goes on at {}", logName,
          Names.printable(h.name()), h.id.shortId(), oldAt, oldGone != null ? "closed: " + oldGone : why, newAt);
      duplicates.switched(h, old, c, false);
      c.replayHeld();
      if (c.connectFuture != null) {
        completeConnect(h, c.connectFuture);
      }
      return;
    }
    if (node.isRunning() && c.isHeld()) {
      c.replaced = true;
      if (c.connectFuture != null && !handleGone) {
        // (A handle gone meanwhile is no peer to give it: its close fails the connect instead.)
        completeConnect(h, c.connectFuture);
      }
      counters.reject(Kind.DUPLICATE);
      duplicates.logRefused(c, old, "'" + Names.printable(h.name()) + "' (" + h.id.shortId() + ") at " + newAt,
          alive ? "that connection passed a check: " + why : "the check found it " + why);
      // Read again: the peer closes on our BYE, and we see that only by reading.
      c.pauseReading(false);
      c.close(DisconnectReason.of(Kind.DUPLICATE, Bye.ALREADY_CONNECTED), true);
    }
    if (oldGone != null) {
      orphaned(h, old, oldGone);
    }
  }

  /**
   * Codecs without a handshake: the peer's identity is its address; its name is {@code name}
   * (the classic greeting) or, when null, the address. I/O thread.
   */
  void registerWithoutHandshake(Connection c, String name) {
    InetSocketAddress a = c.remoteAddress();
    String key = a.getAddress().getHostAddress() + ":" + a.getPort();
    PeerId id = addressId(a);
    PeerHandle handle = new PeerHandle(node, id, name != null ? name : key, 0,
        peerSequence.incrementAndGet(), c);
    synchronized (lock) {
      peers.put(id, handle);
    }
    c.attachWithoutHandshake(handle);
    counters.established.increment();
    fireConnected(handle);
    if (c.connectFuture != null) {
      completeConnect(handle, c.connectFuture);
    }
  }

  /** Codecs without a handshake: a peer's id is derived from its address. */
  static PeerId addressId(InetSocketAddress a) {
    String key = a.getAddress().getHostAddress() + ":" + a.getPort();
    UUID u = UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
    return new PeerId(u.getMostSignificantBits(), u.getLeastSignificantBits());
  }

  private void fireConnected(PeerHandle handle) {
    events.fire(handle, () -> {
      for (PeerListener l : config.listeners()) {
        l.onConnected(handle);
      }
    });
  }

  /** A registered peer is gone (its handle removed, once): logs it and tells the listeners. */
  private void fireDisconnected(PeerHandle h, DisconnectReason reason) {
    counters.disconnect(reason.kind());
    log.debug("{}: peer '{}' ({}) disconnected: {}", logName, Names.printable(h.name()), h.id.shortId(),
        Names.printable(reason.toString()));
    events.fire(h, () -> {
      for (PeerListener l : config.listeners()) {
        l.onDisconnected(h, reason);
      }
    });
  }

  void completeConnect(PeerHandle handle, CompletableFuture<Peer> future) {
    events.fire(handle, () -> future.complete(handle));
  }

  // ---- failed connects and handshakes ----

  /** A connection's handshake was refused: counted, and logged within the log budget. I/O thread. */
  void rejected(Connection c, DisconnectReason reason) {
    counters.reject(reason.kind());
    if (reason.kind() == Kind.CLOSED_LOCALLY) {
      return;
    }
    if (c.direction == Direction.INBOUND) {
      // Anyone can open connections at any rate: within the log budget.
      node.logBudget.log(LogBudget.Topic.REJECTED, "{}: rejected inbound connection from {}: {}", logName,
          Node.format(c.remoteAddress()), Names.printable(reason.toString()));
    } else {
      log.info("{}: rejected outbound connection to {}: {}", logName, Node.format(c.remoteAddress()),
          Names.printable(reason.toString()));
    }
  }

  void failConnect(Connection c, VecinoException e) {
    CompletableFuture<Peer> f = c.connectFuture;
    events.run(() -> f.completeExceptionally(e));
  }

  /** A connect never reached the handshake. */
  void connectFailed(Connection c, IOException cause) {
    VecinoException e;
    String where = Node.format(c.target);
    if (node.isClosing()) {
      e = node.closedException();
    } else if (cause instanceof SocketTimeoutException) {
      e = new ConnectTimeoutException("connect to " + where + " timed out after "
          + config.connectTimeout().toMillis() + " ms", cause);
    } else {
      e = new PeerUnreachableException("cannot connect to " + where + ": "
          + (cause == null ? "closed" : cause.getMessage()), cause);
    }
    failConnect(c, e);
  }

  /** The exception a connect future fails with when the handshake ends for {@code reason}. */
  static VecinoException handshakeException(InetSocketAddress target, DisconnectReason reason) {
    String where = target == null ? "peer" : Node.format(target);
    return switch (reason.kind()) {
      case OTHER_GROUP -> new OtherGroupException(where + " belongs to another group: " + reason.detail(), reason);
      case SELF_CONNECTION -> new SelfConnectionException(where + " is this node itself", reason);
      case VERSION_UNSUPPORTED -> new UnsupportedVersionException(where + ": " + reason, reason);
      case NOT_ADMITTED -> new NotAdmittedException(where + " and this node did not admit each other: "
          + reason.detail(), reason);
      case LIMIT_EXCEEDED -> new PeerUnreachableException(where + " refused the connection: " + reason);
      case CLOSED_LOCALLY -> new NodeClosedException("node closed while connecting to " + where);
      case NOT_A_PEER, HANDSHAKE_TIMEOUT, PROTOCOL_ERROR, FRAME_TOO_LONG ->
          new NotAPeerException(where + " is not a Vecino peer: " + reason, reason);
      default -> new HandshakeException("handshake with " + where + " failed: " + reason, reason);
    };
  }

  // ---- closed connections ----

  /**
   * A connection is gone (the node already stopped tracking it): unregister its peer and tell
   * the listeners. I/O thread.
   */
  void closed(Connection c, DisconnectReason reason) {
    PeerHandle h = c.handle();
    if (h == null || c.replaced) {
      return;
    }
    IdCheck k;
    synchronized (lock) {
      k = h.check;
      if (k != null && k.old == c) {
        k.oldClosed = reason;
      } else {
        k = null;
      }
    }
    if (k != null) {
      // A newcomer waits for the check of this connection: the check's outcome decides.
      k.closed(reason);
      return;
    }
    if (c.remoteKeptOther && node.isRunning()) {
      // The winning connection of a simultaneous connect is on its way: keep the handle for it.
      c.eventLoop().schedule(() -> orphaned(h, c, reason), config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
      return;
    }
    orphaned(h, c, reason);
  }

  /**
   * The node failed and its transport is closed: unregisters every peer still registered (a
   * connection whose close never reached the node, e.g. on a loop that died without closing
   * it) and tells the listeners. Any thread.
   */
  void disconnectAll(DisconnectReason reason) {
    for (PeerHandle h : sortedHandles()) {
      boolean removed;
      synchronized (lock) {
        // Reported once: the connections' own closes find the handle gone.
        removed = !h.gone && peers.remove(h.id, h);
        if (removed) {
          h.markGone(reason);
        }
      }
      if (removed) {
        fireDisconnected(h, reason);
      }
    }
  }

  private void orphaned(PeerHandle h, Connection c, DisconnectReason reason) {
    boolean removed;
    synchronized (lock) {
      // A handle is reported gone once, even if a newcomer took its id in the map meanwhile.
      removed = h.connection == c && !h.gone;
      if (removed) {
        h.markGone(reason);
        peers.remove(h.id, h);
      }
    }
    if (removed) {
      fireDisconnected(h, reason);
      if (reconnector != null) {
        reconnector.lost(h, reason);
      }
    }
  }
}
