package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.transport.Channel;
import java.io.IOException;

/**
 * Watches one connection's session stage: the connection opened, the other side was
 * recognised (or not), a handshake was refused, the session is done, the connection closed.
 *
 * <p>An ordinary connection's observer is its {@link ConnectionOwner}, which only counts and
 * logs refused handshakes. A scan probe is a connection with a {@link ProbeSession} as its
 * observer: it reports what the session found, ends the connection once it knows enough, and
 * lets go of it once the session is done (the connection then reports to its owner alone). So
 * a probe is not a mode of the connection: the same session code runs for both.
 *
 * <p><b>Thread safety:</b> every method is called on the connection's I/O thread.
 */
interface SessionObserver {

  /** An outbound connect started; {@code channel} is not connected yet (see {@code ChannelHandler.onConnecting}). */
  default void connecting(Channel channel) {}

  /** The channel opened; the observer may close it (the session then does not start). */
  default void opened(Channel channel) {}

  /**
   * How long the session waits for the other side to be recognised (a HELLO, or for codecs
   * without a handshake, a first word) before it gives up or announces it as is.
   *
   * @param usualNanos the node's wait: its handshake timeout, or the codec's announce delay
   * @return the wait in nanoseconds
   */
  default long recognitionWaitNanos(long usualNanos) {
    return usualNanos;
  }

  /**
   * The session recognised the other side: {@link ScanStatus#PEER} for a peer of this node
   * (a HELLO that passed the checks, or a greeting), {@link ScanStatus#SELF},
   * {@link ScanStatus#OTHER_GROUP}, {@link ScanStatus#INCOMPATIBLE} for a HELLO refused for
   * that, {@link ScanStatus#NOT_A_PEER} for a connection without a handshake whose first word
   * was no greeting.
   *
   * @param hello the HELLO; for codecs without a handshake one that stands in for it (identity
   *     by address, the greeting's name)
   * @return true to go on with the session (register the peer, or refuse it as the verdict
   *     says); false when the observer ended the connection itself
   */
  default boolean recognised(Connection c, ScanStatus verdict, Hello hello) {
    return true;
  }

  /** The handshake was refused for {@code reason} (the connection closes). */
  void rejected(Connection c, DisconnectReason reason);

  /** The session is done: the connection is a registered peer's. The observer is not called again. */
  default void sessionDone() {}

  /**
   * The connection closed before its session was done.
   *
   * @param opened whether the connect succeeded
   * @param cause the transport's cause (null for a local close)
   * @param droppedWithoutAWord whether the other side closed it before sending a byte
   */
  default void sessionClosed(boolean opened, IOException cause, boolean droppedWithoutAWord) {}
}
