package dev.vecino.p2p.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback addresses that drop SYNs on one port, so connects to them hang instead of being
 * refused: "silent hosts" without root.
 *
 * <p>How: on each address, a listener with backlog 1 that never accepts, its accept queue
 * filled with two connections. Current Linux then drops further SYNs. {@link #open} checks
 * this itself: a third connect to every address must not complete within 200 ms; where the
 * platform behaves otherwise it throws {@link Unsupported}, and tests should skip.
 *
 * <p>Uses one listener and two sockets per address (three descriptors).
 *
 * <p><b>Thread safety:</b> not thread-safe; use from one thread.
 */
public final class SilentHosts implements AutoCloseable {

  /** The platform does not drop SYNs when an accept queue is full. */
  public static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsupported(String message) {
      super(message);
    }
  }

  private static final long CHECK_MILLIS = 200;

  private final List<ServerSocket> listeners = new ArrayList<>();
  private final List<Socket> fillers = new ArrayList<>();
  private final int port;

  private SilentHosts(int port) {
    this.port = port;
  }

  /**
   * Makes every address silent on {@code port}.
   *
   * @param addresses loopback addresses (127.0.0.0/8) with nothing else on {@code port}
   * @param port the port, 1..65535
   * @return the silent hosts; close to release them
   * @throws IOException if an address cannot be bound
   * @throws Unsupported if a connect to a filled listener did not hang
   */
  public static SilentHosts open(List<InetAddress> addresses, int port) throws IOException {
    SilentHosts s = new SilentHosts(port);
    try {
      for (InetAddress a : addresses) {
        if (!a.isLoopbackAddress()) {
          throw new IllegalArgumentException("silent hosts are for loopback only: " + a);
        }
        ServerSocket ss = new ServerSocket();
        s.listeners.add(ss);
        ss.bind(new InetSocketAddress(a, port), 1);
        for (int i = 0; i < 2; i++) {
          Socket c = new Socket();
          s.fillers.add(c);
          c.connect(new InetSocketAddress(a, port), 2000);
        }
      }
      s.check(addresses);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Connects once more to every address at once; none may complete within the check time. */
  private void check(List<InetAddress> addresses) throws IOException {
    List<SocketChannel> probes = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      for (InetAddress a : addresses) {
        SocketChannel ch = SocketChannel.open();
        probes.add(ch);
        ch.configureBlocking(false);
        if (ch.connect(new InetSocketAddress(a, port))) {
          throw new Unsupported("a connect to a full accept queue on " + a.getHostAddress() + " completed at once");
        }
        ch.register(selector, SelectionKey.OP_CONNECT);
      }
      long deadline = System.nanoTime() + CHECK_MILLIS * 1_000_000;
      long left;
      while ((left = deadline - System.nanoTime()) > 0) {
        if (selector.select(Math.max(1, left / 1_000_000)) > 0) {
          SocketChannel ready = (SocketChannel) selector.selectedKeys().iterator().next().channel();
          throw new Unsupported("a connect to a full accept queue on " + ready.getRemoteAddress()
              + " did not hang (this platform answers or refuses instead of dropping SYNs)");
        }
      }
    } finally {
      for (SocketChannel ch : probes) {
        ch.close();
      }
    }
  }

  /**
   * Returns the port the addresses are silent on.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * Returns the number of silent addresses.
   *
   * @return the count
   */
  public int size() {
    return listeners.size();
  }

  /** Closes every listener and filler. Idempotent. */
  @Override
  public void close() {
    for (Socket c : fillers) {
      try {
        c.close();
      } catch (IOException e) {
        // Closing a filler that failed: nothing else to do.
      }
    }
    for (ServerSocket ss : listeners) {
      try {
        ss.close();
      } catch (IOException e) {
        // Same.
      }
    }
    fillers.clear();
    listeners.clear();
  }
}
