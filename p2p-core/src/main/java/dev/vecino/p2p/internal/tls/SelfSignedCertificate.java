package dev.vecino.p2p.internal.tls;

import dev.vecino.p2p.PeerId;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Writes the X.509 v3 certificate a node presents in TLS: self-signed, subject and issuer {@code
 * CN=<the id in 32 hex digits>}, a random 128-bit serial, valid from a day before it is made
 * (clocks on a LAN disagree) for 100 years, the key's own SubjectPublicKeyInfo, the extensions
 * basicConstraints (not a CA) and keyUsage digitalSignature, both critical, and signed with
 * ECDSA-with-SHA256. It is made anew from the key at each start and never stored: the id and the
 * fingerprint come from the key, not from the certificate.
 *
 * <pre>
 * Certificate  ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 * TBSCertificate ::= SEQUENCE { [0] version v3, serialNumber, signature AlgorithmIdentifier,
 *     issuer Name, validity SEQUENCE { notBefore, notAfter }, subject Name,
 *     subjectPublicKeyInfo, [3] extensions }
 * </pre>
 *
 * <p>Thread safety: stateless.
 */
public final class SelfSignedCertificate {

  /** How long a node's certificate is valid. */
  static final Duration VALIDITY = Duration.ofDays(36_525);

  /** How far before its making a certificate is valid, for peers whose clocks run behind. */
  static final Duration BACKDATE = Duration.ofDays(1);

  private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
  private static final String COMMON_NAME = "2.5.4.3";
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final String KEY_USAGE = "2.5.29.15";
  private static final SecureRandom RANDOM = new SecureRandom();

  private SelfSignedCertificate() {}

  /**
   * Returns the node certificate for {@code keys}, valid from a day ago for 100 years.
   *
   * @param keys a P-256 key pair
   * @return the certificate, as the JDK parsed it
   */
  public static X509Certificate of(KeyPair keys) {
    Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(BACKDATE);
    String cn = PeerId.of(keys.getPublic()).toString();
    return parse(write(keys.getPublic(), cn, cn, keys.getPrivate(), notBefore, notBefore.plus(VALIDITY)));
  }

  /**
   * Writes a certificate's DER. General enough for tests to make the certificates the trust
   * manager must refuse (another issuer, other dates).
   *
   * @param subjectKey the certified key
   * @param subjectCn the subject's common name
   * @param issuerCn the issuer's common name
   * @param signer the key that signs (the subject's own for a self-signed certificate)
   * @param notBefore start of validity
   * @param notAfter end of validity
   * @return the DER
   */
  static byte[] write(PublicKey subjectKey, String subjectCn, String issuerCn, PrivateKey signer, Instant notBefore,
      Instant notAfter) {
    byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256));
    byte[] extensions = Der.sequence(
        Der.sequence(Der.oid(BASIC_CONSTRAINTS), Der.bool(true), Der.octetString(Der.sequence())),
        // digitalSignature is bit 0: one byte 0x80 with 7 unused bits
        Der.sequence(Der.oid(KEY_USAGE), Der.bool(true),
            Der.octetString(Der.tlv(Der.BIT_STRING, new byte[] {7, (byte) 0x80}))));
    byte[] tbs = Der.sequence(
        Der.explicit(0, Der.integer(BigInteger.TWO)),
        Der.integer(new BigInteger(128, RANDOM).setBit(127)),
        algorithm,
        name(issuerCn),
        Der.sequence(Der.time(notBefore), Der.time(notAfter)),
        name(subjectCn),
        subjectKey.getEncoded(),
        Der.explicit(3, extensions));
    try {
      Signature signature = Signature.getInstance(P256.SIGNATURE);
      signature.initSign(signer);
      signature.update(tbs);
      return Der.sequence(tbs, algorithm, Der.bitString(signature.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign a certificate with " + signer.getAlgorithm(), e);
    }
  }

  /** Parses DER with the JDK's certificate factory. */
  static X509Certificate parse(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK refused a certificate Vecino wrote", e);
    }
  }

  private static byte[] name(String cn) {
    return Der.sequence(Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8(cn))));
  }
}
