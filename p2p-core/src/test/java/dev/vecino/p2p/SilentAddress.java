package dev.vecino.p2p;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A loopback address whose connects hang: a listener with backlog 1 that never accepts, its
 * queue filled, makes Linux drop further SYNs. Skips the test where the platform differs.
 */
final class SilentAddress implements Closeable {
  private final ServerSocket server;
  private final List<Socket> fillers = new ArrayList<>();

  private SilentAddress() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  static SilentAddress open() throws IOException {
    SilentAddress s = new SilentAddress();
    for (int i = 0; i < 2; i++) {
      Socket f = new Socket();
      try {
        f.connect(s.address(), 1000);
      } catch (SocketTimeoutException e) {
        f.close();
        break;
      }
      s.fillers.add(f);
    }
    try (Socket probe = new Socket()) {
      probe.connect(s.address(), 200);
      s.close();
      Assumptions.abort("this platform does not drop SYNs to a full accept queue");
    } catch (SocketTimeoutException expected) {
      // The address is silent: connects hang.
    }
    return s;
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  @Override
  public void close() throws IOException {
    for (Socket f : fillers) {
      f.close();
    }
    server.close();
  }
}
