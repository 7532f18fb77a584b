package dev.vecino.p2p.codec;

/**
 * Turns frames into bytes and back: the service provider interface for wire formats.
 *
 * <p>A codec is a stateless factory of per-connection {@link CodecSession}s, shared by every
 * connection of a node and safe to use from any thread. Vecino ships the {@linkplain
 * #framed() framed} codec (the default); a custom codec plugs in through {@code
 * PeerNode.builder().codec(...)}.
 */
public interface Codec {

  /**
   * Returns a short name for logs and configuration, e.g. {@code "framed"}.
   *
   * @return the name
   */
  String name();

  /**
   * Returns whether connections using this codec run the Vecino HELLO handshake. A codec
   * without it (line text, classic) gives each peer an id derived from its address.
   *
   * @return true to run the handshake
   */
  boolean handshake();

  /**
   * Creates the session for one new connection.
   *
   * @param info the connection's details
   * @return a new session, owned by that connection
   */
  CodecSession newSession(SessionInfo info);

  /**
   * Returns the default codec: 4-byte big-endian length, one type byte, then the body (see
   * {@code docs/PROTOCOL.md}).
   *
   * @return the framed codec
   */
  static Codec framed() {
    return FramedCodec.INSTANCE;
  }
}
