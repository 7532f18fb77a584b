package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The BYE frame body: one reason code byte, then a UTF-8 text (see docs/PROTOCOL.md). The
 * receiver reports {@code closed by peer: <text>}.
 */
public final class Bye {

  private static final int MAX_TEXT_BYTES = 1024;

  /**
   * BYE 1 text of a refused newcomer: the sender keeps an older connection with that id, so the
   * receiver expects no other connection (docs/PROTOCOL.md 1.4).
   */
  static final String ALREADY_CONNECTED = "already connected";
  /** BYE 1 text of the losing connection of a simultaneous connect: the other one is kept. */
  static final String SIMULTANEOUS_CONNECT = "simultaneous connect resolved";

  private Bye() {}

  /** Wire codes of BYE reasons. Unknown codes read as {@link DisconnectReason.Kind#CLOSED_BY_PEER}. */
  static int code(DisconnectReason.Kind kind) {
    return switch (kind) {
      case CLOSED_LOCALLY, CLOSED_BY_PEER -> 0;
      case DUPLICATE -> 1;
      case SELF_CONNECTION -> 2;
      case OTHER_GROUP -> 3;
      case VERSION_UNSUPPORTED -> 4;
      case PROTOCOL_ERROR, NOT_A_PEER -> 5;
      case HANDSHAKE_TIMEOUT -> 6;
      case FRAME_TOO_LONG -> 7;
      case LIMIT_EXCEEDED -> 8;
      case TIMED_OUT -> 9;
      case NOT_ADMITTED -> 10;
      case CONNECTION_LOST, IO_ERROR -> 0;
    };
  }

  static DisconnectReason.Kind kind(int code) {
    return switch (code) {
      case 1 -> DisconnectReason.Kind.DUPLICATE;
      case 2 -> DisconnectReason.Kind.SELF_CONNECTION;
      case 3 -> DisconnectReason.Kind.OTHER_GROUP;
      case 4 -> DisconnectReason.Kind.VERSION_UNSUPPORTED;
      case 5 -> DisconnectReason.Kind.PROTOCOL_ERROR;
      case 6 -> DisconnectReason.Kind.HANDSHAKE_TIMEOUT;
      case 7 -> DisconnectReason.Kind.FRAME_TOO_LONG;
      case 8 -> DisconnectReason.Kind.LIMIT_EXCEEDED;
      case 9 -> DisconnectReason.Kind.TIMED_OUT;
      case 10 -> DisconnectReason.Kind.NOT_ADMITTED;
      default -> DisconnectReason.Kind.CLOSED_BY_PEER;
    };
  }

  /** Encodes a BYE body for {@code reason}: its code and its text (the detail, else the kind's text). */
  public static byte[] encode(DisconnectReason reason) {
    String text = reason.detail().isEmpty() ? reason.kind().text() : reason.detail();
    byte[] t = text.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(t.length, MAX_TEXT_BYTES);
    byte[] body = new byte[1 + n];
    body[0] = (byte) code(reason.kind());
    System.arraycopy(t, 0, body, 1, n);
    return body;
  }

  /** Decodes the wire code of a BYE body (0 when empty). */
  public static int decodeCode(ByteBuffer buf, int offset, int length) {
    return length == 0 ? 0 : buf.get(offset) & 0xFF;
  }

  /** Decodes the text of a BYE body (malformed UTF-8 replaced). */
  public static String decodeText(ByteBuffer buf, int offset, int length) {
    if (length <= 1) {
      return "";
    }
    byte[] t = new byte[Math.min(length - 1, MAX_TEXT_BYTES)];
    buf.get(offset + 1, t);
    return new String(t, StandardCharsets.UTF_8);
  }
}
