package dev.vecino.p2p.internal;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Validation of names and groups (the rules the HELLO frame can carry), and the
 * escaping of peer-chosen text for log lines.
 */
public final class Names {

  /** The longest name or group, in UTF-8 bytes (one length byte on the wire). */
  public static final int MAX_BYTES = 255;

  private Names() {}

  /**
   * Checks a name-like value.
   *
   * @param value the value
   * @param what what it is, for the message ("name", "group")
   * @throws IllegalArgumentException if empty, longer than {@value #MAX_BYTES} UTF-8 bytes, or
   *     holding control characters or bidirectional controls (see {@link #isBidiControl})
   */
  public static void check(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_BYTES + " UTF-8 bytes: " + printable(value));
    }
    String bad = forbidden(value);
    if (bad != null) {
      throw new IllegalArgumentException(what + " must not contain " + bad + ": " + printable(value));
    }
  }

  /**
   * Returns what makes {@code value} unfit for a name or group, or null when nothing
   * does: control characters, or a bidirectional embedding, override or isolate, which would
   * let a peer show its name (and the text after it) reversed.
   *
   * @param value the value
   * @return e.g. {@code "control characters"} or {@code "a bidirectional control (U+202E)"}; null if fit
   */
  public static String forbidden(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        return "control characters";
      }
      if (isBidiControl(c)) {
        return String.format("a bidirectional control (U+%04X)", (int) c);
      }
    }
    return null;
  }

  /**
   * Returns whether a character is a bidirectional embedding, override or isolate: U+202A to
   * U+202E and U+2066 to U+2069. They are refused in names. (The marks U+200E, U+200F and
   * U+061C, which change no order by themselves, are allowed and only escaped on display.)
   *
   * @param c the character
   * @return true for U+202A..U+202E and U+2066..U+2069
   */
  public static boolean isBidiControl(int c) {
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
  }

  /**
   * Returns whether a code point is shown escaped by {@link #printable}: control characters and
   * invisible format characters (Unicode category Cf), except the joiners U+200C and U+200D and
   * the tag characters U+E0020 to U+E007F, which emoji (flag and family sequences) and some
   * scripts need.
   *
   * @param cp the code point
   * @return true if it is escaped
   */
  public static boolean isEscaped(int cp) {
    if (Character.isISOControl(cp)) {
      return true;
    }
    if (Character.getType(cp) != Character.FORMAT) {
      return false;
    }
    return cp != 0x200C && cp != 0x200D && (cp < 0xE0020 || cp > 0xE007F);
  }

  /**
   * Returns peer-chosen text (a name, a group, a BYE text) safe for a log line: every code
   * point {@link #isEscaped} is written as <code>&#92;u202e</code> (<code>&#92;U000e0001</code>
   * above the BMP), so a peer can neither forge log lines nor reverse or hide what follows.
   * Allocates only when something is escaped.
   *
   * @param text the text, may be null (returned as is)
   * @return the text, escaped where needed
   */
  public static String printable(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder out = null;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int n = Character.charCount(cp);
      if (isEscaped(cp)) {
        if (out == null) {
          out = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        out.append(cp > 0xFFFF ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
      } else if (out != null) {
        out.append(text, i, i + n);
      }
      i += n;
    }
    return out == null ? text : out.toString();
  }
}
