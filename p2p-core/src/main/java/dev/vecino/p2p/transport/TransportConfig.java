package dev.vecino.p2p.transport;

import java.time.Duration;
import java.util.Objects;
import org.slf4j.LoggerFactory;

/**
 * What a node tells its transport when it creates it.
 *
 * @param threadNameSuffix appended to thread names, {@code vecino-io-<suffix>}: the node's short id
 * @param ioThreads the number of I/O threads, at least 1
 * @param busyPoll how long an I/O thread with nothing to do keeps polling before it sleeps
 *     ({@link Duration#ZERO}: it sleeps at once); a transport without polling may ignore it
 * @param failureHandler where the transport reports an {@link EventLoop} that can no longer
 *     run; a node's handler makes the node fail (it closes every connection and stops, see
 *     {@code PeerNode.closeFuture()}). Every transport must report through it: a loop that
 *     dies unreported leaves its connections and listener dead while the node looks alive
 * @param logName what every line the transport logs starts with, so that a line names its
 *     node: the node's {@code <name>/<short id>}, as the node's own lines begin
 */
public record TransportConfig(String threadNameSuffix, int ioThreads, Duration busyPoll,
    FailureHandler failureHandler, String logName) {

  /**
   * Receives the report of an event loop that died. A transport calls it when any
   * {@link Throwable} escapes a loop's run loop, and when a task, timer or
   * {@link ChannelHandler} method on the loop throws an {@link Error} (a
   * {@link RuntimeException} from a channel handler only closes that channel, see
   * {@link ChannelHandler}). Once reported, the loop runs no more channels.
   */
  @FunctionalInterface
  public interface FailureHandler {

    /**
     * An event loop died. Call it once per loop, on the dying loop's own thread before its
     * channels are closed if possible: the node can then still write a last frame (BYE) on
     * them. Calls from any other thread are allowed too. The node's handler returns quickly,
     * does not block and does not throw; it closes the transport later, from another thread.
     *
     * @param loop the loop that died
     * @param cause what killed it
     */
    void loopFailed(EventLoop loop, Throwable cause);
  }

  /** For configurations made without a handler (tests of a transport alone): log, at least. */
  private static final FailureHandler LOG_ONLY = (loop, cause) ->
      LoggerFactory.getLogger(TransportConfig.class).error("{}: event loop died", loop, cause);

  /**
   * Validates the components.
   *
   * @param threadNameSuffix see the record component
   * @param ioThreads see the record component
   * @param busyPoll see the record component
   * @param failureHandler see the record component
   * @param logName see the record component
   * @throws IllegalArgumentException if {@code ioThreads} is below 1 or {@code busyPoll} is negative
   */
  public TransportConfig {
    Objects.requireNonNull(threadNameSuffix, "threadNameSuffix");
    Objects.requireNonNull(logName, "logName");
    Objects.requireNonNull(busyPoll, "busyPoll");
    Objects.requireNonNull(failureHandler, "failureHandler");
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be at least 1: " + ioThreads);
    }
    if (busyPoll.isNegative()) {
      throw new IllegalArgumentException("busyPoll must not be negative: " + busyPoll);
    }
  }

  /**
   * A configuration whose log lines start with {@code threadNameSuffix}, as before
   * {@code logName} existed.
   *
   * @param threadNameSuffix see the record component
   * @param ioThreads see the record component
   * @param busyPoll see the record component
   * @param failureHandler see the record component
   * @throws IllegalArgumentException if {@code ioThreads} is below 1 or {@code busyPoll} is negative
   */
  public TransportConfig(String threadNameSuffix, int ioThreads, Duration busyPoll, FailureHandler failureHandler) {
    this(threadNameSuffix, ioThreads, busyPoll, failureHandler, threadNameSuffix);
  }

  /**
   * A configuration whose failure handler only logs a dead loop at ERROR, for using a
   * transport without a node.
   *
   * @param threadNameSuffix see the record component
   * @param ioThreads see the record component
   * @param busyPoll see the record component
   */
  public TransportConfig(String threadNameSuffix, int ioThreads, Duration busyPoll) {
    this(threadNameSuffix, ioThreads, busyPoll, LOG_ONLY);
  }

  /**
   * A configuration without busy polling whose failure handler only logs a dead loop at
   * ERROR, for using a transport without a node.
   *
   * @param threadNameSuffix see the record component
   * @param ioThreads see the record component
   */
  public TransportConfig(String threadNameSuffix, int ioThreads) {
    this(threadNameSuffix, ioThreads, Duration.ZERO, LOG_ONLY);
  }
}
