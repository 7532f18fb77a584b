package dev.vecino.p2p.internal;

import dev.vecino.p2p.Identity;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.transport.TransportFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A validated node configuration, built by {@code PeerNodeBuilder}. Nullable: discovery,
 * callbackExecutor.
 *
 * <p>{@code byteStages} is internal, not a builder option: the byte-transform stages applied to
 * every connection, in order from the transport (see {@link ByteStage}); empty by default, and
 * set with {@link #withByteStages} (tests; TLS later).
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
    List<ByteStage.Factory> byteStages) {

  /** Copies the stage list. */
  public NodeConfig {
    byteStages = List.copyOf(byteStages);
  }

  /** A configuration without byte stages: what {@code PeerNodeBuilder} builds. */
  public NodeConfig(Identity identity, String group, InetSocketAddress bindAddress, boolean listen, int backlog,
      int ioThreads, Duration busyPoll, TransportFactory transport, Codec codec, Discovery discovery,
      Executor callbackExecutor, boolean directCallbacks, Duration connectTimeout, Duration handshakeTimeout,
      Duration closeTimeout, int maxFrameSize, int maxQueuedBytes, int maxUndeliveredBytes, int lowWatermark,
      int highWatermark, Duration sendTimeout, Duration heartbeatInterval, Duration idleTimeout,
      Duration writeStallTimeout, int maxConnections, int maxPendingHandshakes, int maxPendingHandshakesPerAddress,
      int maxConnectionsPerAddress, dev.vecino.p2p.discovery.Backoff reconnect, List<PeerListener> listeners) {
    this(identity, group, bindAddress, listen, backlog, ioThreads, busyPoll, transport, codec, discovery,
        callbackExecutor, directCallbacks, connectTimeout, handshakeTimeout, closeTimeout, maxFrameSize,
        maxQueuedBytes, maxUndeliveredBytes, lowWatermark, highWatermark, sendTimeout, heartbeatInterval,
        idleTimeout, writeStallTimeout, maxConnections, maxPendingHandshakes, maxPendingHandshakesPerAddress,
        maxConnectionsPerAddress, reconnect, listeners, List.of());
  }

  /** This configuration with {@code stages} applied to every connection, in order from the transport. */
  NodeConfig withByteStages(List<ByteStage.Factory> stages) {
    return new NodeConfig(identity, group, bindAddress, listen, backlog, ioThreads, busyPoll, transport, codec,
        discovery, callbackExecutor, directCallbacks, connectTimeout, handshakeTimeout, closeTimeout, maxFrameSize,
        maxQueuedBytes, maxUndeliveredBytes, lowWatermark, highWatermark, sendTimeout, heartbeatInterval,
        idleTimeout, writeStallTimeout, maxConnections, maxPendingHandshakes, maxPendingHandshakesPerAddress,
        maxConnectionsPerAddress, reconnect, listeners, stages);
  }
}
