package dev.vecino.p2p;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * A live handle to a peer: its accessors read the current state and counters.
 *
 * <p>A handle stays valid after the peer disconnects ({@link #state()} is then
 * {@link PeerState#CLOSED}); use {@link #snapshot()} for a consistent immutable view.
 *
 * <p>The handle follows the peer's connection: when a simultaneous connect is settled, or a
 * new connection replaces one found stale, it moves to the new connection without a
 * disconnect ({@link PeerListener#onConnectionReplaced}). Each accessor describes the
 * connection the handle shows at the moment it is called, so two calls (say
 * {@link #remoteAddress()}, then {@link #direction()}) may describe two connections while it
 * moves; {@link #snapshot()} describes one.
 *
 * <p><b>Implementations:</b> the interface is sealed: the only implementation is the node's
 * own handle, which the node's methods take back ({@code send}, {@code disconnect}), so the
 * compiler refuses a class of yours that implements it, and methods may be added in any
 * release. To test code that formats peers, use {@link PeerInfo} (a plain record) or a real
 * node on loopback. Sealing across packages needs a named module; the library is one
 * ({@code dev.vecino.p2p}) and is compiled as one, and on the class path the JVM checks only
 * that the permitted class is public and loaded into the same (unnamed) module, so it works
 * there too.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
public sealed interface Peer permits dev.vecino.p2p.internal.PeerHandle {

  /**
   * Returns the peer's id, from its HELLO.
   *
   * @return the id
   */
  PeerId id();

  /**
   * Returns the display name the peer announced.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the address of the other end of the connection.
   *
   * @return the remote socket address
   */
  InetSocketAddress remoteAddress();

  /**
   * Returns the port the peer listens on (from its HELLO), or 0 if it did not say.
   *
   * @return the listening port
   */
  int listenPort();

  /**
   * Returns who opened the connection.
   *
   * @return the direction
   */
  Direction direction();

  /**
   * Returns the connection's current state.
   *
   * @return the state
   */
  PeerState state();

  /**
   * Returns when the handshake completed.
   *
   * @return the instant
   */
  Instant connectedSince();

  /**
   * Returns the bytes waiting in this peer's outbound queue right now.
   *
   * @return queued bytes
   */
  long queuedBytes();

  /**
   * Returns whether the outbound queue is below its high watermark (see
   * {@link PeerNodeBuilder#writeWatermarks(int, int)}); senders that care about memory pause
   * while it is false.
   *
   * @return true if writable
   */
  boolean isWritable();

  /**
   * Returns when anything (a message or a heartbeat) last arrived from this peer.
   *
   * @return the instant
   */
  Instant lastHeard();

  /**
   * Returns the fingerprint of the key this peer proved in the TLS handshake, in the form
   * {@link NodeKey#fingerprint()} has, for people to compare (docs/security.md, section 2).
   *
   * @return the fingerprint, or empty for a plaintext connection (a plaintext node, or the line
   *     and classic codecs), where nothing proves a key
   */
  Optional<String> keyFingerprint();

  /**
   * Returns an immutable snapshot of this peer.
   *
   * @return the snapshot
   */
  PeerInfo snapshot();
}
