package dev.vecino.p2p.discovery;

import dev.vecino.p2p.scan.ScanReport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;

/**
 * Produces candidate peer addresses: the service provider interface for finding peers.
 *
 * <p>A discovery only proposes addresses; the node probes each one and counts it as a peer
 * only after a successful handshake. Candidates are produced lazily, so a large range is
 * never held in memory. A discovery runs in rounds: after each, {@link #nextRound} says
 * whether and when to run another.
 *
 * <p>Implementations: {@link RangeScanDiscovery} (address ranges) and
 * {@link StaticDiscovery} (a fixed list, retried with a {@link Backoff}).
 *
 * <p><b>Thread safety:</b> {@link #candidates} may be called from any thread and may block
 * briefly (a DNS lookup); each returned iterator is used by one thread, an I/O thread, so its
 * methods must not block.
 */
public interface Discovery {

  /**
   * Returns a short name for logs, e.g. {@code "range-scan"}.
   *
   * @return the name
   */
  String name();

  /**
   * Returns a fresh, lazily computed sequence of candidate addresses for one discovery round.
   *
   * @param defaultPort the port to use where the discovery was given none (the node's own
   *     listening port)
   * @return the candidates, in probing order
   */
  Iterator<InetSocketAddress> candidates(int defaultPort);

  /**
   * Returns how many candidates a round yields, for progress reports.
   *
   * @param defaultPort as for {@link #candidates}
   * @return the count, or -1 when unknown (the default)
   */
  default long size(int defaultPort) {
    return -1;
  }

  /**
   * Decides whether another round follows the one just reported.
   *
   * @param previous the report of the round that just ended
   * @return the pause before the next round, or empty to stop (the default)
   */
  default Optional<Duration> nextRound(ScanReport previous) {
    return Optional.empty();
  }
}
