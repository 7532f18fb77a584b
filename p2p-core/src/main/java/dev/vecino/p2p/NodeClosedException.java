package dev.vecino.p2p;

/**
 * The node is closed (or closing): the operation cannot run, and pending futures fail with this.
 */
public class NodeClosedException extends VecinoException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the peer or value involved
   */
  public NodeClosedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened, naming the peer or value involved
   * @param cause the underlying failure
   */
  public NodeClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
