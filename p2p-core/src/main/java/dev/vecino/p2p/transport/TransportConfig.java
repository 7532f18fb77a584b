package dev.vecino.p2p.transport;

import java.util.Objects;

/**
 * What a node tells its transport when it creates it.
 *
 * @param threadNameSuffix appended to thread names, {@code vecino-io-<suffix>}: the node's short id
 * @param ioThreads the number of I/O threads, at least 1
 */
public record TransportConfig(String threadNameSuffix, int ioThreads) {

  /**
   * Validates the components.
   *
   * @param threadNameSuffix see the record component
   * @param ioThreads see the record component
   * @throws IllegalArgumentException if {@code ioThreads} is below 1
   */
  public TransportConfig {
    Objects.requireNonNull(threadNameSuffix, "threadNameSuffix");
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be at least 1: " + ioThreads);
    }
  }
}
