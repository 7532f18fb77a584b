package dev.vecino.examples.scan;

/**
 * Picks the scanner when p2p-core has no range-scan API yet: this source root is compiled by
 * the {@code scan-missing} profile (see the module's pom), the other variant by
 * {@code scan-core}.
 */
final class ScannerChoice {

  private ScannerChoice() {}

  static Scanner scanner() {
    return Scanner.Unavailable.INSTANCE;
  }
}
