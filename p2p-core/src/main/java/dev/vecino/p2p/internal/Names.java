package dev.vecino.p2p.internal;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Validation of names, groups and aliases: the rules the HELLO frame can carry. */
public final class Names {

  /** The longest name, group or alias, in UTF-8 bytes (one length byte on the wire). */
  public static final int MAX_BYTES = 255;

  private Names() {}

  /**
   * Checks a name-like value.
   *
   * @param value the value
   * @param what what it is, for the message ("name", "group", "alias")
   * @throws IllegalArgumentException if empty, longer than {@value #MAX_BYTES} UTF-8 bytes, or
   *     holding control characters
   */
  public static void check(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_BYTES + " UTF-8 bytes: " + value);
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(what + " must not contain control characters: " + value);
      }
    }
  }
}
