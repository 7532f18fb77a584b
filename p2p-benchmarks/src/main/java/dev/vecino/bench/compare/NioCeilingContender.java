package dev.vecino.bench.compare;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * The ceiling: one thread, two non-blocking channels, 1 MiB writes of whole frames and 1 MiB
 * reads parsed frame by frame. The frames are encoded once and the same buffer is written
 * again and again (a free encoder), so this is what loopback TCP itself can carry on this
 * machine: no queues, no hand-offs, no encoding (PERF-NOTES, "write sizes").
 */
final class NioCeilingContender implements Contender {

  private static final int WRITE = 1 << 20;

  @Override
  public Result oneWay(int size, Duration warmup, Duration measure) throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (SocketChannel out = SocketChannel.open(server.getLocalAddress());
          SocketChannel in = server.accept()) {
        out.setOption(StandardSocketOptions.TCP_NODELAY, true);
        out.configureBlocking(false);
        in.configureBlocking(false);
        byte[] payload = new byte[size];
        int frame = 4 + size;
        int perWrite = WRITE / frame;
        ByteBuffer wbuf = ByteBuffer.allocateDirect(perWrite * frame);
        for (int i = 0; i < perWrite; i++) {
          wbuf.putInt(size).put(payload);
        }
        wbuf.flip();
        ByteBuffer rbuf = ByteBuffer.allocateDirect(WRITE + frame);
        long received = 0;
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + measure.toNanos();
        long n0 = -1;
        long t0 = 0;
        long cpu0 = 0;
        long now = start;
        while (now < end) {
          if (!wbuf.hasRemaining()) {
            wbuf.rewind();
          }
          out.write(wbuf);
          int r = in.read(rbuf);
          if (r > 0) {
            rbuf.flip();
            received += Frames.count(rbuf);
            rbuf.compact();
          }
          now = System.nanoTime();
          if (n0 < 0 && now >= measureFrom) {
            n0 = received;
            t0 = now;
            cpu0 = Timing.processCpuNanos();
          }
        }
        return new Result().put("msgsPerSec", (received - n0) * 1e9 / (now - t0))
            .put("cpuNsPerMsg", (double) (Timing.processCpuNanos() - cpu0) / (received - n0));
      }
    }
  }

  @Override
  public Result pingPong(int size, Duration warmup, Duration measure) {
    throw new UnsupportedOperationException("the ceiling is a throughput case only");
  }
}
