package dev.vecino.p2p;

/**
 * The root of every exception Vecino throws or fails a future with, so one {@code catch} (or
 * one {@code exceptionally}) handles them all. Unchecked.
 */
public class VecinoException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   */
  public VecinoException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what happened
   * @param cause the underlying failure
   */
  public VecinoException(String message, Throwable cause) {
    super(message, cause);
  }
}
