package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.discovery.RangeScanDiscovery;
import dev.vecino.p2p.scan.DiscoveryStage;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanHandle;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.transport.Listener;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's scans (issue 4): starts {@link ScanRun}s for {@code PeerNode.scan} and
 * {@code discover}, and opens their probes through the ordinary connection and session code,
 * each watched by a {@link ProbeSession} that turns what the session found into the probe's
 * outcome.
 *
 * <p><b>Thread safety:</b> owned by its {@link Node}. Scans start from any thread; the set of
 * running scans is concurrent. Probes are started on the scan's event loop; their answers
 * arrive on the probe connection's I/O thread.
 */
final class Scanning {

  private static final Logger log = LoggerFactory.getLogger(Scanning.class);
  private static final Targets LOOPBACK_V4 = Targets.parse("127.0.0.0-127.255.255.255");

  private final Node node;
  private final NodeConfig config;
  private final String logName;
  private final NodeCounters counters;
  private final Events events;
  private final PeerRegistry registry;
  private final Connections connections;
  private final Set<ScanRun> scans = ConcurrentHashMap.newKeySet();
  /** Where this node may send discovery traffic (issue 17); asked before every probe. */
  private final ScopeGuard scope;
  private final NodeDiscovery discovery;
  /** Set once a probe was skipped as out of reach of the bind address: logged once per node. */
  private final AtomicBoolean unreachableWarned = new AtomicBoolean();
  /** Set once a probe was skipped as out of scope: logged once per node. */
  private final AtomicBoolean scopeWarned = new AtomicBoolean();

  Scanning(Node node, NodeConfig config, NodeCounters counters, Events events, PeerRegistry registry,
      Connections connections) {
    this.node = node;
    this.config = config;
    this.counters = counters;
    this.logName = node.logName();
    this.events = events;
    this.registry = registry;
    this.connections = connections;
    this.scope = ScopeGuard.of(config.discoverySettings().networkScope());
    this.discovery = new NodeDiscovery(logName, config, scope);
  }

  /** The node's discovery parts: scope, peer store, beacons. */
  NodeDiscovery discovery() {
    return discovery;
  }

  /** See {@code PeerNode.scan(Targets, Ports, ScanOptions)}. Any thread. */
  ScanHandle scan(Targets targets, Ports ports, ScanOptions options) {
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(ports, "ports");
    Objects.requireNonNull(options, "options");
    Targets t = targets.minus(options.exclude()).requireAtMost(options.maxAddresses());
    return scan(RangeScanDiscovery.of(t, ports), options);
  }

  /** See {@code PeerNode.discover(ScanOptions)}: the discovery chain (issue 17). Any thread. */
  ScanHandle discover(ScanOptions options) {
    Objects.requireNonNull(options, "options");
    Listener listener = node.listener();
    int port = listener != null ? listener.localAddress().getPort() : 0;
    Discovery range = null;
    if (options.stages().contains(DiscoveryStage.RANGE_SCAN)) {
      range = config.discovery();
      if (range == null) {
        if (listener == null) {
          throw new IllegalStateException("node " + logName + " does not listen: discover() scans the node's own "
              + "port; use scan(targets, ports) instead");
        }
        Targets subnets = Targets.localSubnets().minus(options.exclude()).requireAtMost(options.maxAddresses());
        // Default targets are clipped to the scope rather than refused: the user named none of them.
        Targets own = scope.clip(subnets);
        if (own.size() < subnets.size()) {
          log.info("{}: {} of the {} local subnet addresses are outside the network scope {} and are skipped",
              logName, subnets.size() - own.size(), subnets.size(), scope.describe());
        }
        log.info("{}: discovering peers on port {} in {}", logName, port, own.describe());
        range = new NeighbourhoodScan(own, discovery.ownAddresses());
      } else {
        checkRange(range, options);
      }
    }
    ScanHandle h = scan(discovery.chain(options, range, node.identity().id(), port), options);
    // The store learned where the peers found listen (on registration): keep it.
    h.report().whenComplete((r, e) -> discovery.save());
    return h;
  }

