package dev.vecino.p2p;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback that forwards every accepted connection to a target and records
 * every byte that crosses it, both ways: what someone on the wire would see.
 */
final class WireTap implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
  private final ByteArrayOutputStream fromInitiator = new ByteArrayOutputStream();
  /** Forward at most this many bytes per write (cutting records anywhere), 0 for no cutting. */
  private final int chunk;

  WireTap(InetSocketAddress target) throws IOException {
    this(target, 0);
  }

  /** A tap that forwards in writes of 1 to {@code chunk} bytes, so reads on the far side cut records anywhere. */
  WireTap(InetSocketAddress target, int chunk) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    this.chunk = chunk;
    Thread t = new Thread(this::acceptLoop, "test-wiretap-accept");
    t.setDaemon(true);
    t.start();
  }

  /** Where peers connect to be relayed. */
  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** Every byte relayed so far, both directions. */
  byte[] seen() {
    synchronized (seen) {
      return seen.toByteArray();
    }
  }

  /** Every byte the connecting side sent, in order (one connection's worth in the tests). */
  byte[] fromInitiator() {
    synchronized (seen) {
      return fromInitiator.toByteArray();
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket in = server.accept();
        Socket out = new Socket(target.getAddress(), target.getPort());
        sockets.add(in);
        sockets.add(out);
        pump(in, out, true);
        pump(out, in, false);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean initiator) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try {
        // Not closed here: closing a socket's stream closes the socket, and the other way still runs.
        InputStream i = from.getInputStream();
        OutputStream o = to.getOutputStream();
        int n;
        while ((n = i.read(buf)) >= 0) {
          synchronized (seen) {
            seen.write(buf, 0, n);
            if (initiator) {
              fromInitiator.write(buf, 0, n);
            }
          }
          if (chunk == 0) {
            o.write(buf, 0, n);
          } else {
            java.util.Random r = new java.util.Random(n);
            for (int at = 0; at < n; ) {
              int k = Math.min(n - at, 1 + r.nextInt(chunk));
              o.write(buf, at, k);
              o.flush();
              at += k;
            }
          }
        }
        to.shutdownOutput();
      } catch (IOException e) {
        // One side closed: the other follows.
      }
    }, "test-wiretap-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
