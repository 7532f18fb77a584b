package dev.vecino.p2p;

/**
 * A peer could not be reached: connection refused, no route, or an I/O error while connecting.
 */
public class PeerUnreachableException extends VecinoException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the peer or value involved
   */
  public PeerUnreachableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened, naming the peer or value involved
   * @param cause the underlying failure
   */
  public PeerUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
