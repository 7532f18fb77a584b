package dev.vecino.p2p.scan;

/** What a scan found at one address and port. */
public enum ScanStatus {
  /** A Vecino peer of this node's group, verified by its HELLO. */
  PEER,
  /** A Vecino node of another group. */
  OTHER_GROUP,
  /** A Vecino node that speaks no protocol version this node speaks. */
  INCOMPATIBLE,
  /**
   * A secure Vecino node that did not admit this node, or that this node did not admit: a group
   * secret one side requires, or a key allowlist. Nothing of its group or name is known.
   */
  NOT_ADMITTED,
  /** This very node (recognised by id, on any of its addresses); never counted as a peer. */
  SELF,
  /** The port is open, but what answers is not a Vecino node (no HELLO in time, or garbage). */
  NOT_A_PEER,
  /** The port is closed: the connection was refused. */
  CLOSED,
  /**
   * No answer within the probe timeout, or no route to the host (also a discovery's candidate
   * that the node's bind address cannot reach, reported without a connect).
   */
  SILENT,
  /**
   * Not probed: the address is outside the node's {@link NetworkScope}. Nothing was sent to it;
   * counted in {@link ScanReport#outOfScope()}.
   */
  OUT_OF_SCOPE
}
