package dev.vecino.p2p;

import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.internal.tls.NodeTls;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * An attacker that passes the TLS handshake like {@link SecureRawPeer}, but drives its own
 * {@link SSLEngine} over a blocking socket, so the test chooses the records: {@link #wrap} turns
 * plaintext into records of any size in advance, and {@link #sendRaw} writes them at the
 * socket's speed. What a fast attacker (a native one, or one that encrypted ahead) does: the
 * node reads a backlog of records it must decrypt one by one, rather than records that trickle
 * in as fast as a Java client can make them.
 *
 * <p>Records are numbered in the order they are wrapped: the bytes {@link #wrap} returns go out
 * in that order, and nothing else is wrapped in between. It never reads after the handshake
 * (its receive buffer is the one given to {@link #connect}).
 *
 * <p>Thread safety: one test thread; {@link #close()} from any.
 */
final class RecordPeer implements Closeable {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final SSLEngine engine;
  /** The id this peer's key proves. */
  final PeerId id;

  private RecordPeer(Socket socket, NodeTls tls) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    DataInputStream clear = new DataInputStream(in);
    byte[] preHello = new byte[clear.readInt()];
    clear.readFully(preHello);
    if (preHello[0] != FrameType.HELLO.code()) {
      throw new IOException("expected the pre-HELLO, got frame type " + preHello[0]);
    }
    this.engine = tls.clientEngine();
    this.id = tls.id();
    handshake();
  }

  /** Connects from {@code from} with a fresh key and a {@code receiveBuffer}-byte receive buffer, and completes TLS. */
  static RecordPeer connect(InetSocketAddress address, InetAddress from, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    try {
      s.setReceiveBufferSize(receiveBuffer);
      s.bind(new InetSocketAddress(from, 0));
      s.connect(address, 5_000);
      return new RecordPeer(s, NodeTls.create(SecureRawPeer.newKeys()));
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private void handshake() throws IOException {
    engine.beginHandshake();
    int packet = engine.getSession().getPacketBufferSize();
    ByteBuffer netIn = ByteBuffer.allocate(4 * packet);
    ByteBuffer app = ByteBuffer.allocate(4 * engine.getSession().getApplicationBufferSize());
    ByteBuffer netOut = ByteBuffer.allocate(4 * packet);
    HandshakeStatus hs = engine.getHandshakeStatus();
    // Bounded: each step reads or writes, and the socket times out.
    while (hs != HandshakeStatus.FINISHED && hs != HandshakeStatus.NOT_HANDSHAKING) {
      switch (hs) {
        case NEED_WRAP -> {
          netOut.clear();
          hs = engine.wrap(EMPTY, netOut).getHandshakeStatus();
          out.write(netOut.array(), 0, netOut.position());
        }
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          netIn.flip();
          SSLEngineResult r = engine.unwrap(netIn, app);
          netIn.compact();
          app.clear();
          hs = r.getHandshakeStatus();
          if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
            int n = in.read(netIn.array(), netIn.position(), netIn.remaining());
            if (n < 0) {
              throw new IOException("the node closed during the handshake");
            }
            netIn.position(netIn.position() + n);
          }
        }
        case NEED_TASK -> {
          Runnable t;
          while ((t = engine.getDelegatedTask()) != null) {
            t.run();
          }
          hs = engine.getHandshakeStatus();
        }
        default -> throw new IOException("handshake status " + hs);
      }
    }
    out.flush();
  }

  /** A HELLO body inside the tunnel: version 2, this peer's key's id. */
  byte[] hello(String name, String group) {
    return SecureRawPeer.hello(id, name, group);
  }

  /** Wraps {@code plaintext} into records of at most {@code recordBytes} plaintext bytes each; sends nothing. */
  byte[] wrap(byte[] plaintext, int recordBytes) throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream(plaintext.length + plaintext.length / recordBytes * 32 + 64);
    ByteBuffer record = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    for (int at = 0; at < plaintext.length; at += recordBytes) {
      ByteBuffer src = ByteBuffer.wrap(plaintext, at, Math.min(recordBytes, plaintext.length - at));
      record.clear();
      SSLEngineResult r = engine.wrap(src, record);
      if (r.getStatus() != SSLEngineResult.Status.OK || src.hasRemaining()) {
        throw new IOException("wrap: " + r);
      }
      wire.write(record.array(), 0, record.position());
    }
    return wire.toByteArray();
  }

  /** Wraps and sends one frame, as one record. */
  void sendFrame(FrameType type, byte[] body) throws IOException {
    byte[] frame = frame(type, body);
    sendRaw(wrap(frame, frame.length));
  }

  /** One framed-codec frame: length, type, body. */
  static byte[] frame(FrameType type, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).putInt(body.length + 1).put((byte) type.code()).put(body).array();
  }

  /** Writes bytes as they are: records from {@link #wrap}, in the order they were wrapped. */
  void sendRaw(byte[] wire) throws IOException {
    out.write(wire);
    out.flush();
  }

  /** Closes the TCP socket (no close_notify): safe while another thread is blocked writing. */
  @Override
  public void close() throws IOException {
    socket.close();
  }
}
