package dev.vecino.p2p.codec;

/**
 * The frame types of the Vecino protocol, with their one-byte wire codes.
 *
 * <p>Codecs that do not carry every type (the line codec has no PING) simply never produce
 * them; see {@link Codec#handshake()}.
 */
public enum FrameType {
  /** Identity, version and group; the first frame each side sends. */
  HELLO(0x01),
  /** UTF-8 text. */
  TEXT(0x02),
  /** Opaque bytes. */
  BINARY(0x03),
  /** A call: text the receiver shows prominently. */
  CALL(0x04),
  /** Heartbeat request; answered by {@link #PONG} with the same body. */
  PING(0x05),
  /** Heartbeat answer. */
  PONG(0x06),
  /** Orderly goodbye with a UTF-8 reason; the last frame a side sends. */
  BYE(0x07),
  /**
   * Admission inside a TLS tunnel, before either HELLO: the acceptor's policy and nonce, and the
   * proofs of a group secret (docs/PROTOCOL.md 1.9). Secure nodes only.
   */
  ADMIT(0x08);

  private static final FrameType[] BY_CODE = new FrameType[256];

  static {
    for (FrameType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  /**
   * Returns the wire code.
   *
   * @return a value in 0..255
   */
  public int code() {
    return code;
  }

  /**
   * Returns the type with the given wire code.
   *
   * @param code the wire code (only the low 8 bits are used)
   * @return the type, or null when the code is unknown
   */
  public static FrameType fromCode(int code) {
    return BY_CODE[code & 0xFF];
  }
}
