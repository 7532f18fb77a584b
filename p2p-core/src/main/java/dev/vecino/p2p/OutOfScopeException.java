package dev.vecino.p2p;

/**
 * Discovery traffic to an address outside the node's network scope was refused: a scan whose
 * targets leave the scope, or a beacon to an interface outside it. Nothing was sent. The
 * message names the first address refused and the scope that refused it (builder option,
 * system property or environment variable; see {@link dev.vecino.p2p.scan.NetworkScope}).
 */
public class OutOfScopeException extends ConfigurationException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was refused, and by which scope
   */
  public OutOfScopeException(String message) {
    super(message);
  }
}
