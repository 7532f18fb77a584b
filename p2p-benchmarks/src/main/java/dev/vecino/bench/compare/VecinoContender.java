package dev.vecino.bench.compare;

import dev.vecino.bench.EchoListener;
import dev.vecino.bench.Loopback;
import dev.vecino.bench.MessageCounter;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * Vecino: two {@link PeerNode}s on loopback; the sender uses {@code trySend} (or, in
 * {@code more} mode, {@code trySendMore}; on {@code QUEUE_FULL} it waits for writability and
 * retries), the receiver counts in its listener. {@code direct} runs listeners on the
 * I/O thread; otherwise the default callback executor is used. Variants: the receiver counts
 * through {@code onMessage} (an owned {@code Message} per message, what most code uses) or
 * through the zero-copy {@code onPayload}; ping-pong is driven by the benchmark thread (send,
 * wait for the echo) or, in {@code polling} mode, by the client's listener on its I/O thread
 * with {@code busyPoll} on both nodes, the way a latency-sensitive direct-mode application runs.
 */
final class VecinoContender implements Contender {

  /** Busy polling of the {@code polling} variant: long enough to span a loopback round trip. */
  static final Duration BUSY_POLL = Duration.ofNanos(50_000);

  private final boolean direct;
  private final boolean payloadListener;
  private final boolean polling;
  private final boolean more;
  private final boolean tls;

  VecinoContender(boolean direct) {
    this(direct, false, false, false);
  }

  /**
   * @param direct listeners on the I/O thread
   * @param payloadListener the receiver counts through {@code onPayload}
   * @param polling ping-pong driven by the client's listener, with {@code busyPoll}
   * @param more one-way with {@code trySendMore} (corked streaming) instead of {@code trySend}
   */
  VecinoContender(boolean direct, boolean payloadListener, boolean polling, boolean more) {
    this(direct, payloadListener, polling, more, false);
  }

  /** As the constructor above; {@code tls}: secure nodes (TLS 1.3), else plaintext ones. */
  VecinoContender(boolean direct, boolean payloadListener, boolean polling, boolean more, boolean tls) {
    this.direct = direct;
    this.payloadListener = payloadListener;
    this.polling = polling;
    this.more = more;
    this.tls = tls;
  }

  private PeerNodeBuilder node(String name, boolean direct, PeerListener listener) {
    return Loopback.builder(name, direct, listener).plaintext(!tls);
  }

  @Override
  public Result oneWay(int size, Duration warmup, Duration measure) throws Exception {
    MessageCounter counter = payloadListener ? MessageCounter.zeroCopy() : new MessageCounter();
    MessageCounter senderEvents = new MessageCounter();
    java.util.function.LongSupplier counted = counter::messages;
    try (PeerNode receiver = node("receiver", direct, counter).build().start();
        PeerNode sender = node("sender", direct, senderEvents).build().start()) {
      Peer peer = connect(sender, receiver, senderEvents, counter);
      byte[] payload = new byte[size];
      AtomicLong sent = new AtomicLong();
      AtomicLong full = new AtomicLong();
      // Stopped by interrupt after the window; the deadline is only a safety net, far enough
      // that the thread is alive when the allocation counters are read.
      long stopAt = System.nanoTime() + warmup.toNanos() + measure.toNanos() + 60_000_000_000L;
      Thread senderThread = new Thread(() -> {
        long n = 0;
        long f = 0;
        while (true) {
          f += more ? Loopback.sendMoreRetrying(sender, peer, payload)
              : Loopback.sendRetrying(sender, peer, payload);
          if ((++n & 1023) == 0) {
            sent.lazySet(n);
            full.lazySet(f);
            if (System.nanoTime() - stopAt > 0 || Thread.currentThread().isInterrupted()) {
              return;
            }
          }
        }
      }, "vecino-bench-sender");
      AllocSplit alloc = new AllocSplit(senderThread, sender, receiver, senderEvents, counter,
          direct);
      senderThread.start();
      Timing.sleep(warmup);
      alloc.begin();
      long n0 = counted.getAsLong();
      long full0 = full.get();
      Result rate = Timing.window(counted, Duration.ZERO, measure);
      long n = counted.getAsLong() - n0;
      alloc.put(rate, n);
      double fullPerMsg = (double) (full.get() - full0) / n;
      senderThread.interrupt();
      senderThread.join(10_000);
      return rate.put("queueFullPerMsg", fullPerMsg);
    }
  }

  /**
   * Sends one message, waits until the receiver counted it, repeats: no flood, so every
   * {@code trySend} finds an idle connection. The sending thread is this one; it waits by
   * spinning, then yielding, and allocates nothing itself while it sends and waits.
   */
  @Override
  public Result idle(int size, Duration warmup, Duration measure) throws Exception {
    if (more) {
      throw new UnsupportedOperationException("the idle path is measured for trySend");
    }
    MessageCounter counter = payloadListener ? MessageCounter.zeroCopy() : new MessageCounter();
    MessageCounter senderEvents = new MessageCounter();
    java.util.function.LongSupplier counted = counter::messages;
    try (PeerNode receiver = node("receiver", direct, counter).build().start();
        PeerNode sender = node("sender", direct, senderEvents).build().start()) {
      Peer peer = connect(sender, receiver, senderEvents, counter);
      byte[] payload = new byte[size];
      AllocSplit alloc = new AllocSplit(Thread.currentThread(), sender, receiver, senderEvents,
          counter, direct);
      long warmEnd = System.nanoTime() + warmup.toNanos();
      sendOneByOne(sender, peer, payload, counted, warmEnd);
      // Read before the window opens: the first reading loads classes on this, the sending, thread.
      long cpu0 = Timing.processCpuNanos();
      Result r = new Result();
      alloc.begin();
      long n0 = counted.getAsLong();
      long t0 = System.nanoTime();
      sendOneByOne(sender, peer, payload, counted, t0 + measure.toNanos());
      long t1 = System.nanoTime();
      long n = counted.getAsLong() - n0;
      alloc.put(r, n);
      return r.put("msgsPerSec", n * 1e9 / (t1 - t0))
          .put("cpuNsPerMsg", (double) (Timing.processCpuNanos() - cpu0) / n);
    }
  }

