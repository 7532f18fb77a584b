package dev.vecino.p2p;

import dev.vecino.p2p.internal.tls.NodeTls;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A man in the middle with a key of its own: it accepts a node's connection, connects to the
 * target node, passes the target's pre-HELLO on, then ends TLS on both sides with its own key
 * and relays the plaintext between the two tunnels, byte for byte. What it cannot do is make
 * either node believe it talks to the other.
 */
final class TlsRelay implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final NodeTls mine;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  TlsRelay(InetSocketAddress target) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    this.mine = NodeTls.create(NodeKey.generate().keyPair());
    Thread t = new Thread(this::acceptLoop, "test-tls-relay");
    t.setDaemon(true);
    t.start();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket victim = server.accept();
        Socket toTarget = new Socket(target.getAddress(), target.getPort());
        sockets.add(victim);
        sockets.add(toTarget);
        // The target's pre-HELLO goes on in clear, as the protocol has it.
        DataInputStream in = new DataInputStream(toTarget.getInputStream());
        int length = in.readInt();
        byte[] frame = new byte[length];
        in.readFully(frame);
        OutputStream out = victim.getOutputStream();
        out.write(java.nio.ByteBuffer.allocate(4).putInt(length).array());
        out.write(frame);
        out.flush();
        SSLSocketFactory f = mine.context().getSocketFactory();
        SSLSocket asServer = (SSLSocket) f.createSocket(victim, null, true);
        asServer.setUseClientMode(false);
        asServer.setNeedClientAuth(true);
        asServer.setEnabledProtocols(new String[] {NodeTls.TLS_13});
        SSLSocket asClient = (SSLSocket) f.createSocket(toTarget, target.getHostString(), target.getPort(), true);
        asClient.setUseClientMode(true);
        asClient.setEnabledProtocols(new String[] {NodeTls.TLS_13});
        sockets.add(asServer);
        sockets.add(asClient);
        pump(asServer, asClient);
        pump(asClient, asServer);
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try {
        InputStream i = from.getInputStream();
        OutputStream o = to.getOutputStream();
        int n;
        while ((n = i.read(buf)) >= 0) {
          o.write(buf, 0, n);
          o.flush();
        }
      } catch (IOException e) {
        // One side ended: so does the relay.
      } finally {
        try {
          to.close();
          from.close();
        } catch (IOException ignored) {
          // Closing anyway.
        }
      }
    }, "test-tls-relay-pump");
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
