package dev.vecino.p2p.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain TCP service that is not a Vecino peer: it accepts, optionally writes a greeting
 * ({@code "hello\n"}) and then only reads, counting how each connection ended: an orderly
 * close (FIN) or a reset (RST). Lets tests check that a scanner is reported as "open but not a
 * peer", leaves no connection behind, sends nothing, and does not reset.
 *
 * <p>Threads: one acceptor ({@code testkit-plain-<port>}) and one reader per connection; fine
 * for tests, not for load.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
public final class PlainService implements AutoCloseable {

  private final ServerSocket server;
  private final byte[] greeting;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger closedByClient = new AtomicInteger();
  private final AtomicInteger resets = new AtomicInteger();
  private final AtomicLong bytesReceived = new AtomicLong();
  private final Thread acceptor;
  private volatile boolean closing;

  private PlainService(InetSocketAddress bind, byte[] greeting) throws IOException {
    this.server = new ServerSocket();
    this.server.setReuseAddress(true);
    this.server.bind(bind, 64);
    this.greeting = greeting;
    this.acceptor = new Thread(this::acceptLoop, "testkit-plain-" + server.getLocalPort());
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  /**
   * Starts a service that writes {@code greeting} to every connection, e.g. {@code "hello\n"}.
   *
   * @param bind the address to listen on (127.0.0.0/8; port 0 for any)
   * @param greeting the greeting, sent as UTF-8
   * @return the running service
   * @throws IOException if the address cannot be bound
   */
  public static PlainService greeting(InetSocketAddress bind, String greeting) throws IOException {
    return new PlainService(bind, greeting.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Starts a service that accepts and never writes.
   *
   * @param bind the address to listen on (127.0.0.0/8; port 0 for any)
   * @return the running service
   * @throws IOException if the address cannot be bound
   */
  public static PlainService silent(InetSocketAddress bind) throws IOException {
    return new PlainService(bind, new byte[0]);
  }

  /**
   * Returns the bound address.
   *
   * @return the address and actual port
   */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /**
   * Returns the number of connections accepted.
   *
   * @return the count
   */
  public int accepted() {
    return accepted.get();
  }

  /**
   * Returns the number of connections still open.
   *
   * @return the count
   */
  public int openConnections() {
    return open.size();
  }

  /**
   * Returns the number of connections the client ended with an orderly close (FIN).
   *
   * @return the count
   */
  public int closedByClient() {
    return closedByClient.get();
  }

  /**
   * Returns the number of connections the client reset (RST).
   *
   * @return the count
   */
  public int resets() {
    return resets.get();
  }

  /**
   * Returns the bytes clients sent.
   *
   * @return the count
   */
  public long bytesReceived() {
    return bytesReceived.get();
  }

  private void acceptLoop() {
    while (!closing) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        // Closed by close(), or a transient accept failure: the loop condition decides.
        continue;
      }
      accepted.incrementAndGet();
      open.add(s);
      Thread reader = new Thread(() -> serve(s), "testkit-plain-conn-" + s.getPort());
      reader.setDaemon(true);
      reader.start();
    }
  }

  private void serve(Socket s) {
    try (s) {
      if (greeting.length > 0) {
        s.getOutputStream().write(greeting);
        s.getOutputStream().flush();
      }
      InputStream in = s.getInputStream();
      byte[] buf = new byte[1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        bytesReceived.addAndGet(n);
      }
      closedByClient.incrementAndGet();
    } catch (SocketException e) {
      if (!closing && String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("reset")) {
        resets.incrementAndGet();
      }
    } catch (IOException e) {
      // The connection failed otherwise; counted as neither close nor reset.
    } finally {
      open.remove(s);
    }
  }

  /** Stops accepting and closes every connection. Idempotent. */
  @Override
  public void close() {
    closing = true;
    try {
      server.close();
    } catch (IOException e) {
      // Closing a listening socket has nothing left to report.
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // Same: the connection is going away regardless.
      }
    }
    try {
      acceptor.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
