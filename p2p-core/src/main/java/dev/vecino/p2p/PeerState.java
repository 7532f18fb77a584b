package dev.vecino.p2p;

/** The life cycle of a connection to a peer, as seen in {@link Peer#state()}. */
public enum PeerState {
  /** The TCP connection is being opened. */
  CONNECTING,
  /** Connected; HELLO frames are being exchanged. */
  HANDSHAKING,
  /** Handshake done: messages flow. */
  CONNECTED,
  /** A close was requested: queued messages are being flushed and BYE sent. */
  CLOSING,
  /** The connection is gone; the handle stays readable. */
  CLOSED,
  /**
   * The connection was lost and the node is trying to reconnect (see
   * {@link PeerNode#reconnecting()}); a successful attempt makes a new, connected peer.
   */
  RECONNECTING
}
