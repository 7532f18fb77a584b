package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerUnreachableException;
import dev.vecino.p2p.SelfConnectionException;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.Listener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's live connections, from open to close: admits inbound ones through its
 * {@link Admission} (connection and pending-handshake limits, by address), opens outbound ones,
 * tracks every open one, and closes them all when the node closes. It is the
 * {@link ConnectionOwner} every connection reports to: it tracks them itself and hands what
 * concerns peers to its {@link PeerRegistry}.
 *
 * <p><b>Thread safety:</b> owned by its {@link Node}. The set and the outbound count are
 * concurrent: connections add and remove themselves on their I/O threads, connects and the
 * node's close come from any thread. {@link Admission} and {@link PeerRegistry} name their
 * own rules.
 */
final class Connections implements ConnectionOwner {

  private static final Logger log = LoggerFactory.getLogger(Connections.class);

  private final Node node;
  private final NodeConfig config;
  private final String logName;
  private final NodeCounters counters;
  private final PeerRegistry registry;
  private final Set<Connection> live = ConcurrentHashMap.newKeySet();
  private final Admission admission;
  /** Outbound connections (scan probes included) in {@link #live}. */
  private final AtomicInteger outboundOpen = new AtomicInteger();
  /** Where outbound sockets and scan probes bind (port 0), or null for the wildcard: any. */
  private final InetSocketAddress outboundBind;

  Connections(Node node, NodeConfig config, NodeCounters counters, PeerRegistry registry) {
    this.node = node;
    this.config = config;
    this.logName = node.logName();
    this.counters = counters;
    this.registry = registry;
    this.admission = new Admission(config, logName, counters);
    InetAddress bind = config.bindAddress().getAddress();
    this.outboundBind = bind.isAnyLocalAddress() ? null : new InetSocketAddress(bind, 0);
  }

  /**
   * The local address outbound connections and scan probes bind to before connecting: the
   * node's {@code bindAddress} with port 0, or null when the node is bound to the wildcard
   * address (the kernel then picks the source address by route).
   */
  InetSocketAddress outboundBind() {
    return outboundBind;
  }

  /**
   * Returns why {@code target} cannot be reached from this node's bind address, or null if it
   * may be tried. Decided without touching the network: a socket bound to a loopback address
   * can reach only loopback addresses, and one bound to an address of one family only
   * addresses of that family. Any thread.
   */
  String unreachableFromBind(InetSocketAddress target) {
    if (outboundBind == null || target.isUnresolved()) {
      return null;
    }
    InetAddress from = outboundBind.getAddress();
    InetAddress to = target.getAddress();
    if (!from.getClass().equals(to.getClass())) {
      return "cannot reach " + Node.format(target) + " from bind address " + from.getHostAddress()
          + ": different address family";
    }
    if (from.isLoopbackAddress() && !to.isLoopbackAddress() && !to.isAnyLocalAddress()) {
      return "cannot reach " + Node.format(target) + " from bind address " + from.getHostAddress()
          + ": a loopback address reaches only loopback addresses";
    }
    return null;
  }

  /** The open connections, a read-only live view. Any thread. */
  Set<Connection> live() {
    return Collections.unmodifiableSet(live);
  }

  int size() {
    return live.size();
  }

  /**
   * The connections counted against {@code maxConnections}: inbound ones from accept to close,
   * outbound ones from open to close. Any thread.
   */
  int counted() {
    return admission.inboundTotal() + outboundOpen.get();
  }

  /** The listener's accept callback: a new connection, or null to refuse. Listener's I/O thread. */
  ChannelHandler accept(InetSocketAddress remote) {
    if (!node.isRunning()) {
      return null;
    }
    counters.accepted.increment();
    if (!config.admitsAddress(remote.getAddress())) {
      // Before a byte is sent: the address lists say nothing of this node to a refused source.
      counters.reject(DisconnectReason.Kind.NOT_ADMITTED);
      node.logBudget.log(LogBudget.Topic.REJECTED, "{}: refused inbound connection from {}: address not allowed",
          node.logName(), Node.format(remote));
      return null;
    }
    Connection c = admission.admit(remote, outboundOpen.get(), () -> new Connection(node, this, Direction.INBOUND, remote,
        null));
    return c == null ? null : handlerFor(c);
  }

  /**
   * What the transport talks to for {@code c}: the connection itself, or the first of the
   * node's byte stages around it (see {@link ByteStage}). Any thread.
   */
  ChannelHandler handlerFor(Connection c) {
    Tls tls = node.tls();
    if (tls == null) {
      return ByteStage.wrap(config.byteStages(), c);
    }
    // TLS next to the connection, so the other stages (tests') carry its pre-HELLO and records.
    return ByteStage.wrap(config.byteStages(), c.secure(tls));
  }

