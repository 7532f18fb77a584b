package dev.vecino.p2p;

/**
 * A connect attempt did not complete within the connect timeout.
 */
public class ConnectTimeoutException extends PeerUnreachableException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the peer or value involved
   */
  public ConnectTimeoutException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened, naming the peer or value involved
   * @param cause the underlying failure
   */
  public ConnectTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
