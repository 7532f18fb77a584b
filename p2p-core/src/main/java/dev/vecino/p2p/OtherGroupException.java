package dev.vecino.p2p;

/**
 * The other side is a Vecino node of another group; nodes of different groups never connect.
 */
public class OtherGroupException extends HandshakeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the remote address
   * @param reason the handshake failure, of kind {@link DisconnectReason.Kind#OTHER_GROUP}
   */
  public OtherGroupException(String message, DisconnectReason reason) {
    super(message, reason);
  }
}
