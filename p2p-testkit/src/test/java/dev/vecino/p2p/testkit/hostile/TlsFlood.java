package dev.vecino.p2p.testkit.hostile;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * A flood of TLS ClientHellos at a secure node, from many 127.x addresses, on one thread per
 * address: each connection reads the pre-HELLO, sends a real TLS 1.3 ClientHello (the same
 * bytes every time: the node must answer each with a key exchange and a signature), and then
 * either reads the first bytes of the node's answer and hangs up, or stalls: holds the
 * connection with the handshake half done, as many as {@code hold} per address, the oldest
 * dropped first. Connections the node closes before its pre-HELLO were refused at its limits.
 *
 * <p>Thread safety: start and close from the test thread; the counters from any.
 */
final class TlsFlood implements AutoCloseable {

  private final InetSocketAddress target;
  private final List<InetAddress> sources;
  private final boolean stall;
  private final int hold;
  private final byte[] clientHello;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong stalled = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean running = true;

  /**
   * @param stall true: hold each connection after its ClientHello; false: hang up once answered
   * @param hold connections held per address when stalling
   */
  TlsFlood(InetSocketAddress target, List<InetAddress> sources, boolean stall, int hold) throws SSLException {
    this.target = target;
    this.sources = List.copyOf(sources);
    this.stall = stall;
    this.hold = hold;
    this.clientHello = clientHello(Wire.newContext());
  }

  /** The first flight of a TLS 1.3 client: one record holding its ClientHello. */
  static byte[] clientHello(SSLContext context) throws SSLException {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(true);
    engine.setEnabledProtocols(new String[] {"TLSv1.3"});
    ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    for (int i = 0; i < 8 && net.position() == 0; i++) {
      engine.wrap(ByteBuffer.allocate(0), net);
      for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
        task.run();
      }
    }
    if (net.position() == 0 || net.get(0) != 0x16) {
      throw new IllegalStateException("the engine made no ClientHello");
    }
    return Arrays.copyOf(net.array(), net.position());
  }

  TlsFlood start() {
    for (InetAddress source : sources) {
      Thread t = new Thread(() -> run(source), "test-tls-flood-" + source.getHostAddress());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    return this;
  }

  private void run(InetAddress source) {
    ArrayDeque<Socket> held = new ArrayDeque<>();
    try {
      while (running) {
        Socket s = new Socket();
        s.setSoLinger(true, 0); // a reset on close: no TIME_WAIT pile-up from the flood
        try {
          s.bind(new InetSocketAddress(source, 0));
          s.connect(target, 2_000);
          s.setSoTimeout(2_000);
          if (!preHello(s)) {
            refused.incrementAndGet();
            s.close();
            continue;
          }
          s.getOutputStream().write(clientHello);
          if (stall) {
            held.addLast(s);
            stalled.incrementAndGet();
            while (held.size() > hold) {
              held.removeFirst().close();
            }
          } else {
            if (s.getInputStream().read() == 0x16) {
              answered.incrementAndGet(); // the ServerHello: the node did the work
            }
            s.close();
          }
        } catch (IOException e) {
          // Reset or timed out by the node (evicted, timed out, refused): expected under a flood.
          refused.incrementAndGet();
          s.close();
        }
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
    } finally {
      for (Socket s : held) {
        try {
          s.close();
        } catch (IOException e) {
          // Closing at the end of the flood: nothing left to do.
        }
      }
    }
  }

  /** Reads the pre-HELLO; false when the node closed first (refused at its limits). */
  private static boolean preHello(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    int first = in.read();
    if (first < 0) {
      return false;
    }
    int length = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedShort());
    if (length < 1 || length > 4096) {
      throw new IOException("not a pre-HELLO: length " + length);
    }
    in.readFully(new byte[length]);
    return true;
  }

  /** ClientHellos the node answered (its ServerHello arrived). */
  long answered() {
    return answered.get();
  }

  /** Connections held after their ClientHello. */
  long stalled() {
    return stalled.get();
  }

  /** Connections the node closed or reset before answering. */
  long refused() {
    return refused.get();
  }

  /** The first unexpected failure of a flood thread, or null. */
  Throwable failure() {
    return failure.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(10_000);
    }
  }
}
