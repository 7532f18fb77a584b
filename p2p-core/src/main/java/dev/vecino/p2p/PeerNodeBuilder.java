package dev.vecino.p2p;

import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.discovery.Backoff;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.internal.NodeConfig;
import dev.vecino.p2p.internal.tls.NodeTls;
import dev.vecino.p2p.scan.NetworkScope;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.transport.NioTransport;
import dev.vecino.p2p.transport.TransportFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Configures a {@link PeerNode}. Every option has a default; {@link #build()} validates them
 * all and names the first bad one. {@link PeerNode#toBuilder()} returns a builder with every
 * option of an existing node, to derive another one from it.
 *
 * <pre>{@code
 * PeerNode node = PeerNode.builder()
 *     .identity(Identity.loadOrCreate(Path.of("vecino-id.properties"), "ana"))
 *     .group("my-app")                        // nodes of other groups are refused
 *     .port(9999)
 *     .listener(new PeerListener() {
 *       @Override public void onConnected(Peer peer) { System.out.println("+ " + peer.name()); }
 *       @Override public void onMessage(Message m) { System.out.println(m.text()); }
 *     })
 *     .heartbeatInterval(Duration.ofSeconds(2)) // drop silent peers after 6 s
 *     .build()
 *     .start();
 * }</pre>
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>{@link #identity(Identity)} / {@link #name(String)} / {@link #id(PeerId)}</td>
 *       <td>random id, name {@code node-<short id>}</td></tr>
 *   <tr><td>{@link #group(String)}</td><td>{@code "vecino"}</td></tr>
 *   <tr><td>{@link #bindAddress(String)}</td><td>{@code 0.0.0.0} (all IPv4 addresses)</td></tr>
 *   <tr><td>{@link #port(int)}</td><td>0 (any free port; see {@link PeerNode#localAddress()})</td></tr>
 *   <tr><td>{@link #listen(boolean)}</td><td>true</td></tr>
 *   <tr><td>{@link #backlog(int)}</td><td>1024</td></tr>
 *   <tr><td>{@link #ioThreads(int)}</td><td>1</td></tr>
 *   <tr><td>{@link #busyPoll(Duration)}</td><td>0 (I/O threads sleep when idle)</td></tr>
 *   <tr><td>{@link #transport(TransportFactory)}</td><td>{@link NioTransport}</td></tr>
 *   <tr><td>{@link #codec(Codec)}</td><td>{@link Codec#framed()}</td></tr>
 *   <tr><td>{@link #discovery(Discovery)}</td><td>none</td></tr>
 *   <tr><td>{@link #networkScope(NetworkScope)}</td><td>the system property {@value NetworkScope#PROPERTY}, the
 *       environment variable {@value NetworkScope#ENVIRONMENT_VARIABLE} (each one set narrows), else loopback
 *       and on-link subnets ({@link NetworkScope#onLink()})</td></tr>
 *   <tr><td>{@link #peerStore(Path)}</td><td>none (known peers are kept in memory only)</td></tr>
 *   <tr><td>{@link #beacons(boolean)}</td><td>false (no UDP socket is opened)</td></tr>
 *   <tr><td>{@link #callbackExecutor(Executor)}</td><td>one {@code vecino-callback-<id>} thread</td></tr>
 *   <tr><td>{@link #directCallbacks(boolean)}</td><td>false</td></tr>
 *   <tr><td>{@link #listener(PeerListener)} / {@link #onMessage(Consumer)}</td><td>none</td></tr>
 *   <tr><td>{@link #connectTimeout(Duration)}</td><td>5 s</td></tr>
 *   <tr><td>{@link #handshakeTimeout(Duration)}</td><td>5 s</td></tr>
 *   <tr><td>{@link #closeTimeout(Duration)}</td><td>2 s</td></tr>
 *   <tr><td>{@link #maxFrameSize(int)}</td><td>16 MiB</td></tr>
 *   <tr><td>{@link #maxQueuedBytes(int)}</td><td>4 MiB per peer</td></tr>
 *   <tr><td>{@link #maxUndeliveredBytes(int)}</td><td>4 MiB per peer</td></tr>
 *   <tr><td>{@link #writeWatermarks(int, int)}</td><td>low 1/4, high 1/2 of the queue bound</td></tr>
 *   <tr><td>{@link #sendTimeout(Duration)}</td><td>0 (a full queue fails {@code send} at once)</td></tr>
 *   <tr><td>{@link #heartbeatInterval(Duration)}</td><td>5 s (a silent peer is dropped after 3)</td></tr>
 *   <tr><td>{@link #idleTimeout(Duration)}</td><td>0 (off)</td></tr>
 *   <tr><td>{@link #writeStallTimeout(Duration)}</td><td>60 s (a peer that takes no byte is dropped)</td></tr>
 *   <tr><td>{@link #maxConnections(int)}</td><td>4096, the last quarter kept for addresses holding
 *       fewer than 4</td></tr>
 *   <tr><td>{@link #maxConnectionsPerAddress(int)}</td><td>64 inbound per remote address</td></tr>
 *   <tr><td>{@link #reconnect(Backoff)}</td><td>off</td></tr>
 *   <tr><td>{@link #maxPendingHandshakes(int, int)}</td><td>256 overall (fair among addresses),
 *       32 per remote address</td></tr>
 *   <tr><td>{@link #jmx(boolean)}</td><td>false (no MXBean)</td></tr>
 * </table>
 *
 * <p><b>Thread safety:</b> not thread-safe; configure on one thread.
 */
public final class PeerNodeBuilder implements Cloneable {

  /** Default accept backlog: far above the JDK's 50, so a burst of connects is not dropped. */
  public static final int DEFAULT_BACKLOG = 1024;
  /** Default maximum frame size (type byte plus body), 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;
  /** Default bound of each peer's outbound queue, 4 MiB. */
  public static final int DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;
  /** Default most inbound connections from one remote address: one machine's 64 local nodes. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;
  /** The UDP port discovery beacons are sent to and listened for on (see {@link #beacons(boolean)}). */
  public static final int BEACON_PORT = 47_810;

  private PeerId id;
  private NodeKey key; // the identity's, whose id is id; null for an id of one's choosing
  private String name;
  private String group = PeerNode.DEFAULT_GROUP;
  private InetAddress bindAddress;
  private int port = 0;
  private boolean listen = true;
  private int backlog = DEFAULT_BACKLOG;
  private int ioThreads = 1;
  private Duration busyPoll = Duration.ZERO;
  private TransportFactory transport = NioTransport.factory();
  private Codec codec = Codec.framed();
  private Discovery discovery;
  private NetworkScope networkScope;
  private Path peerStore;
  private boolean beacons;
  private Executor callbackExecutor;
  private boolean directCallbacks;
  private Duration connectTimeout = Duration.ofSeconds(5);
  private Duration handshakeTimeout = Duration.ofSeconds(5);
  private Duration closeTimeout = Duration.ofSeconds(2);
  private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private int maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
  private int maxUndeliveredBytes = DEFAULT_MAX_QUEUED_BYTES;
  private int lowWatermark = -1;
  private int highWatermark = -1;
  private Duration sendTimeout = Duration.ZERO;
  private Duration heartbeatInterval = Duration.ofSeconds(5);
  private Duration idleTimeout = Duration.ZERO;
  private Duration writeStallTimeout = Duration.ofSeconds(60);
  private int maxConnections = 4096;
  private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  private Backoff reconnect;
  private int maxPendingHandshakes = 256;
  private int maxPendingHandshakesPerAddress = 32;
  private List<PeerListener> listeners = new ArrayList<>();
  private boolean plaintext;
  private GroupSecret groupSecret;
  private Set<String> allowedKeys = new TreeSet<>();
  private Targets allowFrom;
  private Targets denyFrom;
  private PairingHandler pairing;
  private Duration pairingTimeout = Duration.ofMinutes(2);
  private boolean jmx;

  PeerNodeBuilder() {}

  /**
   * A builder with every option of this one: what {@link #build()} keeps for
   * {@link PeerNode#toBuilder()}. A field-by-field copy (so a new option cannot be forgotten
   * here), with collections of its own.
   */
  private PeerNodeBuilder copy() {
    try {
      PeerNodeBuilder b = (PeerNodeBuilder) super.clone();
      b.listeners = new ArrayList<>(listeners);
      b.allowedKeys = new TreeSet<>(allowedKeys);
      return b;
    } catch (CloneNotSupportedException e) {
      throw new AssertionError("a PeerNodeBuilder is Cloneable", e);
    }
  }


  /**
   * Sets the node's id, name and key together (e.g. from {@link Identity#loadOrCreate}).
   *
   * @param identity the identity
   * @return this builder
   */
  public PeerNodeBuilder identity(Identity identity) {
    Objects.requireNonNull(identity, "identity");
    this.id = identity.id();
    this.name = identity.name();
    this.key = identity.key().orElse(null);
    return this;
  }

  /**
   * Sets the node's id. Default: random. An id other than the key's of an {@link
   * #identity(Identity)} set before drops that key (an id of one's choosing is for plaintext
   * nodes only).
   *
   * @param id the id
   * @return this builder
   */
  public PeerNodeBuilder id(PeerId id) {
    this.id = Objects.requireNonNull(id, "id");
    if (key != null && !key.id().equals(id)) {
      key = null; // an id of one's choosing has no key: plaintext only
    }
    return this;
  }

  /**
   * Sets the display name announced to peers (1 to 255 UTF-8 bytes). Default:
   * {@code node-<short id>}.
   *
   * @param name the name
   * @return this builder
   */
  public PeerNodeBuilder name(String name) {
    this.name = Objects.requireNonNull(name, "name");
    return this;
  }

  /**
   * Sets the group. Nodes of different groups refuse each other, so unrelated applications
   * can share a port range. Default {@value PeerNode#DEFAULT_GROUP}.
   *
   * @param group 1 to 255 UTF-8 bytes
   * @return this builder
   */
  public PeerNodeBuilder group(String group) {
    this.group = Objects.requireNonNull(group, "group");
    return this;
  }

  /**
   * Sets the address to listen on. Default: all IPv4 addresses ({@code 0.0.0.0}).
   *
   * <p>A specific address is also the source address of the node's outbound connections and
   * scan probes (bound with port 0 and {@code SO_REUSEADDR}), so peers see the node's
   * connections come from the address it listens on. A node bound to a loopback address
   * reaches only loopback addresses: {@code connect} to another address fails at once with
   * {@link PeerUnreachableException}, and a scan of one is refused, without touching the
   * network.
   *
   * @param address the local address
   * @return this builder
   */
  public PeerNodeBuilder bindAddress(InetAddress address) {
    this.bindAddress = Objects.requireNonNull(address, "address");
    return this;
  }

  /**
   * Sets the address to listen on, as a literal or host name; see
   * {@link #bindAddress(InetAddress)}.
   *
   * @param host e.g. {@code "127.0.0.1"}
   * @return this builder
   * @throws IllegalArgumentException if the host cannot be resolved
   */
  public PeerNodeBuilder bindAddress(String host) {
    Objects.requireNonNull(host, "host");
    try {
      this.bindAddress = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown bind address: " + host, e);
    }
    return this;
  }

  /**
   * Sets the port to listen on; 0 picks a free one. Default 0.
   *
   * @param port 0 to 65535
   * @return this builder
   */
  public PeerNodeBuilder port(int port) {
    this.port = port;
    return this;
  }

  /**
   * Sets whether the node listens at all. A node that does not listen can still connect out.
   * Default true.
   *
   * @param listen false for an outbound-only node
   * @return this builder
   */
  public PeerNodeBuilder listen(boolean listen) {
    this.listen = listen;
    return this;
  }

  /**
   * Sets the accept backlog. Default {@value #DEFAULT_BACKLOG}.
   *
   * @param backlog at least 1
   * @return this builder
   */
  public PeerNodeBuilder backlog(int backlog) {
    this.backlog = backlog;
    return this;
  }

  /**
   * Sets the number of I/O threads; each connection is owned by one. Default 1.
   *
   * @param ioThreads 1 to 64
   * @return this builder
   */
  public PeerNodeBuilder ioThreads(int ioThreads) {
    this.ioThreads = ioThreads;
    return this;
  }

  /**
   * Lets each I/O thread keep polling for this long when it runs out of work, before it
   * sleeps in the selector. A sleeping thread takes tens of microseconds to wake on a small
   * virtual machine; polling answers at once, at the price of a busy CPU core while it lasts.
   * For request/response traffic with {@link #directCallbacks(boolean) direct callbacks} on a
   * machine with a core to spare, 50-100 µs brings a round trip below a blocking socket's.
   * Do not use it when the cores are all taken: a polling thread then delays the thread it
   * waits for. Default 0 (sleep at once).
   *
   * @param busyPoll 0 to 10 ms
   * @return this builder
   */
  public PeerNodeBuilder busyPoll(Duration busyPoll) {
    this.busyPoll = Objects.requireNonNull(busyPoll, "busyPoll");
    return this;
  }

  /**
   * Sets the transport. Default {@link NioTransport#factory()}.
   *
   * @param transport creates the node's transport at start
   * @return this builder
   */
  public PeerNodeBuilder transport(TransportFactory transport) {
    this.transport = Objects.requireNonNull(transport, "transport");
    return this;
  }

  /**
   * Sets the wire codec. Default {@link Codec#framed()}.
   *
   * @param codec the codec
   * @return this builder
   */
  public PeerNodeBuilder codec(Codec codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
    return this;
  }

  /**
   * Sets where {@code discover()} finds candidate peers. Default: none.
   *
   * @param discovery the discovery
   * @return this builder
   */
  public PeerNodeBuilder discovery(Discovery discovery) {
    this.discovery = Objects.requireNonNull(discovery, "discovery");
    return this;
  }

  /**
   * Sets where the node may send discovery traffic: every scan, probe, beacon and beacon reply
   * is checked against it, and anything outside is refused ({@link OutOfScopeException}, or
   * {@link dev.vecino.p2p.scan.ScanStatus#OUT_OF_SCOPE} per candidate). The system property
   * {@value NetworkScope#PROPERTY} and the environment variable
   * {@value NetworkScope#ENVIRONMENT_VARIABLE}, when set, narrow it further: an address must be
   * in every scope that is set. Default: only those two; when neither is set either, loopback
   * and the machine's on-link subnets ({@link NetworkScope#onLink()}).
   *
   * @param scope the scope
   * @return this builder
   */
  public PeerNodeBuilder networkScope(NetworkScope scope) {
    this.networkScope = Objects.requireNonNull(scope, "scope");
    return this;
  }

  /**
   * Sets the file of the node's known-peer store: where each peer id was last seen, probed
   * first by {@link PeerNode#discover()}, and the keys pairing and {@link PeerNode#trust} pinned,
   * with the name each last showed ({@link PeerNode#pinnedPeers()}). One file per node,
   * owner-only (a file others may read or write is refused by {@link #build()}, as ssh refuses
   * such key files); written atomically after each discovery, each pin and on close. Default:
   * none, known peers and pins are kept in memory for the node's lifetime.
   *
   * @param file the store file; its directory is created owner-only if missing
   * @return this builder
   */
  public PeerNodeBuilder peerStore(Path file) {
    this.peerStore = Objects.requireNonNull(file, "file");
    return this;
  }

  /**
   * Sets whether the node listens for discovery beacons on UDP port
   * {@value #BEACON_PORT} and answers each with one unicast beacon
   * (rate-limited per source, only to on-link sources inside the network scope, never larger
   * than the request). Listening sends nothing by itself; beacons are sent only by
   * {@link PeerNode#discover()}. Default: false, so a node opens no UDP socket unless asked.
   *
   * @param listen true to listen and answer
   * @return this builder
   */
  public PeerNodeBuilder beacons(boolean listen) {
    this.beacons = listen;
    return this;
  }

  /**
   * Sets the executor for listener callbacks and future completions. Events of one peer stay
   * serialized and ordered even on a multi-threaded executor. The node does not shut a given
   * executor down. Default: one {@code vecino-callback-<id>} thread owned by the node.
   * A listener that throws an {@link Error} on the executor makes the node fail; the error is
   * then rethrown to the executor's thread, as if the node were not there.
   *
   * @param executor the executor
   * @return this builder
   */
  public PeerNodeBuilder callbackExecutor(Executor executor) {
    this.callbackExecutor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Runs listener callbacks on the I/O thread (lowest latency). Callbacks must then return
   * quickly and never block. Default false.
   *
   * @param direct true for direct mode
   * @return this builder
   */
  public PeerNodeBuilder directCallbacks(boolean direct) {
    this.directCallbacks = direct;
    return this;
  }

  /**
   * Adds a listener; listeners are called in the order added.
   *
   * @param listener the listener
   * @return this builder
   */
  public PeerNodeBuilder listener(PeerListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Adds a listener for messages only.
   *
   * @param onMessage called for each message
   * @return this builder
   */
  public PeerNodeBuilder onMessage(Consumer<Message> onMessage) {
    Objects.requireNonNull(onMessage, "onMessage");
    return listener(new PeerListener() {
      @Override
      public void onMessage(Message message) {
        onMessage.accept(message);
      }
    });
  }

  /**
   * Sets how long a TCP connect may take. Default 5 s.
   *
   * @param timeout positive
   * @return this builder
   */
  public PeerNodeBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Sets how long the HELLO exchange may take after the TCP connection opens; a connection
   * that has not completed it by then is closed ("handshake timeout"). Default 5 s.
   *
   * @param timeout positive
   * @return this builder
   */
  public PeerNodeBuilder handshakeTimeout(Duration timeout) {
    this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Sets how long {@link PeerNode#close()} and {@code disconnect} wait for queued messages
   * and BYE to be written before closing hard. Default 2 s.
   *
   * @param timeout zero or positive
   * @return this builder
   */
  public PeerNodeBuilder closeTimeout(Duration timeout) {
    this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Sets the largest frame accepted or sent (type byte plus payload). A peer that declares a
   * larger frame is disconnected before anything is allocated for it. Default 16 MiB.
   *
   * @param bytes 64 to 1 GiB
   * @return this builder
   */
  public PeerNodeBuilder maxFrameSize(int bytes) {
    this.maxFrameSize = bytes;
    return this;
  }

  /**
   * Sets the bound of each peer's outbound queue, in bytes (framing included). A send that
   * would pass it is refused ({@link SendStatus#QUEUE_FULL}). Default 4 MiB.
   *
   * @param bytes at least 1024
   * @return this builder
   */
  public PeerNodeBuilder maxQueuedBytes(int bytes) {
    this.maxQueuedBytes = bytes;
    return this;
  }

  /**
   * Sets how many received bytes per peer may wait for the listeners (default callback mode).
   * Past it the node stops reading from that peer until the listeners have caught up by half,
   * so a fast sender backs up in TCP (and sees its own queue fill) instead of growing this
   * node's heap. Each message counts its payload plus 64 bytes. Default 4 MiB.
   *
   * @param bytes at least 1024
   * @return this builder
   */
  public PeerNodeBuilder maxUndeliveredBytes(int bytes) {
    this.maxUndeliveredBytes = bytes;
    return this;
  }

  /**
   * Sets the outbound queue's watermarks, in bytes. When a peer's queue grows above
   * {@code high}, {@link Peer#isWritable()} turns false and listeners hear
   * {@link PeerListener#onWritabilityChanged}; when it drains to {@code low} or below, it turns
   * true again. Default: a quarter and a half of {@link #maxQueuedBytes(int)}.
   *
   * @param low the low watermark, at least 0
   * @param high the high watermark, above {@code low} and at most the queue bound
   * @return this builder
   */
  public PeerNodeBuilder writeWatermarks(int low, int high) {
    this.lowWatermark = low;
    this.highWatermark = high;
    return this;
  }

  /**
   * Sets how long {@code send} may wait for room when a peer's queue is full. Zero (the
   * default) fails the future at once with {@link QueueFullException}; a positive value parks
   * the message (copied, in order, bounded by the queue size) and fails it only if no room
   * appears in time. {@code trySend} never waits.
   *
   * @param timeout zero or positive
   * @return this builder
   */
  public PeerNodeBuilder sendTimeout(Duration timeout) {
    this.sendTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Sets the heartbeat interval: each connection sends a PING this often, and a peer from
   * which nothing arrives for three intervals is dropped with reason
   * {@link DisconnectReason.Kind#TIMED_OUT}. Zero turns heartbeats off. Default 5 s.
   *
   * @param interval zero, or at least 10 ms
   * @return this builder
   */
  public PeerNodeBuilder heartbeatInterval(Duration interval) {
    this.heartbeatInterval = Objects.requireNonNull(interval, "interval");
    return this;
  }

  /**
   * Sets the idle timeout: a connection with no message in either direction for this long is
   * closed with reason {@link DisconnectReason.Kind#TIMED_OUT}. Heartbeats do not count. Zero
   * (the default) turns it off.
   *
   * @param timeout zero or positive
   * @return this builder
   */
  public PeerNodeBuilder idleTimeout(Duration timeout) {
    this.idleTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Sets the write-stall timeout: a peer that takes no byte of its outbound queue for this
   * long while frames wait in it (it stopped reading) is dropped as a slow consumer, with
   * reason {@link DisconnectReason.Kind#LIMIT_EXCEEDED} and BYE text {@code "slow consumer"};
   * its pending sends fail. The clock runs only while the queue is non-empty and nothing is
   * written, so a peer that keeps reading is kept, however slowly. One caveat: "written"
   * means taken by the local socket, which (on Linux loopback) buffers up to ~4 MB and takes
   * writes again only once about a third of it is free, so a peer reading slower than about
   * 1.4 MB per timeout (~23 KB/s at 60 s) can be dropped although it reads
   * (docs/reliability.md, known gaps). Checked every quarter of the timeout (or at each
   * heartbeat, if more often). Zero turns it off. Default 60 s.
   *
   * @param timeout zero, or at least 10 ms
   * @return this builder
   */
  public PeerNodeBuilder writeStallTimeout(Duration timeout) {
    this.writeStallTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Turns on reconnects: when the connection to a peer this node connected to with
   * {@code connect} is lost (reset, end of stream, heartbeat timeout, or the peer's BYE, as
   * when it restarts), the node retries that address with this backoff, reporting each attempt
   * to {@link PeerListener#onReconnecting} and giving up per the policy
   * ({@link PeerListener#onReconnectFailed}). {@code disconnect} and {@code close} stop it; a
   * refusal for group, version, identity or admission (a secret, key or pairing the peer
   * refused) is not retried. Default: off.
   *
   * @param backoff the retry policy, e.g. {@link Backoff#DEFAULT}
   * @return this builder
   */
  public PeerNodeBuilder reconnect(Backoff backoff) {
    this.reconnect = Objects.requireNonNull(backoff, "backoff");
    return this;
  }

  /**
   * Sets the most connections (established plus handshaking) the node keeps; further inbound
   * connections are closed at once and outbound connects fail. The last quarter of them is
   * kept for remote addresses that hold fewer than 4 inbound connections, so that one address
   * filling the node with completed handshakes cannot lock out newcomers from other machines
   * (docs/reliability.md). Default 4096.
   *
   * @param max at least 1
   * @return this builder
   */
  public PeerNodeBuilder maxConnections(int max) {
    this.maxConnections = max;
    return this;
  }

  /**
   * Sets the most inbound connections, handshaking or established, from one remote address;
   * further ones from it are closed at once, before the HELLO. Outbound connections do not
   * count. The default lets one machine run {@value #DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}
   * local nodes that all connect to this one. Default
   * {@value #DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}.
   *
   * @param max at least 1 (a value above {@link #maxConnections(int)} means no limit of its own)
   * @return this builder
   */
  public PeerNodeBuilder maxConnectionsPerAddress(int max) {
    this.maxConnectionsPerAddress = max;
    return this;
  }

  /**
   * Sets how many inbound connections may be in the handshake at once, overall and from one
   * remote address, so a flood of connections that never speak cannot crowd out real peers.
   * A connection past the per-address limit is closed at once. When the overall limit is
   * reached, a newcomer from an address holding fewer pending handshakes than the address
   * holding most takes the slot of that address's oldest pending connection (closed without
   * a BYE); otherwise it is closed at once. Default 256 and 32.
   *
   * @param overall at least 1
   * @param perAddress at least 1, at most {@code overall}
   * @return this builder
   */
  public PeerNodeBuilder maxPendingHandshakes(int overall, int perAddress) {
    this.maxPendingHandshakes = overall;
    this.maxPendingHandshakesPerAddress = perAddress;
    return this;
  }

  /**
   * Sets the node's key pair, from which a secure node's id is derived ({@link PeerId#of}).
   * Default: a new key for every node built, so its id changes on every start; keep one with
   * {@link NodeKey#loadOrCreate} (or an {@link Identity} that carries it). A {@link
   * #plaintext(boolean) plaintext} node takes its id from the key and uses nothing else of it.
   *
   * @param key the key
   * @return this builder
   */
  public PeerNodeBuilder key(NodeKey key) {
    this.key = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * Builds a plaintext node: no TLS, protocol version 1, as every node spoke before 0.5. It
   * talks to plaintext and older nodes, and refuses secure ones at once (each side says why);
   * its id may be any ({@link #id}), so a peer's id proves nothing. Default: false, so a node
   * with the framed codec is secure: TLS 1.3 with its key, and an id derived from that key.
   * Nodes with the line or classic codec are always plaintext (netcat and the original program
   * speak no TLS).
   *
   * @param plaintext whether the node speaks without TLS
   * @return this builder
   */
  public PeerNodeBuilder plaintext(boolean plaintext) {
    this.plaintext = plaintext;
    return this;
  }

  /**
   * Admits only nodes that prove they know this group secret, and proves it to them, inside the
   * TLS tunnel before either side reveals its name, group or a message; a node without it (or
   * with another) is refused with {@link NotAdmittedException} on both sides. Secure nodes only.
   * Default: none (any key is admitted).
   *
   * @param secret the secret, e.g. {@code GroupSecret.load(Path.of("team.secret"))}
   * @return this builder
   */
  public PeerNodeBuilder groupSecret(GroupSecret secret) {
    this.groupSecret = Objects.requireNonNull(secret, "secret");
    return this;
  }

  /**
   * Admits only nodes whose key has one of these fingerprints ({@link NodeKey#fingerprint()}; as
   * typed, dashes and case optional), checked inside the TLS tunnel before anything of this node
   * is revealed. May be called again to add more. Secure nodes only. Default: any key.
   *
   * @param fingerprints the fingerprints of the keys to admit
   * @return this builder
   * @throws IllegalArgumentException if one is not a valid fingerprint (naming it)
   */
  public PeerNodeBuilder allowKeys(String... fingerprints) {
    for (String f : fingerprints) {
      allowedKeys.add(NodeKey.parseFingerprint(f));
    }
    return this;
  }

  /**
   * Pairs with nodes met for the first time: both nodes show the same six-digit code, the
   * {@code handler} of each asks its person, and only if both accept are the nodes admitted;
   * their keys are then pinned in the node's peer store ({@link #peerStore}), and a pinned node
   * is admitted without asking. A node that does not pair, or that rejects, or no answer within
   * {@code timeout}, is refused with {@link NotAdmittedException}. Nothing of this node's name,
   * group or messages reaches an unpaired node. Secure nodes only; combines with a group secret
   * (both must pass). Default: no pairing.
   *
   * @param handler asks the application (see {@link PairingHandler})
   * @param timeout how long a person may take to decide
   * @return this builder
   */
  public PeerNodeBuilder pairing(PairingHandler handler, Duration timeout) {
    this.pairing = Objects.requireNonNull(handler, "handler");
    requirePositive(timeout, "pairing timeout");
    this.pairingTimeout = timeout;
    return this;
  }

  /**
   * Accepts inbound connections only from these source addresses: anything else is closed as
   * soon as it is accepted, before this node sends a byte (counted as refused, kind
   * {@code NOT_ADMITTED}). Any node, secure or plaintext. Default: any address.
   *
   * @param sources addresses, ranges and CIDR blocks as {@link Targets#parse} reads them, e.g.
   *     {@code "192.0.2.0/24, 127.0.0.1"}
   * @return this builder
   * @throws IllegalArgumentException if {@code sources} does not parse
   */
  public PeerNodeBuilder allowAddresses(String sources) {
    this.allowFrom = Targets.parse(sources);
    return this;
  }

  /**
   * Refuses inbound connections from these source addresses, before this node sends a byte;
   * checked with {@link #allowAddresses}, and wins over it. Default: none.
   *
   * @param sources addresses, ranges and CIDR blocks as {@link Targets#parse} reads them
   * @return this builder
   * @throws IllegalArgumentException if {@code sources} does not parse
   */
  public PeerNodeBuilder denyAddresses(String sources) {
    this.denyFrom = Targets.parse(sources);
    return this;
  }

  /**
   * Registers the node's {@link PeerNodeMXBean} with the platform MBean server while it runs:
   * from {@link PeerNode#start()} until {@link PeerNode#close()} (or the node's failure), as
   * {@code dev.vecino:type=PeerNode,name=<name>,id=<short id>} (the name quoted with
   * {@link javax.management.ObjectName#quote} when it holds a character an object name
   * reserves). Off by default. If the name is taken (two nodes with one id), the node logs a
   * WARN and runs without it.
   *
   * @param on whether to register the MXBean
   * @return this builder
   */
  public PeerNodeBuilder jmx(boolean on) {
    this.jmx = on;
    return this;
  }

  /**
   * Validates the options and creates the node (not yet started). The node keeps a copy of
   * the options for {@link PeerNode#toBuilder()}: changing this builder afterwards does not
   * affect it.
   *
   * @return a new node
   * @throws IllegalArgumentException naming the first invalid option
   * @throws ConfigurationException if the system property {@value NetworkScope#PROPERTY} or the
   *     environment variable {@value NetworkScope#ENVIRONMENT_VARIABLE} is not a network scope, or
   *     the {@link #peerStore(Path) peer store} is accessible by others, too large or unreadable
   */
  public PeerNode build() {
    boolean secure = codec.handshake() && !plaintext;
    NodeKey nodeKey = null;
    if (secure) {
      nodeKey = key != null ? key : NodeKey.generate();
      if (id != null && !id.equals(nodeKey.id())) {
        throw new ConfigurationException("a secure node's id is derived from its key (" + nodeKey.id().shortId()
            + "), not chosen (" + id.shortId() + "): set the key (key(NodeKey)), or build a plaintext node"
            + " (plaintext(true)) to choose an id");
      }
    }
    if (!secure && (groupSecret != null || !allowedKeys.isEmpty() || pairing != null)) {
      throw new ConfigurationException("a group secret, a key allowlist and pairing need a secure node (TLS): drop "
          + (codec.handshake() ? "plaintext(true)" : "codec(...): only the framed codec speaks TLS"));
    }
    PeerId nodeId = nodeKey != null ? nodeKey.id() : id != null ? id : PeerId.random();
    String nodeName = name != null ? name : "node-" + nodeId.shortId();
    Identity identity = nodeKey != null ? Identity.of(nodeKey, nodeName) : new Identity(nodeId, nodeName);
    NodeConfig config = config(identity, nodeKey).withJmx(jmx);
    // The node's own options, its identity as chosen: what toBuilder() starts from.
    PeerNodeBuilder template = copy().identity(identity);
    return config.newNode(template::copy);
  }

  /** Validates every option but the identity, then makes the node's configuration. */
  private NodeConfig config(Identity identity, NodeKey nodeKey) {
    Identity.checkName(group, "group");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    if (backlog < 1) {
      throw new IllegalArgumentException("backlog must be at least 1: " + backlog);
    }
    if (ioThreads < 1 || ioThreads > 64) {
      throw new IllegalArgumentException("ioThreads must be 1..64: " + ioThreads);
    }
    if (busyPoll.isNegative() || busyPoll.compareTo(Duration.ofMillis(10)) > 0) {
      throw new IllegalArgumentException("busyPoll must be 0..10 ms: " + busyPoll);
    }
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(handshakeTimeout, "handshakeTimeout");
    if (closeTimeout.isNegative()) {
      throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
    }
    if (maxFrameSize < 64 || maxFrameSize > (1 << 30)) {
      throw new IllegalArgumentException("maxFrameSize must be 64..1073741824: " + maxFrameSize);
    }
    if (maxQueuedBytes < 1024) {
      throw new IllegalArgumentException("maxQueuedBytes must be at least 1024: " + maxQueuedBytes);
    }
    int low = lowWatermark >= 0 ? lowWatermark : maxQueuedBytes / 4;
    int high = highWatermark >= 0 ? highWatermark : maxQueuedBytes / 2;
    if (low < 0 || high <= low || high > maxQueuedBytes) {
      throw new IllegalArgumentException("watermarks must satisfy 0 <= low < high <= maxQueuedBytes: low "
          + low + ", high " + high + ", maxQueuedBytes " + maxQueuedBytes);
    }
    if (maxUndeliveredBytes < 1024) {
      throw new IllegalArgumentException("maxUndeliveredBytes must be at least 1024: " + maxUndeliveredBytes);
    }
    if (sendTimeout.isNegative()) {
      throw new IllegalArgumentException("sendTimeout must not be negative: " + sendTimeout);
    }
    if (heartbeatInterval.isNegative() || (!heartbeatInterval.isZero() && heartbeatInterval.toMillis() < 10)) {
      throw new IllegalArgumentException("heartbeatInterval must be 0 or at least 10 ms: " + heartbeatInterval);
    }
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idleTimeout must not be negative: " + idleTimeout);
    }
    if (writeStallTimeout.isNegative() || (!writeStallTimeout.isZero() && writeStallTimeout.toMillis() < 10)) {
      throw new IllegalArgumentException("writeStallTimeout must be 0 or at least 10 ms: " + writeStallTimeout);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
    }
    if (maxConnectionsPerAddress < 1) {
      throw new IllegalArgumentException("maxConnectionsPerAddress must be at least 1: " + maxConnectionsPerAddress);
    }
    if (maxPendingHandshakes < 1 || maxPendingHandshakesPerAddress < 1
        || maxPendingHandshakesPerAddress > maxPendingHandshakes) {
      throw new IllegalArgumentException("maxPendingHandshakes must satisfy 1 <= perAddress <= overall: overall "
          + maxPendingHandshakes + ", perAddress " + maxPendingHandshakesPerAddress);
    }
    InetSocketAddress bind = new InetSocketAddress(
        bindAddress != null ? bindAddress : anyIpv4(), port);
    return new NodeConfig(identity, group, bind, listen, backlog, ioThreads, busyPoll,
        transport, codec, discovery, callbackExecutor, directCallbacks,
        connectTimeout, handshakeTimeout, closeTimeout, maxFrameSize, maxQueuedBytes, maxUndeliveredBytes, low, high,
        sendTimeout, heartbeatInterval, idleTimeout, writeStallTimeout, maxConnections, maxPendingHandshakes,
        maxPendingHandshakesPerAddress, maxConnectionsPerAddress, reconnect,
        List.copyOf(listeners), nodeKey != null ? NodeTls.create(nodeKey.keyPair()) : null,
        groupSecret != null ? groupSecret.shared() : null, allowedKeys, allowFrom, denyFrom, pairing,
        pairingTimeout).withDiscovery(networkScope, peerStore, beacons);
  }

  private static InetAddress anyIpv4() {
    try {
      return InetAddress.getByAddress(new byte[4]);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static void requirePositive(Duration d, String what) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + d);
    }
  }
}
