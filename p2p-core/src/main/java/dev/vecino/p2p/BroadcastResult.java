package dev.vecino.p2p;

import java.util.Map;

/**
 * What {@link PeerNode#broadcast(byte[])} did for each connected peer.
 *
 * @param statuses the status per peer id, one entry per peer the broadcast saw
 */
public record BroadcastResult(Map<PeerId, SendStatus> statuses) {

  /** Copies the map so the result stays immutable.
   * @param statuses see the record component
   */
  public BroadcastResult {
    statuses = Map.copyOf(statuses);
  }

  /**
   * Returns how many peers got the message queued.
   *
   * @return the number of {@link SendStatus#OK} entries
   */
  public int delivered() {
    return (int) statuses.values().stream().filter(s -> s == SendStatus.OK).count();
  }

  /**
   * Returns whether every peer got the message queued (true when there were no peers).
   *
   * @return true if no entry failed
   */
  public boolean allDelivered() {
    return delivered() == statuses.size();
  }
}
