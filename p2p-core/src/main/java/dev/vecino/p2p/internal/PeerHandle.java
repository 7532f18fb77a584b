package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.NodeKey;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * The live handle users hold for a peer. It follows the peer's current connection: when a
 * simultaneous connect is resolved in favour of the other connection, or a newcomer with the
 * peer's id replaces a connection a check found stale, the handle switches to it without a
 * disconnect; listeners hear {@code onConnectionReplaced}.
 *
 * <p><b>Thread safety:</b> fields read by users are volatile or final; {@code check} and
 * {@code gone} are the registry's, under its lock; {@code goneWith} is written under it before
 * {@code gone}, and read by any thread (volatile). {@code connection} is written by the
 * registry under its lock, only with a connection already established
 * ({@link Connection#establish}), so any thread that reads it finds a connection that takes
 * sends or has started closing since. Each accessor reads it once; {@link #snapshot()} reads
 * it once for all its fields.
 *
 * <p>Public only because {@link Peer} is sealed and names it (a permitted class in another
 * package must be accessible); its package is not exported, and its constructor and fields
 * are package-private.
 */
public final class PeerHandle implements Peer {

  final Node node;
  final PeerId id;
  final long sequence;
  final SerialExecutor events;
  private final Instant connectedSince = Instant.now();
  private volatile String name;
  private volatile int listenPort;
  volatile Connection connection;
  /**
   * The check a newcomer with this peer's id started on {@link #connection}, or null; cleared
   * when the handle moves to a simultaneous connect's winner meanwhile. Registry's lock.
   */
  IdCheck check;
  /** The peer was unregistered and its disconnect reported. Guarded by the registry's lock. */
  boolean gone;
  /** Why it was unregistered, once {@link #gone}; read by a connect's late reconnect intent. */
  volatile DisconnectReason goneWith;

  /** Marks the handle unregistered, for {@code reason}: {@code goneWith} first. Registry's lock. */
  void markGone(DisconnectReason reason) {
    goneWith = reason;
    gone = true;
  }
  /** Its loss reached the {@link Reconnector} with an intent to act on (once per handle). */
  final java.util.concurrent.atomic.AtomicBoolean lossReported = new java.util.concurrent.atomic.AtomicBoolean();
  /** Bytes received but not yet handed to the listeners (default callback mode). */
  final java.util.concurrent.atomic.AtomicLong undelivered = new java.util.concurrent.atomic.AtomicLong();
  /** Whether reading is paused because {@link #undelivered} passed the bound. */
  final java.util.concurrent.atomic.AtomicBoolean readPaused = new java.util.concurrent.atomic.AtomicBoolean();

  PeerHandle(Node node, PeerId id, String name, int listenPort, long sequence, Connection connection) {
    this.node = node;
    this.id = id;
    this.name = name;
    this.listenPort = listenPort;
    this.sequence = sequence;
    this.connection = connection;
    this.events = node.events.newSerialExecutor();
  }

  private PayloadView payloadView;
  /**
   * Delivered batches kept for the next reads (see {@code InboundBatch#take}): two, one being
   * filled while the other is delivered, so a peer keeps at most ~512 KiB for it.
   */
  final java.util.concurrent.atomic.AtomicReferenceArray<InboundBatch> spareBatches =
      new java.util.concurrent.atomic.AtomicReferenceArray<>(2);

  /** Lends payloads to onPayload listeners; used only by this peer's serialized callbacks. */
  PayloadView payloadView() {
    PayloadView v = payloadView;
    if (v == null) {
      v = new PayloadView();
      payloadView = v;
    }
    return v;
  }

  void rename(String name) {
    this.name = name;
  }

  @Override
  public PeerId id() {
    return id;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return connection.remoteAddress();
  }

  @Override
  public int listenPort() {
    return listenPort;
  }

  @Override
  public Direction direction() {
    return connection.direction;
  }

  @Override
  public PeerState state() {
    return connection.publicState();
  }

  @Override
  public Instant connectedSince() {
    return connectedSince;
  }

  @Override
  public long queuedBytes() {
    return connection.queuedBytes();
  }

  @Override
  public boolean isWritable() {
    return connection.isWritable();
  }

  @Override
  public Instant lastHeard() {
    return connection.lastHeard();
  }

  /**
   * Computed on each call from the certificate of the connection the handle shows. Safe from any
   * thread: the connection's TLS stage and its peer certificate are set on its I/O thread before
   * the connection is established, and so before the volatile write that puts it in this handle.
   */
  @Override
  public Optional<String> keyFingerprint() {
    TlsStage tls = connection.tls();
    X509Certificate cert = tls == null ? null : tls.peerCertificate();
    return cert == null ? Optional.empty() : Optional.of(NodeKey.fingerprintOf(cert.getPublicKey()));
  }

  @Override
  public PeerInfo snapshot() {
    Connection c = connection;
    return new PeerInfo(id, name, c.remoteAddress(), listenPort, c.direction,
        c.publicState(), connectedSince, c.messagesIn(), c.messagesOut(), c.bytesIn(), c.bytesOut(),
        c.queuedBytes(), c.lastHeard());
  }

  @Override
  public String toString() {
    return "Peer{" + name + " " + id.shortId() + " " + Node.format(connection.remoteAddress()) + "}";
  }
}
