package dev.vecino.examples.scan;

/**
 * Picks the scanner when p2p-core has the range-scan API: this source root is compiled by the
 * {@code scan-core} profile (see the module's pom), the other variant by {@code scan-missing}.
 */
final class ScannerChoice {

  private ScannerChoice() {}

  static Scanner scanner() {
    return CoreScanner.INSTANCE;
  }
}
