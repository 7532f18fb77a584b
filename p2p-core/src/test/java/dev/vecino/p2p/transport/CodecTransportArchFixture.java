package dev.vecino.p2p.transport;

import dev.vecino.p2p.codec.Codec;

/** Deliberately a transport that knows a codec. Only the architecture test imports it. */
final class CodecTransportArchFixture {

  private CodecTransportArchFixture() {}

  static String framing() {
    return Codec.framed().name();
  }
}
