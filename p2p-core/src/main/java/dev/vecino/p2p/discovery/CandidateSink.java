package dev.vecino.p2p.discovery;

import java.net.InetSocketAddress;

/**
 * Where a push discovery streams its candidates (see {@link Discovery#start}).
 *
 * <p><b>Thread safety:</b> every method may be called from any thread, the stage's own
 * included; calls after {@link #done()} or after the stage was stopped are ignored.
 */
public interface CandidateSink {

  /**
   * Offers a candidate: the node probes it (a handshake decides whether it is a peer).
   *
   * @param candidate the address and port
   */
  void offer(InetSocketAddress candidate);

  /** The stage has no more candidates for this round. */
  void done();
}
