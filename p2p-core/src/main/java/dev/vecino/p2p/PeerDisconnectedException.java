package dev.vecino.p2p;

/**
 * A send could not complete because the peer's connection ended first; the message may not have arrived.
 */
public class PeerDisconnectedException extends VecinoException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the peer or value involved
   */
  public PeerDisconnectedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened, naming the peer or value involved
   * @param cause the underlying failure
   */
  public PeerDisconnectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
