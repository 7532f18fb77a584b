package dev.vecino.bench.compare;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.SendStatus;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * {@code vecino-echo-client}: the example {@code echo-client} (closed loop, its default) against
 * the example {@code echo-server}, rewritten here against the public API because the benchmarks
 * depend on {@code p2p-core} only, not on {@code p2p-examples}. Same settings as the examples:
 * direct callbacks on both nodes (listeners on the I/O threads), {@code onMessage} listeners,
 * the server echoing {@code m.bytes()} with {@code trySend(peer, kind, bytes, 0, length)} (and,
 * if the queue is full, with {@code send(..., 1 s)}, which waits in the library), the client
 * sending the next message from its listener when the echo arrives (the same way), round trips
 * timed from each actual send.
 *
 * <p>Its reference is {@code echo-64/blocking-socket}: a blocking client and echo thread, the
 * same request and response sizes.
 */
final class EchoClientContender implements Contender {

  @Override
  public Result echo(int size, Duration warmup, Duration measure) throws Exception {
    AtomicReference<PeerNode> serverNode = new AtomicReference<>();
    PeerListener server = new PeerListener() {
      @Override
      public void onMessage(Message m) {
        byte[] bytes = m.bytes();
        PeerNode node = serverNode.get();
        if (node.trySend(m.sender(), m.kind(), bytes, 0, bytes.length) == SendStatus.QUEUE_FULL) {
          // As the example: waits in the library; a failure shows as a lost echo (the client's
          // latch times out and the case fails).
          node.send(m.sender(), m.kind(), bytes, Duration.ofSeconds(1));
        }
      }
    };
    ClientRun run = new ClientRun(size, warmup, measure);
    // Plaintext, as the blocking-socket echo it is compared with (`echo-client --plaintext`);
    // what TLS adds is TlsCases' to measure.
    try (PeerNode echo = PeerNode.builder().name("echo").bindAddress("127.0.0.1").port(0)
            .plaintext(true).directCallbacks(true).listener(server).build();
        PeerNode client = PeerNode.builder().name("echo-client").bindAddress("127.0.0.1")
            .plaintext(true).listen(false).directCallbacks(true).listener(run).build()) {
      serverNode.set(echo);
      echo.start();
      client.start();
      Peer peer = client.connect("127.0.0.1", echo.localAddress().getPort())
          .get(20, TimeUnit.SECONDS);
      return new Result().latency(run.execute(client, peer));
    }
  }

  /**
   * The client's side, as the example's {@code EchoRun} in its closed loop. {@link #execute}
   * runs on the benchmark thread and sends the first message; {@link #onMessage} runs on the
   * client's I/O thread, records each round trip and sends the next message.
   */
  private static final class ClientRun implements PeerListener {
    private final byte[] payload;
    private final Duration warmup;
    private final Duration measure;
    private final Histogram histogram = new Histogram(Timing.MAX_LATENCY_NANOS, 3);
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile PeerNode node;
    private volatile Peer peer;
    private volatile String failure;
    private volatile long measureFrom;
    private volatile long end;
    /** Written by the benchmark thread before the first send, then only on the I/O thread. */
    private volatile long sentAt;

    ClientRun(int size, Duration warmup, Duration measure) {
      this.payload = new byte[size];
      for (int i = 0; i < size; i++) {
        payload[i] = (byte) ('a' + i % 26);
      }
      this.warmup = warmup;
      this.measure = measure;
    }

    Histogram execute(PeerNode node, Peer peer) throws InterruptedException {
      this.node = node;
      this.peer = peer;
      long start = System.nanoTime();
      measureFrom = start + warmup.toNanos();
      end = measureFrom + measure.toNanos();
      // Volatile: the first send may be written by this thread itself, with no hand-off that
      // would publish plain fields to the I/O thread that reads them when the echo arrives.
      sentAt = System.nanoTime();
      send();
      if (!done.await(warmup.plus(measure).toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("echo lost: the echo-client loop stopped");
      }
      if (failure != null) {
        throw new IllegalStateException(failure);
      }
      return histogram;
    }

    @Override
    public void onMessage(Message m) {
      long now = System.nanoTime();
      if (m.size() != payload.length) {
        fail("echo has " + m.size() + " bytes, sent " + payload.length);
        return;
      }
      if (sentAt >= measureFrom) {
        histogram.recordValue(Math.min(now - sentAt, Timing.MAX_LATENCY_NANOS));
      }
      if (now >= end) {
        done.countDown();
        return;
      }
      sentAt = System.nanoTime();
      send();
    }

    private void send() {
      SendStatus s = node.trySend(peer, MessageKind.BINARY, payload, 0, payload.length);
      if (s == SendStatus.QUEUE_FULL) {
        node.send(peer, MessageKind.BINARY, payload, Duration.ofSeconds(5))
            .whenComplete((ok, e) -> {
              if (e != null) {
                fail("send: " + e);
              }
            });
      } else if (s == SendStatus.CLOSED) {
        fail("trySend: " + s);
      }
    }

    private void fail(String why) {
      if (failure == null) {
        failure = why;
      }
      done.countDown();
    }
  }
}
