package dev.vecino.bench.compare;

import dev.vecino.bench.AllocProbe;
import dev.vecino.bench.EchoListener;
import dev.vecino.bench.Loopback;
import dev.vecino.bench.MessageCounter;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * Vecino: two {@link PeerNode}s on loopback; the sender uses {@code trySend} (retrying on
 * {@code QUEUE_FULL}), the receiver counts in its listener. {@code direct} runs listeners on the
 * I/O thread; otherwise the default callback executor is used.
 */
final class VecinoContender implements Contender {

  private final boolean direct;

  VecinoContender(boolean direct) {
    this.direct = direct;
  }

  @Override
  public Result oneWay(int size, Duration warmup, Duration measure) throws Exception {
    MessageCounter counter = new MessageCounter();
    try (PeerNode receiver = Loopback.builder("receiver", direct, counter).build().start();
        PeerNode sender = Loopback.builder("sender", direct, new PeerListener() { })
            .build().start()) {
      Peer peer = Loopback.connect(sender, receiver);
      byte[] payload = new byte[size];
      AtomicLong sent = new AtomicLong();
      AtomicLong full = new AtomicLong();
      // Stopped by interrupt after the window; the deadline is only a safety net, far enough
      // that the thread is alive when the allocation counters are read.
      long stopAt = System.nanoTime() + warmup.toNanos() + measure.toNanos() + 60_000_000_000L;
      String sid = sender.identity().id().shortId();
      String rid = receiver.identity().id().shortId();
      Thread[] senderThread = new Thread[1];
      senderThread[0] = new Thread(() -> {
        long n = 0;
        long f = 0;
        while (true) {
          f += Loopback.sendRetrying(sender, peer, payload);
          if ((++n & 1023) == 0) {
            sent.lazySet(n);
            full.lazySet(f);
            if (System.nanoTime() - stopAt > 0 || Thread.currentThread().isInterrupted()) {
              return;
            }
          }
        }
      }, "vecino-bench-sender");
      AllocProbe sendPath = new AllocProbe(
          t -> t == senderThread[0] || AllocProbe.nodeThreads(sid, sid).test(t));
      AllocProbe receivePath = new AllocProbe(AllocProbe.nodeThreads(rid, rid));
      senderThread[0].start();
      Timing.sleep(warmup);
      sendPath.begin();
      receivePath.begin();
      long n0 = counter.messages();
      long full0 = full.get();
      Result rate = Timing.window(counter::messages, Duration.ZERO, measure);
      long n = counter.messages() - n0;
      double sendAlloc = (double) sendPath.allocatedSinceBegin() / n;
      double receiveAlloc = (double) receivePath.allocatedSinceBegin() / n;
      double fullPerMsg = (double) (full.get() - full0) / n;
      senderThread[0].interrupt();
      senderThread[0].join(10_000);
      return rate.put("sendBytesPerMsg", sendAlloc).put("receiveBytesPerMsg", receiveAlloc)
          .put("queueFullPerMsg", fullPerMsg);
    }
  }

  @Override
  public Result pingPong(int size, Duration warmup, Duration measure) throws Exception {
    AtomicLong replies = new AtomicLong();
    EchoListener echoListener = new EchoListener();
    try (PeerNode echo = Loopback.builder("echo", direct, echoListener).build().start();
        PeerNode client = Loopback.builder("client", direct, new PeerListener() {
          @Override
          public void onMessage(Message m) {
            replies.lazySet(replies.get() + 1);
          }
        }).build().start()) {
      echoListener.node = echo;
      Peer peer = Loopback.connect(client, echo);
      byte[] payload = new byte[size];
      Histogram h = Timing.closedLoop(t -> Loopback.sendRetrying(client, peer, payload),
          replies::get, warmup, measure);
      return new Result().latency(h);
    }
  }

  @Override
  public Result openLoop(int size, double rate, Duration warmup, Duration measure)
      throws Exception {
    AtomicLong replies = new AtomicLong();
    Histogram h = new Histogram(Timing.MAX_LATENCY_NANOS, 3);
    long[] from = {Long.MAX_VALUE};
    EchoListener echoListener = new EchoListener();
    try (PeerNode echo = Loopback.builder("echo", direct, echoListener).build().start();
        PeerNode client = Loopback.builder("client", direct, new PeerListener() {
          @Override
          public void onMessage(Message m) {
            long now = System.nanoTime();
            long intended = m.payload().getLong(0);
            if (intended >= from[0]) {
              h.recordValue(Math.min(now - intended, Timing.MAX_LATENCY_NANOS));
            }
            replies.lazySet(replies.get() + 1);
          }
        }).build().start()) {
      echoListener.node = echo;
      Peer peer = Loopback.connect(client, echo);
      ByteBuffer payload = ByteBuffer.allocate(size);
      LongConsumer setFrom = v -> from[0] = v;
      Timing.openLoop(t -> {
        payload.putLong(0, t);
        Loopback.sendRetrying(client, peer, payload);
      }, replies::get, rate, warmup, measure, setFrom);
      return new Result().latency(h).put("rate", rate);
    }
  }
}
