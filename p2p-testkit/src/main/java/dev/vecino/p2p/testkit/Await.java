package dev.vecino.p2p.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline: the way tests wait, never {@code Thread.sleep}. */
public final class Await {

  /** The default deadline: generous, for a loaded 2-core machine. */
  public static final Duration DEFAULT = Duration.ofSeconds(10);

  private Await() {}

  /**
   * Waits until {@code condition} holds, or fails after {@link #DEFAULT}.
   *
   * @param what what is awaited, for the failure message
   * @param condition the condition, polled with a growing pause (0.1 to 10 ms)
   * @throws AssertionError on timeout
   */
  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT, condition);
  }

  /**
   * Waits until {@code condition} holds, or fails after {@code timeout}.
   *
   * @param what what is awaited, for the failure message
   * @param timeout the deadline
   * @param condition the condition
   * @throws AssertionError on timeout
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long parkNanos = 100_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
      }
      LockSupport.parkNanos(parkNanos);
      parkNanos = Math.min(parkNanos * 2, 10_000_000);
    }
  }
}
