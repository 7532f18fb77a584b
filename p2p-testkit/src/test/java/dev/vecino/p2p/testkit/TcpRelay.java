package dev.vecino.p2p.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay between loopback addresses, standing in for the network: it forwards each
 * accepted connection to a target, and on demand freezes (stops forwarding, keeps the sockets
 * open: a peer that vanished without a word) or cuts every relayed connection with a reset on
 * both sides (a network blip, as a NAT or firewall that drops state does).
 */
public final class TcpRelay implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean frozen;
  private volatile boolean closed;

  /**
   * Starts a relay listening on {@code host} (port 0) that forwards to {@code target}.
   *
   * @param host a 127.x address to listen on
   * @param target where to forward
   */
  public TcpRelay(InetAddress host, InetSocketAddress target) throws IOException {
    this.server = new ServerSocket(0, 50, host);
    this.target = target;
    Thread acceptor = new Thread(this::acceptLoop, "test-relay-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The address peers connect to. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** Stops forwarding in both directions, keeping every socket open. */
  public void freeze() {
    frozen = true;
  }

  /** Resets every relayed connection on both sides (SO_LINGER 0); new connections still pass. */
  public void cut() {
    for (Socket s : sockets) {
      try {
        s.setOption(StandardSocketOptions.SO_LINGER, 0);
        s.close();
      } catch (IOException e) {
        // Already closed: nothing to cut.
      }
    }
    sockets.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket in = server.accept();
        Socket out = new Socket(target.getAddress(), target.getPort());
        sockets.add(in);
        sockets.add(out);
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        if (!closed) {
          // A failed connect to the target: the client sees its connection end.
          continue;
        }
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          while (frozen && !closed && !from.isClosed()) {
            LockSupport.parkNanos(5_000_000);
          }
          out.write(buf, 0, n);
        }
        // A half-close passes through: the BYE sequence needs it.
        to.shutdownOutput();
      } catch (IOException e) {
        // Cut, reset or closed: the other direction ends too.
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "test-relay-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Closing only.
    }
  }

  /** Stops accepting and closes every relayed connection. */
  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
