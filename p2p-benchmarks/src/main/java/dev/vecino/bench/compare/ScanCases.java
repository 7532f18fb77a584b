package dev.vecino.bench.compare;

import java.time.Duration;

/**
 * Scan comparison cases. Placeholder until the range-scan API lands in core: every scan case
 * reports that it is not available yet, and the runner marks it skipped.
 */
final class ScanCases {

  private ScanCases() {}

  static Result run(String contender, String kind, Duration warmup, Duration measure) {
    throw new UnsupportedOperationException("scan cases need the range-scan API (not in core yet)");
  }
}
