/**
 * Micrometer metrics for a {@link dev.vecino.p2p.PeerNode}: {@link dev.vecino.p2p.micrometer.PeerNodeMetrics}.
 *
 * <p>Everything is non-null unless documented otherwise.
 */
package dev.vecino.p2p.micrometer;
