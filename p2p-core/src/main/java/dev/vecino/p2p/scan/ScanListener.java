package dev.vecino.p2p.scan;

/**
 * Hears a scan's progress. Every method has an empty default.
 *
 * <p><b>Thread:</b> calls arrive one at a time and in order on the node's callback executor
 * (on the I/O thread in direct mode); keep them short.
 */
public interface ScanListener {

  /**
   * Progress, at most about every 50 ms, whenever a peer is found, and at the end of a round.
   *
   * @param progress the current progress
   */
  default void onProgress(ScanProgress progress) {}

  /**
   * An open port was identified: a peer (once per id and round), another group's node
   * (once per id and round), an incompatible node, or a service that is not a Vecino peer.
   * Closed and silent addresses are only counted.
   *
   * @param result what was found
   */
  default void onFound(ScanResult result) {}

  /**
   * A round ended (also a cancelled one).
   *
   * @param report the round's report
   */
  default void onRoundComplete(ScanReport report) {}
}
