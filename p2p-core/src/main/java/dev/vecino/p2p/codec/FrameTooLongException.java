package dev.vecino.p2p.codec;

/**
 * A frame declared (or, for delimiter-based codecs, reached) a length above the limit. Thrown
 * before anything is allocated for the frame.
 */
public class FrameTooLongException extends CodecException {

  private static final long serialVersionUID = 1L;

  /** The declared or reached length. */
  private final long length;
  /** The limit that was exceeded. */
  private final int limit;

  /**
   * Creates the exception.
   *
   * @param length the declared or reached length
   * @param limit the maximum allowed
   */
  public FrameTooLongException(long length, int limit) {
    this(length, limit, null);
  }

  /**
   * Creates the exception with what the bytes seem to be instead, for the message: {@code frame
   * length 1195725856 exceeds the limit of 16777216 bytes; looks like an HTTP request (GET /)}.
   *
   * @param length the declared or reached length
   * @param limit the maximum allowed
   * @param looksLike what the bytes look like, e.g. {@code "looks like an HTTP request (GET /)"},
   *     or null when unknown
   */
  public FrameTooLongException(long length, int limit, String looksLike) {
    super("frame length " + length + " exceeds the limit of " + limit + " bytes"
        + (looksLike == null ? "" : "; " + looksLike));
    this.length = length;
    this.limit = limit;
  }

  /**
   * Returns the declared or reached length.
   *
   * @return the length in bytes
   */
  public long length() {
    return length;
  }

  /**
   * Returns the limit that was exceeded.
   *
   * @return the limit in bytes
   */
  public int limit() {
    return limit;
  }
}
