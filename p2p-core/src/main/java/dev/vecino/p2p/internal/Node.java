package dev.vecino.p2p.internal;

import dev.vecino.p2p.BroadcastResult;
import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.ConnectTimeoutException;
import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.HandshakeException;
import dev.vecino.p2p.Identity;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.NodeClosedException;
import dev.vecino.p2p.NodeStats;
import dev.vecino.p2p.NotAPeerException;
import dev.vecino.p2p.OtherGroupException;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerDisconnectedException;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerUnreachableException;
import dev.vecino.p2p.QueueFullException;
import dev.vecino.p2p.ScanHandle;
import dev.vecino.p2p.ScanOptions;
import dev.vecino.p2p.ScanStatus;
import dev.vecino.p2p.SelfConnectionException;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.UnsupportedVersionException;
import dev.vecino.p2p.VecinoException;
import dev.vecino.p2p.codec.ClassicCodec;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.discovery.Ports;
import dev.vecino.p2p.discovery.RangeScanDiscovery;
import dev.vecino.p2p.discovery.Targets;
import dev.vecino.p2p.internal.scan.ScanRun;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.Listener;
import dev.vecino.p2p.transport.Transport;
import dev.vecino.p2p.transport.TransportConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PeerNode} implementation: owns the transport, the peer registry, the callback
 * executor and the duplicate-connection rule.
 *
 * <p><b>Thread safety:</b> public methods may be called from any thread. The registry is
 * changed under {@code registryLock} so that two I/O threads never register the same peer.
 */
public final class Node implements PeerNode {

  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private enum Lifecycle { NEW, RUNNING, CLOSING, CLOSED }

