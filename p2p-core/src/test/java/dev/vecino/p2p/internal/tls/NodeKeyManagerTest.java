package dev.vecino.p2p.internal.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class NodeKeyManagerTest {

  @Test
  void offersTheNodesKeyAndCertificateForEcOnlyOnBothSides() throws Exception {
    KeyPair keys = NodeTlsTest.p256();
    X509Certificate cert = SelfSignedCertificate.of(keys);
    NodeKeyManager km = new NodeKeyManager(keys.getPrivate(), cert);
    String alias = km.chooseEngineServerAlias("EC", null, null);
    assertEquals(NodeKeyManager.ALIAS, alias);
    assertEquals(alias, km.chooseServerAlias("EC", null, null));
    assertEquals(alias, km.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null));
    assertEquals(alias, km.chooseClientAlias(new String[] {"EC"}, null, null));
    assertArrayEquals(new String[] {alias}, km.getServerAliases("EC", null));
    assertArrayEquals(new String[] {alias}, km.getClientAliases("EC", null));
    assertSame(keys.getPrivate(), km.getPrivateKey(alias));
    assertArrayEquals(new X509Certificate[] {cert}, km.getCertificateChain(alias));
    // No alias for a key type the key is not: JSSE then picks no signature scheme it cannot make.
    assertNull(km.chooseEngineServerAlias("RSA", null, null));
    assertNull(km.chooseEngineClientAlias(new String[] {"RSA", "EdDSA"}, null, null));
    assertNull(km.chooseEngineClientAlias(null, null, null));
    assertNull(km.getServerAliases("RSA", null));
    assertNull(km.getPrivateKey("other"));
    assertNull(km.getCertificateChain("other"));
  }

  @Test
  void eachSidePresentsItsNodeCertificateInAHandshake() throws Exception {
    NodeTls client = NodeTls.create(NodeTlsTest.p256());
    NodeTls server = NodeTls.create(NodeTlsTest.p256());
    for (int i = 0; i < 3; i++) {
      EngineLoop loop = new EngineLoop(client.clientEngine(), server.serverEngine()).run();
      assertTrue(loop.handshaken(), () -> "client: " + loop.client().failure() + ", server: " + loop.server().failure());
      assertEquals(client.certificate(), loop.client().engine().getSession().getLocalCertificates()[0]);
      assertEquals(server.certificate(), loop.server().engine().getSession().getLocalCertificates()[0]);
      assertEquals(server.certificate(), NodeTls.peerCertificate(loop.client().engine().getSession()));
      assertEquals(client.certificate(), NodeTls.peerCertificate(loop.server().engine().getSession()));
    }
  }
}
