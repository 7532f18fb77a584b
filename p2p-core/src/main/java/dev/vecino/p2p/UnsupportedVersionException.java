package dev.vecino.p2p;

/**
 * The two nodes share no protocol version.
 */
public class UnsupportedVersionException extends HandshakeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the remote address
   * @param reason the handshake failure, of kind {@link DisconnectReason.Kind#VERSION_UNSUPPORTED}
   */
  public UnsupportedVersionException(String message, DisconnectReason reason) {
    super(message, reason);
  }
}
