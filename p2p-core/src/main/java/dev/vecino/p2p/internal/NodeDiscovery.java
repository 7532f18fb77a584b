package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.scan.DiscoveryStage;
import dev.vecino.p2p.scan.ScanOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's discovery parts (issue 17): its network scope, its known-peer store, its beacon
 * listener, and the assembly of the {@link DiscoveryChain} that {@code discover()} runs.
 *
 * <p><b>Thread safety:</b> owned by its {@link Node}. {@link #start} and {@link #stop} run on
 * the thread that starts or closes the node; {@link #seen} on I/O threads; {@link #chain} on
 * any thread. The store and the listener are thread-safe themselves.
 */
final class NodeDiscovery {

  private static final Logger log = LoggerFactory.getLogger(NodeDiscovery.class);

  private final String logName;
  private final NodeConfig config;
  private final ScopeGuard scope;
  private final PeerStore store;
  private final Datagrams datagrams;
  private volatile BeaconListener listener;
  /** When the node last sent beacons: the beacon stage's rate limit across rounds. */
  private final java.util.concurrent.atomic.AtomicLong lastBurst = new java.util.concurrent.atomic.AtomicLong();

  NodeDiscovery(String logName, NodeConfig config, ScopeGuard scope) {
    this.logName = logName;
    this.config = config;
    this.scope = scope;
    DiscoverySettings s = config.discoverySettings();
    this.store = s.peerStore() != null ? PeerStore.open(s.peerStore(), logName) : PeerStore.inMemory(logName);
    this.datagrams = s.datagrams() != null ? s.datagrams() : new UdpDatagrams();
  }

  PeerStore store() {
    return store;
  }

  ScopeGuard scope() {
    return scope;
  }

  Datagrams datagrams() {
    return datagrams;
  }

  /** The beacon listener, or null when the node does not listen for beacons. */
  BeaconListener listener() {
    return listener;
  }

  /** Starts the beacon listener if the node was built with {@code beacons(true)} and listens. */
  void start(PeerId self, int tcpPort) {
    if (!config.discoverySettings().beacons() || tcpPort == 0) {
      return;
    }
    BeaconListener l = new BeaconListener(beaconSetup(self, tcpPort));
    try {
      l.start(self.shortId());
      listener = l;
    } catch (IOException e) {
      // A missing beacon listener costs only discoverability by beacons; the scan still works.
      log.warn("{}: cannot listen for beacons on UDP {}: {}; peers find this node by scanning only", logName,
          Beacon.PORT, e.toString());
    }
  }

  /** Stops the listener and saves the store. */
  void stop() {
    BeaconListener l = listener;
    if (l != null) {
      l.close();
    }
    save();
  }

  /** Saves the store; a failure is logged, not thrown (the store is a cache of what was seen). */
  void save() {
    try {
      store.save();
    } catch (UncheckedIOException e) {
      log.warn("{}: cannot save the peer store: {}", logName, e.getMessage());
    }
  }

  /** A peer registered: remember where it listens. I/O thread. */
  void seen(PeerId id, InetSocketAddress remote, int listenPort) {
    if (remote != null && remote.getAddress() != null && listenPort > 0) {
      store.seen(id, new InetSocketAddress(remote.getAddress(), listenPort), Instant.now());
    }
  }

  /**
   * The chain {@code discover()} runs: known peers, beacons, then {@code range} (each when its
   * stage is on and it has something to do).
   *
   * @param options the stages and the beacon window
   * @param range the range stage, or null if there is none
   * @param self this node's id
   * @param tcpPort this node's listening port, 0 if it does not listen (its beacons say so)
   */
  Discovery chain(ScanOptions options, Discovery range, PeerId self, int tcpPort) {
    List<Discovery> stages = new ArrayList<>();
    if (options.stages().contains(DiscoveryStage.KNOWN_PEERS) && !store.entries().isEmpty()) {
      stages.add(new KnownPeersDiscovery(store));
    }
    if (options.stages().contains(DiscoveryStage.BEACONS)) {
      stages.add(new BeaconDiscovery(beaconSetup(self, tcpPort), options.beaconWindow().toMillis(), lastBurst));
    }
    if (range != null) {
      stages.add(range);
    }
    if (stages.isEmpty()) {
      // Nothing to do, e.g. only known peers asked for and none known: an empty round.
      stages.add(new KnownPeersDiscovery(store));
    }
    // The range scan starts a third of the beacon window late (0.5 s by default): see ChainCandidates.
    return new DiscoveryChain(stages, range == null ? 0 : options.beaconWindow().toNanos() / 3);
  }

  private BeaconSetup beaconSetup(PeerId self, int tcpPort) {
    return new BeaconSetup(logName, self, config.group(), tcpPort, datagrams, scope, config.bindAddress().getAddress());
  }

  /** The node's own IPv4 addresses on up, non-loopback links: where the range scan starts. */
  List<java.net.Inet4Address> ownAddresses() {
    List<java.net.Inet4Address> own = new ArrayList<>();
    for (Datagrams.Link l : datagrams.links()) {
      if (!l.loopback()) {
        own.add(l.address());
      }
    }
    return own;
  }

  /** Whether {@code a} is on one of the node's links (in one of its subnets). */
  boolean onLink(InetAddress a) {
    for (Datagrams.Link l : datagrams.links()) {
      if (l.contains(a)) {
        return true;
      }
    }
    return false;
  }
}
