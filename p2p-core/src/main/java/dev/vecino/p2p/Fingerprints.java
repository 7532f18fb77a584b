package dev.vecino.p2p;

import java.util.Locale;

/**
 * The human-checkable form of a key's SHA-256, as Syncthing shows device ids: the 32 bytes in
 * RFC 4648 base32 without padding (52 characters), each quarter of 13 characters followed by a
 * Luhn mod 32 check character (56 characters), written in 8 groups of 7 joined by dashes, e.g.
 * {@code MFZWI3D-BONSGYC-...}. Syncthing's check character is kept as Syncthing computes it (the
 * weights run 1, 2, 1, ... from the left), so the same tools read both.
 *
 * <p>Thread safety: stateless.
 */
final class Fingerprints {

  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final int QUARTER = 13;
  private static final int GROUP = 7;

  private Fingerprints() {}

  /** Formats a 32-byte digest. */
  static String format(byte[] sha256) {
    if (sha256.length != 32) {
      throw new IllegalArgumentException("a fingerprint is of 32 bytes, not " + sha256.length);
    }
    String base32 = base32(sha256);
    StringBuilder checked = new StringBuilder(56);
    for (int q = 0; q < 4; q++) {
      String quarter = base32.substring(q * QUARTER, (q + 1) * QUARTER);
      checked.append(quarter).append(luhn32(quarter));
    }
    StringBuilder grouped = new StringBuilder(63);
    for (int i = 0; i < checked.length(); i += GROUP) {
      if (i > 0) {
        grouped.append('-');
      }
      grouped.append(checked, i, i + GROUP);
    }
    return grouped.toString();
  }

  /**
   * Returns a typed fingerprint in canonical form (upper case, dashes where {@link #format}
   * puts them) after checking its length, alphabet and check characters.
   */
  static String normalize(String typed) {
    String s = typed.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT);
    if (s.length() != 56) {
      throw new IllegalArgumentException("a fingerprint has 56 characters besides dashes: " + typed);
    }
    StringBuilder grouped = new StringBuilder(63);
    for (int q = 0; q < 4; q++) {
      String quarter = s.substring(q * (QUARTER + 1), q * (QUARTER + 1) + QUARTER);
      for (int i = 0; i < QUARTER; i++) {
        if (ALPHABET.indexOf(quarter.charAt(i)) < 0) {
          throw new IllegalArgumentException("a fingerprint has only A-Z and 2-7: " + typed);
        }
      }
      if (luhn32(quarter) != s.charAt(q * (QUARTER + 1) + QUARTER)) {
        throw new IllegalArgumentException("fingerprint has a wrong check character in group " + (q * 2 + 2)
            + " (mistyped?): " + typed);
      }
    }
    for (int i = 0; i < s.length(); i += GROUP) {
      grouped.append(i > 0 ? "-" : "").append(s, i, i + GROUP);
    }
    return grouped.toString();
  }

  /** RFC 4648 base32, no padding. */
  static String base32(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = buffer << 8 | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET.charAt(buffer >>> (bits - 5) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET.charAt(buffer << (5 - bits) & 31));
    }
    return out.toString();
  }

  /** Syncthing's Luhn mod 32 check character over base32 text. */
  static char luhn32(String s) {
    int factor = 1;
    int sum = 0;
    for (int i = 0; i < s.length(); i++) {
      int addend = factor * ALPHABET.indexOf(s.charAt(i));
      factor = factor == 2 ? 1 : 2;
      sum += addend / 32 + addend % 32;
    }
    return ALPHABET.charAt((32 - sum % 32) % 32);
  }
}
