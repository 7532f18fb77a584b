package dev.vecino.p2p;

import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.internal.Hello;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

/** A hand-driven peer on a blocking socket: speaks exactly the bytes a test asks for. */
final class RawPeer implements Wire.Attacker {
  final Socket socket;
  final DataInputStream in;
  final DataOutputStream out;

  private RawPeer(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = new DataOutputStream(socket.getOutputStream());
  }

  static RawPeer connect(InetSocketAddress address) throws IOException {
    return new RawPeer(new Socket(address.getAddress(), address.getPort()));
  }

  /** Connects from {@code from} (any 127.x address), so the node sees another host. */
  static RawPeer connect(InetSocketAddress address, java.net.InetAddress from) throws IOException {
    return new RawPeer(new Socket(address.getAddress(), address.getPort(), from, 0));
  }

  /** Connects from {@code from}; a positive {@code receiveBuffer} is set before connecting. */
  static RawPeer connect(InetSocketAddress address, java.net.InetAddress from, int receiveBuffer) throws IOException {
    Socket s = socket(address, from, receiveBuffer);
    try {
      return new RawPeer(s);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * A plain socket connected from {@code from} (any 127.x address); a positive {@code
   * receiveBuffer} is set before connecting, so a peer that never reads fills up at once.
   */
  static Socket socket(InetSocketAddress address, java.net.InetAddress from, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    try {
      if (receiveBuffer > 0) {
        s.setReceiveBufferSize(receiveBuffer);
      }
      s.bind(new InetSocketAddress(from, 0));
      s.connect(address, 5_000);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Connects with a small receive buffer (set before connecting): a peer that never reads fills up at once. */
  static RawPeer connect(InetSocketAddress address, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(receiveBuffer);
    s.connect(address, 5_000);
    return new RawPeer(s);
  }

  static RawPeer accept(ServerSocket server) throws IOException {
    return new RawPeer(server.accept());
  }

  static byte[] hello(PeerId id, String name, String group) {
    return new Hello(1, 1, id, 0, name, group, List.of()).encode();
  }

  /** A HELLO body with a fresh random id: in clear, a node takes any id. */
  @Override
  public byte[] hello(String name, String group) {
    return hello(PeerId.random(), name, group);
  }

  @Override
  public void sendFrame(FrameType type, byte[] body) throws IOException {
    writeFrame(out, type, body);
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads one frame: returns its type code followed by the body. */
  @Override
  public byte[] readFrame() throws IOException {
    return readFrame(in);
  }

  /** Writes one framed-codec frame and flushes: in clear here, inside TLS for {@link SecureRawPeer}. */
  static void writeFrame(DataOutputStream out, FrameType type, byte[] body) throws IOException {
    out.writeInt(body.length + 1);
    out.writeByte(type.code());
    out.write(body);
    out.flush();
  }

  /** Reads one framed-codec frame: its type code followed by the body. */
  static byte[] readFrame(DataInputStream in) throws IOException {
    byte[] frame = new byte[in.readInt()];
    in.readFully(frame);
    return frame;
  }

  /** Reads until the other side closes; returns true if it did within the socket timeout. */
  @Override
  public boolean awaitEof() throws IOException {
    byte[] buf = new byte[8192];
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        sink.write(buf, 0, n);
      }
      return true;
    } catch (EOFException e) {
      return true;
    } catch (java.net.SocketException e) {
      return true; // reset: closed as well
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
