package dev.vecino.p2p.scan;

/**
 * The stages of {@code PeerNode.discover()} (issue 17), run together; each can be turned off
 * with {@link ScanOptions.Builder#stages}. {@link ScanResult#stage()} holds the
 * {@link #label()} of the stage that found a result.
 */
public enum DiscoveryStage {
  /** The addresses where known peers were last seen (the node's peer store). */
  KNOWN_PEERS("known"),
  /** UDP beacons to the link-local group and the subnet broadcast address; answers are probed. */
  BEACONS("beacon"),
  /**
   * The range scan: the builder's discovery, or this machine's subnets (each capped at a /22),
   * nearest addresses first.
   */
  RANGE_SCAN("range-scan");

  private final String label;

  DiscoveryStage(String label) {
    this.label = label;
  }

  /**
   * Returns the stage's name in results and logs.
   *
   * @return e.g. {@code "beacon"}
   */
  public String label() {
    return label;
  }
}
