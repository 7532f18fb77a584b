package dev.vecino.p2p.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * What a node tells its transport when it creates it.
 *
 * @param threadNameSuffix appended to thread names, {@code vecino-io-<suffix>}: the node's short id
 * @param ioThreads the number of I/O threads, at least 1
 * @param busyPoll how long an I/O thread with nothing to do keeps polling before it sleeps
 *     ({@link Duration#ZERO}: it sleeps at once); a transport without polling may ignore it
 */
public record TransportConfig(String threadNameSuffix, int ioThreads, Duration busyPoll) {

  /**
   * Validates the components.
   *
   * @param threadNameSuffix see the record component
   * @param ioThreads see the record component
   * @param busyPoll see the record component
   * @throws IllegalArgumentException if {@code ioThreads} is below 1 or {@code busyPoll} is negative
   */
  public TransportConfig {
    Objects.requireNonNull(threadNameSuffix, "threadNameSuffix");
    Objects.requireNonNull(busyPoll, "busyPoll");
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be at least 1: " + ioThreads);
    }
    if (busyPoll.isNegative()) {
      throw new IllegalArgumentException("busyPoll must not be negative: " + busyPoll);
    }
  }

  /**
   * A configuration without busy polling.
   *
   * @param threadNameSuffix see the record component
   * @param ioThreads see the record component
   */
  public TransportConfig(String threadNameSuffix, int ioThreads) {
    this(threadNameSuffix, ioThreads, Duration.ZERO);
  }
}
