package dev.vecino.p2p;

/**
 * The other side accepted the connection but does not speak the Vecino protocol (or did not say HELLO in time).
 */
public class NotAPeerException extends HandshakeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the remote address
   * @param reason the handshake failure, of kind {@link DisconnectReason.Kind#NOT_A_PEER}
   */
  public NotAPeerException(String message, DisconnectReason reason) {
    super(message, reason);
  }
}