  private final NodeConfig config;
  private final Identity identity;
  private final String logName;
  private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.NEW);
  private final Object registryLock = new Object();
  private final Map<PeerId, PeerHandle> peers = new ConcurrentHashMap<>();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Map<PeerId, String> aliases = new ConcurrentHashMap<>();
  private final AtomicLong peerSequence = new AtomicLong();
  private final NodeCounters counters = new NodeCounters();
  /** Listener and future delivery; package-private for connections and peer handles. */
  final Events events;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final java.util.concurrent.atomic.AtomicInteger pendingHandshakes = new java.util.concurrent.atomic.AtomicInteger();
  private final Map<java.net.InetAddress, Integer> pendingByAddress = new ConcurrentHashMap<>();
  private final Set<ScanRun> scans = ConcurrentHashMap.newKeySet();

  private Transport transport;
  private Listener listener;
  private final Reconnector reconnector;
  private Hello localHelloRecord;
  private byte[] localHello;

  public Node(NodeConfig config) {
    this.config = config;
    this.identity = config.identity();
    this.logName = identity.name() + "/" + identity.id().shortId();
    this.aliases.putAll(config.aliases());
    this.events = new Events(config, logName);
    this.reconnector = config.reconnect() != null ? new Reconnector(this, config.reconnect()) : null;
  }

  NodeConfig config() {
    return config;
  }

  String logName() {
    return logName;
  }

  byte[] localHello() {
    return localHello;
  }

  // ---- lifecycle ----

  @Override
  public PeerNode start() {
    if (!lifecycle.compareAndSet(Lifecycle.NEW, Lifecycle.RUNNING)) {
      throw new IllegalStateException("node " + logName + " was already started");
    }
    String suffix = identity.id().shortId();
    events.start(suffix);
    transport = config.transport().create(new TransportConfig(suffix, config.ioThreads()));
    int listenPort = 0;
    if (config.listen()) {
      try {
        listener = transport.listen(config.bindAddress(), config.backlog(), this::accept);
        listenPort = listener.localAddress().getPort();
      } catch (IOException e) {
        lifecycle.set(Lifecycle.CLOSED);
        transport.close();
        events.shutdown();
        terminated.complete(null);
        throw new ConfigurationException("cannot listen on " + format(config.bindAddress()) + ": " + e.getMessage(), e);
      }
    }
    localHelloRecord = new Hello(Hello.MIN_VERSION, Hello.VERSION, identity.id(), listenPort,
        identity.name(), config.group(), List.of());
    localHello = localHelloRecord.encode();
    log.info("{}: started, group '{}', {}", logName, config.group(),
        listener != null ? "listening on " + format(listener.localAddress()) : "not listening");
    return this;
  }

  private static String format(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  @Override
  public boolean isRunning() {
    return lifecycle.get() == Lifecycle.RUNNING;
  }

  boolean isClosing() {
    Lifecycle l = lifecycle.get();
    return l == Lifecycle.CLOSING || l == Lifecycle.CLOSED;
  }

  @Override
  public void close() {
    close("node closing");
  }

  @Override
  public void close(String reasonText) {
    Objects.requireNonNull(reasonText, "reason");
    if (lifecycle.compareAndSet(Lifecycle.NEW, Lifecycle.CLOSED)) {
      terminated.complete(null);
      return;
    }
    if (!lifecycle.compareAndSet(Lifecycle.RUNNING, Lifecycle.CLOSING)) {
      awaitTermination();
      return;
    }
    try {
      if (listener != null) {
        listener.close();
      }
      for (ScanRun s : scans) {
        s.nodeClosed();
      }
      List<CompletableFuture<Void>> closing = new ArrayList<>();
      DisconnectReason reason = DisconnectReason.of(Kind.CLOSED_LOCALLY, reasonText);
      for (Connection c : connections) {
        c.closeAsync(reason, true);
        closing.add(c.closedFuture);
      }
      if (!onIoThread()) {
        try {
          CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
              .get(config.closeTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          log.warn("{}: {} connections did not close within {}; closing them hard", logName,
              connections.size(), config.closeTimeout());
        } catch (ExecutionException e) {
          log.warn("{}: closing a connection failed", logName, e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      transport.close();
      events.shutdown();
      log.info("{}: closed", logName);
    } finally {
      lifecycle.set(Lifecycle.CLOSED);
      terminated.complete(null);
    }
  }

  private void awaitTermination() {
    if (onIoThread() || events.onCallbackThread()) {
      return;
    }
    try {
      terminated.get(config.closeTimeout().toMillis() + 15_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("{}: waiting for close failed: {}", logName, e.toString());
    }
  }

  private boolean onIoThread() {
    return Thread.currentThread().getName().startsWith("vecino-io-" + identity.id().shortId());
  }

  // ---- identity and configuration ----

  @Override
  public Identity identity() {
    return identity;
  }

  @Override
  public String group() {
    return config.group();
  }

  @Override
  public InetSocketAddress localAddress() {
    if (lifecycle.get() == Lifecycle.NEW) {
      throw new IllegalStateException("node " + logName + " is not started");
    }
    if (listener == null) {
      throw new IllegalStateException("node " + logName + " does not listen");
    }
    return listener.localAddress();
  }

  // ---- connecting ----

  private ChannelHandler accept(InetSocketAddress remote) {
    if (!isRunning()) {
      return null;
    }
    counters.accepted.increment();
    String refusal = null;
    if (connections.size() >= config.maxConnections()) {
      refusal = "connection limit of " + config.maxConnections() + " reached";
    } else if (pendingHandshakes.get() >= config.maxPendingHandshakes()) {
      refusal = "pending handshake limit of " + config.maxPendingHandshakes() + " reached";
    } else if (pendingByAddress.getOrDefault(remote.getAddress(), 0) >= config.maxPendingHandshakesPerAddress()) {
      refusal = "pending handshake limit of " + config.maxPendingHandshakesPerAddress() + " per address reached";
    }
    if (refusal != null) {
      counters.reject(Kind.LIMIT_EXCEEDED);
      // Per connection at DEBUG: a flood must not flood the log too; the count is in stats().
      log.debug("{}: refused connection from {}: {}", logName, format(remote), refusal);
      return null;
    }
    Connection c = new Connection(this, Direction.INBOUND, remote, null);
    c.countedAsPending = true;
    pendingHandshakes.incrementAndGet();
    pendingByAddress.merge(remote.getAddress(), 1, Integer::sum);
    return c;
  }

  /** A connection left the handshake (done or closed): release its pending-handshake slot. I/O thread. */
  void handshakeEnded(Connection c) {
    if (c.countedAsPending) {
      c.countedAsPending = false;
      pendingHandshakes.decrementAndGet();
      pendingByAddress.computeIfPresent(c.target.getAddress(), (k, v) -> v <= 1 ? null : v - 1);
    }
  }

  @Override
  public CompletableFuture<Peer> connect(String host, int port) {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535: " + port);
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      return CompletableFuture.failedFuture(new PeerUnreachableException("unknown host: " + host));
    }
    return connect(address);
  }

  @Override
  public CompletableFuture<Peer> connect(InetSocketAddress address) {
    CompletableFuture<Peer> f = connectInternal(address);
    if (reconnector != null) {
      f.thenAccept(p -> reconnector.remember(address, p.id()));
    }
    return f;
  }

  /** Connects without registering a reconnect intent (reconnect attempts use this). */
  CompletableFuture<Peer> connectInternal(InetSocketAddress address) {
    Objects.requireNonNull(address, "address");
    if (!isRunning()) {
      return CompletableFuture.failedFuture(closedException());
    }
    if (!config.codec().handshake() && isOwnListenAddress(address)) {
      // Without a handshake there is no id to recognise ourselves by: compare addresses.
      counters.reject(Kind.SELF_CONNECTION);
      return CompletableFuture.failedFuture(new SelfConnectionException(format(address)
          + " is this node's own listening address",
          DisconnectReason.of(Kind.SELF_CONNECTION, format(address) + " is this node")));
    }
    if (connections.size() >= config.maxConnections()) {
      counters.reject(Kind.LIMIT_EXCEEDED);
      return CompletableFuture.failedFuture(new PeerUnreachableException("cannot connect to " + format(address)
          + ": connection limit of " + config.maxConnections() + " reached"));
    }
    CompletableFuture<Peer> future = new CompletableFuture<>();
    Connection c = new Connection(this, Direction.OUTBOUND, address, future);
    transport.connect(address, null, config.connectTimeout(), c);
    return future;
  }

  private NodeClosedException closedException() {
    return new NodeClosedException("node " + logName + " is " + (lifecycle.get() == Lifecycle.NEW ? "not started" : "closed"));
  }

  /**
   * Returns whether {@code a} reaches this node's own listener: same port, and the bound
   * address itself or, when bound to all addresses, any loopback or local interface address.
   */
  private boolean isOwnListenAddress(InetSocketAddress a) {
    Listener l = listener;
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

  boolean track(Connection c) {
    if (!isRunning()) {
      return false;
    }
    connections.add(c);
    return true;
  }

  /** Applies version, self, group and duplicate rules to a received HELLO. I/O thread. */
  void onHello(Connection c, Hello hello) {
    String who = "'" + hello.name() + "' (" + hello.id().shortId() + ") at " + format(c.remoteAddress());
    if (localHelloRecord.negotiate(hello) < 0) {
      if (endProbe(c, ScanStatus.INCOMPATIBLE, hello, false)) {
        return;
      }
      c.handshakeFailed(DisconnectReason.of(Kind.VERSION_UNSUPPORTED, "protocol version "
          + hello.minVersion() + ".." + hello.maxVersion() + " unsupported; this node speaks "
          + Hello.MIN_VERSION + ".." + Hello.VERSION), true);
      return;
    }
    if (hello.id().equals(identity.id())) {
      if (endProbe(c, ScanStatus.SELF, hello, false)) {
        return;
      }
      c.handshakeFailed(DisconnectReason.of(Kind.SELF_CONNECTION, format(c.remoteAddress()) + " is this node"), true);
      return;
    }
    if (!hello.group().equals(config.group())) {
      if (endProbe(c, ScanStatus.OTHER_GROUP, hello, false)) {
        return;
      }
      c.handshakeFailed(DisconnectReason.of(Kind.OTHER_GROUP, who + " is in group '" + hello.group()
          + "', this node in '" + config.group() + "'"), true);
      return;
    }
    if (c.probe != null && !c.probe.keep && endProbe(c, ScanStatus.PEER, hello, !peers.containsKey(hello.id()))) {
      return;
    }
    PeerHandle existing;
    Connection loser = null;
    PeerHandle handle;
    boolean isNew = false;
    synchronized (registryLock) {
      if (!isRunning()) {
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
        handle = new PeerHandle(this, hello.id(), hello.name(), hello.listenPort(),
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
      probeOutcome(c, ScanStatus.PEER, hello, false);
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
    probeOutcome(c, ScanStatus.PEER, hello, isNew);
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
      events.fire(handle, () -> {
        for (PeerListener l : config.listeners()) {
          l.onConnected(handle);
        }
      });
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
    PeerId freshOpener = fresh.direction == Direction.OUTBOUND ? identity.id() : remoteId;
    PeerId oldOpener = old.direction == Direction.OUTBOUND ? identity.id() : remoteId;
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
    PeerHandle handle = new PeerHandle(this, id, name != null ? name : key, 0,
        peerSequence.incrementAndGet(), c);
    synchronized (registryLock) {
      peers.put(id, handle);
    }
    c.attachWithoutHandshake(handle);
    counters.established.increment();
    events.fire(handle, () -> {
      for (PeerListener l : config.listeners()) {
        l.onConnected(handle);
      }
    });
    if (c.connectFuture != null) {
      completeConnect(handle, c.connectFuture);
    }
  }

  /** Codecs without a handshake: a peer's id is derived from its address. */
  private static PeerId addressId(InetSocketAddress a) {
    String key = a.getAddress().getHostAddress() + ":" + a.getPort();
    UUID u = UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
    return new PeerId(u.getMostSignificantBits(), u.getLeastSignificantBits());
  }

  private void completeConnect(PeerHandle handle, CompletableFuture<Peer> future) {
    events.fire(handle, () -> future.complete(handle));
  }

  void rejected(Connection c, DisconnectReason reason) {
    if (c.probe != null) {
      // Scan probes meet strangers by design: the scan report counts them, not the node.
      log.debug("{}: probe of {}: {}", logName, format(c.remoteAddress()), reason);
      return;
    }
    counters.reject(reason.kind());
    if (reason.kind() == Kind.CLOSED_LOCALLY) {
      return;
    }
    log.info("{}: rejected {} connection {} {}: {}", logName, c.direction == Direction.INBOUND ? "inbound" : "outbound",
        c.direction == Direction.INBOUND ? "from" : "to", format(c.remoteAddress()), reason);
  }

  void failConnect(Connection c, VecinoException e) {
    CompletableFuture<Peer> f = c.connectFuture;
    events.run(() -> f.completeExceptionally(e));
  }

  /** A connect never reached the handshake. */
  void connectFailed(Connection c, IOException cause) {
    VecinoException e;
    String where = format(c.target);
    if (isClosing()) {
      e = closedException();
    } else if (cause instanceof SocketTimeoutException) {
      e = new ConnectTimeoutException("connect to " + where + " timed out after "
          + config.connectTimeout().toMillis() + " ms", cause);
    } else {
      e = new PeerUnreachableException("cannot connect to " + where + ": "
          + (cause == null ? "closed" : cause.getMessage()), cause);
    }
    failConnect(c, e);
  }

  static VecinoException handshakeException(InetSocketAddress target, DisconnectReason reason) {
    String where = target == null ? "peer" : format(target);
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

  /** A connection is gone: unregister it and tell the listeners. I/O thread. */
  void closed(Connection c, DisconnectReason reason) {
    connections.remove(c);
    counters.retire(c);
    PeerHandle h = c.handle();
    if (h == null || c.replaced) {
      return;
    }
    if (c.remoteKeptOther && isRunning()) {
      // The winning connection of a simultaneous connect is on its way: keep the handle for it.
      c.eventLoop().schedule(() -> orphaned(h, c, reason), config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
      return;
    }
    orphaned(h, c, reason);
  }

  private void orphaned(PeerHandle h, Connection c, DisconnectReason reason) {
    boolean removed;
    synchronized (registryLock) {
      removed = h.connection == c && peers.remove(h.id, h);
    }
    if (removed) {
      log.debug("{}: peer '{}' ({}) disconnected: {}", logName, h.name(), h.id.shortId(), reason);
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

  // ---- events ----

  void failSend(CompletableFuture<Void> f, Connection c) {
    VecinoException e = isClosing() ? closedException()
        : new PeerDisconnectedException("peer at " + format(c.remoteAddress()) + " disconnected before the message was written");
    events.run(() -> f.completeExceptionally(e));
  }

  void failQueueTimeout(CompletableFuture<Void> f, Connection c, long timeoutNanos) {
    QueueFullException e = new QueueFullException("outbound queue to " + format(c.remoteAddress())
        + " stayed full for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
    events.run(() -> f.completeExceptionally(e));
  }

  /** A loop for timers not tied to a connection. */
  dev.vecino.p2p.transport.EventLoop timerLoop() {
    return transport.nextEventLoop();
  }

  // ---- peers and aliases ----

  @Override
  public List<PeerInfo> peers() {
    return sortedHandles().stream().map(PeerHandle::snapshot).toList();
  }

  @Override
  public List<PeerInfo> reconnecting() {
    return reconnector == null ? List.of() : reconnector.reconnecting();
  }

  @Override
  public List<Peer> connectedPeers() {
    return List.copyOf(sortedHandles());
  }

  private List<PeerHandle> sortedHandles() {
    List<PeerHandle> list = new ArrayList<>(peers.values());
    list.sort(Comparator.comparingLong(h -> h.sequence));
    return list;
  }

  @Override
  public Optional<Peer> peer(PeerId id) {
    return Optional.ofNullable(peers.get(Objects.requireNonNull(id, "id")));
  }

  @Override
  public void setAlias(PeerId id, String alias) {
    Objects.requireNonNull(id, "id");
    if (alias == null) {
      aliases.remove(id);
    } else {
      Names.check(alias, "alias");
      aliases.put(id, alias);
    }
  }

  @Override
  public Map<PeerId, String> aliases() {
    return Map.copyOf(aliases);
  }

  String aliasOf(PeerId id) {
    return aliases.get(id);
  }

  // ---- sending ----

  private Connection connectionOf(Peer peer) {
    Objects.requireNonNull(peer, "peer");
    if (!(peer instanceof PeerHandle h) || h.node != this) {
      throw new IllegalArgumentException("peer " + peer + " does not belong to node " + logName);
    }
    return h.connection;
  }

  private static FrameType frameType(MessageKind kind) {
    return switch (kind) {
      case TEXT -> FrameType.TEXT;
      case BINARY -> FrameType.BINARY;
      case CALL -> FrameType.CALL;
    };
  }

  private static SendStatus status(int s) {
    return s == Outbound.OK ? SendStatus.OK : s == Outbound.FULL ? SendStatus.QUEUE_FULL : SendStatus.CLOSED;
  }

  @Override
  public SendStatus trySend(Peer peer, byte[] payload) {
    return trySend(peer, MessageKind.BINARY, payload, 0, payload.length);
  }

  @Override
  public SendStatus trySend(Peer peer, MessageKind kind, byte[] payload, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, payload.length);
    Connection c = connectionOf(peer);
    return status(c.send(frameType(kind), payload, offset, length, null, null));
  }

  @Override
  public SendStatus trySend(Peer peer, ByteBuffer payload) {
    Objects.requireNonNull(payload, "payload");
    Connection c = connectionOf(peer);
    return status(c.send(FrameType.BINARY, null, 0, 0, payload, null));
  }

  @Override
  public CompletableFuture<Void> send(Peer peer, MessageKind kind, byte[] payload) {
    return send(peer, kind, payload, config.sendTimeout());
  }

  @Override
  public CompletableFuture<Void> send(Peer peer, MessageKind kind, byte[] payload, java.time.Duration queueTimeout) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(queueTimeout, "queueTimeout");
    Connection c = connectionOf(peer);
    CompletableFuture<Void> f = new CompletableFuture<>();
    int s = c.send(frameType(kind), payload, 0, payload.length, null, f);
    if (s == Outbound.FULL && queueTimeout.toNanos() > 0
        && c.park(frameType(kind), payload.clone(), f, queueTimeout.toNanos())) {
      return f;
    }
    if (s == Outbound.FULL) {
      return CompletableFuture.failedFuture(new QueueFullException("outbound queue to " + describe(peer)
          + " is full (" + c.queuedBytes() + " bytes queued, limit " + config.maxQueuedBytes() + ")"));
    }
    if (s == Outbound.CLOSED) {
      return CompletableFuture.failedFuture(isClosing() ? closedException()
          : new PeerDisconnectedException(describe(peer) + " is not connected"));
    }
    return f;
  }

  private static String describe(Peer p) {
    return "peer '" + p.name() + "' (" + p.id().shortId() + ")";
  }

  @Override
  public CompletableFuture<Void> send(Peer peer, String text) {
    return send(peer, MessageKind.TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public CompletableFuture<Void> call(Peer peer, String text) {
    return send(peer, MessageKind.CALL, text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public BroadcastResult broadcast(MessageKind kind, byte[] payload) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Map<PeerId, SendStatus> result = new HashMap<>();
    FrameType type = frameType(kind);
    for (PeerHandle h : sortedHandles()) {
      result.put(h.id, status(h.connection.send(type, payload, 0, payload.length, null, null, false)));
    }
    return new BroadcastResult(result);
  }

  @Override
  public BroadcastResult broadcast(String text) {
    return broadcast(MessageKind.TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  // ---- disconnecting ----

  @Override
  public CompletableFuture<Void> disconnect(Peer peer) {
    return disconnect(peer, "disconnected");
  }

  @Override
  public CompletableFuture<Void> disconnect(Peer peer, String reason) {
    Objects.requireNonNull(reason, "reason");
    Connection c = connectionOf(peer);
    if (reconnector != null) {
      reconnector.forget(peer.id());
    }
    c.closeAsync(DisconnectReason.of(Kind.CLOSED_LOCALLY, reason), true);
    CompletableFuture<Void> f = new CompletableFuture<>();
    c.closedFuture.whenComplete((v, e) -> events.run(() -> f.complete(null)));
    return f;
  }

  @Override
  public CompletableFuture<Void> disconnectAll() {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (PeerHandle h : sortedHandles()) {
      all.add(disconnect(h));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  // ---- scanning (issue 4) ----

  @Override
  public ScanHandle scan(Targets targets, Ports ports, ScanOptions options) {
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(ports, "ports");
    Objects.requireNonNull(options, "options");
    Targets t = targets.minus(options.exclude()).requireAtMost(options.maxAddresses());
    return scan(RangeScanDiscovery.of(t, ports), options);
  }

  @Override
  public ScanHandle discover(ScanOptions options) {
    Objects.requireNonNull(options, "options");
    Discovery d = config.discovery();
    if (d == null) {
      if (listener == null) {
        throw new IllegalStateException("node " + logName + " does not listen: discover() scans the node's own "
            + "port; use scan(targets, ports) instead");
      }
      Targets own = Targets.localSubnets().minus(options.exclude()).requireAtMost(options.maxAddresses());
      log.info("{}: discovering peers on port {} in {}", logName, listener.localAddress().getPort(), own.describe());
      d = RangeScanDiscovery.of(own);
    }
    return scan(d, options);
  }

  @Override
  public ScanHandle scan(Discovery discovery, ScanOptions options) {
    Objects.requireNonNull(discovery, "discovery");
    Objects.requireNonNull(options, "options");
    if (!isRunning()) {
      throw new IllegalStateException("node " + logName + " is " + lifecycle.get().name().toLowerCase(Locale.ROOT));
    }
    if (!config.codec().handshake() && !(config.codec() instanceof ClassicCodec)) {
      // Without HELLO or greeting nothing tells a peer from any other open port.
      throw new IllegalStateException("node " + logName + " uses the '" + config.codec().name()
          + "' codec, which neither handshakes nor greets: a scan could verify nothing");
    }
    if (discovery instanceof RangeScanDiscovery r) {
      r.targets().requireAtMost(options.maxAddresses());
    }
    int port = listener != null ? listener.localAddress().getPort() : 0;
    Executor scanEvents = config.directCallbacks() ? Runnable::run : this.events.newSerialExecutor()::submit;
    ScanRun run = new ScanRun(logName, discovery, port, options, transport.nextEventLoop(), scanEvents, this::probe,
        scans::remove);
    scans.add(run);
    run.start();
    return run;
  }

  /** Starts a scan probe through the ordinary connection and handshake code; false if closing. */
  private boolean probe(Probe p) {
    if (!isRunning()) {
      return false;
    }
    if (!config.codec().handshake() && isOwnListenAddress(p.target)) {
      // Classic mode has no id to recognise ourselves by: compare addresses, as connect does.
      p.outcome(ScanStatus.SELF, null, false);
      p.closed(false, null, false);
      return true;
    }
    Connection c = new Connection(this, Direction.OUTBOUND, p.target, null, p);
    transport.connect(p.target, null, Duration.ofNanos(p.connectTimeoutNanos), c);
    return true;
  }

  /**
   * Ends a scan probe that is not kept: reports it and says a plain BYE ("probe"), which the
   * other node treats as an ordinary, quiet close whatever the probe found (self, other group,
   * incompatible version, or a peer only looked at). The other node then closes first.
   * Returns false for connections that are not probes.
   */
  private static boolean endProbe(Connection c, ScanStatus status, Hello hello, boolean newPeer) {
    if (c.probe == null) {
      return false;
    }
    c.probe.outcome(status, hello, newPeer);
    c.close(DisconnectReason.of(Kind.CLOSED_LOCALLY, "probe"), true);
    return true;
  }

  /**
   * Classic mode: a probe's first chunk was a greeting ({@code name}), or it said nothing
   * usable in time ({@code null}). A peer is its address there (docs/PROTOCOL.md, 3): it is
   * reported as a peer of this node's group and, if kept, registered like any classic peer.
   * I/O thread.
   */
  void classicProbeAnswered(Connection c, String name) {
    if (c.handle() != null || c.isClosingOrClosed()) {
      return;
    }
    if (name == null || !c.probe.greeted()) {
      c.probe.outcome(ScanStatus.NOT_A_PEER, null, false);
      c.close(DisconnectReason.of(Kind.NOT_A_PEER, "no classic greeting"), false);
      return;
    }
    InetSocketAddress a = c.remoteAddress();
    PeerId id = addressId(a);
    boolean known = peers.containsKey(id);
    // The classic protocol has no HELLO: the greeting stands in for one, identity by address.
    Hello greeting = new Hello(Hello.MIN_VERSION, Hello.VERSION, id, a.getPort(), name, config.group(), List.of());
    c.probe.outcome(ScanStatus.PEER, greeting, !known);
    if (known || !c.probe.keep) {
      c.close(DisconnectReason.of(Kind.CLOSED_LOCALLY, "probe"), false);
      return;
    }
    handshakeEnded(c);
    registerWithoutHandshake(c, name);
    c.probe.handedOver();
  }

  private static void probeOutcome(Connection c, ScanStatus status, Hello hello, boolean newPeer) {
    if (c.probe != null) {
      c.probe.outcome(status, hello, newPeer);
    }
  }

  // ---- stats ----

  @Override
  public NodeStats stats() {
    long mIn = counters.messagesIn.get();
    long mOut = counters.messagesOut.get();
    long bIn = counters.bytesIn.get();
    long bOut = counters.bytesOut.get();
    for (Connection c : connections) {
      mIn += c.messagesIn();
      mOut += c.messagesOut();
      bIn += c.bytesIn();
      bOut += c.bytesOut();
    }
    int established = peers.size();
    return new NodeStats(established, Math.max(0, connections.size() - established),
        counters.accepted.sum(), counters.established.sum(), counters.rejectedSnapshot(),
        mIn, mOut, bIn, bOut);
  }

  @Override
  public String toString() {
    return "PeerNode{" + logName + ", group=" + config.group() + ", " + lifecycle.get() + "}";
  }
}
