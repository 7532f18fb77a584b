package dev.vecino.p2p.internal.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerId;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class NodeTlsTest {

  private static final SelfSignedTrustManager TRUST = new SelfSignedTrustManager(Clock.systemUTC());

  static KeyPair p256() throws Exception {
    return ec("secp256r1");
  }

  static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve), new SecureRandom());
    return g.generateKeyPair();
  }

  @Test
  void twoNodesHandshakeTls13AndEachLearnsTheOthersIdFromItsCertificate() throws Exception {
    KeyPair a = p256();
    KeyPair b = p256();
    EngineLoop loop = new EngineLoop(NodeTls.create(a).clientEngine(), NodeTls.create(b).serverEngine()).run();
    assertTrue(loop.handshaken(), () -> "client: " + loop.client().failure() + ", server: " + loop.server().failure());
    assertEquals("TLSv1.3", loop.client().engine().getSession().getProtocol());
    assertEquals(PeerId.of(b.getPublic()), NodeTls.peerId(loop.client().engine().getSession()));
    assertEquals(PeerId.of(a.getPublic()), NodeTls.peerId(loop.server().engine().getSession()));
    loop.client().send("hola");
    assertEquals("hola", loop.server().received());
    loop.server().send("buenas");
    assertEquals("buenas", loop.client().received());
  }

  @Test
  void enginesSpeakTls13OnlyAndTheServerRequiresTheClientsCertificate() throws Exception {
    NodeTls tls = NodeTls.create(p256());
    SSLEngine server = tls.serverEngine();
    assertArrayEquals(new String[] {"TLSv1.3"}, server.getEnabledProtocols());
    assertTrue(server.getNeedClientAuth());
    assertArrayEquals(new String[] {"TLSv1.3"}, tls.clientEngine().getEnabledProtocols());
  }

  @Test
  void serverRefusesAClientWithoutCertificate() throws Exception {
    SSLContext anonymous = SSLContext.getInstance("TLSv1.3");
    anonymous.init(null, new TrustManager[] {TRUST}, new SecureRandom());
    SSLEngine client = anonymous.createSSLEngine();
    client.setUseClientMode(true);
    EngineLoop loop = new EngineLoop(client, NodeTls.create(p256()).serverEngine()).run();
    assertFalse(loop.handshaken());
    assertTrue(loop.server().failure() instanceof SSLHandshakeException, () -> "server: " + loop.server().failure());
    assertNotNull(loop.client().failure(), "the client hears the alert");
  }

  @Test
  void serverRefusesATls12Client() throws Exception {
    SSLEngine client = NodeTls.create(p256()).clientEngine();
    client.setEnabledProtocols(new String[] {"TLSv1.2"});
    EngineLoop loop = new EngineLoop(client, NodeTls.create(p256()).serverEngine()).run();
    assertFalse(loop.handshaken());
    assertNotNull(loop.server().failure());
  }

  @Test
  void eachSideRefusesAnExpiredPeerCertificate() throws Exception {
    Clock future = Clock.fixed(Instant.now().plus(Duration.ofDays(365L * 101)), ZoneOffset.UTC);
    EngineLoop serverChecks = new EngineLoop(NodeTls.create(p256()).clientEngine(),
        NodeTls.create(p256(), future).serverEngine()).run();
    assertFalse(serverChecks.handshaken());
    assertTrue(causes(serverChecks.server().failure()).contains("expired"), () -> causes(serverChecks.server().failure()));
    assertNotNull(serverChecks.client().failure(), "the client hears the alert");

    EngineLoop clientChecks = new EngineLoop(NodeTls.create(p256(), future).clientEngine(),
        NodeTls.create(p256()).serverEngine()).run();
    assertFalse(clientChecks.handshaken());
    assertTrue(causes(clientChecks.client().failure()).contains("expired"), () -> causes(clientChecks.client().failure()));
  }

  @Test
  void certificateIsAnX509v3TheJdkParsesWithTheKeysIdAsName() throws Exception {
    KeyPair keys = p256();
    X509Certificate cert = SelfSignedCertificate.of(keys);
    assertEquals(3, cert.getVersion());
    assertEquals("CN=" + PeerId.of(keys.getPublic()), cert.getSubjectX500Principal().getName());
    assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
    assertEquals(keys.getPublic(), cert.getPublicKey());
    assertEquals("SHA256withECDSA", cert.getSigAlgName());
    cert.verify(keys.getPublic());
    assertEquals(-1, cert.getBasicConstraints(), "not a CA");
    assertTrue(cert.getKeyUsage()[0], "digitalSignature");
    assertTrue(cert.getSerialNumber().signum() > 0);
    long days = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays();
    assertEquals(36_525, days);
    assertTrue(cert.getNotBefore().toInstant().isBefore(Instant.now().minus(Duration.ofHours(23))));
    TRUST.check(new X509Certificate[] {cert});
  }

  @Test
  void trustManagerRefusesExpiredAndNotYetValidCertificates() throws Exception {
    KeyPair keys = p256();
    String cn = PeerId.of(keys.getPublic()).toString();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    X509Certificate expired = parse(SelfSignedCertificate.write(keys.getPublic(), cn, cn, keys.getPrivate(),
        now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))));
    X509Certificate future = parse(SelfSignedCertificate.write(keys.getPublic(), cn, cn, keys.getPrivate(),
        now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(10))));
    assertRefused(expired, "expired");
    assertRefused(future, "not yet valid");
    assertRefused(expired, "expired on " + expired.getNotAfter().toInstant());
  }

  @Test
  void trustManagerRefusesACertificateIssuedByAnother() throws Exception {
    KeyPair keys = p256();
    KeyPair issuer = p256();
    String cn = PeerId.of(keys.getPublic()).toString();
    Instant now = Instant.now();
    X509Certificate issued = parse(SelfSignedCertificate.write(keys.getPublic(), cn, "Some CA", issuer.getPrivate(),
        now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1))));
    assertRefused(issued, "not self-signed");
  }

  @Test
  void aPeerShowingACertificateForAKeyItDoesNotHoldFailsTheHandshakeOnEitherSide() throws Exception {
    KeyPair victim = p256();
    KeyPair thief = p256();
    X509Certificate stolen = SelfSignedCertificate.of(victim);
    // The trust manager alone passes the victim's genuine certificate, and one whose signature is
    // another key's: proving the key is CertificateVerify's job, which the thief cannot sign.
    TRUST.check(new X509Certificate[] {stolen});
    String cn = PeerId.of(victim.getPublic()).toString();
    Instant now = Instant.now();
    TRUST.check(new X509Certificate[] {parse(SelfSignedCertificate.write(victim.getPublic(), cn, cn,
        thief.getPrivate(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1))))});
    SSLContext impostor = SSLContext.getInstance(NodeTls.TLS_13);
    impostor.init(new KeyManager[] {new NodeKeyManager(thief.getPrivate(), stolen)}, new TrustManager[] {TRUST},
        new SecureRandom());

    SSLEngine client = impostor.createSSLEngine();
    client.setUseClientMode(true);
    EngineLoop asClient = new EngineLoop(client, NodeTls.create(p256()).serverEngine()).run();
    assertFalse(asClient.handshaken());
    assertTrue(asClient.server().failure() instanceof SSLHandshakeException, () -> causes(asClient.server().failure()));
    assertTrue(causes(asClient.server().failure()).contains("CertificateVerify"), () -> causes(asClient.server().failure()));

    SSLEngine server = impostor.createSSLEngine();
    server.setUseClientMode(false);
    server.setNeedClientAuth(true);
    EngineLoop asServer = new EngineLoop(NodeTls.create(p256()).clientEngine(), server).run();
    assertFalse(asServer.handshaken());
    assertTrue(asServer.client().failure() instanceof SSLHandshakeException, () -> causes(asServer.client().failure()));
    assertTrue(causes(asServer.client().failure()).contains("CertificateVerify"), () -> causes(asServer.client().failure()));
  }

  @Test
  void trustManagerRefusesATamperedName() throws Exception {
    KeyPair keys = p256();
    String cn = PeerId.of(keys.getPublic()).toString();
    Instant now = Instant.now();
    byte[] der = SelfSignedCertificate.write(keys.getPublic(), cn, cn, keys.getPrivate(), now.minus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(1)));
    // Change one hex digit of the id in issuer and subject alike: still a well-formed self-issued
    // certificate, now naming an id that is not its key's.
    byte[] id = cn.getBytes(StandardCharsets.US_ASCII);
    for (int from = der.length; from >= 0; ) {
      int at = lastIndexOf(der, id, from);
      if (at < 0) {
        break;
      }
      der[at] = (byte) (der[at] == '0' ? '1' : '0');
      from = at - 1;
    }
    assertRefused(parse(der), "is not CN=");
  }

  @Test
  void trustManagerRefusesAWrongNameAnotherCurveAndChains() throws Exception {
    KeyPair keys = p256();
    Instant now = Instant.now();
    String other = PeerId.random().toString();
    X509Certificate misnamed = parse(SelfSignedCertificate.write(keys.getPublic(), other, other, keys.getPrivate(),
        now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1))));
    assertRefused(misnamed, "is not CN=" + PeerId.of(keys.getPublic()));
    KeyPair p384 = ec("secp384r1");
    String cn384 = PeerId.of(p384.getPublic()).toString();
    X509Certificate onP384 = parse(SelfSignedCertificate.write(p384.getPublic(), cn384, cn384, p384.getPrivate(),
        now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1))));
    assertRefused(onP384, "P-256");
    X509Certificate good = SelfSignedCertificate.of(keys);
    CertificateException chain = assertThrows(CertificateException.class,
        () -> TRUST.check(new X509Certificate[] {good, good}));
    assertTrue(chain.getMessage().contains("exactly one"), chain.getMessage());
    assertThrows(CertificateException.class, () -> TRUST.check(new X509Certificate[0]));
    assertThrows(IllegalArgumentException.class, () -> NodeTls.create(p384));
  }

  private static void assertRefused(X509Certificate cert, String reason) {
    CertificateException e = assertThrows(CertificateException.class, () -> TRUST.check(new X509Certificate[] {cert}));
    assertTrue(e.getMessage().contains(reason), () -> "expected '" + reason + "' in: " + e.getMessage());
  }

  private static X509Certificate parse(byte[] der) {
    return SelfSignedCertificate.parse(der);
  }

  static String causes(Throwable t) {
    StringBuilder s = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      s.append(c).append(" <- ");
    }
    return s.toString();
  }

  private static int lastIndexOf(byte[] hay, byte[] needle, int from) {
    for (int i = Math.min(from, hay.length - needle.length); i >= 0; i--) {
      if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}
