package dev.vecino.p2p;

import dev.vecino.p2p.codec.FrameType;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What a hardening test runs over: plaintext nodes attacked in clear by a {@link RawPeer}, or
 * secure nodes (TLS, the default) attacked by a {@link SecureRawPeer} that completes the TLS
 * handshake with a key of its own and misbehaves inside the tunnel. p2p-testkit's attack tests
 * take their own {@code Wire} the same way.
 */
enum Wire {
  PLAINTEXT,
  TLS;

  /** A node of this kind on loopback. */
  PeerNodeBuilder node(String name) {
    return this == TLS ? Nodes.local(name) : Nodes.plain(name);
  }

  /**
   * An attacker connected from {@code from} to {@code node}, past TLS on a secure node; a
   * positive {@code receiveBuffer} is set before connecting, so one that never reads fills up
   * at once.
   */
  Attacker attacker(InetSocketAddress node, InetAddress from, int receiveBuffer) throws IOException {
    return this == TLS ? SecureRawPeer.connect(node, from, receiveBuffer) : RawPeer.connect(node, from, receiveBuffer);
  }

  /** A hand-driven peer: the frames a test asks for, in clear or inside the tunnel. */
  interface Attacker extends Closeable {
    /** Reads one frame (the node's admission offer, if any, passed over): its type code, then the body. */
    byte[] readFrame() throws IOException;

    void sendFrame(FrameType type, byte[] body) throws IOException;

    /** A HELLO body the node accepts from this attacker: any id in clear, its key's id under TLS. */
    byte[] hello(String name, String group);

    /** Reads until the node closes; true if it did within the socket timeout. */
    boolean awaitEof() throws IOException;
  }
}
