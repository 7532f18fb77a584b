package dev.vecino.p2p.internal;

import dev.vecino.p2p.scan.NetworkScope;

/**
 * The discovery options of a node (issue 17), kept together so the node configuration grows by
 * one component.
 *
 * @param networkScope the builder's network scope, or null when the builder set none (the
 *     system property, the environment variable or the on-link default apply; see
 *     {@link ScopeGuard})
 */
public record DiscoverySettings(NetworkScope networkScope) {

  /** Nothing set. */
  public static final DiscoverySettings DEFAULTS = new DiscoverySettings(null);
}
