package dev.vecino.p2p;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * An immutable snapshot of a peer, for listing. Take a new one for fresh numbers.
 *
 * @param id the peer's id
 * @param name the peer's display name, as it announced it
 * @param remoteAddress the address of the other end of the connection
 * @param listenPort the port the peer listens on (from its HELLO), or 0 if unknown
 * @param direction who opened the connection
 * @param state the connection state when the snapshot was taken
 * @param connectedSince when the handshake completed
 * @param messagesIn messages received
 * @param messagesOut messages written to the socket
 * @param bytesIn bytes received, framing included
 * @param bytesOut bytes written, framing included
 * @param queuedBytes bytes waiting in the outbound queue
 * @param lastHeard when anything last arrived from the peer
 */
public record PeerInfo(
    PeerId id,
    String name,
    InetSocketAddress remoteAddress,
    int listenPort,
    Direction direction,
    PeerState state,
    Instant connectedSince,
    long messagesIn,
    long messagesOut,
    long bytesIn,
    long bytesOut,
    long queuedBytes,
    Instant lastHeard) {

  /**
   * Validates the components.
   *
   * @param id see the record component
   * @param name see the record component
   * @param remoteAddress see the record component
   * @param listenPort see the record component
   * @param direction see the record component
   * @param state see the record component
   * @param connectedSince see the record component
   * @param messagesIn see the record component
   * @param messagesOut see the record component
   * @param bytesIn see the record component
   * @param bytesOut see the record component
   * @param queuedBytes see the record component
   * @param lastHeard see the record component
   * @throws NullPointerException if a component is null
   */
  public PeerInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(connectedSince, "connectedSince");
    Objects.requireNonNull(lastHeard, "lastHeard");
  }
}