  private static void sendOneByOne(PeerNode sender, Peer peer, byte[] payload,
      java.util.function.LongSupplier counted, long until) {
    long expected = counted.getAsLong();
    while (System.nanoTime() - until < 0) {
      Loopback.sendRetrying(sender, peer, payload);
      expected++;
      if (!Timing.awaitAtLeast(counted, expected, System.nanoTime() + 5_000_000_000L)) {
        throw new IllegalStateException("message " + expected + " not received in 5 s");
      }
    }
  }

  /** Connects and waits until both listeners saw {@code onConnected} (their threads known). */
  private static Peer connect(PeerNode sender, PeerNode receiver, MessageCounter senderEvents,
      MessageCounter receiverEvents) {
    Peer peer = Loopback.connect(sender, receiver);
    Loopback.await(() -> senderEvents.callbackThread() != null
        && receiverEvents.callbackThread() != null, "onConnected on both nodes");
    return peer;
  }

  @Override
  public Result pingPong(int size, Duration warmup, Duration measure) throws Exception {
    if (polling) {
      return pingPongFromListener(size, warmup, measure);
    }
    AtomicLong replies = new AtomicLong();
    EchoListener echoListener = new EchoListener();
    try (PeerNode echo = node("echo", direct, echoListener).build().start();
        PeerNode client = node("client", direct, new PeerListener() {
          @Override
          public void onMessage(Message m) {
            replies.lazySet(replies.get() + 1);
          }
        }).build().start()) {
      echoListener.node = echo;
      Peer peer = Loopback.connect(client, echo);
      byte[] payload = new byte[size];
      long cpu0 = Timing.processCpuNanos();
      long replies0 = replies.get();
      Histogram h = Timing.closedLoop(t -> Loopback.sendRetrying(client, peer, payload),
          replies::get, warmup, measure);
      // Both nodes' CPU per round trip, warm-up included (the histogram counts the window only).
      double cpu = (double) (Timing.processCpuNanos() - cpu0) / Math.max(1, replies.get() - replies0);
      return new Result().latency(h).put("cpuNsPerRoundTrip", cpu);
    }
  }

  /**
   * Closed-loop ping-pong driven by the client's listener: each echo, on the client's I/O
   * thread, records its round trip and sends the next ping. Both nodes poll for 50 µs before
   * sleeping, so only the two I/O threads run, as with a blocking client and server.
   */
  private Result pingPongFromListener(int size, Duration warmup, Duration measure)
      throws Exception {
    Histogram h = new Histogram(Timing.MAX_LATENCY_NANOS, 3);
    byte[] payload = new byte[size];
    long[] sentAt = new long[1];
    long[] window = new long[2];
    PeerNode[] clientNode = new PeerNode[1];
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    EchoListener echoListener = new EchoListener();
    PeerListener pinger = new dev.vecino.p2p.PayloadListener() {
      @Override
      public void onPayload(Peer sender, dev.vecino.p2p.MessageKind kind, ByteBuffer reply) {
        long now = System.nanoTime();
        if (sentAt[0] >= window[0]) {
          h.recordValue(Math.min(now - sentAt[0], Timing.MAX_LATENCY_NANOS));
        }
        if (now >= window[1]) {
          done.countDown();
          return;
        }
        sentAt[0] = System.nanoTime();
        Loopback.sendRetrying(clientNode[0], sender, payload);
      }
    };
    try (PeerNode echo = node("echo", true, echoListener).busyPoll(BUSY_POLL)
            .build().start();
        PeerNode client = node("client", true, pinger).busyPoll(BUSY_POLL)
            .build().start()) {
      echoListener.node = echo;
      clientNode[0] = client;
      Peer peer = Loopback.connect(client, echo);
      long start = System.nanoTime();
      window[0] = start + warmup.toNanos();
      window[1] = window[0] + measure.toNanos();
      sentAt[0] = System.nanoTime();
      Loopback.sendRetrying(client, peer, payload);
      if (!done.await(warmup.plus(measure).toMillis() + 10_000,
          java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("echo lost: the listener-driven ping-pong stopped");
      }
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
    Duration poll = polling ? BUSY_POLL : Duration.ZERO;
    try (PeerNode echo = node("echo", direct, echoListener).busyPoll(poll).build().start();
        PeerNode client = node("client", direct, new PeerListener() {
          @Override
          public void onMessage(Message m) {
            long now = System.nanoTime();
            long intended = m.payload().getLong(0);
            if (intended >= from[0]) {
              h.recordValue(Math.min(now - intended, Timing.MAX_LATENCY_NANOS));
            }
            replies.lazySet(replies.get() + 1);
          }
        }).busyPoll(poll).build().start()) {
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
