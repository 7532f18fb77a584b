package dev.vecino.p2p.codec;

import dev.vecino.p2p.PeerId;

/**
 * Deliberately a codec that names an API value not listed as an inherent upward edge, which
 * closes a cycle api → codec → api. Only the architecture test imports it.
 */
final class UpwardCodecArchFixture {

  private UpwardCodecArchFixture() {}

  static PeerId anyone() {
    return PeerId.random();
  }
}
