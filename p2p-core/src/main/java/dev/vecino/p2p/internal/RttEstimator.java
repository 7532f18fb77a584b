package dev.vecino.p2p.internal;

import java.util.concurrent.TimeUnit;

/**
 * The adaptive connect timeout: a smoothed round-trip time and its deviation (RFC 6298, as
 * nmap uses them), from connects that got an answer (accepted or refused).
 *
 * <p><b>Thread safety:</b> confined to the scan's home loop.
 */
final class RttEstimator {

  private static final long MIN_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final int MIN_SAMPLES = 8;

  private final long maxTimeoutNanos;
  private final boolean enabled;
  private double srttNanos;
  private double rttvarNanos;
  private int samples;

  RttEstimator(long maxTimeoutNanos, boolean enabled) {
    this.maxTimeoutNanos = maxTimeoutNanos;
    this.enabled = enabled;
  }

  void sample(long nanos) {
    if (nanos < 0) {
      return;
    }
    if (samples++ == 0) {
      srttNanos = nanos;
      rttvarNanos = nanos / 2.0;
    } else {
      rttvarNanos = 0.75 * rttvarNanos + 0.25 * Math.abs(srttNanos - nanos);
      srttNanos = 0.875 * srttNanos + 0.125 * nanos;
    }
  }

  /**
   * The connect timeout for the next probe: the configured one until enough samples, then
   * srtt + 4 × rttvar, never below 50 ms or a tenth of the configured timeout, never above it.
   */
  long timeoutNanos() {
    if (!enabled || samples < MIN_SAMPLES) {
      return maxTimeoutNanos;
    }
    long floor = Math.max(MIN_TIMEOUT_NANOS, maxTimeoutNanos / 10);
    return Math.min(maxTimeoutNanos, Math.max(floor, (long) (srttNanos + 4 * rttvarNanos)));
  }
}
