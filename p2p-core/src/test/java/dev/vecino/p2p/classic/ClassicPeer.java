package dev.vecino.p2p.classic;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test double of the original Python LAN chat, on plain blocking sockets, behaving as
 * issue 6 describes it:
 *
 * <ul>
 *   <li>On accepting, it sends {@code Vecino_<last octet of the other side's IP>}, raw.
 *   <li>Connecting manually, it reads its first chunk (up to 1024 bytes) as the greeting.
 *   <li>After a "scan" it probes (connect, close without a word), then connects again and
 *       sends {@code Vecino <octet>} first without reading a greeting.
 *   <li>Each message is one raw write; each {@code read(1024)} chunk is one message; a chunk
 *       containing {@code llamado desde} is a call.
 *   <li>A call is two writes: {@code Estás siendo llamado desde <ip>}, then the text.
 * </ul>
 *
 * <p>Received chunks are recorded as {@link Event}s. Threads: one accept thread and one
 * reader thread per connection, all daemons, all stopped by {@link #close()}.
 */
public final class ClassicPeer implements Closeable {

  /** A received chunk: a call if it contains the marker, else a message. */
  public record Event(Conn from, boolean call, String text) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<Conn> connections = new CopyOnWriteArrayList<>();
  private final List<Closeable> resources = new CopyOnWriteArrayList<>();
  private ServerSocket server;

  /** One TCP connection of the double. */
  public final class Conn {
    final Socket socket;
    final OutputStream out;
    /** The name this side shows for the connection: the greeting it read, or null. */
    public volatile String greeting;

    Conn(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
    }

    /** Sends a message: one raw write, like {@code sendall}. */
    public void send(String text) throws IOException {
      out.write(text.getBytes(UTF_8));
      out.flush();
    }

    /** Sends a call the original's way: two writes. */
    public void call(String ownIp, String text) throws IOException {
      send("Estás siendo llamado desde " + ownIp);
      send(text);
    }

    void readLoop() {
      byte[] buf = new byte[1024];
      try {
        InputStream in = socket.getInputStream();
        int n;
        while ((n = in.read(buf)) > 0) {
          String chunk = new String(buf, 0, n, UTF_8);
          events.add(new Event(this, chunk.contains("llamado desde"), chunk));
        }
      } catch (IOException e) {
        // Closed: the connection is over, like the original's reader thread ending.
      }
    }

    /** Returns whether the other side closed or reset the connection. */
    public boolean closed() {
      return socket.isClosed() || socket.isInputShutdown();
    }
  }

  /** Listens on an ephemeral loopback port and greets every accepted connection. */
  public ClassicPeer serve() throws IOException {
    server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    resources.add(server);
    start("classic-accept", () -> {
      try {
        while (true) {
          Socket s = server.accept();
          resources.add(s);
          Conn c = new Conn(s);
          byte[] ip = s.getInetAddress().getAddress();
          c.send("Vecino_" + (ip[ip.length - 1] & 0xFF));
          connections.add(c);
          start("classic-read", c::readLoop);
        }
      } catch (IOException e) {
        // Server closed by close().
      }
    });
    return this;
  }

  /** Returns the address {@link #serve()} listens on. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** Connects manually: the first chunk read is the other side's greeting. */
  public Conn connect(InetSocketAddress to) throws IOException {
    Socket s = new Socket();
    resources.add(s);
    s.connect(to, 2000);
    Conn c = new Conn(s);
    byte[] buf = new byte[1024];
    int n = s.getInputStream().read(buf);
    c.greeting = n > 0 ? new String(buf, 0, n, UTF_8) : null;
    connections.add(c);
    start("classic-read", c::readLoop);
    return c;
  }

  /** The probe of a scan: connect, then close without a word. */
  public void probe(InetSocketAddress to) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(to, 500);
    }
  }

  /** What a scan does for an open port: probe, connect again, send a name first. */
  public Conn scanConnect(InetSocketAddress to) throws IOException {
    probe(to);
    Socket s = new Socket();
    resources.add(s);
    s.connect(to, 2000);
    Conn c = new Conn(s);
    byte[] ip = to.getAddress().getAddress();
    c.send("Vecino " + (ip[ip.length - 1] & 0xFF));
    connections.add(c);
    start("classic-read", c::readLoop);
    return c;
  }

  /** Returns everything received so far, in order. */
  public List<Event> events() {
    return new ArrayList<>(events);
  }

  /** Returns all received text joined, calls included. */
  public String allText() {
    StringBuilder b = new StringBuilder();
    events.forEach(e -> b.append(e.text()));
    return b.toString();
  }

  private void start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    for (Closeable c : resources) {
      c.close();
    }
  }
}
