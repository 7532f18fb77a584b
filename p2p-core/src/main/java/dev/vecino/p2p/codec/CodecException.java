package dev.vecino.p2p.codec;

import dev.vecino.p2p.VecinoException;

/**
 * A codec met bytes it cannot decode, or a frame it cannot encode. The node closes that one
 * connection with the message as the logged reason; other connections are untouched.
 */
public class CodecException extends VecinoException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong with the bytes
   */
  public CodecException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong with the bytes
   * @param cause the underlying failure
   */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
