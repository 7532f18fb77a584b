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
 * @param queuedBytes bytes queued for writing to all peers now, not yet taken by a socket
 * @param disconnected registered peers disconnected since start, by reason (each peer's
 *     {@link PeerListener#onDisconnected onDisconnected} counts once)
 * @param scansRunning scans running now ({@link PeerNode#scan}, {@link PeerNode#discover()})
 * @param scansStarted scans started since start
 * @param probes scan probes started since start (one per address and port tried, retries
 *     included)
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
    long logLinesSuppressed,
    long queuedBytes,
    Map<DisconnectReason.Kind, Long> disconnected,
    int scansRunning,
    long scansStarted,
    long probes) {

  /** Copies the maps so the snapshot stays immutable.
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
   * @param queuedBytes see the record component
   * @param disconnected see the record component
   * @param scansRunning see the record component
   * @param scansStarted see the record component
   * @param probes see the record component
   */
  public NodeStats {
    rejected = Map.copyOf(rejected);
    disconnected = Map.copyOf(disconnected);
  }

  /**
   * Creates a snapshot without the queue, disconnect and scan counters (all 0), as before they
   * existed.
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
   * @param logLinesSuppressed see the record component
   */
  public NodeStats(int connections, int handshaking, long accepted, long established,
      Map<DisconnectReason.Kind, Long> rejected, long messagesIn, long messagesOut, long bytesIn, long bytesOut,
      long logLinesSuppressed) {
    this(connections, handshaking, accepted, established, rejected, messagesIn, messagesOut, bytesIn, bytesOut,
        logLinesSuppressed, 0, Map.of(), 0, 0, 0);
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

  /**
   * Returns the number of peers disconnected for one reason.
   *
   * @param kind the reason
   * @return the count, 0 if none
   */
  public long disconnected(DisconnectReason.Kind kind) {
    return disconnected.getOrDefault(kind, 0L);
  }
}
