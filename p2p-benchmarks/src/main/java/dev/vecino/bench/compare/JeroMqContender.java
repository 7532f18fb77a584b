package dev.vecino.bench.compare;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * JeroMQ (pure-Java ZeroMQ): PUSH/PULL for one-way, REQ/REP for ping-pong, DEALER to a ROUTER
 * echo for the open loop. ZMTP frames are length-prefixed and the receiver gets whole
 * messages. JeroMQ needs a few seconds of JIT warm-up: the runner gives it at least 3 s.
 */
final class JeroMqContender implements Contender {

  private static final int RECV_TIMEOUT_MS = 200;

  @Override
  public Result oneWay(int size, Duration warmup, Duration measure) throws Exception {
    try (ZContext ctx = new ZContext()) {
      ZMQ.Socket pull = ctx.createSocket(SocketType.PULL);
      pull.setReceiveTimeOut(RECV_TIMEOUT_MS);
      int port = pull.bindToRandomPort("tcp://127.0.0.1");
      ZMQ.Socket push = ctx.createSocket(SocketType.PUSH);
      push.setLinger(0);
      push.setSendTimeOut(RECV_TIMEOUT_MS);
      push.connect("tcp://127.0.0.1:" + port);
      AtomicLong received = new AtomicLong();
      long stopAt = System.nanoTime() + warmup.toNanos() + measure.toNanos() + 300_000_000L;
      Thread reader = new Thread(() -> {
        while (System.nanoTime() - stopAt < 0) {
          byte[] m = pull.recv(0);
          if (m != null) {
            received.lazySet(received.get() + 1);
          }
        }
      }, "jeromq-pull");
      Thread writer = new Thread(() -> {
        byte[] payload = new byte[size];
        long n = 0;
        while ((++n & 255) != 0 || System.nanoTime() - stopAt < 0) {
          push.send(payload, 0);
        }
      }, "jeromq-push");
      reader.start();
      writer.start();
      Result rate = Timing.window(received::get, warmup, measure);
      writer.join(10_000);
      reader.join(10_000);
      return rate;
    }
  }

  @Override
  public Result pingPong(int size, Duration warmup, Duration measure) throws Exception {
    try (ZContext ctx = new ZContext()) {
      ZMQ.Socket rep = ctx.createSocket(SocketType.REP);
      rep.setReceiveTimeOut(RECV_TIMEOUT_MS);
      int port = rep.bindToRandomPort("tcp://127.0.0.1");
      ZMQ.Socket req = ctx.createSocket(SocketType.REQ);
      req.setLinger(0);
      req.setReceiveTimeOut(5000);
      req.connect("tcp://127.0.0.1:" + port);
      long stopAt = System.nanoTime() + warmup.toNanos() + measure.toNanos() + 2_000_000_000L;
      Thread echo = new Thread(() -> {
        while (System.nanoTime() - stopAt < 0) {
          byte[] m = rep.recv(0);
          if (m != null) {
            rep.send(m, 0);
          }
        }
      }, "jeromq-rep");
      echo.start();
      byte[] payload = new byte[size];
      long[] replies = {0};
      Histogram h = Timing.closedLoop(t -> {
        req.send(payload, 0);
        if (req.recv(0) == null) {
          throw new IllegalStateException("no reply within 5 s");
        }
        replies[0]++;
      }, () -> replies[0], warmup, measure);
      echo.join(10_000);
      return new Result().latency(h);
    }
  }

  @Override
  public Result openLoop(int size, double rate, Duration warmup, Duration measure)
      throws Exception {
    try (ZContext ctx = new ZContext()) {
      ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
      // Unbounded queues: a ROUTER drops at its high-water mark, and a lost echo is not a
      // latency. Overload then shows as latency, as it does for the other contenders.
      router.setSndHWM(0);
      router.setRcvHWM(0);
      router.setReceiveTimeOut(RECV_TIMEOUT_MS);
      int port = router.bindToRandomPort("tcp://127.0.0.1");
      ZMQ.Socket dealer = ctx.createSocket(SocketType.DEALER);
      dealer.setLinger(0);
      dealer.setSndHWM(0);
      dealer.setRcvHWM(0);
      dealer.setReceiveTimeOut(RECV_TIMEOUT_MS);
      dealer.connect("tcp://127.0.0.1:" + port);
      long stopAt = System.nanoTime() + warmup.toNanos() + measure.toNanos() + 6_000_000_000L;
      Thread echo = new Thread(() -> {
        while (System.nanoTime() - stopAt < 0) {
          byte[] id = router.recv(0);
          if (id != null) {
            byte[] body = router.recv(0);
            router.send(id, ZMQ.SNDMORE);
            router.send(body, 0);
          }
        }
      }, "jeromq-router");
      Histogram h = new Histogram(Timing.MAX_LATENCY_NANOS, 3);
      AtomicLong replies = new AtomicLong();
      long[] from = {Long.MAX_VALUE};
      // JeroMQ sockets are single-threaded: one thread sends and polls for replies in turn.
      echo.start();
      Timing.openLoop(t -> {
        // JeroMQ queues the array itself, without copying: each message needs its own.
        byte[] m = new byte[size];
        ByteBuffer.wrap(m).putLong(0, t);
        dealer.send(m, 0);
        drain(dealer, h, replies, from[0]);
      }, () -> {
        drain(dealer, h, replies, from[0]);
        return replies.get();
      }, rate, warmup, measure, v -> from[0] = v, () -> drain(dealer, h, replies, from[0]));
      echo.join(10_000);
      return new Result().latency(h).put("rate", rate)
          .note("one thread sends and polls replies (JeroMQ sockets are single-threaded);"
              + " replies may be seen up to ~50 µs late");
    }
  }

  private static void drain(ZMQ.Socket dealer, Histogram h, AtomicLong replies, long from) {
    byte[] m;
    while ((m = dealer.recv(ZMQ.DONTWAIT)) != null) {
      long now = System.nanoTime();
      long intended = ByteBuffer.wrap(m).getLong(0);
      if (intended >= from) {
        h.recordValue(Math.min(now - intended, Timing.MAX_LATENCY_NANOS));
      }
      replies.lazySet(replies.get() + 1);
    }
  }
}
