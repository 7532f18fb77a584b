package dev.vecino.p2p;

import java.util.Map;

/**
 * Node-wide counters, a snapshot taken by {@link PeerNode#stats()}.
 *
 * @param connections connections currently established (handshake done)
 * @param handshaking connections opened but not yet through the handshake
 * @param accepted inbound TCP connections accepted since start
 * @param established connections that completed the handshake since start
 * @param rejected connections refused or dropped before or at the handshake, by reason
 * @param messagesIn messages received
 * @param messagesOut messages written
 * @param bytesIn bytes received
 * @param bytesOut bytes written
 * @param logLinesSuppressed INFO and WARN lines that remote parties caused past the node's log
 *     budget (10 lines per kind and 10 s), logged at DEBUG only; each window's count is also
 *     in one summary line (README, "Logging")
 */
public record NodeStats(
    int connections,
    int handshaking,
    long accepted,
    long established,
    Map<DisconnectReason.Kind, Long> rejected,
    long messagesIn,
    long messagesOut,
    long bytesIn,
    long bytesOut,
    long logLinesSuppressed) {

  /** Copies the map so the snapshot stays immutable.
   * @param connections see the record component
   * @param handshaking see the record component
   * @param accepted see the record component
   * @param established see the record component
   * @param rejected see the record component
   * @param messagesIn see the record component
   * @param messagesOut see the record component
   * @param bytesIn see the record component
   * @param bytesOut see the record component
   * @param logLinesSuppressed see the record component
   */
  public NodeStats {
    rejected = Map.copyOf(rejected);
  }

  /**
   * Creates a snapshot without {@code logLinesSuppressed} (0), as before that counter existed.
   *
   * @param connections see the record component
   * @param handshaking see the record component
   * @param accepted see the record component
   * @param established see the record component
   * @param rejected see the record component
   * @param messagesIn see the record component
   * @param messagesOut see the record component
   * @param bytesIn see the record component
   * @param bytesOut see the record component
   */
  public NodeStats(int connections, int handshaking, long accepted, long established,
      Map<DisconnectReason.Kind, Long> rejected, long messagesIn, long messagesOut, long bytesIn, long bytesOut) {
    this(connections, handshaking, accepted, established, rejected, messagesIn, messagesOut, bytesIn, bytesOut, 0);
  }

  /**
   * Returns the number of connections rejected for one reason.
   *
   * @param kind the reason
   * @return the count, 0 if none
   */
  public long rejected(DisconnectReason.Kind kind) {
    return rejected.getOrDefault(kind, 0L);
  }
}
