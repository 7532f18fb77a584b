package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason;
import java.io.IOException;

/**
 * What a {@link Connection} reports to the node that owns it: the handful of calls a connection
 * makes, and nothing else of the node. {@link Connections} implements it: it tracks open
 * connections itself and hands what concerns peers to the {@link PeerRegistry}. The owner is
 * also an ordinary connection's {@link SessionObserver}: it counts and logs refused handshakes
 * ({@link #rejected}).
 *
 * <p><b>Thread safety:</b> every method is called on the reporting connection's I/O thread;
 * implementations name their own rules for the state they share across connections.
 */
interface ConnectionOwner extends SessionObserver {

  /**
   * A connection opened: tracks it.
   *
   * @return false if the node is closing (the connection then closes)
   */
  boolean track(Connection c);

  /** The connection left its handshake (done, announced or closed): frees its pending-handshake slot. */
  void handshakeEnded(Connection c);

  /** A HELLO that passed the session's checks (version, self, group): registers the peer or applies the duplicate rules. */
  void onHello(Connection c, Hello hello);

  /** Codecs without a handshake: registers the peer, named {@code name} or, when null, its address. */
  void registerWithoutHandshake(Connection c, String name);

  /** Fails the connection's connect future with the exception that says {@code reason}. */
  void failConnect(Connection c, DisconnectReason reason);

  /** An outbound connection never opened ({@code cause}: refused, timed out, or null when closed). */
  void connectFailed(Connection c, IOException cause);

  /** The connection is gone, its events are out: stops tracking it and unregisters its peer. */
  void closed(Connection c, DisconnectReason reason);
}
