package dev.vecino.p2p.internal.tls;

import java.security.AlgorithmConstraints;
import java.security.AlgorithmParameters;
import java.security.CryptoPrimitive;
import java.security.Key;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Set;

/**
 * Algorithm constraints for an initiator's engine that leave x25519 as the only key exchange
 * group it offers, so its ClientHello carries one key share instead of two.
 *
 * <p>Why: JDK 17's JSSE makes a key share for the first group of each kind it offers (x25519,
 * then secp256r1: a P-256 key pair made and never used, since two JDK nodes always agree on
 * x25519) and has no per-engine way to choose the groups ({@code SSLParameters.setNamedGroups}
 * came in JDK 20; the {@code jdk.tls.namedGroups} property is JVM-wide). These constraints, set
 * through {@code SSLParameters.setAlgorithmConstraints}, refuse key agreement with the other
 * groups of JDK 17's default list; JSSE still applies its own disabled-algorithm rules on top.
 * Signatures, certificates and cipher suites are untouched: the P-256 certificate and its
 * ECDSA signatures work as before (TLS 1.3 negotiates signature schemes apart from groups), and
 * the accepting side keeps the JDK's default groups, so it still accepts initiators that offer
 * others. What the connection uses between two nodes does not change: x25519.
 *
 * <p>Only where x25519 exists ({@link #available()}): a JDK whose providers lack it (a FIPS
 * set-up, say) keeps its default groups, as before.
 *
 * <p>Thread safety: immutable; JSSE calls it from any handshake thread.
 */
final class X25519Only implements AlgorithmConstraints {

  /** JDK 17's default named groups besides x25519 (TLS names, as JSSE asks about them). */
  private static final Set<String> REFUSED = Set.of("secp256r1", "secp384r1", "secp521r1", "x448", "ffdhe2048",
      "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192");

  /** The one instance. */
  static final X25519Only INSTANCE = new X25519Only();

  private X25519Only() {}

  /**
   * Tells whether this JVM's providers make x25519 keys, and so whether an initiator may offer
   * x25519 alone.
   *
   * @return true if a {@code KeyPairGenerator} for X25519 exists
   */
  static boolean available() {
    try {
      KeyPairGenerator.getInstance("X25519");
      return true;
    } catch (NoSuchAlgorithmException e) {
      // No x25519 here: the initiator keeps the JDK's default groups (class comment).
      return false;
    }
  }

  @Override
  public boolean permits(Set<CryptoPrimitive> primitives, String algorithm, AlgorithmParameters parameters) {
    return !(primitives.contains(CryptoPrimitive.KEY_AGREEMENT) && algorithm != null
        && REFUSED.contains(algorithm.toLowerCase(Locale.ROOT)));
  }

  @Override
  public boolean permits(Set<CryptoPrimitive> primitives, Key key) {
    return true;
  }

  @Override
  public boolean permits(Set<CryptoPrimitive> primitives, String algorithm, Key key, AlgorithmParameters parameters) {
    return permits(primitives, algorithm, parameters);
  }
}
