package dev.vecino.p2p.codec;

import java.nio.ByteBuffer;
import java.util.Set;

/**
 * Names what a stranger's first bytes look like, for the message that refuses them: a browser
 * or {@code curl} (HTTP), a TLS client, an SSH client or server, someone typing text. Without
 * it, {@code GET / HTTP/1.1} is only "frame length 1195725856 exceeds the limit".
 *
 * <p>What the bytes are is read from the four bytes of the length field alone, which every
 * refusal has, so it never depends on how the bytes were split into reads. An excerpt in
 * parentheses quotes what arrived with them: the start of the first line, or the TLS message
 * type.
 *
 * <p>Called only on the error path, never per frame: it allocates the description it returns.
 * The result holds printable ASCII only (other bytes end the excerpt), so it is safe in a log
 * line.
 *
 * <p><b>Thread safety:</b> stateless; any thread.
 */
final class ForeignBytes {

  /** The longest excerpt of the first line quoted in a description. */
  static final int MAX_EXCERPT = 40;

  /** The first four bytes of HTTP requests: the method, cut or with its space. */
  private static final Set<String> HTTP_REQUESTS =
      Set.of("GET ", "POST", "PUT ", "HEAD", "DELE", "OPTI", "PATC", "CONN", "TRAC", "PRI ");

  private ForeignBytes() {}

  /**
   * Describes the bytes {@code buf[from, to)} (absolute; the buffer's position is not moved).
   *
   * @param buf the bytes
   * @param from the first byte, where a frame's length field was expected
   * @param to the end of the bytes available
   * @return e.g. {@code "looks like an HTTP request (GET / HTTP/1.1)"}, or null when the first
   *     four bytes look like nothing known (or fewer than four arrived)
   */
  static String describe(ByteBuffer buf, int from, int to) {
    if (to - from < 4) {
      return null;
    }
    int b0 = buf.get(from) & 0xFF;
    if (b0 == 0x16 && buf.get(from + 1) == 0x03 && (buf.get(from + 2) & 0xFF) <= 0x04) {
      // A TLS record of type handshake, version 3.x; a client's first message is a ClientHello (1).
      return "looks like a TLS handshake" + (to - from >= 6 && buf.get(from + 5) == 0x01 ? " (ClientHello)" : "");
    }
    String head = ascii(buf, from, from + 4);
    if (head == null) {
      return null;
    }
    String what;
    if (head.equals("HTTP")) {
      what = "an HTTP response";
    } else if (head.equals("SSH-")) {
      what = "an SSH banner";
    } else if (HTTP_REQUESTS.contains(head)) {
      what = "an HTTP request";
    } else {
      what = "a line of text";
    }
    String excerpt = excerpt(buf, from, to);
    return "looks like " + what + (excerpt.isEmpty() ? "" : " (" + excerpt + ")");
  }

  /** The bytes as a string if all are printable ASCII, else null. */
  private static String ascii(ByteBuffer buf, int from, int to) {
    StringBuilder b = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      int c = buf.get(i) & 0xFF;
      if (c < 0x20 || c > 0x7E) {
        return null;
      }
      b.append((char) c);
    }
    return b.toString();
  }

  /**
   * The printable ASCII at the start, up to a line end; cut with "..." past {@value
   * #MAX_EXCERPT} characters or at another byte.
   */
  private static String excerpt(ByteBuffer buf, int from, int to) {
    StringBuilder b = new StringBuilder();
    int i = from;
    for (; i < to && b.length() < MAX_EXCERPT; i++) {
      int c = buf.get(i) & 0xFF;
      if (c < 0x20 || c > 0x7E) {
        break;
      }
      b.append((char) c);
    }
    boolean cut = i < to && buf.get(i) != '\r' && buf.get(i) != '\n';
    String line = cut ? b.toString() : b.toString().strip();
    return cut && !line.isBlank() ? line + "..." : line.strip();
  }
}
