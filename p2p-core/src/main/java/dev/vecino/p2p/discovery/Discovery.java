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
 * only after a successful handshake. A discovery runs in rounds: after each, {@link #nextRound}
 * says whether and when to run another.
 *
 * <p>Two forms. <b>Pull</b> (the default): {@link #candidates} returns a lazy iterator, so a
 * large range is never held in memory. <b>Push</b>: a discovery whose candidates arrive over
 * time (beacon replies) returns true from {@link #pushes()} and implements {@link #start}: it
 * starts, streams candidates to a {@link CandidateSink} as they arrive, says
 * {@link CandidateSink#done()}, and stops early when asked. {@code PeerNode.discover()} runs
 * several discoveries together as stages of one chain (known peers, beacons, range scan),
 * merging what they find by peer id; {@link dev.vecino.p2p.scan.ScanResult#stage()} names the
 * stage that found each peer.
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

  /**
   * Returns whether this discovery is a push one: its candidates come through {@link #start},
   * and {@link #candidates} is not used.
   *
   * @return false (the default) for a pull discovery
   */
  default boolean pushes() {
    return false;
  }

  /**
   * Starts one round of a push discovery: candidates go to {@code sink} as they arrive, on
   * any thread, then {@link CandidateSink#done()}. Returns at once (the work runs on the
   * stage's own thread). The default, for pull discoveries, offers every candidate of
   * {@link #candidates} on the calling thread, then says done: fine for short lists only.
   *
   * @param defaultPort as for {@link #candidates}
   * @param sink receives the candidates
   * @return stops the round early (idempotent; the sink hears nothing more)
   */
  default Stoppable start(int defaultPort, CandidateSink sink) {
    Iterator<InetSocketAddress> it = candidates(defaultPort);
    while (it.hasNext()) {
      sink.offer(it.next());
    }
    sink.done();
    return () -> { };
  }

  /** A running push round. */
  @FunctionalInterface
  interface Stoppable {
    /** Stops the round: no more candidates are offered. Idempotent; any thread. */
    void stop();
  }
}
