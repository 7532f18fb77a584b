package dev.vecino.p2p.testkit.hostile;

import dev.vecino.p2p.internal.tls.NodeTls;
import dev.vecino.p2p.testkit.HostilePeer;
import dev.vecino.p2p.testkit.TestNodes;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import javax.net.ssl.SSLContext;

/**
 * What an attack test runs over: plaintext nodes (protocol 1) attacked in clear, or secure
 * nodes (TLS, the default) attacked by peers that complete the TLS handshake with keys of their
 * own and then misbehave inside the tunnel. Attack tests take it as a parameter, so each attack
 * runs against both kinds of node.
 */
enum Wire {
  PLAINTEXT,
  TLS;

  /** A set of nodes of this kind: the attacked node, its friends. */
  TestNodes nodes() {
    return this == TLS ? new TestNodes() : TestNodes.plaintext();
  }

  /** An attacker to {@code target}: under TLS with a key of its own, so an id of its own. */
  HostilePeer.Builder to(InetSocketAddress target) {
    HostilePeer.Builder b = HostilePeer.to(target);
    return this == TLS ? b.tls(newContext()) : b;
  }

  /** A TLS 1.3 context as a node has, for a fresh P-256 key: what an attacker needs to pass the handshake. */
  static SSLContext newContext() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return NodeTls.create(generator.generateKeyPair()).context();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Heap one attacker's connection may hold in the test's JVM, both ends counted: in clear the
   * node's queues; under TLS also the node's engine and record buffers and the attacker's TLS
   * socket (about 260 KiB measured for both, on JDK 17).
   */
  long heapPerConnection() {
    return this == TLS ? 320 * 1024 : 64 * 1024;
  }

  /** The flag a child node process takes: {@code --plaintext} or {@code --tls}. */
  String flag() {
    return this == TLS ? "--tls" : "--plaintext";
  }
}
