package dev.vecino.p2p;

/**
 * The address led back to this very node (same id); the connection was dropped.
 */
public class SelfConnectionException extends HandshakeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the remote address
   * @param reason the handshake failure, of kind {@link DisconnectReason.Kind#SELF_CONNECTION}
   */
  public SelfConnectionException(String message, DisconnectReason reason) {
    super(message, reason);
  }
}
