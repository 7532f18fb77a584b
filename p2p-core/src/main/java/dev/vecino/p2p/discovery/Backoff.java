package dev.vecino.p2p.discovery;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An exponential backoff policy with jitter: how long to wait before retry number
 * {@code attempt}. Used by {@link StaticDiscovery}, and meant to be shared by reconnects.
 *
 * @param initial the delay before the first retry
 * @param max the largest delay
 * @param multiplier the growth factor per retry, at least 1
 * @param jitter the random spread, 0..1: a delay {@code d} becomes one in {@code d × [1 - jitter, 1 + jitter]}
 *     (still at most {@code max})
 * @param maxAttempts the number of retries before giving up; 0 for no limit
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter, int maxAttempts) {

  /** One second, doubling up to one minute, 20 % jitter, no limit. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0, 0.2, 0);

  /**
   * Validates the components.
   *
   * @param initial see the record component
   * @param max see the record component
   * @param multiplier see the record component
   * @param jitter see the record component
   * @param maxAttempts see the record component
   * @throws IllegalArgumentException naming the invalid component
   */
  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial must be positive: " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max must not be below initial: " + max);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be at least 1: " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be 0..1: " + jitter);
    }
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts must not be negative: " + maxAttempts);
    }
  }

  /**
   * Returns a policy from {@code initial} doubling up to {@code max}, with 20 % jitter and no
   * limit on attempts.
   *
   * @param initial the first delay
   * @param max the largest delay
   * @return the policy
   */
  public static Backoff exponential(Duration initial, Duration max) {
    return new Backoff(initial, max, 2.0, 0.2, 0);
  }

  /**
   * Returns whether retry number {@code attempt} may happen.
   *
   * @param attempt the retry, from 1
   * @return true when {@code maxAttempts} is 0 or not yet reached
   */
  public boolean allows(int attempt) {
    return maxAttempts == 0 || attempt <= maxAttempts;
  }

  /**
   * Returns the delay before retry number {@code attempt}, jitter applied.
   *
   * @param attempt the retry, from 1
   * @return the delay
   * @throws IllegalArgumentException if {@code attempt} is below 1
   */
  public Duration delay(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1: " + attempt);
    }
    double nanos = initial.toNanos() * Math.pow(multiplier, Math.min(attempt - 1, 1000));
    double capped = Math.min(nanos, max.toNanos());
    if (jitter > 0) {
      capped *= 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    }
    return Duration.ofNanos((long) Math.max(1, Math.min(capped, max.toNanos())));
  }
}
