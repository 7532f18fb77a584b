package dev.vecino.p2p.internal;

import dev.vecino.p2p.scan.NetworkScope;
import java.nio.file.Path;

/**
 * The discovery options of a node (issue 17), kept together so the node configuration grows by
 * one component.
 *
 * @param networkScope the builder's network scope, or null when the builder set none (the
 *     system property, the environment variable or the on-link default apply; see
 *     {@link ScopeGuard})
 * @param peerStore the known-peer store file, or null to keep known peers in memory only
 * @param beacons whether the node listens for discovery beacons and answers them
 * @param datagrams the datagram seam beacons use, or null for real UDP (tests set an
 *     in-memory one; not a builder option)
 */
public record DiscoverySettings(NetworkScope networkScope, Path peerStore, boolean beacons, Datagrams datagrams) {

  /** Nothing set. */
  public static final DiscoverySettings DEFAULTS = new DiscoverySettings(null, null, false, null);

  /** These settings with another datagram seam. */
  DiscoverySettings withDatagrams(Datagrams d) {
    return new DiscoverySettings(networkScope, peerStore, beacons, d);
  }
}
