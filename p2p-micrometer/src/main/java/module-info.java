/**
 * Vecino's Micrometer binding: publishes a node's counters as {@code vecino.*} meters.
 *
 * <p>Start with {@link dev.vecino.p2p.micrometer.PeerNodeMetrics}.
 */
module dev.vecino.p2p.micrometer {
  // Micrometer ships automatic modules (micrometer.core); an application that binds the meters
  // needs its MeterRegistry type, so both are transitive.
  requires transitive dev.vecino.p2p;
  requires transitive micrometer.core;

  exports dev.vecino.p2p.micrometer;
}
