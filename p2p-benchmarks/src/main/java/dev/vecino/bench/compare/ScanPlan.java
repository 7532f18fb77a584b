package dev.vecino.bench.compare;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The scan cases: {@code scan24}, {@code scan20} and {@code scan24silent}, each for Vecino
 * ({@code node.scan}), a sequential 0.5 s-timeout scanner and {@code nmap -sT} (skipped when
 * nmap is not installed). Only Vecino warms up (one untimed scan first); the others are
 * measured cold, as they would run. Each case is one scan, so smoke mode runs them too (about
 * 12 s in all: the sequential silent /24 times 10 of its 100 silent addresses).
 */
final class ScanPlan {

  /** Scan kinds, in run order. */
  static final String[] KINDS = {"scan24", "scan20", "scan24silent"};

  /** Scan contenders, Vecino first. */
  static final String[] CONTENDERS = {"vecino", "sequential", "nmap"};

  private ScanPlan() {}

  /**
   * Returns the scan cases for a mode.
   *
   * @param mode the mode
   * @return the cases
   */
  static List<CaseSpec> cases(CompareMain.Mode mode) {
    List<CaseSpec> cases = new ArrayList<>();
    for (String kind : KINDS) {
      for (String c : CONTENDERS) {
        // Any non-zero warm-up makes the Vecino case run one untimed scan first.
        Duration warmup = c.equals("vecino") ? Duration.ofSeconds(1) : Duration.ZERO;
        cases.add(new CaseSpec(c, kind, 0, warmup, Duration.ZERO));
      }
    }
    return cases;
  }
}
