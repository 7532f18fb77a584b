package dev.vecino.p2p.internal;

import dev.vecino.p2p.BroadcastResult;
import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.Identity;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.NodeClosedException;
import dev.vecino.p2p.NodeStats;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.PeerUnreachableException;
import dev.vecino.p2p.PinnedPeer;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.VecinoException;
import dev.vecino.p2p.discovery.Backoff;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanHandle;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.transport.EventLoop;
import dev.vecino.p2p.transport.Listener;
import dev.vecino.p2p.transport.Transport;
import dev.vecino.p2p.transport.TransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PeerNode} implementation: owns the transport and listener, the callback executor
 * ({@link Events}), and delegates the rest to the parts it owns: {@link Lifecycle} (start,
 * close and failure: when each step runs; the steps are here), {@link PeerRegistry} (peers,
 * handshake and duplicate-connection rules), {@link Connections} (open connections and their
 * limits), {@link Sending} and {@link Scanning}. Connections report to their
 * {@link ConnectionOwner}, {@link Connections}.
 *
 * <p><b>Thread safety:</b> public methods may be called from any thread. The transport and
 * listener are set once, in {@link #start()}, and read by the failure thread too (volatile).
 * Each part names its own rules.
 */
public final class Node implements PeerNode {

  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final NodeConfig config;
  private final Supplier<PeerNodeBuilder> toBuilder;
  private final Identity identity;
  private final String logName;
  private final Lifecycle lifecycle;
  private final NodeCounters counters = new NodeCounters();
  /** Bounds the INFO and WARN lines remote parties cause; package-private for connections and the registry. */
  final LogBudget logBudget;
  /** Listener and future delivery; package-private for connections and peer handles. */
  final Events events;

  private volatile Transport transport;
  private volatile Listener listener;
  private final Reconnector reconnector;
  private final PeerRegistry registry;
  private final Connections connections;
  private final Scanning scanning;
  /** First connects being retried ({@link #connect(InetSocketAddress, Backoff)}): a close fails them. */
  private final Set<RetryingConnect> retrying = ConcurrentHashMap.newKeySet();
  private final Sending sending;
  private final Pins pins;
  /** A secure node's TLS parts, from {@link #start()}; null for a plaintext node. */
  private volatile Tls tls;
  /** The MXBean, when the {@code jmx} option is on; else null. */
  private final NodeJmx jmx;
  private Hello localHelloRecord;
  private byte[] localHello;

  /**
   * Creates a node; only {@link NodeConfig#newNode} does, for {@code PeerNodeBuilder.build()}.
   *
   * @param config the validated options
   * @param toBuilder makes a builder with the options this node was built with
   */
  Node(NodeConfig config, Supplier<PeerNodeBuilder> toBuilder) {
    this.config = config;
    this.toBuilder = toBuilder;
    this.identity = config.identity();
    this.logName = identity.name() + "/" + identity.id().shortId();
    this.lifecycle = new Lifecycle(this, logName);
    this.logBudget = new LogBudget(logName, this::timerLoop);
    this.events = new Events(config, logName, logBudget,
        cause -> fail("a callback threw on thread " + Thread.currentThread().getName(), cause));
    this.reconnector = config.reconnect() != null ? new Reconnector(this, config.reconnect()) : null;
    this.registry = new PeerRegistry(this, config, counters, events, reconnector);
    this.connections = new Connections(this, config, counters, registry);
    this.scanning = new Scanning(this, config, counters, events, registry, connections);
    this.sending = new Sending(this, config, events, registry);
    this.pins = new Pins(this);
    this.jmx = config.jmx() ? new NodeJmx(this, logName) : null;
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

  /** This node's HELLO; null before {@link #start()}. */
  Hello localHelloRecord() {
    return localHelloRecord;
  }

  /** A secure node's TLS parts; null for a plaintext node, and before {@link #start()}. */
  Tls tls() {
    return tls;
  }

  /** The transport; null before {@link #start()}. */
  Transport transport() {
    return transport;
  }

  /** The listener; null before {@link #start()} and when the node does not listen. */
  Listener listener() {
    return listener;
  }

  // ---- lifecycle: the rules are in Lifecycle, the work here ----

  @Override
  public PeerNode start() {
    lifecycle.start();
    log.info("{}: started, group '{}', {}", logName, config.group(),
        listener != null ? "listening on " + format(listener.localAddress()) : "not listening");
    return this;
  }

  /** The work of {@link #start()}: callback thread, transport, listener, HELLO. */
  void startParts() {
    String suffix = identity.id().shortId();
    events.start(suffix);
    tls = Tls.of(config, suffix);
    Transport t = config.transport().create(new TransportConfig(suffix, config.ioThreads(), config.busyPoll(),
        (loop, cause) -> fail("I/O thread " + loop + " died", cause), logName));
    transport = Objects.requireNonNull(t, "the transport factory returned null");
    int listenPort = 0;
    if (config.listen()) {
      try {
        listener = t.listen(config.bindAddress(), config.backlog(), connections::accept);
        listenPort = listener.localAddress().getPort();
      } catch (IOException e) {
        throw new ConfigurationException("cannot listen on " + format(config.bindAddress()) + ": " + e.getMessage(), e);
      }
    }
    // A secure node speaks the TLS version only; a plaintext one the version before it.
    int version = tls != null ? Tls.VERSION : Hello.VERSION;
    localHelloRecord = new Hello(version, version, identity.id(), listenPort,
        identity.name(), config.group(), List.of());
    localHello = localHelloRecord.encode();
    if (jmx != null) {
      jmx.register();
    }
    scanning.discovery().start(identity.id(), listenPort);
  }

  /** The node's discovery parts (issue 17): scope, peer store, beacons. */
  NodeDiscovery discovery() {
    return scanning.discovery();
  }

  /** The node's pinned keys: the API's view and the pinned-name check. */
  Pins pins() {
    return pins;
  }

  /** {@link #start()} failed half-way: stops the transport and the callback thread, if started. */
  void abortStart() {
    if (jmx != null) {
      guarded("unregistering the MXBean", jmx::unregister);
    }
    Transport t = transport;
    if (t != null) {
      guarded("closing the transport", t::close);
    }
    guarded("stopping the TLS executor", () -> Tls.close(tls));
    guarded("stopping the callback thread", events::shutdown);
  }

  /**
   * Stops the node: the MXBean, the listener, scans, every connection (BYE with {@code reason}, waiting up
   * to the close timeout), the transport; after a failure, the peers still registered; then the
   * callback thread. Each step is guarded, so one that fails cannot leave threads behind.
   */
  void stopParts(DisconnectReason reason, boolean failed) {
    if (jmx != null) {
      guarded("unregistering the MXBean", jmx::unregister);
    }
    Listener l = listener;
    if (l != null) {
      guarded("closing the listener", l::close);
    }
    guarded("stopping the scans", scanning::nodeClosed);
    guarded("stopping the connect retries", () -> List.copyOf(retrying).forEach(RetryingConnect::nodeClosed));
    guarded("stopping discovery", scanning.discovery()::stop);
    guarded("closing the connections", () -> connections.closeAllAndWait(reason, onIoThread()));
    Transport t = transport;
    if (t != null) {
      guarded("closing the transport", t::close);
    }
    guarded("stopping the TLS executor", () -> Tls.close(tls));
    if (failed) {
      guarded("disconnecting the peers left", () -> registry.disconnectAll(reason));
    }
    guarded("stopping the callback thread", events::shutdown);
    // Last: listeners still running above may log within the budget.
    guarded("reporting the log lines held back", logBudget::close);
  }

  /** Runs one step of stopping the node; a failing step is logged and the next ones still run. */
  private void guarded(String step, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | Error e) {
      log.warn("{}: {} failed", logName, step, e);
    }
  }

  /** See {@link Connections#sayByeOnOwn}. */
  void sayByeOnOwnConnections(DisconnectReason reason) {
    connections.sayByeOnOwn(reason);
  }

  static String format(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  @Override
  public boolean isRunning() {
    return lifecycle.isRunning();
  }

  /** See {@link Lifecycle#name}. */
  String lifecycleName() {
    return lifecycle.name();
  }

  /** See {@link Lifecycle#isClosing}. */
  boolean isClosing() {
    return lifecycle.isClosing();
  }

  /** See {@link Lifecycle#failureReason}. */
  DisconnectReason failureReason() {
    return lifecycle.failureReason();
  }

  /** See {@link Lifecycle#fail}. */
  void fail(String what, Throwable cause) {
    lifecycle.fail(what, cause);
  }

  /** See {@link Lifecycle#closedException}. */
  NodeClosedException closedException() {
    return lifecycle.closedException();
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return lifecycle.closeFuture();
  }

  @Override
  public void close(String reasonText) {
    lifecycle.close(Objects.requireNonNull(reasonText, "reason"));
  }

  /** Whether the caller is one of the node's own threads: an I/O thread, or the default callback thread. */
  boolean onOwnThread() {
    return onIoThread() || events.onCallbackThread();
  }

  /** Whether the caller is one of the transport's loop threads: the transport knows, whatever it names them. */
  boolean onIoThread() {
    Transport t = transport;
    return t != null && t.inEventLoop();
  }

  // ---- identity and configuration ----

  @Override
  public PeerNodeBuilder toBuilder() {
    return toBuilder.get();
  }

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
    if (lifecycle.isNew()) {
      throw new IllegalStateException("node " + logName + " is not started");
    }
    if (listener == null) {
      throw new IllegalStateException("node " + logName + " does not listen");
    }
    return listener.localAddress();
  }

  // ---- connecting ----

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
    if (reconnector == null) {
      return f;
    }
    // The caller sees the peer only once the reconnect intent is recorded: a peer lost right
    // after the caller's get() returns must already be one to reconnect to.
    return f.thenApply(p -> {
      reconnector.remember(address, p);
      return p;
    });
  }

  @Override
  public CompletableFuture<Peer> connect(InetSocketAddress address, Backoff backoff) {
    return RetryingConnect.start(this, Objects.requireNonNull(address, "address"),
        Objects.requireNonNull(backoff, "backoff"), retrying, reconnector);
  }

  /** Connects without registering a reconnect intent (reconnect attempts use this). */
  CompletableFuture<Peer> connectInternal(InetSocketAddress address) {
    return connections.connect(address);
  }

  // ---- reports from the write path (any thread): the work is in Sending ----

  /** See {@link Sending#failSend}. */
  void failSend(CompletableFuture<Void> f, Connection c) {
    sending.failSend(f, c);
  }

  /** See {@link Sending#failQueueTimeout}. */
  void failQueueTimeout(CompletableFuture<Void> f, Connection c, long timeoutNanos) {
    sending.failQueueTimeout(f, c, timeoutNanos);
  }

  // ---- timers ----

  /** A loop for timers not tied to a connection. */
  EventLoop timerLoop() {
    return transport.nextEventLoop();
  }

  // ---- peers ----

  @Override
  public List<Peer> peers() {
    return List.copyOf(registry.sortedHandles());
  }

  @Override
  public List<PeerInfo> reconnecting() {
    return reconnector == null ? List.of() : reconnector.reconnecting();
  }

  @Override
  public Optional<Peer> peer(PeerId id) {
    return Optional.ofNullable(registry.get(Objects.requireNonNull(id, "id")));
  }

  // ---- sending ----

  @Override
  public SendStatus trySend(Peer peer, MessageKind kind, byte[] payload, int offset, int length) {
    return sending.trySend(peer, kind, payload, offset, length);
  }

  @Override
  public SendStatus trySend(Peer peer, ByteBuffer payload) {
    return sending.trySend(peer, payload);
  }

  @Override
  public SendStatus trySendMore(Peer peer, MessageKind kind, byte[] payload, int offset, int length) {
    return sending.trySendMore(peer, kind, payload, offset, length);
  }

  @Override
  public SendStatus trySendMore(Peer peer, ByteBuffer payload) {
    return sending.trySendMore(peer, payload);
  }

  @Override
  public void flush(Peer peer) {
    sending.flush(peer);
  }

  @Override
  public CompletableFuture<Void> send(Peer peer, MessageKind kind, byte[] payload) {
    return send(peer, kind, payload, config.sendTimeout());
  }

  @Override
  public CompletableFuture<Void> send(Peer peer, MessageKind kind, byte[] payload, Duration queueTimeout) {
    return sending.send(peer, kind, payload, queueTimeout);
  }

  @Override
  public BroadcastResult broadcast(MessageKind kind, byte[] payload) {
    return sending.broadcast(kind, payload);
  }

  // ---- disconnecting ----

  @Override
  public CompletableFuture<Void> disconnect(Peer peer, String reason) {
    Objects.requireNonNull(reason, "reason");
    Connection c = registry.connectionOf(peer);
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
    for (PeerHandle h : registry.sortedHandles()) {
      all.add(disconnect(h));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  // ---- pinned keys (issue 16): the work is in Pins ----

  @Override
  public List<PinnedPeer> pinnedPeers() {
    return pins.list();
  }

  @Override
  public PinnedPeer trust(String fingerprint) {
    return pins.trust(fingerprint);
  }

  @Override
  public Optional<PinnedPeer> untrust(String fingerprintOrId) {
    return pins.untrust(fingerprintOrId);
  }

  // ---- scanning (issue 4) ----

  @Override
  public ScanHandle scan(Targets targets, Ports ports, ScanOptions options) {
    return scanning.scan(targets, ports, options);
  }

  @Override
  public ScanHandle discover(ScanOptions options) {
    return scanning.discover(options);
  }

  @Override
  public CompletableFuture<dev.vecino.p2p.scan.Diagnosis> diagnose(InetSocketAddress target, Duration timeout) {
    return new Diagnostics(this, scanning, connections).diagnose(target, timeout);
  }

  @Override
  public ScanHandle scan(Discovery discovery, ScanOptions options) {
    return scanning.scan(discovery, options);
  }

  // ---- stats ----

  @Override
  public NodeStats stats() {
    return counters.snapshot(connections.live(), registry.size(), logBudget.suppressed(), scanning.running());
  }

  @Override
  public String toString() {
    return "PeerNode{" + logName + ", group=" + config.group() + ", " + lifecycle + "}";
  }
}
