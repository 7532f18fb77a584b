package dev.vecino.p2p.testkit;

import dev.vecino.p2p.internal.Names;

/**
 * Deliberately uses an internal class of p2p-core (on the class path nothing stops it). Only
 * {@link PublicApiOnlyTest} imports it.
 */
final class InternalUseArchFixture {

  private InternalUseArchFixture() {}

  static String printable(String text) {
    return Names.printable(text);
  }
}