  /** See {@code PeerNode.scan(Discovery, ScanOptions)}. Any thread. */
  ScanHandle scan(Discovery discovery, ScanOptions options) {
    Objects.requireNonNull(discovery, "discovery");
    Objects.requireNonNull(options, "options");
    if (!node.isRunning()) {
      throw new IllegalStateException("node " + logName + " is " + node.lifecycleName());
    }
    if (!config.codec().handshake() && !config.codec().greets()) {
      // Without HELLO or greeting nothing tells a peer from any other open port.
      throw new IllegalStateException("node " + logName + " uses the '" + config.codec().name()
          + "' codec, which neither handshakes nor greets: a scan could verify nothing");
    }
    checkRange(discovery, options);
    Listener listener = node.listener();
    int port = listener != null ? listener.localAddress().getPort() : 0;
    Executor scanEvents = config.directCallbacks() ? Runnable::run : events.newSerialExecutor()::submit;
    ScanRun run = new ScanRun(logName, discovery, port, options, node.timerLoop(), scanEvents, this::probe,
        scans::remove);
    scans.add(run);
    counters.scansStarted.increment();
    run.start();
    return run;
  }

  /** A range discovery's guards: size, reach from the bind address, scope. */
  private void checkRange(Discovery d, ScanOptions options) {
    if (d instanceof RangeScanDiscovery r) {
      r.targets().requireAtMost(options.maxAddresses());
      requireReachable(r.targets());
      scope.requireAllowed(r.targets(), "scan of " + r.targets());
    }
  }

  /**
   * Refuses a scan of targets a loopback-bound node cannot reach: its probes would all fail,
   * and a report of thousands of unreachable addresses hides the cause.
   *
   * @throws IllegalArgumentException naming the bind address and the first unreachable target
   */
  private void requireReachable(Targets targets) {
    InetSocketAddress bind = connections.outboundBind();
    if (bind == null || !bind.getAddress().isLoopbackAddress()) {
      // Other specific addresses: a family mismatch is caught probe by probe.
      return;
    }
    Targets loopback = bind.getAddress() instanceof Inet4Address ? LOOPBACK_V4 : Targets.of("::1");
    Targets outside = targets.minus(loopback);
    if (!outside.isEmpty()) {
      throw new IllegalArgumentException("cannot scan " + outside.size() + " of the targets (first: "
          + outside.addresses().next().getHostAddress() + ") from bind address "
          + bind.getAddress().getHostAddress() + ": a loopback-bound node reaches only loopback addresses; "
          + "bind it to an interface address or to 0.0.0.0 to scan them");
    }
  }

  /** The scans running now. Any thread. */
  int running() {
    return scans.size();
  }

  /** The node is closing: every running scan stops. */
  void nodeClosed() {
    for (ScanRun s : scans) {
      s.nodeClosed();
    }
  }

  /** Starts a scan probe through the ordinary connection and handshake code; false if closing. */
  boolean probe(Probe p) {
    if (!node.isRunning()) {
      return false;
    }
    counters.probes.increment();
    if (!config.codec().handshake() && connections.isOwnListenAddress(p.target)) {
      // Classic mode has no id to recognise ourselves by: compare addresses, as connect does.
      p.outcome(ScanStatus.SELF, null, false);
      p.closed(false, null, false);
      return true;
    }
    String unreachable = connections.unreachableFromBind(p.target);
    if (unreachable != null) {
      // A discovery's candidate out of reach: reported as having no route, without a socket.
      if (unreachableWarned.compareAndSet(false, true)) {
        log.warn("{}: scan targets out of reach are reported {} ({}); further ones are not logged",
            logName, ScanStatus.SILENT, unreachable);
      }
      p.outcome(ScanStatus.SILENT, null, false);
      p.closed(false, null, false);
      return true;
    }
    String refusal = p.target.isUnresolved() ? null : scope.refusal(p.target.getAddress());
    if (refusal != null) {
      // Checked again per candidate: a discovery's candidates are only known one at a time.
      if (scopeWarned.compareAndSet(false, true)) {
        log.warn("{}: scan candidates outside the network scope are not probed ({}); further ones are not logged",
            logName, refusal);
      }
      p.outcome(ScanStatus.OUT_OF_SCOPE, null, false);
      p.closed(false, null, false);
      return true;
    }
    // The ordinary connection and session code, watched by the probe (see ProbeSession).
    ProbeSession observer = new ProbeSession(p, registry, logName, config.codec().handshake());
    Connection c = new Connection(node, connections, observer, Direction.OUTBOUND, p.target, null);
    node.transport().connect(p.target, connections.outboundBind(), Duration.ofNanos(p.connectTimeoutNanos),
        connections.handlerFor(c));
    return true;
  }
}
