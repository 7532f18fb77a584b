package dev.vecino.p2p;

/**
 * Receives a node's peer events. Every method has an empty default, so implement only what
 * you need. A listener on a hot receive path implements {@link PayloadListener} instead, to
 * read each payload in place rather than get a {@link Message}.
 *
 * <p><b>Threads:</b> by default every method runs on the node's callback executor, never on an
 * I/O thread; events of one peer arrive one at a time and in order (connected, messages,
 * connection replaced, disconnected), even with a multi-threaded executor. In direct mode
 * ({@link PeerNodeBuilder#directCallbacks(boolean)}) they run on the I/O thread that owns the
 * peer's connection: return quickly and never block there.
 *
 * <p>A {@link RuntimeException} thrown by a listener is logged at WARN (the first 10 in 10 s; the
 * rest at DEBUG, counted in one summary line: a peer may send what a listener throws on at any
 * rate) and affects neither the connection nor the other listeners. An {@link Error} is fatal: the node fails and stops (see
 * {@link PeerNode}, "Failure"), on the default callback thread, on your executor and in direct
 * mode alike.
 *
 * <pre>{@code
 * PeerNode node = PeerNode.builder()
 *     .listener(new PeerListener() {
 *       @Override
 *       public void onConnected(Peer peer) {
 *         System.out.println(peer.name() + " joined from " + peer.remoteAddress());
 *       }
 *
 *       @Override
 *       public void onMessage(Message message) {
 *         if (message.kind() == MessageKind.CALL) {
 *           System.out.println(message.sender().name() + " is calling: " + message.text());
 *         }
 *       }
 *
 *       @Override
 *       public void onDisconnected(Peer peer, DisconnectReason reason) {
 *         System.out.println(peer.name() + " left: " + reason);
 *       }
 *     })
 *     .build();
 * }</pre>
 */
public interface PeerListener {

  /**
   * A peer completed the handshake.
   *
   * @param peer the new peer
   */
  default void onConnected(Peer peer) {}

  /**
   * A message arrived. Not called on a {@link PayloadListener}, which gets
   * {@link PayloadListener#onPayload onPayload} instead.
   *
   * @param message the message; it owns its payload and may be kept
   */
  default void onMessage(Message message) {}

  /**
   * A peer's outbound queue crossed a watermark: {@code false} when it grew above the high
   * watermark (slow down), {@code true} when it drained to the low one (go on).
   *
   * @param peer the peer
   * @param writable the new value of {@link Peer#isWritable()}
   */
  default void onWritabilityChanged(Peer peer, boolean writable) {}

  /**
   * The node will try to reconnect to a peer it lost (see
   * {@link PeerNodeBuilder#reconnect(dev.vecino.p2p.discovery.Backoff)}). A successful attempt
   * is reported by {@link #onConnected}; one refused right after its handshake ("already
   * connected", a limit) by {@link #onDisconnected} and the next attempt, whose number goes on
   * counting.
   *
   * <p>It is also called before each retry of a first connect made with
   * {@link PeerNode#connect(java.net.InetSocketAddress, dev.vecino.p2p.discovery.Backoff)}; no
   * peer was seen at the address then, and {@code lastId} is null.
   *
   * @param address the address being retried
   * @param lastId the id of the peer last seen there; null for a first connect being retried
   * @param attempt the attempt number, from 1
   * @param delay how long until the attempt
   */
  default void onReconnecting(java.net.InetSocketAddress address, PeerId lastId, int attempt,
      java.time.Duration delay) {}

  /**
   * The node stopped reconnecting to the peer last seen at an address: the backoff policy
   * allows no more attempts, or another peer answered there. In the second case the old peer
   * is gone and the one that answered is a new peer (its {@link #onConnected} is sent; no order
   * is promised between the two events, which concern different peers), and the node keeps
   * reconnecting to the address for the new peer. Refusals that may pass (the peer still
   * holds a stale connection and says "already connected", a limit) do not end the attempts.
   *
   * <p>It is also called when the retries of a first connect made with
   * {@link PeerNode#connect(java.net.InetSocketAddress, dev.vecino.p2p.discovery.Backoff)} end
   * without reaching a peer; {@code lastId} is then null, and the connect's future fails.
   *
   * @param address the address
   * @param lastId the id of the peer last seen there; null for a first connect that gave up
   * @param attempts how many attempts were made
   */
  default void onReconnectFailed(java.net.InetSocketAddress address, PeerId lastId, int attempts) {}

  /**
   * A peer's handle moved to another connection, without a disconnect: a simultaneous connect
   * kept the other connection, or a new connection claiming the peer's id replaced one that a
   * check found stale (it did not answer a PING in time, or its socket was reset or closed;
   * see docs/PROTOCOL.md 1.4). {@link Peer#remoteAddress()} returns {@code newRemote} from now
   * on. Messages still queued on the old connection fail with
   * {@link PeerDisconnectedException} (after a simultaneous connect the losing connection
   * first drains, and may still deliver a few messages after this event: order is kept per
   * connection only, see docs/reliability.md).
   *
   * <p>Between secure nodes (the default) the new connection proved the peer's key. Between
   * plaintext nodes ids are claimed, not proven: when {@code newRemote} is an unexpected
   * address, the new connection may be someone else using the id of a peer whose connection
   * went stale, or one that claimed the id within the simultaneous-connect window (one
   * handshake timeout after this node opened the connection; docs/reliability.md).
   *
   * <p>Runs on the callback executor (on the I/O thread in direct mode), in order with the
   * peer's other events: after the messages received on the old connection before the move,
   * before those received on the new one.
   *
   * @param peer the peer, the same handle as before
   * @param oldRemote the other end of the connection given up
   * @param newRemote the other end of the connection now in use
   */
  default void onConnectionReplaced(Peer peer, java.net.InetSocketAddress oldRemote,
      java.net.InetSocketAddress newRemote) {}

  /**
   * A peer's connection ended. Sent once per {@link #onConnected}.
   *
   * @param peer the peer, now {@link PeerState#CLOSED}
   * @param reason why it ended
   */
  default void onDisconnected(Peer peer, DisconnectReason reason) {}
}
