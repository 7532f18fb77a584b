package dev.vecino.p2p.internal.tls;

import dev.vecino.p2p.PeerId;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * Trusts a peer that presents exactly one certificate which is a Vecino node certificate (see
 * {@link SelfSignedCertificate}): self-issued (issuer equals subject), within its validity, a
 * P-256 key, and a subject {@code CN} that is the id of that key. There is no certificate
 * authority: this proves only that the peer holds the private key of the id it shows. Which ids
 * and keys may join is admission's business (open, group secret, pairing, allowlist), decided
 * after the handshake from {@link PeerId#of(java.security.PublicKey)} of the peer's certificate.
 *
 * <p><b>Why the certificate's own signature is not checked.</b> In TLS 1.3 a peer that presents a
 * certificate must send a CertificateVerify: a signature over the handshake transcript, made with
 * the private key of that certificate, which JSSE checks with the certificate's public key and
 * fails the handshake without (RFC 8446, 4.4.3). That is the proof that the peer holds the key.
 * The self-signature would prove the same thing once more, with a signature anyone can copy
 * along with the certificate: someone showing another node's genuine certificate fails at
 * CertificateVerify, and someone who holds the key could sign any certificate for it anyway.
 * What the certificate says beside its key is checked here against the key itself (the name is
 * the key's id) or does not matter (validity, kept as a sanity check). So the check bought
 * nothing and cost a P-256 signature check per certificate the JVM had not seen (the JDK's
 * certificate cache spares repeats): a fifth of the CPU of a handshake with a new peer. This
 * manager is only ever asked inside a TLS 1.3 handshake ({@link NodeTls} enables no other
 * protocol); nothing else may rely on it to vouch for a certificate.
 *
 * <p>The same checks run on both sides. Being an {@link X509ExtendedTrustManager}, JSSE uses it
 * as it is, without adding host name checks (there are no host names on a LAN).
 *
 * <p>Thread safety: immutable; JSSE calls it from any handshake thread.
 */
final class SelfSignedTrustManager extends X509ExtendedTrustManager {

  private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

  private final Clock clock;

  SelfSignedTrustManager(Clock clock) {
    this.clock = clock;
  }

  /**
   * Checks a peer's chain as the class comment says.
   *
   * @throws CertificateException naming what is wrong, which JSSE sends as a {@code
   *     bad_certificate} alert and reports as the handshake's failure cause
   */
  void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length != 1) {
      throw new CertificateException("a Vecino peer presents exactly one self-signed certificate, not "
          + (chain == null ? 0 : chain.length));
    }
    X509Certificate cert = chain[0];
    if (!cert.getIssuerX500Principal().equals(cert.getSubjectX500Principal())) {
      throw new CertificateException("peer certificate is not self-signed: issued by " + cert.getIssuerX500Principal()
          + " for " + cert.getSubjectX500Principal());
    }
    // No cert.verify(own key): CertificateVerify proves the key (class comment).
    checkValidity(cert);
    if (!P256.holds(cert.getPublicKey())) {
      throw new CertificateException("peer certificate has a " + cert.getPublicKey().getAlgorithm()
          + " key; Vecino nodes use EC keys on P-256");
    }
    String id = PeerId.of(cert.getPublicKey()).toString();
    if (!cert.getSubjectX500Principal().equals(new X500Principal("CN=" + id))) {
      throw new CertificateException("peer certificate's subject " + cert.getSubjectX500Principal()
          + " is not CN=" + id + ", the id of its key");
    }
  }

  private void checkValidity(X509Certificate cert) throws CertificateException {
    Date now = Date.from(clock.instant());
    try {
      cert.checkValidity(now);
    } catch (CertificateExpiredException e) {
      throw new CertificateException("peer certificate expired on " + cert.getNotAfter().toInstant(), e);
    } catch (CertificateNotYetValidException e) {
      throw new CertificateException("peer certificate is not yet valid: valid from "
          + cert.getNotBefore().toInstant() + ", now is " + now.toInstant() + " (is a clock wrong?)", e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  /** None: the certificate request names no authority, so a client sends its own certificate. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS;
  }
}
