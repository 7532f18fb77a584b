package dev.vecino.p2p;

/**
 * The outcome of {@link PeerNode#trySend(Peer, byte[])} and of each peer in a broadcast.
 *
 * <p>Back pressure is normal, not exceptional: a full queue is a status, never an exception.
 */
public enum SendStatus {
  /** The message was encoded into the peer's outbound queue and will be written in order. */
  OK,
  /** The peer's outbound queue holds its limit of bytes; nothing was queued. Retry later. */
  QUEUE_FULL,
  /** The peer is not connected (closing, closed, or the node is closed); nothing was queued. */
  CLOSED
}
