package dev.vecino.p2p;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Objects;

/**
 * A node's 128-bit identity, stable for as long as the node keeps it.
 *
 * <p>Ids, not addresses, tell peers apart: a node reached on two addresses is one peer, and a
 * node that finds its own id on the other end of a connection knows it connected to itself.
 * The text form is 32 lowercase hex digits; {@link #shortId()} gives the first eight, for
 * display.
 *
 * <p>A node with a {@link NodeKey} has the id {@link #of(PublicKey)} derives from its public key,
 * so no other node can claim it; any other id ({@link #random()}, {@link #parse(String)}) is for
 * plaintext nodes only.
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
   * Returns the id derived from a public key: the first 16 bytes of SHA-256 over the key's
   * SubjectPublicKeyInfo DER ({@link PublicKey#getEncoded()}), read big-endian. Every node
   * computes a peer's id this way from the key in its TLS certificate, so the id cannot be
   * claimed without the private key.
   *
   * @param key a public key whose encoding is SubjectPublicKeyInfo (format {@code "X.509"})
   * @return the id of that key
   * @throws IllegalArgumentException if the key has no SubjectPublicKeyInfo encoding
   */
  public static PeerId of(PublicKey key) {
    return ofDigest(spkiSha256(key));
  }

  /** The SHA-256 of the key's SubjectPublicKeyInfo DER; the fingerprint shows all of it. */
  static byte[] spkiSha256(PublicKey key) {
    Objects.requireNonNull(key, "key");
    byte[] spki = key.getEncoded();
    if (spki == null || !"X.509".equals(key.getFormat())) {
      throw new IllegalArgumentException("public key has no SubjectPublicKeyInfo encoding: " + key.getAlgorithm()
          + " in format " + key.getFormat());
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(spki);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** The id in the first 16 bytes of a SHA-256 digest. */
  static PeerId ofDigest(byte[] sha256) {
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) {
      high = high << 8 | (sha256[i] & 0xff);
      low = low << 8 | (sha256[i + 8] & 0xff);
    }
    return new PeerId(high, low);
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
