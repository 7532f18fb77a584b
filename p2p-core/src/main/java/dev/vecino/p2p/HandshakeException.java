package dev.vecino.p2p;

import java.util.Objects;

/**
 * The TCP connection opened but the handshake refused it; {@link #reason()} says why. The
 * subclasses name the reasons callers most often handle.
 */
public class HandshakeException extends VecinoException {

  private static final long serialVersionUID = 1L;

  /** Why the handshake failed. */
  private final DisconnectReason reason;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the remote address
   * @param reason why the handshake failed
   */
  public HandshakeException(String message, DisconnectReason reason) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Returns why the handshake failed.
   *
   * @return the reason
   */
  public DisconnectReason reason() {
    return reason;
  }
}
