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

/** A validated node configuration, built by {@code PeerNodeBuilder}. Nullable: discovery, callbackExecutor. */
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
    List<PeerListener> listeners) {}
