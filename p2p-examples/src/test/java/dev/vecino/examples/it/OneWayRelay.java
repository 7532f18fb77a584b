package dev.vecino.examples.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A loopback relay for one connection that can stop carrying the server's bytes to the client
 * while it still carries the client's to the server: a client that sends and never reads,
 * without blocking the client's own threads.
 *
 * <p><b>Threads:</b> one accepts and then copies client → server, one copies server → client
 * until {@link #stopReadingServer()}; {@link #close()} from the test thread ends both.
 */
final class OneWayRelay implements AutoCloseable {

  private final ServerSocket listener;
  private final InetSocketAddress server;
  private final CountDownLatch readServer = new CountDownLatch(1);
  private volatile boolean serverPaused;
  private volatile Socket client;
  private volatile Socket upstream;

  OneWayRelay(int serverPort) throws IOException {
    InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    this.server = new InetSocketAddress(loopback, serverPort);
    this.listener = new ServerSocket(0, 1, loopback);
    Thread up = new Thread(this::run, "one-way-relay-up");
    up.setDaemon(true);
    up.start();
  }

  /** The port the client connects to. */
  int port() {
    return listener.getLocalPort();
  }

  /** From now on the server's bytes stay unread in the kernel: the server's sends back up. */
  void stopReadingServer() {
    serverPaused = true;
  }

  private void run() {
    try (Socket c = listener.accept(); Socket s = new Socket(server.getAddress(), server.getPort())) {
      client = c;
      upstream = s;
      Thread down = new Thread(() -> copy(s, c, true), "one-way-relay-down");
      down.setDaemon(true);
      down.start();
      copy(c, s, false);
      down.join(TimeUnit.SECONDS.toMillis(10));
    } catch (IOException | InterruptedException e) {
      // closed by the test
    }
  }

  private void copy(Socket from, Socket to, boolean pausable) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      while (true) {
        if (pausable && serverPaused) {
          // Bounded: close() releases it, or the test's own timeout ends the run.
          readServer.await(60, TimeUnit.SECONDS);
          return;
        }
        int n = in.read(buf);
        if (n < 0) {
          return;
        }
        out.write(buf, 0, n);
      }
    } catch (IOException | InterruptedException e) {
      // closed by the test or the peer
    }
  }

  @Override
  public void close() throws IOException {
    readServer.countDown();
    listener.close();
    for (Socket s : new Socket[] {client, upstream}) {
      if (s != null) {
        s.close();
      }
    }
  }
}
