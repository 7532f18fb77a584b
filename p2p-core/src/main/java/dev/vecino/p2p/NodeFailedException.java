package dev.vecino.p2p;

/**
 * The node failed and closed itself: one of its threads died. An I/O thread dies when an
 * {@link Error} is thrown on it (by the node, a transport, or a listener in direct mode) or
 * anything else escapes its loop; the callback thread dies, and a callback on a user's
 * executor fails the node too, when a listener throws an {@link Error}. {@link #getCause()}
 * is what killed it.
 *
 * <p>{@link PeerNode#closeFuture()} fails with this exception; so do the futures that were
 * pending and every later call that fails because the node is closed. It is a
 * {@link NodeClosedException}, so code that handles a closed node handles a failed one. A
 * failed node cannot be restarted: build and start a new one.
 */
public class NodeFailedException extends NodeClosedException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the node and the thread
   * @param cause what killed the thread
   */
  public NodeFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
