package dev.vecino.p2p;

import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.scan.Diagnosis;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanHandle;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.Targets;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A Vecino node: listens for peers, connects to peers, and exchanges messages with them.
 *
 * <p>Build one with {@link #builder()}, {@link #start()} it, and {@link #close()} it when done
 * (it is {@link AutoCloseable}):
 *
 * <pre>{@code
 * try (PeerNode node = PeerNode.builder()
 *     .name("ana")
 *     .port(0)
 *     .onMessage(m -> System.out.println(m.sender().name() + ": " + m.text()))
 *     .build()
 *     .start()) {
 *   Peer bob = node.connect("127.0.0.1", 9999).join();
 *   node.send(bob, "hola").join();
 * }
 * }</pre>
 *
 * <p><b>Threads:</b> a node runs a fixed number of I/O threads ({@code vecino-io-<id>}) and,
 * unless given an executor, one callback thread ({@code vecino-callback-<id>}); it never
 * starts a thread per connection. Listener callbacks and future completions run on the
 * callback executor, never on an I/O thread, unless direct mode is on. Every thread a node
 * starts is a daemon thread: it does not keep the JVM alive, so a {@code main} that starts a
 * listening node and returns exits at once. A server waits for its node to stop:
 *
 * <pre>{@code
 * PeerNode node = PeerNode.builder().name("server").port(9999).build().start();
 * Runtime.getRuntime().addShutdownHook(new Thread(node::close));
 * node.closeFuture().join();   // returns once closed; throws if the node failed
 * }</pre>
 *
 * <p><b>Futures:</b> asynchronous methods return a {@link CompletableFuture} that fails with a
 * {@link VecinoException}. {@code join()} then throws a
 * {@link java.util.concurrent.CompletionException} (and {@code get()} an
 * {@link java.util.concurrent.ExecutionException}) whose cause is that exception:
 *
 * <pre>{@code
 * try {
 *   node.send(peer, "hola").join();
 * } catch (CompletionException e) {
 *   if (e.getCause() instanceof QueueFullException full) {
 *     // the peer's queue is full: retry later
 *   } else {
 *     throw e;
 *   }
 * }
 * }</pre>
 *
 * <p><b>Delivery:</b> per connection, messages arrive in the order sent, at most once. A
 * message queued when its connection ends is dropped, and its {@code send} future fails with
 * {@link PeerDisconnectedException}.
 *
 * <p><b>Failure:</b> a node never dies quietly. If one of its threads dies (an I/O thread, on
 * any {@link Error} or other escaping failure; the callback thread, or a callback on your
 * executor, when a listener throws an {@link Error}), the node <em>fails</em>: it logs the
 * cause once at ERROR, stops accepting, closes every connection with a BYE saying
 * {@code node failed (<error class>)} where it still can, delivers
 * {@link PeerListener#onDisconnected onDisconnected} for every peer (from a fresh thread if
 * the callback thread is the one that died), stops every thread it started, and fails
 * {@link #closeFuture()} with a {@link NodeFailedException} whose cause is the error. From then
 * on {@link #isRunning()} is false, pending and later futures fail with
 * {@link NodeFailedException} (a {@link NodeClosedException}) and {@link #close()} returns as
 * soon as that shutdown is done. A {@link RuntimeException} thrown by a listener is only logged.
 *
 * <p><b>Implementations:</b> the interface is sealed: the only implementation is the node
 * {@link PeerNodeBuilder#build()} returns, so the compiler refuses a class of yours that
 * implements it, and methods may be added in any release. It works on the class path too (see
 * {@link Peer}, "Implementations").
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
public sealed interface PeerNode extends AutoCloseable permits dev.vecino.p2p.internal.Node {

  /** The group a node joins unless told otherwise. */
  String DEFAULT_GROUP = "vecino";

  /**
   * Returns a builder with every option at its default.
   *
   * @return a new builder
   */
  static PeerNodeBuilder builder() {
    return new PeerNodeBuilder();
  }

  /**
   * Returns a new builder with every option this node was built with, to derive another node
   * from it (like OkHttp's {@code newBuilder()}): change what differs, then build.
   *
   * <pre>{@code
   * PeerNode replica = node.toBuilder().identity(Identity.random("replica")).port(0).build();
   * }</pre>
   *
   * <p>Everything is copied as given to the builder: the identity (also an id or name that was
   * chosen at random), the port asked for (0 stays 0, not the port it got), the same listener,
   * executor, transport, codec and discovery objects; options left at their default stay
   * defaults (the watermarks, for one, still follow a changed {@code maxQueuedBytes}). A node
   * built from it unchanged has this node's id, and two nodes with one id refuse each other
   * ({@link SelfConnectionException}): give the copy its own {@code identity} to run both.
   * Works in any state, before {@link #start()} and after {@link #close()} too.
   *
   * @return a new builder; changing it does not affect this node
   */
  PeerNodeBuilder toBuilder();

  /**
   * Binds the listening socket and starts the I/O threads. Returns this node for chaining.
   *
   * <p>If starting fails half-way, every thread and socket it started is stopped before this
   * method throws, and the node is closed ({@link #closeFuture()} fails with the same exception).
   *
   * @return this node
   * @throws ConfigurationException if the address cannot be bound (the message names it)
   * @throws VecinoException if anything else fails (the transport cannot be created, a thread
   *     cannot be started); the cause is the original failure
   * @throws IllegalStateException if the node was already started or closed
   */
  PeerNode start();

  /**
   * Returns this node's identity.
   *
   * @return the id and name
   */
  Identity identity();

  /**
   * Returns this node's group.
   *
   * @return the group name
   */
  String group();

  /**
   * Returns the address the node listens on, with the actual port when port 0 was asked for.
   *
   * @return the bound address
   * @throws IllegalStateException if the node is not started or does not listen
   */
  InetSocketAddress localAddress();

  /**
   * Connects to a peer and completes after the handshake.
   *
   * <p>The future fails with {@link PeerUnreachableException} (refused),
   * {@link ConnectTimeoutException}, {@link NotAPeerException}, {@link OtherGroupException},
   * {@link SelfConnectionException}, {@link UnsupportedVersionException} or
   * {@link NodeClosedException}. If the peer is already connected (same id, whatever the
   * address), it completes with the existing peer and no second connection remains.
   *
   * @param host a host name or address literal
   * @param port the peer's port
   * @return the peer, once connected
   */
  CompletableFuture<Peer> connect(String host, int port);

  /**
   * Connects to a peer; see {@link #connect(String, int)}.
   *
   * @param address the peer's address
   * @return the peer, once connected
   */
  CompletableFuture<Peer> connect(InetSocketAddress address);

  /**
   * Connects to a peer that may not be up yet: an attempt that finds nothing (refused,
   * unreachable, timed out) is tried again after the {@code backoff} policy's delay, until one
   * reaches the peer or the policy allows no more. Each retry is announced to
   * {@link PeerListener#onReconnecting} and giving up to {@link PeerListener#onReconnectFailed},
   * both with a null {@code lastId} (no peer was reached at the address yet). A failure that a
   * retry cannot change fails at once, as in {@link #connect(String, int)}: another group,
   * not a peer, this node itself, no common version, an address this node's bind address
   * cannot reach, this node's connection limit.
   *
   * <p>The future completes with the peer once connected, or fails with the last attempt's
   * error ({@link PeerUnreachableException}, {@link ConnectTimeoutException}) after giving up,
   * or with {@link NodeClosedException} when the node closes first. Cancelling it stops the
   * retries (an attempt already under way may still connect). Once connected, a node built
   * with {@link PeerNodeBuilder#reconnect(dev.vecino.p2p.discovery.Backoff)} reconnects to the
   * peer when it is lost, as after {@link #connect(InetSocketAddress)}.
   *
   * @param address the peer's address
   * @param backoff the retry policy, e.g. {@link dev.vecino.p2p.discovery.Backoff#DEFAULT}
   * @return the peer, once connected
   */
  CompletableFuture<Peer> connect(InetSocketAddress address, dev.vecino.p2p.discovery.Backoff backoff);

  /**
   * Returns every connected peer, in connection order: the live handles that {@code send},
   * {@code disconnect} and the other methods take.
   *
   * <p>The list is a snapshot of who is connected now: it never changes, so a peer that
   * connects later is not in it, and a peer that leaves stays in it with state
   * {@link PeerState#CLOSED}. Each handle reads its peer's current state; for one consistent
   * set of a peer's numbers (counters included) take {@link Peer#snapshot()}, e.g.
   * {@code node.peers().stream().map(Peer::snapshot).toList()}.
   *
   * @return an immutable list
   */
  List<Peer> peers();

  /**
   * Returns the peers the node lost and is reconnecting to (see
   * {@link PeerNodeBuilder#reconnect(dev.vecino.p2p.discovery.Backoff)}): their last snapshot,
   * with state {@link PeerState#RECONNECTING} and the address being retried. Empty when
   * reconnects are off.
   *
   * @return an immutable list
   */
  List<PeerInfo> reconnecting();

  /**
   * Returns the live handle of a connected peer.
   *
   * @param id the peer's id
   * @return the peer, if connected
   */
  Optional<Peer> peer(PeerId id);

  /**
   * Queues a message and completes when it has been written to the socket.
   *
   * <p>The payload is copied before this method returns. The future fails with
   * {@link QueueFullException} if the peer's queue is full, with
   * {@link PeerDisconnectedException} if the peer is gone or goes before the write, and with
   * {@link NodeClosedException} after {@link #close()}.
   *
   * @param peer the peer
   * @param kind the message kind
   * @param payload the payload; the caller may reuse the array at once
   * @return completes once written
   */
  CompletableFuture<Void> send(Peer peer, MessageKind kind, byte[] payload);

  /**
   * Queues a message, waiting up to {@code queueTimeout} for room if the peer's queue is full
   * (overriding the node's {@link PeerNodeBuilder#sendTimeout(Duration)}); see
   * {@link #send(Peer, MessageKind, byte[])}.
   *
   * @param peer the peer
   * @param kind the message kind
   * @param payload the payload; copied before return
   * @param queueTimeout how long to wait for room; zero fails at once when full
   * @return completes once written
   */
  CompletableFuture<Void> send(Peer peer, MessageKind kind, byte[] payload, java.time.Duration queueTimeout);

  /**
   * Sends binary bytes; see {@link #send(Peer, MessageKind, byte[])}.
   *
   * @param peer the peer
   * @param payload the payload
   * @return completes once written
   */
  default CompletableFuture<Void> send(Peer peer, byte[] payload) {
    return send(peer, MessageKind.BINARY, payload);
  }

  /**
   * Sends UTF-8 text; see {@link #send(Peer, MessageKind, byte[])}.
   *
   * @param peer the peer
   * @param text the text
   * @return completes once written
   */
  default CompletableFuture<Void> send(Peer peer, String text) {
    return send(peer, MessageKind.TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sends a call: text the receiver shows prominently; see
   * {@link #send(Peer, MessageKind, byte[])}.
   *
   * @param peer the peer
   * @param text the text (may be empty)
   * @return completes once written
   */
  default CompletableFuture<Void> call(Peer peer, String text) {
    return send(peer, MessageKind.CALL, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Queues a binary message without allocating, for hot paths. The message leaves now, with
   * everything queued before it: written by the calling thread when the connection is idle,
   * else by whoever writes for it.
   *
   * <p>A thread that floods one peer — its sends keep finding earlier ones still being written,
   * for a whole batch (64 KiB; 128 KiB on loopback) and at least 32 sends in a row — has its
   * next messages batched as {@link #trySendMore(Peer, byte[]) trySendMore} would: they leave
   * a batch at a time, written by the sending thread, and the last ones within about a
   * millisecond (the batching ends then, so a message sent in that millisecond after a flood
   * may wait for it too). {@link #flush(Peer)} sends everything at once. A few messages,
   * however large, are never a flood, nor is request and reply traffic, nor the plain send
   * that ends a {@code trySendMore} burst.
   *
   * @param peer the peer
   * @param payload the payload; copied before return
   * @return {@link SendStatus#OK}, {@link SendStatus#QUEUE_FULL} or {@link SendStatus#CLOSED}
   */
  default SendStatus trySend(Peer peer, byte[] payload) {
    return trySend(peer, MessageKind.BINARY, payload, 0, payload.length);
  }

  /**
   * Queues a message from an array slice without allocating.
   *
   * @param peer the peer
   * @param kind the message kind
   * @param payload the array
   * @param offset the first byte
   * @param length the number of bytes
   * @return the status; see {@link #trySend(Peer, byte[])}
   * @throws IndexOutOfBoundsException if the slice is outside the array
   */
  SendStatus trySend(Peer peer, MessageKind kind, byte[] payload, int offset, int length);

  /**
   * Queues a binary message from a buffer without allocating. Reads position to limit and
   * does not move them.
   *
   * @param peer the peer
   * @param payload the payload; copied before return
   * @return the status; see {@link #trySend(Peer, byte[])}
   */
  SendStatus trySend(Peer peer, ByteBuffer payload);

  /**
   * Queues a binary message without allocating and tells the node that more follow soon, like
   * {@code MSG_MORE} on a socket: the message may wait for the next ones instead of waking the
   * I/O thread, and the calling thread writes whole batches itself as they fill (on loopback,
   * cut to whole TCP segments). This is the fastest way to stream many messages to one peer.
   *
   * <p>End a burst with {@link #trySend(Peer, byte[])} or {@link #flush(Peer)}: both make
   * everything queued leave now. Messages nobody flushes leave within about a millisecond.
   * Order with the peer's other messages is kept.
   *
   * @param peer the peer
   * @param payload the payload; copied before return
   * @return the status; see {@link #trySend(Peer, byte[])}
   */
  default SendStatus trySendMore(Peer peer, byte[] payload) {
    return trySendMore(peer, MessageKind.BINARY, payload, 0, payload.length);
  }

  /**
   * As {@link #trySendMore(Peer, byte[])}, from an array slice.
   *
   * @param peer the peer
   * @param kind the message kind
   * @param payload the array
   * @param offset the first byte
   * @param length the number of bytes
   * @return the status; see {@link #trySend(Peer, byte[])}
   * @throws IndexOutOfBoundsException if the slice is outside the array
   */
  SendStatus trySendMore(Peer peer, MessageKind kind, byte[] payload, int offset, int length);

  /**
   * As {@link #trySendMore(Peer, byte[])}, from a buffer (position to limit; they do not move).
   *
   * @param peer the peer
   * @param payload the payload; copied before return
   * @return the status; see {@link #trySend(Peer, byte[])}
   */
  SendStatus trySendMore(Peer peer, ByteBuffer payload);

  /**
   * Makes every message queued for {@code peer} leave now, including those queued with
   * {@link #trySendMore(Peer, byte[]) trySendMore}. Cheap when nothing waits. Does nothing for a
   * peer that is gone.
   *
   * @param peer the peer
   */
  void flush(Peer peer);

  /**
   * Queues a message to every connected peer.
   *
   * @param kind the message kind
   * @param payload the payload; copied before return
   * @return the status for each peer
   */
  BroadcastResult broadcast(MessageKind kind, byte[] payload);

  /**
   * Queues a binary message to every connected peer.
   *
   * @param payload the payload
   * @return the status for each peer
   */
  default BroadcastResult broadcast(byte[] payload) {
    return broadcast(MessageKind.BINARY, payload);
  }

  /**
   * Queues UTF-8 text to every connected peer.
   *
   * @param text the text
   * @return the status for each peer
   */
  default BroadcastResult broadcast(String text) {
    return broadcast(MessageKind.TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Closes one peer's connection: flushes what is queued, sends BYE, then closes. The peer's
   * {@code onDisconnected} reason is {@link DisconnectReason.Kind#CLOSED_LOCALLY}.
   *
   * @param peer the peer
   * @return completes when the connection is closed
   */
  default CompletableFuture<Void> disconnect(Peer peer) {
    return disconnect(peer, "disconnected");
  }

  /**
   * Closes one peer's connection like {@link #disconnect(Peer)}, telling the peer why: its
   * {@code onDisconnected} reason reads {@code closed by peer: <reason>}.
   *
   * @param peer the peer
   * @param reason a short text for the peer, e.g. "ana left the chat" (at most 1 KiB of UTF-8 is sent)
   * @return completes when the connection is closed
   */
  CompletableFuture<Void> disconnect(Peer peer, String reason);

  /**
   * Closes every peer's connection, as {@link #disconnect(Peer)} does.
   *
   * @return completes when all are closed
   */
  CompletableFuture<Void> disconnectAll();

  /**
   * Returns the peers whose keys this node has pinned in its peer store
   * ({@link PeerNodeBuilder#peerStore}; memory only without one): the keys pairing accepted and
   * those {@link #trust(String) trusted}, most recently seen first. A pinned key is admitted under
   * {@link PeerNodeBuilder#pairing pairing} without asking anyone; another key is refused
   * ({@link NotAdmittedException} on both sides) when it shows a pinned peer's name (compared
   * ignoring case and invisible characters), or answers at an address where a pinned peer was
   * seen. Works in any state.
   *
   * @return a snapshot
   */
  List<PinnedPeer> pinnedPeers();

  /**
   * Pins the key with this fingerprint, as pairing pins a key both people accepted: from now on
   * it is admitted under pairing without asking, and the name it shows when it connects is
   * pinned to it. Use it once the fingerprint was compared by another way (read out over the
   * phone, {@code vecino id} on the other machine). Saves the peer store at once. Does nothing
   * to a key already pinned but return it. Works in any state.
   *
   * @param fingerprint the key's fingerprint as typed ({@link NodeKey#parseFingerprint})
   * @return the pinned peer
   * @throws IllegalArgumentException if {@code fingerprint} is not a valid fingerprint (naming
   *     the group with the typo), or is this node's own
   * @throws IllegalStateException if this is a plaintext node, which checks no keys
   * @throws java.io.UncheckedIOException if the peer store file cannot be written (the pin
   *     holds in memory, and writing is tried again when the node closes)
   */
  PinnedPeer trust(String fingerprint);

  /**
   * Unpins a key: a pairing node asks about it again when it next connects, and its name and
   * addresses are free for other keys. A peer connected with that key is disconnected (its
   * {@code onDisconnected} reason is {@link DisconnectReason.Kind#CLOSED_LOCALLY}). Saves the
   * peer store at once. Works in any state.
   *
   * @param fingerprintOrId the key's fingerprint, or the peer's id or a prefix of it of at least
   *     4 hex digits (the 8 of {@link PeerId#shortId()}, say)
   * @return the pin removed, or empty if no pinned peer matches
   * @throws IllegalArgumentException if it is neither a fingerprint nor an id prefix of 4 hex
   *     digits or more, or if the prefix matches more than one pinned peer (naming them)
   * @throws java.io.UncheckedIOException if the peer store file cannot be written (the key is
   *     unpinned in memory)
   */
  Optional<PinnedPeer> untrust(String fingerprintOrId);

  /**
   * Scans address ranges for peers: probes every address of {@code targets} on every port of
   * {@code ports} with {@link ScanOptions#defaults()}; see
   * {@link #scan(Targets, Ports, ScanOptions)}.
   *
   * @param targets the addresses, e.g. {@code Targets.parse("127.0.0.0/24")}
   * @param ports the ports, e.g. {@code Ports.parse("9000-9010")}
   * @return the running scan
   * @throws IllegalArgumentException if the targets hold more than 65,536 addresses
   * @throws IllegalStateException if the node is not running, or uses a codec that neither
   *     handshakes nor greets, such as {@code line}
   */
  default ScanHandle scan(Targets targets, Ports ports) {
    return scan(targets, ports, ScanOptions.defaults());
  }

  /**
   * Scans address ranges for peers. Each address and port is probed with a non-blocking
   * connect on the node's I/O threads (at most {@link ScanOptions#window()} at once) and is a
   * peer only after the ordinary handshake: this node itself is recognised by id and never
   * counted, an already connected peer is counted once whatever address it answers on, and
   * with {@link ScanOptions#autoConnect()} the probe that verified a new peer becomes its
   * connection (listeners hear {@code onConnected}). Probes not kept are closed quietly.
   *
   * <p>With a codec that has no handshake but greets ({@code Codec.greets()}, such as
   * {@code Codec.classic()}), a peer is an address whose first read the codec accepts as a
   * greeting ({@code Codec.isGreeting}); it is identified by its address, and this node by its
   * listening address.
   *
   * @param targets the addresses
   * @param ports the ports
   * @param options window, timeout, rate, exclusions, size guard, re-scans, listener
   * @return the running scan
   * @throws IllegalArgumentException if the targets, minus the exclusions, hold more than
   *     {@link ScanOptions#maxAddresses()} addresses
   * @throws OutOfScopeException if a target is outside the node's network scope
   *     ({@link PeerNodeBuilder#networkScope}): nothing is sent
   * @throws IllegalStateException if the node is not running, or uses a codec that neither
   *     handshakes nor greets, such as {@code line} (nothing could be verified)
   */
  ScanHandle scan(Targets targets, Ports ports, ScanOptions options);

  /**
   * Runs a discovery: probes its candidates as {@link #scan(Targets, Ports, ScanOptions)}
   * does, round after round while the discovery or {@link ScanOptions#rescanEvery()} asks.
   * A candidate outside the network scope is not probed and is counted
   * {@link dev.vecino.p2p.scan.ScanReport#outOfScope()}.
   *
   * @param discovery the candidates, e.g. a {@link dev.vecino.p2p.discovery.StaticDiscovery}
   * @param options the options
   * @return the running scan
   * @throws IllegalArgumentException if a range discovery exceeds
   *     {@link ScanOptions#maxAddresses()}
   * @throws OutOfScopeException if a range discovery leaves the network scope
   * @throws IllegalStateException if the node is not running, or uses a codec that neither
   *     handshakes nor greets, such as {@code line}
   */
  ScanHandle scan(Discovery discovery, ScanOptions options);

  /**
   * Finds peers with default options; see {@link #discover(ScanOptions)}.
   *
   * @return the running scan
   * @throws IllegalStateException if the node is not running, or does not listen and has no
   *     configured discovery
   */
  default ScanHandle discover() {
    return discover(ScanOptions.defaults());
  }

  /**
   * Finds peers by every means at once (issue 17): the stages of
   * {@link ScanOptions#stages()} run together as one scan, and what they find is merged by
   * peer id, each result naming its {@link dev.vecino.p2p.scan.ScanResult#stage() stage}:
   * <ol>
   *   <li>{@code known}: the addresses where known peers were last seen
   *       ({@link PeerNodeBuilder#peerStore}), probed first;
   *   <li>{@code beacon}: three UDP beacons to the link-local group and the broadcast address
   *       of each interface inside the {@link dev.vecino.p2p.scan.NetworkScope network scope};
   *       the nodes that answer are probed as their answers arrive;
   *   <li>{@code range-scan}: the discovery given to the builder or, when none was given, this
   *       machine's subnets ({@link Targets#localSubnets()}, clipped to the scope) on this
   *       node's own listening port, nearest addresses first, logged at INFO before it starts;
   *       it starts a third of {@link ScanOptions#beaconWindow()} late, so beacon answers go
   *       first.
   * </ol>
   * Every candidate is a peer only after the handshake. Results stream to
   * {@link ScanOptions#listener()}; the round ends when every stage is done (the beacon stage
   * after its window). This is the only call that sends beacons.
   *
   * @param options the options
   * @return the running scan
   * @throws IllegalArgumentException if the subnets exceed {@link ScanOptions#maxAddresses()}
   * @throws OutOfScopeException if the builder's range discovery leaves the network scope
   * @throws IllegalStateException if the node is not running, or the range stage is on and the
   *     node neither listens nor has a configured discovery
   */
  ScanHandle discover(ScanOptions options);

  /**
   * Explains why {@code target} is or is not found (issue 17): checks, in order, the network
   * scope, the bind address, the route (a local lookup: nothing is sent), whether a beacon was
   * heard from it, whether it is a known peer, then probes it once (TCP connect and handshake,
   * without keeping the connection) unless an earlier step already decides. For an address of
   * this machine it also says whether the port is held ({@link Diagnosis.Verdict#PORT_IN_USE}):
   * a program that is not a Vecino node answers on it, or, when the probe was refused, a bind
   * of the port (for an instant, never listening) fails. A peer whose subnet only a virtual
   * interface holds is {@link Diagnosis.Verdict#SKIPPED_INTERFACE} when this node's
   * {@code discover()} would range-scan its default targets, which skip such interfaces, and
   * does not know the peer. Nothing is sent outside the network scope.
   *
   * @param target the host and port; an unresolved address is resolved first
   * @param timeout the probe's timeout (connect, then again for the handshake)
   * @return the diagnosis; completes on the callback executor
   * @throws IllegalStateException if the node is not running
   */
  CompletableFuture<Diagnosis> diagnose(InetSocketAddress target, Duration timeout);

  /**
   * Returns node-wide counters.
   *
   * @return a snapshot
   */
  NodeStats stats();

  /**
   * Returns whether the node is started and neither closed nor failed.
   *
   * @return true while running; false before {@link #start()}, from the moment {@link #close()}
   *     begins, and from the moment the node fails
   */
  boolean isRunning();

  /**
   * Returns a future that completes once the node has stopped: its connections closed, its
   * listener closed, every thread it started ended (except the one completing the future).
   *
   * <p>It completes normally after {@link #close()} (also when closed without being started).
   * It fails with {@link NodeFailedException}, whose cause is the error, when the node failed
   * (a thread of it died; see the class comment) before {@code close()} was called, and with
   * the exception {@link #start()} threw when starting failed. An application that must not
   * run on without its node waits on it or adds an action, e.g.
   * {@code node.closeFuture().whenComplete((v, e) -> { if (e != null) restart(); })}.
   *
   * <p>Each call returns a new future, so a caller that completes its own does not affect
   * others. Actions added with the non-async methods run on the thread that stopped the node
   * (the caller of {@code close()}, or the node's {@code vecino-failure-<id>} thread): keep
   * them short, or use the {@code *Async} variants.
   *
   * @return completes when the node has stopped
   */
  CompletableFuture<Void> closeFuture();

  /**
   * Closes the node: stops accepting, flushes queued messages and sends BYE to every peer (up
   * to the close timeout), closes every connection, fails pending futures with
   * {@link NodeClosedException}, and stops every thread it started. Idempotent; returns when
   * done. After the node failed, it waits for the failure's shutdown to end (about the close
   * timeout at most) and throws nothing; see {@link #closeFuture()} for the cause.
   */
  @Override
  default void close() {
    close("node closing");
  }

  /**
   * Closes the node like {@link #close()}, telling every peer why in the BYE.
   *
   * @param reason a short text for the peers, e.g. "ana left the chat"
   */
  void close(String reason);
}
