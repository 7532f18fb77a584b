package dev.vecino.p2p.codec;

import dev.vecino.p2p.PeerNode;

/** Deliberately a codec that knows the node. Only the architecture test imports it. */
final class PeerCodecArchFixture {

  private PeerCodecArchFixture() {}

  static String name(PeerNode node) {
    return node.toString();
  }
}
