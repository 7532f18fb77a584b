package dev.vecino.p2p.internal;

import dev.vecino.p2p.ConnectTimeoutException;
import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.HandshakeException;
import dev.vecino.p2p.NodeClosedException;
import dev.vecino.p2p.NotAPeerException;
import dev.vecino.p2p.OtherGroupException;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerUnreachableException;
import dev.vecino.p2p.ScanStatus;
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
 * unregistering a peer when its connection is gone.
 *
 * <p><b>Thread safety:</b> owned by its {@link Node}. Handshake and close reports arrive on the
 * connections' I/O threads, reads from any thread. The registry is changed under
 * {@code lock} so that two I/O threads never register the same peer; the maps are concurrent
 * so that readers need no lock.
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

  PeerRegistry(Node node, NodeConfig config, NodeCounters counters, Events events, Reconnector reconnector) {
    this.node = node;
    this.config = config;
    this.localId = config.identity().id();
    this.logName = node.logName();
    this.counters = counters;
    this.events = events;
    this.reconnector = reconnector;
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

  /** Applies version, self, group and duplicate rules to a received HELLO. I/O thread. */
  void onHello(Connection c, Hello hello) {
    // The name is the peer's choice: escaped, like everything a peer says that reaches a log.
    String who = "'" + Names.printable(hello.name()) + "' (" + hello.id().shortId() + ") at "
        + Node.format(c.remoteAddress());
    if (node.localHelloRecord().negotiate(hello) < 0) {
      if (Scanning.endProbe(c, ScanStatus.INCOMPATIBLE, hello, false)) {
        return;
      }
      c.handshakeFailed(DisconnectReason.of(Kind.VERSION_UNSUPPORTED, "protocol version "
          + hello.minVersion() + ".." + hello.maxVersion() + " unsupported; this node speaks "
          + Hello.MIN_VERSION + ".." + Hello.VERSION), true);
      return;
    }
    if (hello.id().equals(localId)) {
      if (Scanning.endProbe(c, ScanStatus.SELF, hello, false)) {
        return;
      }
      c.handshakeFailed(DisconnectReason.of(Kind.SELF_CONNECTION, Node.format(c.remoteAddress()) + " is this node"),
          true);
      return;
    }
    if (!hello.group().equals(config.group())) {
      if (Scanning.endProbe(c, ScanStatus.OTHER_GROUP, hello, false)) {
        return;
      }
      c.handshakeFailed(DisconnectReason.of(Kind.OTHER_GROUP, who + " is in group '" + Names.printable(hello.group())
          + "', this node in '" + config.group() + "'"), true);
      return;
    }
    if (c.probe != null && !c.probe.keep
        && Scanning.endProbe(c, ScanStatus.PEER, hello, !peers.containsKey(hello.id()))) {
      return;
    }
    PeerHandle existing;
    Connection loser = null;
    PeerHandle handle;
    boolean isNew = false;
    synchronized (lock) {
      if (!node.isRunning()) {
        c.handshakeFailed(DisconnectReason.of(Kind.CLOSED_LOCALLY, "node closing"), true);
        return;
      }
      existing = peers.get(hello.id());
      if (existing != null && existing.connection.remoteKeptOther) {
        // The peer dropped our connection as a duplicate: this is the one it kept.
        loser = null;
        existing.connection = c;
        handle = existing;
      } else if (existing == null || existing.connection.isClosingOrClosed()) {
        handle = new PeerHandle(node, hello.id(), hello.name(), hello.listenPort(),
            peerSequence.incrementAndGet(), c);
        peers.put(hello.id(), handle);
        isNew = true;
      } else if (newConnectionWins(c, existing.connection, hello.id())) {
        loser = existing.connection;
        loser.replaced = true;
        existing.connection = c;
        handle = existing;
      } else {
        handle = null;
      }
    }
    if (handle == null) {
      // Keep the existing connection; its connect future gets the peer.
      c.replaced = true;
      Scanning.probeOutcome(c, ScanStatus.PEER, hello, false);
      if (c.connectFuture != null) {
        completeConnect(existing, c.connectFuture);
      }
      counters.reject(Kind.DUPLICATE);
      if (c.direction == Direction.INBOUND && existing.connection.direction == Direction.OUTBOUND) {
        // We opened the winner; the peer registered this one and closes it once it sees ours.
        log.debug("{}: simultaneous connect with {}: waiting for the peer to drop its connection", logName, who);
        c.handshakeDone(existing, false);
        standby(c);
      } else {
        log.debug("{}: dropping duplicate connection to {}", logName, who);
        c.close(DisconnectReason.of(Kind.DUPLICATE, "already connected"), true);
      }
      return;
    }
    Scanning.probeOutcome(c, ScanStatus.PEER, hello, isNew);
    c.handshakeDone(handle, c.direction == Direction.OUTBOUND);
    if (loser != null) {
      log.debug("{}: simultaneous connect with {}: keeping the connection opened by the lower id", logName, who);
      if (c.direction == Direction.INBOUND) {
        // We accepted the winner, so the peer has registered it: the loser can go now.
        loser.closeAsync(DisconnectReason.of(Kind.DUPLICATE, "simultaneous connect resolved"), true);
      } else {
        // We opened the winner; the peer may not have seen it yet, so it closes the loser.
        standby(loser);
      }
    }
    if (isNew) {
      counters.established.increment();
      log.debug("{}: connected to {} ({})", logName, who, c.direction);
      fireConnected(handle);
    }
    if (c.connectFuture != null) {
      completeConnect(handle, c.connectFuture);
    }
  }

  /**
   * Keeps a losing connection of a simultaneous connect open until the peer closes it (it
   * does once it registers the winner), so nothing it sent on it is lost; closes it after the
   * handshake timeout otherwise.
   */
  private void standby(Connection loser) {
    Runnable expire = () -> loser.close(DisconnectReason.of(Kind.DUPLICATE, "simultaneous connect resolved"), true);
    loser.eventLoop().execute(() -> loser.eventLoop().schedule(expire,
        config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS));
  }

  /**
   * The duplicate rule (docs/PROTOCOL.md): of two connections between the same pair, keep the
   * one opened by the lower id; of two opened by the same side, keep the older.
   */
  private boolean newConnectionWins(Connection fresh, Connection old, PeerId remoteId) {
    PeerId freshOpener = fresh.direction == Direction.OUTBOUND ? localId : remoteId;
    PeerId oldOpener = old.direction == Direction.OUTBOUND ? localId : remoteId;
    return !freshOpener.equals(oldOpener) && freshOpener.compareTo(oldOpener) < 0;
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

  private void completeConnect(PeerHandle handle, CompletableFuture<Peer> future) {
    events.fire(handle, () -> future.complete(handle));
  }

  // ---- failed connects and handshakes ----

  void rejected(Connection c, DisconnectReason reason) {
    if (c.probe != null) {
      // Scan probes meet strangers by design: the scan report counts them, not the node.
      log.debug("{}: probe of {}: {}", logName, Node.format(c.remoteAddress()), Names.printable(reason.toString()));
      return;
    }
    counters.reject(reason.kind());
    if (reason.kind() == Kind.CLOSED_LOCALLY) {
      return;
    }
    log.info("{}: rejected {} connection {} {}: {}", logName, c.direction == Direction.INBOUND ? "inbound" : "outbound",
        c.direction == Direction.INBOUND ? "from" : "to", Node.format(c.remoteAddress()),
        Names.printable(reason.toString()));
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
        removed = peers.remove(h.id, h);
      }
      if (removed) {
        log.debug("{}: peer '{}' ({}) disconnected: {}", logName, h.name(), h.id.shortId(), reason);
        events.fire(h, () -> {
          for (PeerListener l : config.listeners()) {
            l.onDisconnected(h, reason);
          }
        });
      }
    }
  }

  private void orphaned(PeerHandle h, Connection c, DisconnectReason reason) {
    boolean removed;
    synchronized (lock) {
      removed = h.connection == c && peers.remove(h.id, h);
    }
    if (removed) {
      log.debug("{}: peer '{}' ({}) disconnected: {}", logName, Names.printable(h.name()), h.id.shortId(),
          Names.printable(reason.toString()));
      events.fire(h, () -> {
        for (PeerListener l : config.listeners()) {
          l.onDisconnected(h, reason);
        }
      });
      if (reconnector != null) {
        reconnector.lost(h.snapshot(), reason);
      }
    }
  }
}
