package dev.vecino.p2p;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline: the only way tests wait. */
public final class Await {

  /** The default deadline: generous, for a loaded 2-core machine. */
  public static final Duration DEFAULT = Duration.ofSeconds(10);

  private Await() {}

  /** Waits until {@code condition} holds or fails with {@code what} after {@link #DEFAULT}. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT, condition);
  }

  /** Waits until {@code condition} holds or fails with {@code what} after {@code timeout}. */
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

  /**
   * Waits until {@code condition} holds or fails after {@code timeout} with {@code what} and
   * the state {@code state} describes at that moment, for timeouts that explain themselves.
   */
  public static void until(String what, BooleanSupplier condition, Supplier<?> state, Duration timeout) {
    try {
      until(what, timeout, condition);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; state: " + state.get(), e);
    }
  }

  /** Waits until {@code condition} holds, then returns {@code value.get()}, for messages that show state. */
  public static <T> T until(String what, BooleanSupplier condition, Supplier<T> value) {
    until(what, condition);
    return value.get();
  }
}
