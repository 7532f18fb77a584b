package dev.vecino.p2p.codec;

import java.nio.channels.SocketChannel;

/** Deliberately a codec that knows a socket. Only the architecture test imports it. */
final class SocketCodecArchFixture {

  private SocketChannel channel;

  private SocketCodecArchFixture() {}

  SocketChannel channel() {
    return channel;
  }
}
