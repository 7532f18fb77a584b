package dev.vecino.p2p;

/**
 * A send was refused because the peer's outbound queue holds its limit of bytes.
 */
public class QueueFullException extends VecinoException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the peer or value involved
   */
  public QueueFullException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened, naming the peer or value involved
   * @param cause the underlying failure
   */
  public QueueFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