  /** Connects without registering a reconnect intent. Any thread. */
  CompletableFuture<Peer> connect(InetSocketAddress address) {
    Objects.requireNonNull(address, "address");
    if (!node.isRunning()) {
      return CompletableFuture.failedFuture(node.closedException());
    }
    if (!config.codec().handshake() && isOwnListenAddress(address)) {
      // Without a handshake there is no id to recognise ourselves by: compare addresses.
      counters.reject(Kind.SELF_CONNECTION);
      return CompletableFuture.failedFuture(new SelfConnectionException(Node.format(address)
          + " is this node's own listening address",
          DisconnectReason.of(Kind.SELF_CONNECTION, Node.format(address) + " is this node")));
    }
    String unreachable = unreachableFromBind(address);
    if (unreachable != null) {
      return CompletableFuture.failedFuture(new PeerUnreachableException(unreachable));
    }
    if (counted() >= config.maxConnections()) {
      counters.reject(Kind.LIMIT_EXCEEDED);
      return CompletableFuture.failedFuture(new PeerUnreachableException("cannot connect to " + Node.format(address)
          + ": connection limit of " + config.maxConnections() + " reached"));
    }
    CompletableFuture<Peer> future = new CompletableFuture<>();
    Connection c = new Connection(node, this, Direction.OUTBOUND, address, future);
    node.transport().connect(address, outboundBind, config.connectTimeout(), handlerFor(c));
    return future;
  }

  /**
   * Returns whether {@code a} reaches this node's own listener: same port, and the bound
   * address itself or, when bound to all addresses, any loopback or local interface address.
   */
  boolean isOwnListenAddress(InetSocketAddress a) {
    Listener l = node.listener();
    if (l == null || a.getPort() != l.localAddress().getPort()) {
      return false;
    }
    InetAddress bound = l.localAddress().getAddress();
    InetAddress target = a.getAddress();
    if (!bound.isAnyLocalAddress()) {
      return bound.equals(target);
    }
    if (target.isAnyLocalAddress() || target.isLoopbackAddress()) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(target) != null;
    } catch (SocketException e) {
      log.debug("{}: cannot tell whether {} is local: {}", logName, target, e.toString());
      return false;
    }
  }

  // ---- reports from connections (ConnectionOwner; the connection's I/O thread) ----

  @Override
  public boolean track(Connection c) {
    if (!node.isRunning()) {
      return false;
    }
    if (live.add(c) && c.direction == Direction.OUTBOUND) {
      outboundOpen.incrementAndGet();
    }
    return true;
  }

  /** See {@link Admission#handshakeEnded}. */
  @Override
  public void handshakeEnded(Connection c) {
    admission.handshakeEnded(c);
  }

  @Override
  public void onHello(Connection c, Hello hello) {
    registry.onHello(c, hello);
  }

  @Override
  public void registerWithoutHandshake(Connection c, String name) {
    registry.registerWithoutHandshake(c, name);
  }

  @Override
  public void rejected(Connection c, DisconnectReason reason) {
    registry.rejected(c, reason);
  }

  @Override
  public void failConnect(Connection c, DisconnectReason reason) {
    registry.failConnect(c, PeerRegistry.handshakeException(c.target, reason));
  }

  @Override
  public void connectFailed(Connection c, IOException cause) {
    registry.connectFailed(c, cause);
  }

  /**
   * A connection is gone: stops tracking it, releases what it held against the limits, folds
   * its counters into the node's, and unregisters its peer.
   */
  @Override
  public void closed(Connection c, DisconnectReason reason) {
    if (live.remove(c) && c.direction == Direction.OUTBOUND) {
      outboundOpen.decrementAndGet();
    }
    admission.closed(c);
    counters.retire(c);
    registry.closed(c, reason);
  }

  /** Starts closing every connection; returns their close futures. Any thread. */
  List<CompletableFuture<Void>> closeAll(DisconnectReason reason) {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (Connection c : live) {
      c.closeAsync(reason, true);
      closing.add(c.closedFuture);
    }
    return closing;
  }

  /**
   * Closes every connection with {@code reason}; unless called on an I/O thread (which must not
   * wait for the others), waits up to the close timeout.
   */
  void closeAllAndWait(DisconnectReason reason, boolean onIoThread) {
    List<CompletableFuture<Void>> closing = closeAll(reason);
    if (onIoThread) {
      return;
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
          .get(config.closeTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("{}: {} connections did not close within {}; closing them hard", logName, size(),
          config.closeTimeout());
    } catch (ExecutionException e) {
      log.warn("{}: closing a connection failed", logName, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The node failed: says BYE on the connections the calling thread owns, while it still can. */
  void sayByeOnOwn(DisconnectReason reason) {
    for (Connection c : live) {
      try {
        if (c.eventLoop().inEventLoop()) {
          c.close(reason, true);
        }
      } catch (RuntimeException | Error x) {
        log.debug("{}: cannot say BYE on {} after the failure: {}", logName, c, x.toString());
      }
    }
  }
}
