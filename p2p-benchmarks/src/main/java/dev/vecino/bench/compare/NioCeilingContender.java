package dev.vecino.bench.compare;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Minimal NIO loops: what loopback TCP itself carries on this machine, with no queues, no
 * hand-offs and no encoding. The frames are encoded once and the same 1 MiB buffer of whole
 * frames is written again and again (a free encoder); the receiver parses every frame and
 * checks its length (PERF-NOTES, "write sizes" and "ceilings are two-threaded").
 *
 * <ul>
 *   <li>{@code nio-ceiling-2t}, the ceiling: one thread writes 1 MiB batches to a blocking
 *       channel, another reads 1 MiB at a time from a blocking channel and parses. Real peers
 *       send and receive on different threads, so this is the figure ratios are quoted against.
 *   <li>{@code nio-ceiling-1t}, one thread writes then reads: two non-blocking channels driven
 *       by a single thread, which alternately writes a batch and reads what arrived. It tops out
 *       near half of the two-thread loop on two cores and is kept only as a reference.
 * </ul>
 */
final class NioCeilingContender implements Contender {

  private static final int WRITE = 1 << 20;

  private final boolean twoThreads;

  /**
   * @param twoThreads a writer thread and a reader thread, else one thread doing both
   */
  NioCeilingContender(boolean twoThreads) {
    this.twoThreads = twoThreads;
  }

  @Override
  public Result oneWay(int size, Duration warmup, Duration measure) throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (SocketChannel out = SocketChannel.open(server.getLocalAddress());
          SocketChannel in = server.accept()) {
        out.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ByteBuffer batch = batch(size);
        return twoThreads ? twoThreads(out, in, batch, size, warmup, measure)
            : oneThread(out, in, batch, size, warmup, measure);
      }
    }
  }

  /** Returns 1 MiB (rounded down to whole frames) of encoded frames, ready to write. */
  private static ByteBuffer batch(int size) {
    byte[] payload = new byte[size];
    int frame = 4 + size;
    int perWrite = WRITE / frame;
    ByteBuffer b = ByteBuffer.allocateDirect(perWrite * frame);
    for (int i = 0; i < perWrite; i++) {
      b.putInt(size).put(payload);
    }
    return b.flip();
  }

  private static Result twoThreads(SocketChannel out, SocketChannel in, ByteBuffer batch,
      int size, Duration warmup, Duration measure) throws Exception {
    AtomicLong received = new AtomicLong();
    Throwable[] failure = new Throwable[2];
    Thread writer = new Thread(() -> {
      try {
        while (true) {
          batch.rewind();
          while (batch.hasRemaining()) {
            out.write(batch);
          }
        }
      } catch (IOException expected) {
        // The channel was closed to stop the run.
      } catch (RuntimeException e) {
        failure[0] = e;
      }
    }, "nio-ceiling-writer");
    Thread reader = new Thread(() -> {
      ByteBuffer rbuf = ByteBuffer.allocateDirect(WRITE + 4 + size);
      try {
        while (in.read(rbuf) >= 0) {
          rbuf.flip();
          // Single writer: a plain read plus an ordered store, as every receiver here does.
          received.lazySet(received.get() + Frames.count(rbuf, size));
          rbuf.compact();
        }
      } catch (IOException expected) {
        // The channel was closed to stop the run.
      } catch (RuntimeException e) {
        failure[1] = e;
      }
    }, "nio-ceiling-reader");
    writer.start();
    reader.start();
    Result r;
    try {
      r = Timing.window(received::get, warmup, measure);
    } finally {
      out.close();
      in.close();
      writer.join(5000);
      reader.join(5000);
    }
    for (Throwable t : failure) {
      if (t != null) {
        throw new IllegalStateException("NIO ceiling thread failed", t);
      }
    }
    return r;
  }

  private static Result oneThread(SocketChannel out, SocketChannel in, ByteBuffer wbuf,
      int size, Duration warmup, Duration measure) throws IOException {
    out.configureBlocking(false);
    in.configureBlocking(false);
    ByteBuffer rbuf = ByteBuffer.allocateDirect(WRITE + 4 + size);
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
        received += Frames.count(rbuf, size);
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
