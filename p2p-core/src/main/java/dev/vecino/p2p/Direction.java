package dev.vecino.p2p;

/** Which side opened a connection. */
public enum Direction {
  /** The remote node connected to us. */
  INBOUND,
  /** We connected to the remote node. */
  OUTBOUND
}
