package dev.vecino.p2p.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.CryptoPrimitive;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class KeyShareTest {

  private static final int X25519 = 0x001d;
  private static final int SECP256R1 = 0x0017;
  private static final int KEY_SHARE = 0x0033;
  private static final int SUPPORTED_GROUPS = 0x000a;

  @Test
  void theInitiatorOffersX25519AloneWithOneKeyShare() throws Exception {
    assertTrue(X25519Only.available(), "JDK 17 has x25519");
    NodeTls tls = NodeTls.create(NodeTlsTest.p256());
    assertEquals(List.of(X25519), groups(clientHello(tls.clientEngine()), KEY_SHARE));
    assertEquals(List.of(X25519), groups(clientHello(tls.clientEngine()), SUPPORTED_GROUPS));
    // What the JDK's defaults would send: a second, P-256 share nobody uses.
    SSLEngine defaults = tls.context().createSSLEngine();
    defaults.setUseClientMode(true);
    defaults.setEnabledProtocols(new String[] {NodeTls.TLS_13});
    assertEquals(List.of(X25519, SECP256R1), groups(clientHello(defaults), KEY_SHARE));
  }

  @Test
  void nodesHandshakeWithInitiatorsAndAcceptorsThatKeepTheJdksDefaultGroups() throws Exception {
    NodeTls node = NodeTls.create(NodeTlsTest.p256());
    NodeTls other = NodeTls.create(NodeTlsTest.p256());
    SSLEngine defaultClient = other.context().createSSLEngine();
    defaultClient.setUseClientMode(true);
    defaultClient.setEnabledProtocols(new String[] {NodeTls.TLS_13});
    EngineLoop toNode = new EngineLoop(defaultClient, node.serverEngine()).run();
    assertTrue(toNode.handshaken(), () -> "client: " + toNode.client().failure() + ", server: " + toNode.server().failure());

    SSLEngine defaultServer = other.context().createSSLEngine();
    defaultServer.setUseClientMode(false);
    defaultServer.setNeedClientAuth(true);
    EngineLoop fromNode = new EngineLoop(node.clientEngine(), defaultServer).run();
    assertTrue(fromNode.handshaken(), () -> "client: " + fromNode.client().failure() + ", server: " + fromNode.server().failure());
    assertEquals(node.id(), NodeTls.peerId(fromNode.server().engine().getSession()));
  }

  @Test
  void constraintsRefuseOnlyKeyAgreementWithOtherGroups() {
    Set<CryptoPrimitive> agree = EnumSet.of(CryptoPrimitive.KEY_AGREEMENT);
    X25519Only c = X25519Only.INSTANCE;
    assertTrue(c.permits(agree, "x25519", null));
    assertTrue(c.permits(agree, "XDH", null));
    assertTrue(c.permits(agree, "EC", null), "the algorithm family: JSSE asks about the group names apart");
    for (String g : List.of("secp256r1", "secp384r1", "secp521r1", "x448", "ffdhe2048", "ffdhe8192")) {
      assertFalse(c.permits(agree, g, null), g);
    }
    Set<CryptoPrimitive> sign = EnumSet.of(CryptoPrimitive.SIGNATURE);
    assertTrue(c.permits(sign, "SHA256withECDSA", null));
    assertTrue(c.permits(sign, "secp256r1", null), "signatures on P-256 stay allowed");
  }

  /** The first record the engine makes: its ClientHello. */
  private static ByteBuffer clientHello(SSLEngine client) throws Exception {
    ByteBuffer out = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
    client.beginHandshake();
    client.wrap(ByteBuffer.allocate(0), out);
    return out.flip();
  }

  /**
   * The named groups an extension of a ClientHello record lists: the shares' groups of {@code
   * key_share}, or the groups of {@code supported_groups}.
   */
  private static List<Integer> groups(ByteBuffer record, int extension) {
    ByteBuffer b = record.duplicate();
    assertEquals(0x16, b.get() & 0xff, "a handshake record");
    skip(b, 4); // version, length
    assertEquals(1, b.get() & 0xff, "a ClientHello");
    skip(b, 3 + 2 + 32); // length, legacy version, random
    skip(b, b.get() & 0xff); // session id
    skip(b, b.getShort() & 0xffff); // cipher suites
    skip(b, b.get() & 0xff); // compression methods
    int extensionsLength = b.getShort() & 0xffff;
    int end = b.position() + extensionsLength;
    while (b.position() < end) {
      int type = b.getShort() & 0xffff;
      int length = b.getShort() & 0xffff;
      ByteBuffer data = b.slice(b.position(), length);
      b.position(b.position() + length);
      if (type != extension) {
        continue;
      }
      List<Integer> groups = new ArrayList<>();
      int listEnd = (data.getShort() & 0xffff) + 2;
      while (data.position() < listEnd) {
        groups.add(data.getShort() & 0xffff);
        if (extension == KEY_SHARE) {
          skip(data, data.getShort() & 0xffff);
        }
      }
      return groups;
    }
    throw new AssertionError("no extension " + extension + " in the ClientHello");
  }

  private static void skip(ByteBuffer b, int n) {
    b.position(b.position() + n);
  }
}
