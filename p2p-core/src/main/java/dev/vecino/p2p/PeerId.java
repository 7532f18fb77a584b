package dev.vecino.p2p;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * A node's 128-bit identity, stable for as long as the node keeps it.
 *
 * <p>Ids, not addresses, tell peers apart: a node reached on two addresses is one peer, and a
 * node that finds its own id on the other end of a connection knows it connected to itself.
 * The text form is 32 lowercase hex digits; {@link #shortId()} gives the first eight, for
 * display.
 *
 * @param high the most significant 64 bits
 * @param low the least significant 64 bits
 */
public record PeerId(long high, long low) implements Comparable<PeerId> {

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Returns a new random id (from {@link SecureRandom}).
   *
   * @return a random id
   */
  public static PeerId random() {
    return new PeerId(RANDOM.nextLong(), RANDOM.nextLong());
  }

  /**
   * Parses the 32-hex-digit form produced by {@link #toString()}.
   *
   * @param hex 32 hex digits, either case
   * @return the id
   * @throws IllegalArgumentException if {@code hex} is not 32 hex digits
   */
  public static PeerId parse(String hex) {
    if (hex == null || hex.length() != 32) {
      throw new IllegalArgumentException("peer id must be 32 hex digits: " + hex);
    }
    try {
      return new PeerId(
          Long.parseUnsignedLong(hex.substring(0, 16), 16),
          Long.parseUnsignedLong(hex.substring(16), 16));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("peer id must be 32 hex digits: " + hex, e);
    }
  }

  /**
   * Returns the first eight hex digits, enough to tell peers apart on a screen.
   *
   * @return eight hex digits
   */
  public String shortId() {
    return toString().substring(0, 8);
  }

  /** Orders ids as unsigned 128-bit numbers; the duplicate-connection rule relies on it. */
  @Override
  public int compareTo(PeerId other) {
    int c = Long.compareUnsigned(high, other.high);
    return c != 0 ? c : Long.compareUnsigned(low, other.low);
  }

  /** Returns 32 lowercase hex digits. */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%016x%016x", high, low);
  }
}
