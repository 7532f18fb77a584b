package dev.vecino.p2p.transport;

import java.io.Closeable;
import java.net.InetSocketAddress;

/** A listening socket opened by {@link Transport#listen}. */
public interface Listener extends Closeable {

  /**
   * Returns the bound address, with the actual port when port 0 was asked for.
   *
   * @return the local address
   */
  InetSocketAddress localAddress();

  /** Stops accepting; established connections are not affected. Idempotent. */
  @Override
  void close();
}
