package dev.vecino.p2p.internal;

import dev.vecino.p2p.BroadcastResult;
import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.Identity;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.NodeClosedException;
import dev.vecino.p2p.NodeFailedException;
import dev.vecino.p2p.NodeStats;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerUnreachableException;
import dev.vecino.p2p.ScanHandle;
import dev.vecino.p2p.ScanOptions;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.VecinoException;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.discovery.Ports;
import dev.vecino.p2p.discovery.Targets;
import dev.vecino.p2p.transport.EventLoop;
import dev.vecino.p2p.transport.Listener;
import dev.vecino.p2p.transport.Transport;
import dev.vecino.p2p.transport.TransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PeerNode} implementation: owns the lifecycle, the transport and listener, the
 * callback executor ({@link Events}) and the aliases, and delegates the rest to the parts it
 * owns: {@link PeerRegistry} (peers, handshake and duplicate-connection rules),
 * {@link Connections} (open connections and their limits), {@link Sending} and
 * {@link Scanning}. Connections report to their {@link ConnectionOwner}, {@link Connections}.
 *
 * <p><b>Failure:</b> when a thread of the node dies (an I/O loop, reported by the transport
 * through {@link TransportConfig#failureHandler()}, or a callback that throws an {@link Error},
 * reported by {@link Events}), {@link #fail} moves the node from RUNNING to FAILED: on the
 * reporting thread it logs the cause once at ERROR and says BYE on the connections that thread
 * owns (a dying loop closes them right after); a fresh {@code vecino-failure-<id>} thread then
 * does what {@link #close()} does, also tells the listeners of every peer still registered,
 * and fails {@link #closeFuture()} with a {@link NodeFailedException}.
 *
 * <p><b>Thread safety:</b> public methods may be called from any thread. The lifecycle is an
 * atomic state; the transport and listener are set once, in {@link #start()}, and read by the
 * failure thread too (volatile). Each part names its own rules.
 */
public final class Node implements PeerNode {

  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private enum Lifecycle { NEW, RUNNING, CLOSING, CLOSED, FAILED }

  private final NodeConfig config;
  private final Identity identity;
  private final String logName;
  private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.NEW);
  private final Map<PeerId, String> aliases = new ConcurrentHashMap<>();
  private final NodeCounters counters = new NodeCounters();
  /** Bounds the INFO and WARN lines remote parties cause; package-private for connections and the registry. */
  final LogBudget logBudget;
  /** Listener and future delivery; package-private for connections and peer handles. */
  final Events events;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  /** Why the node failed or could not start; null until then. Set before the state changes. */
  private volatile VecinoException failure;
  /** The reason a failed node's connections end with; null until it fails. */
  private volatile DisconnectReason failureReason;
  /** The thread that stops a failed node; null until it fails. */
  private volatile Thread failureThread;
  /** The last failure reported to {@link #fail}, so a second report of it is not logged again. */
  private Throwable lastReported;
  private final Object failLock = new Object();

  private volatile Transport transport;
  private volatile Listener listener;
  private final Reconnector reconnector;
  private final PeerRegistry registry;
  private final Connections connections;
  private final Scanning scanning;
  private final Sending sending;
  private Hello localHelloRecord;
  private byte[] localHello;

  public Node(NodeConfig config) {
    this.config = config;
    this.identity = config.identity();
    this.logName = identity.name() + "/" + identity.id().shortId();
    this.aliases.putAll(config.aliases());
    this.logBudget = new LogBudget(logName, this::timerLoop);
    this.events = new Events(config, logName, logBudget,
        cause -> fail("a callback threw on thread " + Thread.currentThread().getName(), cause));
    this.reconnector = config.reconnect() != null ? new Reconnector(this, config.reconnect()) : null;
    this.registry = new PeerRegistry(this, config, counters, events, reconnector);
    this.connections = new Connections(this, config, counters, registry);
    this.scanning = new Scanning(this, config, events, registry, connections);
    this.sending = new Sending(this, config, events, registry);
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

  /** The transport; null before {@link #start()}. */
  Transport transport() {
    return transport;
  }

  /** The listener; null before {@link #start()} and when the node does not listen. */
  Listener listener() {
    return listener;
  }

  // ---- lifecycle ----

  @Override
  public PeerNode start() {
    if (!lifecycle.compareAndSet(Lifecycle.NEW, Lifecycle.RUNNING)) {
      throw new IllegalStateException("node " + logName + " was already started");
    }
    try {
      startParts();
    } catch (RuntimeException | Error e) {
      throw startFailed(e);
    }
    log.info("{}: started, group '{}', {}", logName, config.group(),
        listener != null ? "listening on " + format(listener.localAddress()) : "not listening");
    return this;
  }

  /** The work of {@link #start()}: callback thread, transport, listener, HELLO. */
  private void startParts() {
    String suffix = identity.id().shortId();
    events.start(suffix);
    Transport t = config.transport().create(new TransportConfig(suffix, config.ioThreads(), config.busyPoll(),
        (loop, cause) -> fail("I/O thread " + loop + " died", cause)));
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
    localHelloRecord = new Hello(Hello.MIN_VERSION, Hello.VERSION, identity.id(), listenPort,
        identity.name(), config.group(), List.of());
    localHello = localHelloRecord.encode();
    if (lifecycle.get() != Lifecycle.RUNNING) {
      // A thread died while the node was starting: the failure thread is stopping it.
      throw closedException();
    }
  }

  /**
   * {@link #start()} failed half-way: stops whatever it started (no thread of the node is
   * left), leaves the node closed, and returns what {@code start()} throws: the exception
   * itself when it is a {@link VecinoException}, else one that wraps it.
   */
  private VecinoException startFailed(Throwable e) {
    VecinoException thrown = e instanceof VecinoException v ? v
        : new VecinoException("node " + logName + " could not start: " + e, e);
    if (lifecycle.compareAndSet(Lifecycle.RUNNING, Lifecycle.CLOSED)) {
      failure = thrown;
      Transport t = transport;
      if (t != null) {
        guarded("closing the transport", t::close);
      }
      guarded("stopping the callback thread", events::shutdown);
      terminated.completeExceptionally(thrown);
    } else {
      // It failed while starting: the failure thread stops it; wait for that, as close() would.
      awaitTermination();
    }
    return thrown;
  }

  /** Runs one step of stopping the node; a failing step is logged and the next ones still run. */
  private void guarded(String step, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | Error e) {
      log.warn("{}: {} failed", logName, step, e);
    }
  }

  static String format(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  @Override
  public boolean isRunning() {
    return lifecycle.get() == Lifecycle.RUNNING;
  }

  /** The lifecycle state in lower case, for messages; a failed node says why. */
  String lifecycleName() {
    Lifecycle l = lifecycle.get();
    VecinoException f = failure;
    if (l == Lifecycle.FAILED && f != null) {
      return "failed (" + f.getMessage() + ")";
    }
    return l.name().toLowerCase(Locale.ROOT);
  }

  boolean isClosing() {
    Lifecycle l = lifecycle.get();
    return l == Lifecycle.CLOSING || l == Lifecycle.CLOSED || l == Lifecycle.FAILED;
  }

  /** The reason a failed node's connections end with, or null while it has not failed. Any thread. */
  DisconnectReason failureReason() {
    return failureReason;
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    // A new future per call, completed with the failure itself (not wrapped), that callers
    // cannot complete for each other.
    CompletableFuture<Void> f = new CompletableFuture<>();
    terminated.whenComplete((v, e) -> {
      if (e == null) {
        f.complete(null);
      } else {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  // ---- failure ----

  /**
   * A thread of the node died: the node fails. Called on the reporting thread (often the dying
   * one): logs the cause once at ERROR, says BYE on the connections this thread owns while it
   * still can, and starts the failure thread, which stops the rest. Only the first report of a
   * running node counts; later ones are logged. Any thread; does not block (unless no thread
   * can be started: then it stops the node on the calling thread).
   *
   * @param what which thread died, for the log and the exceptions
   * @param cause what killed it
   */
  void fail(String what, Throwable cause) {
    NodeFailedException e;
    DisconnectReason reason;
    synchronized (failLock) {
      if (cause == lastReported) {
        return;
      }
      lastReported = cause;
      e = new NodeFailedException("node " + logName + " failed: " + what + ": " + cause, cause);
      // Peers learn that it failed and of what kind of error, not the error's text.
      reason = DisconnectReason.of(Kind.CLOSED_LOCALLY, "node failed (" + cause.getClass().getName() + ")");
      if (!lifecycle.compareAndSet(Lifecycle.RUNNING, Lifecycle.FAILED)) {
        Lifecycle l = lifecycle.get();
        if (l == Lifecycle.CLOSING) {
          log.error("{}: {} while the node was closing", logName, what, cause);
        } else {
          log.warn("{}: {} after the node {}", logName, what, l == Lifecycle.FAILED ? "failed" : "closed", cause);
        }
        return;
      }
      failure = e;
      failureReason = reason;
    }
    log.error("{}: node failed: {}; closing every connection and stopping", logName, what, cause);
    // This thread may be a dying I/O loop about to close its channels: write the BYE now.
    for (Connection c : connections.live()) {
      try {
        if (c.eventLoop().inEventLoop()) {
          c.close(reason, true);
        }
      } catch (RuntimeException | Error x) {
        log.debug("{}: cannot say BYE on {} after the failure: {}", logName, c, x.toString());
      }
    }
    Thread t = new Thread(() -> stopAfterFailure(e, reason), "vecino-failure-" + identity.id().shortId());
    t.setDaemon(true);
    failureThread = t;
    try {
      t.start();
    } catch (RuntimeException | Error x) {
      log.warn("{}: cannot start a thread to stop the failed node; stopping it on {}", logName,
          Thread.currentThread().getName(), x);
      failureThread = Thread.currentThread();
      stopAfterFailure(e, reason);
    }
  }

  /** The failure thread: stops everything as close() does, disconnects every peer left, fails closeFuture. */
  private void stopAfterFailure(NodeFailedException e, DisconnectReason reason) {
    try {
      stop(reason);
    } finally {
      log.info("{}: stopped after the failure", logName);
      terminated.completeExceptionally(e);
    }
  }

  /**
   * Stops the node: the listener, scans, every connection (BYE with {@code reason}, waiting up
   * to the close timeout), the transport; after a failure, the peers still registered; then the
   * callback thread. Each step is guarded, so one that fails cannot leave threads behind.
   */
  private void stop(DisconnectReason reason) {
    Listener l = listener;
    if (l != null) {
      guarded("closing the listener", l::close);
    }
    guarded("stopping the scans", scanning::nodeClosed);
    guarded("closing the connections", () -> closeConnections(reason));
    Transport t = transport;
    if (t != null) {
      guarded("closing the transport", t::close);
    }
    if (lifecycle.get() == Lifecycle.FAILED) {
      guarded("disconnecting the peers left", () -> registry.disconnectAll(reason));
    }
    guarded("stopping the callback thread", events::shutdown);
    // Last: listeners still running above may log within the budget.
    guarded("reporting the log lines held back", logBudget::close);
  }

  /** Closes every connection with {@code reason}; off the I/O threads, waits up to the close timeout. */
  private void closeConnections(DisconnectReason reason) {
    List<CompletableFuture<Void>> closing = connections.closeAll(reason);
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
      stop(DisconnectReason.of(Kind.CLOSED_LOCALLY, reasonText));
      log.info("{}: closed", logName);
    } finally {
      lifecycle.set(Lifecycle.CLOSED);
      terminated.complete(null);
    }
  }

  /**
   * Waits until another thread has stopped the node (a close, a failure, a failed start). Not
   * on the node's own threads, which that stopping may be waiting for.
   */
  private void awaitTermination() {
    if (onIoThread() || events.onCallbackThread() || Thread.currentThread() == failureThread) {
      return;
    }
    try {
      terminated.get(config.closeTimeout().toMillis() + 15_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // It failed, or its start did: stopped all the same, and closeFuture() tells why.
    } catch (TimeoutException e) {
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

  /** Connects without registering a reconnect intent (reconnect attempts use this). */
  CompletableFuture<Peer> connectInternal(InetSocketAddress address) {
    return connections.connect(address);
  }

  /** The exception for an operation refused because the node is not running; a failed node's names the failure. */
  NodeClosedException closedException() {
    VecinoException f = failure;
    if (f instanceof NodeFailedException) {
      return new NodeFailedException(f.getMessage(), f.getCause());
    }
    if (f != null) {
      return new NodeClosedException("node " + logName + " is closed: its start failed: " + f.getMessage(), f);
    }
    return new NodeClosedException("node " + logName + " is " + (lifecycle.get() == Lifecycle.NEW ? "not started" : "closed"));
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

  // ---- peers and aliases ----

  @Override
  public List<PeerInfo> peers() {
    return registry.sortedHandles().stream().map(PeerHandle::snapshot).toList();
  }

  @Override
  public List<PeerInfo> reconnecting() {
    return reconnector == null ? List.of() : reconnector.reconnecting();
  }

  @Override
  public List<Peer> connectedPeers() {
    return List.copyOf(registry.sortedHandles());
  }

  @Override
  public Optional<Peer> peer(PeerId id) {
    return Optional.ofNullable(registry.get(Objects.requireNonNull(id, "id")));
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

  @Override
  public SendStatus trySend(Peer peer, byte[] payload) {
    return trySend(peer, MessageKind.BINARY, payload, 0, payload.length);
  }

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
  public CompletableFuture<Void> send(Peer peer, String text) {
    return send(peer, MessageKind.TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public CompletableFuture<Void> call(Peer peer, String text) {
    return send(peer, MessageKind.CALL, text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public BroadcastResult broadcast(MessageKind kind, byte[] payload) {
    return sending.broadcast(kind, payload);
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
  public ScanHandle scan(Discovery discovery, ScanOptions options) {
    return scanning.scan(discovery, options);
  }

  // ---- stats ----

  @Override
  public NodeStats stats() {
    return counters.snapshot(connections.live(), registry.size(), logBudget.suppressed());
  }

  @Override
  public String toString() {
    return "PeerNode{" + logName + ", group=" + config.group() + ", " + lifecycle.get() + "}";
  }
}
