package dev.vecino.p2p.internal;

import dev.vecino.p2p.Identity;
import dev.vecino.p2p.PairingHandler;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.internal.tls.NodeTls;
import dev.vecino.p2p.internal.tls.SharedSecret;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.transport.TransportFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A validated node configuration, built by {@code PeerNodeBuilder}. Nullable: discovery,
 * callbackExecutor, tls (a plaintext node), secret (no group secret). {@code allowedKeys} holds
 * key fingerprints in {@code NodeKey}'s canonical form; empty admits any key. {@code allowFrom}
 * (null: any) and {@code denyFrom} (null: none) are the source addresses inbound connections
 * may come from. {@code pairing} (null: no pairing) asks the application about nodes met for the
 * first time, within {@code pairingTimeout}.
 *
 * <p>This record is the one door through which the public API creates the implementation: the
 * builder makes it and calls {@link #newNode}. Without reflection or a service loader, which the
 * house style rules out, the builder cannot create the node without naming some internal class;
 * it names only this one. (The API's other references into {@code internal} are the
 * {@code permits} clauses of the sealed {@code PeerNode} and {@code Peer}, and
 * {@code Identity}'s use of {@link Names}; the architecture test lists them all.)
 *
 * <p>{@code byteStages} is internal, not a builder option: the byte-transform stages applied to
 * every connection, in order from the transport (see {@link ByteStage}); empty by default, and
 * set with {@link #withByteStages} (tests; TLS later).
 *
 * <p>{@code jmx}: whether the node registers its MXBean while it runs (builder option
 * {@code jmx(boolean)}, set with {@link #withJmx}; see {@link NodeJmx}).
 */
public record NodeConfig(
    Identity identity,
    String group,
    InetSocketAddress bindAddress,
    boolean listen,
    int backlog,
    int ioThreads,
    Duration busyPoll,
    TransportFactory transport,
    Codec codec,
    Discovery discovery,
    Executor callbackExecutor,
    boolean directCallbacks,
    Duration connectTimeout,
    Duration handshakeTimeout,
    Duration closeTimeout,
    int maxFrameSize,
    int maxQueuedBytes,
    int maxUndeliveredBytes,
    int lowWatermark,
    int highWatermark,
    Duration sendTimeout,
    Duration heartbeatInterval,
    Duration idleTimeout,
    Duration writeStallTimeout,
    int maxConnections,
    int maxPendingHandshakes,
    int maxPendingHandshakesPerAddress,
    int maxConnectionsPerAddress,
    dev.vecino.p2p.discovery.Backoff reconnect,
    List<PeerListener> listeners,
    NodeTls tls,
    SharedSecret secret,
    Set<String> allowedKeys,
    Targets allowFrom,
    Targets denyFrom,
    PairingHandler pairing,
    Duration pairingTimeout,
    List<ByteStage.Factory> byteStages,
    boolean jmx,
    DiscoverySettings discoverySettings) {

  /** Copies the lists; no discovery settings means the defaults. */
  public NodeConfig {
    byteStages = List.copyOf(byteStages);
    allowedKeys = Set.copyOf(allowedKeys);
    discoverySettings = discoverySettings != null ? discoverySettings : DiscoverySettings.DEFAULTS;
  }

  /** A configuration without byte stages: what {@code PeerNodeBuilder} builds ({@code tls} null: plaintext). */
  public NodeConfig(Identity identity, String group, InetSocketAddress bindAddress, boolean listen, int backlog,
      int ioThreads, Duration busyPoll, TransportFactory transport, Codec codec, Discovery discovery,
      Executor callbackExecutor, boolean directCallbacks, Duration connectTimeout, Duration handshakeTimeout,
      Duration closeTimeout, int maxFrameSize, int maxQueuedBytes, int maxUndeliveredBytes, int lowWatermark,
      int highWatermark, Duration sendTimeout, Duration heartbeatInterval, Duration idleTimeout,
      Duration writeStallTimeout, int maxConnections, int maxPendingHandshakes, int maxPendingHandshakesPerAddress,
      int maxConnectionsPerAddress, dev.vecino.p2p.discovery.Backoff reconnect, List<PeerListener> listeners,
      NodeTls tls, SharedSecret secret, Set<String> allowedKeys, Targets allowFrom, Targets denyFrom,
      PairingHandler pairing, Duration pairingTimeout) {
    this(identity, group, bindAddress, listen, backlog, ioThreads, busyPoll, transport, codec, discovery,
        callbackExecutor, directCallbacks, connectTimeout, handshakeTimeout, closeTimeout, maxFrameSize,
        maxQueuedBytes, maxUndeliveredBytes, lowWatermark, highWatermark, sendTimeout, heartbeatInterval,
        idleTimeout, writeStallTimeout, maxConnections, maxPendingHandshakes, maxPendingHandshakesPerAddress,
        maxConnectionsPerAddress, reconnect, listeners, tls, secret, allowedKeys, allowFrom, denyFrom, pairing, pairingTimeout, List.of(), false,
        DiscoverySettings.DEFAULTS);
  }

  /** Whether an inbound connection from {@code address} may be accepted (the allow and deny lists). */
  boolean admitsAddress(java.net.InetAddress address) {
    return (allowFrom == null || allowFrom.contains(address)) && (denyFrom == null || !denyFrom.contains(address));
  }

  /** This configuration with {@code stages} applied to every connection, in order from the transport. */
  NodeConfig withByteStages(List<ByteStage.Factory> stages) {
    return new NodeConfig(identity, group, bindAddress, listen, backlog, ioThreads, busyPoll, transport, codec,
        discovery, callbackExecutor, directCallbacks, connectTimeout, handshakeTimeout, closeTimeout, maxFrameSize,
        maxQueuedBytes, maxUndeliveredBytes, lowWatermark, highWatermark, sendTimeout, heartbeatInterval,
        idleTimeout, writeStallTimeout, maxConnections, maxPendingHandshakes, maxPendingHandshakesPerAddress,
        maxConnectionsPerAddress, reconnect, listeners, tls, secret, allowedKeys, allowFrom, denyFrom, pairing, pairingTimeout, stages, jmx,
        discoverySettings);
  }

  /**
   * This configuration with the node's MXBean on or off.
   *
   * @param on whether the node registers its MXBean while it runs
   * @return the configuration
   */
  public NodeConfig withJmx(boolean on) {
    return new NodeConfig(identity, group, bindAddress, listen, backlog, ioThreads, busyPoll, transport, codec,
        discovery, callbackExecutor, directCallbacks, connectTimeout, handshakeTimeout, closeTimeout, maxFrameSize,
        maxQueuedBytes, maxUndeliveredBytes, lowWatermark, highWatermark, sendTimeout, heartbeatInterval,
        idleTimeout, writeStallTimeout, maxConnections, maxPendingHandshakes, maxPendingHandshakesPerAddress,
        maxConnectionsPerAddress, reconnect, listeners, tls, secret, allowedKeys, allowFrom, denyFrom, pairing, pairingTimeout, byteStages, on,
        discoverySettings);
  }

  /**
   * This configuration with the builder's discovery options (issue 17); the builder names no
   * other internal class than this one.
   *
   * @param networkScope the builder's network scope, or null
   * @param peerStore the known-peer store file, or null for memory only
   * @param beacons whether the node listens for beacons and answers them
   * @return a new configuration
   */
  public NodeConfig withDiscovery(dev.vecino.p2p.scan.NetworkScope networkScope, java.nio.file.Path peerStore,
      boolean beacons) {
    return withDiscoverySettings(new DiscoverySettings(networkScope, peerStore, beacons, null));
  }

  /** This configuration with other discovery settings. */
  NodeConfig withDiscoverySettings(DiscoverySettings settings) {
    return new NodeConfig(identity, group, bindAddress, listen, backlog, ioThreads, busyPoll, transport, codec,
        discovery, callbackExecutor, directCallbacks, connectTimeout, handshakeTimeout, closeTimeout, maxFrameSize,
        maxQueuedBytes, maxUndeliveredBytes, lowWatermark, highWatermark, sendTimeout, heartbeatInterval,
        idleTimeout, writeStallTimeout, maxConnections, maxPendingHandshakes, maxPendingHandshakesPerAddress,
        maxConnectionsPerAddress, reconnect, listeners, tls, secret, allowedKeys, allowFrom, denyFrom, pairing, pairingTimeout,
        byteStages, jmx, settings);
  }

  /**
   * Creates the node this configuration describes, not yet started.
   *
   * @param toBuilder makes a builder with the options the node was built with, for
   *     {@code PeerNode.toBuilder()}
   * @return the node
   */
  public PeerNode newNode(Supplier<PeerNodeBuilder> toBuilder) {
    return new Node(this, toBuilder);
  }
}
