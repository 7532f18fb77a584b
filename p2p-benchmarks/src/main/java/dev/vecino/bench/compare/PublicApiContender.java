package dev.vecino.bench.compare;

import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.PayloadListener;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.SendStatus;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * {@code vecino-public-api}: ping-pong written as an application would write it, against the
 * exported package {@code dev.vecino.p2p} only, without the benchmarks' own helpers
 * ({@code Loopback}, {@code EchoListener}, {@code MessageCounter}): what a user who copies
 * this class gets.
 *
 * <p>Both nodes run direct callbacks ({@code directCallbacks(true)}) and receive through the
 * zero-copy {@code onPayload}. The echo node answers from its listener on its I/O thread with
 * {@code trySend(peer, ByteBuffer)}; the client's listener counts replies. The benchmark thread
 * sends each ping with {@code trySend} and waits for the reply by the same spin-then-yield loop
 * as every closed-loop case ({@link Timing#closedLoop}), so the ratio to the blocking socket
 * compares the libraries, not the waits.
 */
final class PublicApiContender implements Contender {

  @Override
  public Result pingPong(int size, Duration warmup, Duration measure) throws Exception {
    AtomicReference<PeerNode> echoNode = new AtomicReference<>();
    AtomicReference<SendStatus> echoFailure = new AtomicReference<>();
    PeerListener echo = new PayloadListener() {
      @Override
      public void onPayload(Peer sender, MessageKind kind, ByteBuffer payload) {
        // One message in flight: the queue is never full; anything but OK is a failure.
        SendStatus s = echoNode.get().trySend(sender, payload);
        if (s != SendStatus.OK) {
          echoFailure.compareAndSet(null, s);
        }
      }
    };
    AtomicLong replies = new AtomicLong();
    PeerListener pong = new PayloadListener() {
      @Override
      public void onPayload(Peer sender, MessageKind kind, ByteBuffer payload) {
        // One writer (the client's I/O thread): a plain read and an ordered store.
        replies.lazySet(replies.get() + 1);
      }
    };
    // Plaintext, as the blocking socket it is compared with; what TLS adds is TlsCases' to measure.
    try (PeerNode server = PeerNode.builder().name("echo").bindAddress("127.0.0.1").port(0)
            .plaintext(true).directCallbacks(true).listener(echo).build();
        PeerNode client = PeerNode.builder().name("client").bindAddress("127.0.0.1")
            .plaintext(true).listen(false).directCallbacks(true).listener(pong).build()) {
      echoNode.set(server);
      server.start();
      client.start();
      Peer peer = client.connect("127.0.0.1", server.localAddress().getPort())
          .get(20, TimeUnit.SECONDS);
      byte[] payload = new byte[size];
      Histogram h;
      try {
        h = Timing.closedLoop(t -> {
          SendStatus s = client.trySend(peer, payload);
          if (s != SendStatus.OK) {
            throw new IllegalStateException("trySend: " + s);
          }
        }, replies::get, warmup, measure);
      } catch (IllegalStateException e) {
        SendStatus s = echoFailure.get();
        throw s == null ? e : new IllegalStateException("echo's trySend: " + s, e);
      }
      return new Result().latency(h);
    }
  }
}
