package dev.vecino.p2p;

import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.internal.Hello;
import dev.vecino.p2p.internal.tls.NodeTls;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * A hand-driven peer that speaks TLS like a node, then exactly the frames a test asks for
 * inside the tunnel: it connects, reads the acceptor's pre-HELLO in clear, layers a TLS 1.3
 * client socket over the same TCP socket with a key of its own (a fresh P-256 key and its
 * node certificate, as {@link NodeTls} makes them), and leaves the HELLOs to the test. The
 * attacker the hardening tests need: one that passes the handshake, then misbehaves.
 *
 * <p>As {@link RawPeer}, but secure; p2p-testkit's {@code HostilePeer.Builder.tls} is the same
 * for the black-box attack tests there.
 *
 * <p>Thread safety: one test thread; {@link #close()} from any.
 */
final class SecureRawPeer implements Wire.Attacker {
  final Socket tcp;
  final SSLSocket socket;
  final DataInputStream in;
  final DataOutputStream out;
  /** The id this peer's key proves: the one its HELLO must say. */
  final PeerId id;
  /** The acceptor's pre-HELLO, as read in clear. */
  final Hello preHello;

  /** The node's admission offer was read (and passed over, when it admits anyone). */
  private boolean offerSkipped;

  private SecureRawPeer(Socket tcp, NodeTls tls, long tlsDelayNanos) throws IOException {
    this.tcp = tcp;
    tcp.setSoTimeout(10_000);
    DataInputStream clear = new DataInputStream(tcp.getInputStream());
    byte[] frame = new byte[clear.readInt()];
    clear.readFully(frame);
    if (frame[0] != FrameType.HELLO.code()) {
      throw new IOException("expected the pre-HELLO, got frame type " + frame[0]);
    }
    this.preHello = Hello.decode(java.nio.ByteBuffer.wrap(frame), 1, frame.length - 1);
    // No host: no SNI and no session resumption, as between nodes.
    this.socket = (SSLSocket) tls.context().getSocketFactory().createSocket(tcp, null, tcp.getPort(), true);
    socket.setUseClientMode(true);
    socket.setEnabledProtocols(new String[] {NodeTls.TLS_13});
    if (tlsDelayNanos > 0) {
      // A slow peer, as the test asks: its TLS starts this much later.
      LockSupport.parkNanos(tlsDelayNanos);
    }
    socket.startHandshake();
    this.in = new DataInputStream(socket.getInputStream());
    this.out = new DataOutputStream(socket.getOutputStream());
    this.id = tls.id();
  }

  /** Connects from {@code from} (any 127.x address) with a fresh key, and completes TLS. */
  static SecureRawPeer connect(InetSocketAddress address, InetAddress from) throws IOException {
    return connect(address, from, 0);
  }

  /**
   * Connects from {@code from} with a fresh key and completes TLS; a positive {@code
   * receiveBuffer} is set before connecting, so a peer that never reads fills up at once.
   */
  static SecureRawPeer connect(InetSocketAddress address, InetAddress from, int receiveBuffer) throws IOException {
    return connect(address, from, receiveBuffer, Duration.ZERO);
  }

  /** As {@link #connect(InetSocketAddress, InetAddress, int)}, starting TLS {@code tlsDelay} after the pre-HELLO. */
  static SecureRawPeer connect(InetSocketAddress address, InetAddress from, int receiveBuffer, Duration tlsDelay)
      throws IOException {
    Socket s = RawPeer.socket(address, from, receiveBuffer);
    try {
      return new SecureRawPeer(s, NodeTls.create(newKeys()), tlsDelay.toNanos());
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** A fresh P-256 key pair, as a node's. */
  static KeyPair newKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A HELLO body inside the tunnel: version 2, the given id (a node accepts only {@link #id}). */
  static byte[] hello(PeerId id, String name, String group) {
    return new Hello(2, 2, id, 0, name, group, List.of()).encode();
  }

  /** This peer's own HELLO body: its key's id. */
  @Override
  public byte[] hello(String name, String group) {
    return hello(id, name, group);
  }

  @Override
  public void sendFrame(FrameType type, byte[] body) throws IOException {
    RawPeer.writeFrame(out, type, body);
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads one frame inside the tunnel: its type code followed by the body. */
  @Override
  public byte[] readFrame() throws IOException {
    byte[] frame = readAny();
    if (!offerSkipped && frame[0] == FrameType.ADMIT.code()) {
      // A node that admits anyone offers (docs/PROTOCOL.md 1.9), then says HELLO at once.
      offerSkipped = true;
      if (frame.length >= 3 && frame[1] == 1 && frame[2] == 0) {
        return readAny();
      }
    }
    return frame;
  }

  private byte[] readAny() throws IOException {
    return RawPeer.readFrame(in);
  }

  /** Reads until the node closes the tunnel or the connection; true if it did within the socket timeout. */
  @Override
  public boolean awaitEof() throws IOException {
    byte[] buf = new byte[8192];
    try {
      while (in.read(buf) >= 0) {
        // Discard: only the close matters.
      }
      return true;
    } catch (EOFException | SocketException e) {
      return true; // reset: closed as well
    } catch (SSLException e) {
      return true; // an alert, or TCP closed without close_notify: closed as well
    }
  }

  /** Closes the TCP socket (no close_notify): safe while another thread is blocked writing. */
  @Override
  public void close() throws IOException {
    tcp.close();
  }
}
