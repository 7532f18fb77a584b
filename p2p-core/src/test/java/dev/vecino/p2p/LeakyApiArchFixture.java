package dev.vecino.p2p;

import dev.vecino.p2p.internal.NodeConfig;

/**
 * Deliberately breaks two rules: a public API type that shows an internal type in a public
 * signature, and reaches internal other than through the builder's door. Only
 * {@link ArchitectureTest} imports it.
 */
public final class LeakyApiArchFixture {

  private LeakyApiArchFixture() {}

  /**
   * Leaks the internal configuration.
   *
   * @return nothing
   */
  public NodeConfig config() {
    return null;
  }
}
