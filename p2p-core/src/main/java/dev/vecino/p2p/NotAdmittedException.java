package dev.vecino.p2p;

/**
 * A secure node's admission refused the connection, on this side or the other: one side has a
 * group secret the other does not share, a proof failed, or a key is not on the allowlist
 * (docs/security.md). Nothing of either group, no name and no message was revealed.
 */
public class NotAdmittedException extends HandshakeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the remote address
   * @param reason the handshake failure, of kind {@link DisconnectReason.Kind#NOT_ADMITTED}
   */
  public NotAdmittedException(String message, DisconnectReason reason) {
    super(message, reason);
  }
}
