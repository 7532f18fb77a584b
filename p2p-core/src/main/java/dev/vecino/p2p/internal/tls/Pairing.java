package dev.vecino.p2p.internal.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Locale;

/**
 * The pairing code both people compare on first contact, and the commitments that stop a man in
 * the middle from choosing the code.
 *
 * <p>Each side draws a nonce ({@link SharedSecret#nonce()}), sends its {@link #commitment(byte[])}
 * {@code SHA-256(nonce)}, and only when it holds the other's commitment reveals its nonce; each
 * checks the revealed nonce against the commitment ({@link #opens(byte[], byte[])}). A man in
 * the middle has then fixed its nonces before learning the honest sides', so the two codes it
 * would need to match are independent: one try in a million per pairing for {@value #DIGITS}
 * digits, and each failed try shows people different codes.
 *
 * <p>The code is {@code SHA-256(label || 0x00 || fp_1 || nonce_1 || fp_2 || nonce_2)}, read as an
 * unsigned big-endian number from its first 8 bytes, modulo 10^{@value #DIGITS}, written as
 * {@value #DIGITS} decimal digits with leading zeros; {@code fp} is the SHA-256 of a side's
 * SubjectPublicKeyInfo (the bytes its fingerprint shows), and side 1 is the one whose {@code fp}
 * is smaller as unsigned bytes. This canonical order makes both sides compute the same code
 * whatever their roles. The label is {@value #CODE_LABEL}.
 *
 * <p>Thread safety: stateless.
 */
public final class Pairing {

  /** Decimal digits in a code. */
  public static final int DIGITS = 6;

  /** The code's domain label. */
  public static final String CODE_LABEL = "vecino/1 pairing code";

  private Pairing() {}

  /**
   * Returns the commitment to a nonce, {@code SHA-256(nonce)}.
   *
   * @param nonce the nonce, {@value SharedSecret#NONCE_BYTES} bytes
   * @return 32 bytes
   */
  public static byte[] commitment(byte[] nonce) {
    SharedSecret.checkNonce(nonce, "committer");
    return sha256().digest(nonce);
  }

  /**
   * Whether a revealed nonce opens a commitment, compared in constant time.
   *
   * @param commitment the commitment received first
   * @param nonce the nonce revealed afterwards
   * @return true if {@code commitment} is {@link #commitment(byte[])} of {@code nonce}
   */
  public static boolean opens(byte[] commitment, byte[] nonce) {
    return nonce.length == SharedSecret.NONCE_BYTES && MessageDigest.isEqual(commitment(nonce), commitment);
  }

  /**
   * Returns the code both sides show, the same whichever side is "this" one.
   *
   * @param fingerprintA one side's SHA-256 of its SubjectPublicKeyInfo, 32 bytes
   * @param nonceA that side's nonce
   * @param fingerprintB the other side's
   * @param nonceB the other side's nonce
   * @return {@value #DIGITS} decimal digits
   * @throws IllegalArgumentException if a length is wrong, or both fingerprints are equal (a
   *     node pairing with itself)
   */
  public static String code(byte[] fingerprintA, byte[] nonceA, byte[] fingerprintB, byte[] nonceB) {
    checkFingerprint(fingerprintA);
    checkFingerprint(fingerprintB);
    SharedSecret.checkNonce(nonceA, "first side");
    SharedSecret.checkNonce(nonceB, "second side");
    int order = Arrays.compareUnsigned(fingerprintA, fingerprintB);
    if (order == 0) {
      throw new IllegalArgumentException("a node does not pair with itself");
    }
    ByteArrayOutputStream message = new ByteArrayOutputStream(160);
    message.writeBytes(CODE_LABEL.getBytes(StandardCharsets.US_ASCII));
    message.write(0);
    message.writeBytes(order < 0 ? fingerprintA : fingerprintB);
    message.writeBytes(order < 0 ? nonceA : nonceB);
    message.writeBytes(order < 0 ? fingerprintB : fingerprintA);
    message.writeBytes(order < 0 ? nonceB : nonceA);
    byte[] digest = sha256().digest(message.toByteArray());
    long n = 0;
    for (int i = 0; i < 8; i++) {
      n = n << 8 | (digest[i] & 0xff);
    }
    long modulus = (long) Math.pow(10, DIGITS);
    return String.format(Locale.ROOT, "%0" + DIGITS + "d", Long.remainderUnsigned(n, modulus));
  }

  /**
   * Returns the SHA-256 of a key's SubjectPublicKeyInfo: the bytes {@link #code} takes as a
   * side's fingerprint (and that {@code NodeKey.fingerprint()} shows in base32).
   *
   * @param key a public key, e.g. from a certificate on the TLS session
   * @return 32 bytes
   */
  public static byte[] keyDigest(PublicKey key) {
    return sha256().digest(key.getEncoded());
  }

  private static void checkFingerprint(byte[] fingerprint) {
    if (fingerprint.length != 32) {
      throw new IllegalArgumentException("a key fingerprint is a SHA-256 of 32 bytes, not " + fingerprint.length);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
