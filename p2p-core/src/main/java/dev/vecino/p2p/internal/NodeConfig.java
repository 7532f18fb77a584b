package dev.vecino.p2p.internal;

import dev.vecino.p2p.Identity;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.transport.TransportFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A validated node configuration, built by {@code PeerNodeBuilder}. Nullable: discovery,
 * callbackExecutor.
 *
 * <p>This record is the one door from the public API into the implementation: the builder
 * creates it and calls {@link #newNode()}, and no other class of an exported package may use an
 * internal one (the architecture test checks it). Without reflection or a service loader, which
 * the house style rules out, the builder cannot create the node without naming some internal
 * class; naming only this one keeps the edge from the API into {@code internal} to one.
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
    Map<PeerId, String> aliases) {

  /**
   * Creates the node this configuration describes, not yet started.
   *
   * @return the node
   */
  public PeerNode newNode() {
    return new Node(this);
  }
}
