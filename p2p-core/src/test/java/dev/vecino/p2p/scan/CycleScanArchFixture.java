package dev.vecino.p2p.scan;

import dev.vecino.p2p.discovery.Discovery;

/**
 * Deliberately a scan type that knows a discovery, closing a cycle scan → discovery → scan.
 * Only the architecture test imports it.
 */
final class CycleScanArchFixture {

  private CycleScanArchFixture() {}

  static String name(Discovery discovery) {
    return discovery.name();
  }
}
