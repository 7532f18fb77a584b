package dev.vecino.p2p.discovery;

import java.net.InetSocketAddress;
import java.util.Iterator;

/**
 * Produces candidate peer addresses: the service provider interface for finding peers.
 *
 * <p>A discovery only proposes addresses; the node probes each one and counts it as a peer
 * only after a successful handshake. Candidates are produced lazily, so a large range is
 * never held in memory.
 *
 * <p><b>Thread safety:</b> {@link #candidates} may be called from any thread; each returned
 * iterator is used by one thread.
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
}
