package dev.vecino.bench.compare;

import java.util.List;

/**
 * The scan cases. Empty until the range-scan API ({@code node.scan(targets, ports)}) and the
 * silent-address helpers land; the report then says the scan comparison is pending.
 */
final class ScanPlan {

  private ScanPlan() {}

  /**
   * Returns the scan cases for a mode.
   *
   * @param mode the mode
   * @return the cases (none yet)
   */
  static List<CaseSpec> cases(CompareMain.Mode mode) {
    return List.of();
  }
}
