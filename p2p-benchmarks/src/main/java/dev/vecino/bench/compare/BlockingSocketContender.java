package dev.vecino.bench.compare;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Plain {@code java.net.Socket}s: a sender writing through a 64 KiB
 * {@link BufferedOutputStream}, a receiver thread parsing frames out of 64 KiB reads, and a
 * thread-per-connection echo server for the latency cases. The reference for ping-pong and
 * for the echo client.
 */
// Sockets are closed explicitly inside try-with-resources: closing is how a run stops its threads.
@SuppressWarnings("try")
final class BlockingSocketContender implements Contender {

  private static final int BUFFER = 64 * 1024;

  @Override
  public Result oneWay(int size, Duration warmup, Duration measure) throws Exception {
    try (ServerSocket server = listen(); Socket out = connect(server); Socket in = server.accept()) {
      AtomicLong received = new AtomicLong();
      Thread reader = new Thread(() -> countFrames(in, received), "blocking-receiver");
      reader.start();
      Thread writer = new Thread(() -> writeFrames(out, size), "blocking-sender");
      writer.start();
      Result rate = Timing.window(received::get, warmup, measure);
      out.close();
      in.close();
      writer.join(5000);
      reader.join(5000);
      return rate;
    }
  }

  private static void writeFrames(Socket s, int size) {
    byte[] payload = new byte[size];
    try {
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), BUFFER);
      byte[] len = ByteBuffer.allocate(4).putInt(size).array();
      while (true) {
        out.write(len);
        out.write(payload);
      }
    } catch (IOException expected) {
      // The socket was closed to stop the run.
    }
  }

  private static void countFrames(Socket s, AtomicLong received) {
    byte[] buf = new byte[BUFFER * 2];
    int filled = 0;
    try {
      InputStream in = s.getInputStream();
      while (true) {
        int n = in.read(buf, filled, buf.length - filled);
        if (n < 0) {
          return;
        }
        filled += n;
        long[] r = Frames.count(buf, 0, filled);
        received.lazySet(received.get() + r[0]);
        int used = (int) r[1];
        System.arraycopy(buf, used, buf, 0, filled - used);
        filled -= used;
      }
    } catch (IOException expected) {
      // The socket was closed to stop the run.
    }
  }

  @Override
  public Result pingPong(int size, Duration warmup, Duration measure) throws Exception {
    try (ServerSocket server = listen(); Socket client = connect(server);
        Socket echoSide = server.accept()) {
      Thread echo = startEcho(echoSide);
      DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream()));
      OutputStream out = client.getOutputStream();
      byte[] frame = new byte[4 + size];
      ByteBuffer.wrap(frame).putInt(size);
      byte[] reply = new byte[size];
      long[] replies = {0};
      Histogram h = Timing.closedLoop(t -> {
        out.write(frame);
        int len = in.readInt();
        in.readFully(reply, 0, len);
        replies[0]++;
      }, () -> replies[0], warmup, measure);
      client.close();
      echo.join(5000);
      return new Result().latency(h);
    }
  }

  /**
   * The blocking-socket echo, the reference for the echo client: the same blocking client and
   * echo thread as {@link #pingPong}, run beside {@code vecino-echo-client} so that their ratio
   * is taken within one group of cases.
   */
  @Override
  public Result echo(int size, Duration warmup, Duration measure) throws Exception {
    return pingPong(size, warmup, measure);
  }

  @Override
  public Result openLoop(int size, double rate, Duration warmup, Duration measure)
      throws Exception {
    try (ServerSocket server = listen(); Socket client = connect(server);
        Socket echoSide = server.accept()) {
      Thread echo = startEcho(echoSide);
      Histogram h = new Histogram(Timing.MAX_LATENCY_NANOS, 3);
      AtomicLong replies = new AtomicLong();
      long[] from = {Long.MAX_VALUE};
      DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream()));
      Thread reader = new Thread(() -> {
        byte[] reply = new byte[size];
        try {
          while (true) {
            int len = in.readInt();
            in.readFully(reply, 0, len);
            long now = System.nanoTime();
            long intended = ByteBuffer.wrap(reply).getLong(0);
            if (intended >= from[0]) {
              h.recordValue(Math.min(now - intended, Timing.MAX_LATENCY_NANOS));
            }
            replies.lazySet(replies.get() + 1);
          }
        } catch (IOException expected) {
          // Closed at the end of the run.
        }
      }, "blocking-open-loop-reader");
      OutputStream out = client.getOutputStream();
      byte[] frame = new byte[4 + size];
      ByteBuffer fb = ByteBuffer.wrap(frame).putInt(size);
      reader.start();
      Timing.openLoop(t -> {
        fb.putLong(4, t);
        out.write(frame);
      }, replies::get, rate, warmup, measure, v -> from[0] = v);
      client.close();
      reader.join(5000);
      echo.join(5000);
      return new Result().latency(h).put("rate", rate);
    }
  }

  private static Thread startEcho(Socket s) throws IOException {
    s.setTcpNoDelay(true);
    DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
    OutputStream out = s.getOutputStream();
    Thread t = new Thread(() -> {
      byte[] frame = new byte[4 + (1 << 16)];
      try {
        while (true) {
          int len = in.readInt();
          ByteBuffer.wrap(frame).putInt(len);
          in.readFully(frame, 4, len);
          out.write(frame, 0, 4 + len);
        }
      } catch (IOException expected) {
        // The client closed the connection: the run is over.
      }
    }, "blocking-echo");
    t.start();
    return t;
  }

  static ServerSocket listen() throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    return s;
  }

  private static Socket connect(ServerSocket server) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
        5000);
    return s;
  }
}
