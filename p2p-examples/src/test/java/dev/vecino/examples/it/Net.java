package dev.vecino.examples.it;

import dev.vecino.p2p.PeerId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Loopback helpers: closed ports and silent listeners on 127.0.0.1 only. */
final class Net {

  private Net() {}

  /**
   * Connects to a node from {@code from} and completes the handshake claiming {@code id} and
   * {@code name} (docs/PROTOCOL.md 1.2), then goes silent: it never reads and never answers a
   * PING, like a peer whose host froze. Close the socket to end it.
   */
  static Socket frozenPeer(InetSocketAddress node, String from, PeerId id, String name)
      throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(node, 5000);
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] g = "vecino".getBytes(StandardCharsets.UTF_8);
    ByteBuffer hello = ByteBuffer.allocate(4 + 1 + 4 + 2 + 16 + 2 + 1 + n.length + 1 + g.length);
    hello.putInt(hello.capacity() - 4).put((byte) 1);
    hello.put(new byte[] {'V', 'C', 'N', 'O'}).put((byte) 1).put((byte) 1);
    hello.putLong(id.high()).putLong(id.low()).putShort((short) 0);
    hello.put((byte) n.length).put(n).put((byte) g.length).put(g);
    s.getOutputStream().write(hello.array());
    s.getOutputStream().flush();
    return s;
  }

  /** Returns a port on 127.0.0.1 that nothing listens on (it did a moment ago). */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * A listener whose accept queue is full, so further connects hang instead of being refused:
   * how a silent host looks, without root. Skips the test where the platform refuses instead.
   */
  static final class Silent implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    Silent() throws IOException {
      server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
      for (int i = 0; i < 8; i++) {
        Socket s = new Socket();
        try {
          s.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), 300);
          fillers.add(s);
        } catch (SocketTimeoutException e) {
          s.close();
          return;
        } catch (IOException e) {
          s.close();
          break;
        }
      }
      close();
      Assumptions.abort("this platform does not leave connects to a full accept queue hanging");
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      for (Socket s : fillers) {
        s.close();
      }
      server.close();
    }
  }

  /** A plain TCP server that answers every connection with an HTTP error: not a peer. */
  static final class NotAPeer implements AutoCloseable {
    private final ServerSocket server;
    private final Thread thread;

    NotAPeer() throws IOException {
      server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
      thread = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket s = server.accept()) {
            s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
            s.getOutputStream().flush();
            s.getInputStream().read(new byte[256]);
          } catch (IOException e) {
            // Closed by the test or the client: serve the next one or stop.
          }
        }
      }, "it-not-a-peer");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
