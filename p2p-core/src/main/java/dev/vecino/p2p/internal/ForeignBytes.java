package dev.vecino.p2p.internal;

import java.nio.ByteBuffer;

/**
 * Names what a stranger's first bytes look like, for the message that refuses them: a browser
 * or {@code curl} (HTTP), a TLS client, an SSH client or server, someone typing text. Without
 * it, {@code GET / HTTP/1.1} is only "frame length 1195725856 exceeds the limit".
 *
 * <p>Called only on the error path, never per frame: it allocates the description it returns.
 * The result holds printable ASCII only (other bytes end the excerpt), so it is safe in a log
 * line.
 *
 * <p><b>Thread safety:</b> stateless; any thread.
 */
public final class ForeignBytes {

  /** The longest excerpt of the first line quoted in a description. */
  static final int MAX_EXCERPT = 40;

  private static final String[] HTTP_METHODS = {
    "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "PRI "
  };

  private ForeignBytes() {}

  /**
   * Describes the bytes {@code buf[from, to)} (absolute; the buffer's position is not moved).
   *
   * @param buf the bytes
   * @param from the first byte, where a frame's length field was expected
   * @param to the end of the bytes available
   * @return e.g. {@code "looks like an HTTP request (GET / HTTP/1.1)"}, or null when they look
   *     like nothing known
   */
  public static String describe(ByteBuffer buf, int from, int to) {
    String what = what(buf, from, to);
    return what == null ? null : "looks like " + what;
  }

  private static String what(ByteBuffer buf, int from, int to) {
    int n = to - from;
    if (n >= 3 && buf.get(from) == 0x16 && buf.get(from + 1) == 0x03 && (buf.get(from + 2) & 0xFF) <= 0x04) {
      // A TLS record of type handshake, version 3.x; its first message is a ClientHello (type 1).
      return n >= 6 && buf.get(from + 5) == 0x01 ? "a TLS ClientHello" : "a TLS handshake";
    }
    String line = firstLine(buf, from, to);
    if (line.isEmpty()) {
      return null;
    }
    for (String method : HTTP_METHODS) {
      if (line.startsWith(method)) {
        return "an HTTP request (" + excerpt(line, buf, from, to) + ")";
      }
    }
    if (line.startsWith("HTTP/")) {
      return "an HTTP response (" + excerpt(line, buf, from, to) + ")";
    }
    if (line.startsWith("SSH-")) {
      return "an SSH banner (" + excerpt(line, buf, from, to) + ")";
    }
    return line.length() >= 4 ? "a line of text (" + excerpt(line, buf, from, to) + ")" : null;
  }

  /** The printable ASCII at the start, up to a line end, another byte, or one past the limit. */
  private static String firstLine(ByteBuffer buf, int from, int to) {
    StringBuilder b = new StringBuilder();
    for (int i = from; i < to && b.length() <= MAX_EXCERPT; i++) {
      int c = buf.get(i) & 0xFF;
      if (c < 0x20 || c > 0x7E) {
        break;
      }
      b.append((char) c);
    }
    return b.toString();
  }

  /** The line, cut with "..." when it goes on past the excerpt limit or past a non-ASCII byte. */
  private static String excerpt(String line, ByteBuffer buf, int from, int to) {
    if (line.length() > MAX_EXCERPT) {
      return line.substring(0, MAX_EXCERPT) + "...";
    }
    int next = from + line.length();
    boolean cut = next < to && buf.get(next) != '\r' && buf.get(next) != '\n';
    return cut ? line + "..." : line.strip();
  }
}
