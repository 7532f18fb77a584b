package dev.vecino.p2p.transport;

import java.net.InetSocketAddress;

/** Decides what handles each accepted connection. Runs on an I/O thread. */
@FunctionalInterface
public interface Acceptor {

  /**
   * Returns the handler for a connection just accepted, or null to close it at once (a limit
   * was reached).
   *
   * @param remote the remote address
   * @return the handler, or null to refuse
   */
  ChannelHandler accept(InetSocketAddress remote);
}
