package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PeerNode#trySendMore} and {@link PeerNode#flush}: corked messages arrive whole, once,
 * in per-peer order with the peer's other sends, whether a flush, a later send, the backstop
 * timer or a close makes them leave. Real loopback sockets on 127.0.0.1.
 */
@Timeout(60)
class SendMoreTest {

  /** How long a sender may retry a full queue before the test fails. */
  private static final long SEND_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(20);

  /**
   * Checks streams of {stream, seq} messages: per stream, sequence numbers must arrive as
   * 0, 1, 2, ... with no gap, duplicate or reordering. Callbacks of one peer run in order on
   * one thread at a time; the counters are atomics so the test thread sees them.
   */
  private static final class Streams implements PeerListener {
    final ConcurrentHashMap<Long, AtomicLong> next = new ConcurrentHashMap<>();
    final AtomicLong total = new AtomicLong();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> disconnects = new CopyOnWriteArrayList<>();
    final int size;

    Streams(int size) {
      this.size = size;
    }

    @Override
    public void onMessage(Message m) {
      ByteBuffer b = m.payload();
      if (b.remaining() != size) {
        errors.add("message of " + b.remaining() + " bytes, want " + size);
        return;
      }
      long stream = b.getLong(b.position());
      long seq = b.getLong(b.position() + 8);
      for (int i = 16; i < size; i++) {
        if (b.get(b.position() + i) != fill(seq, i)) {
          if (errors.size() < 10) {
            errors.add("stream " + stream + " seq " + seq + ": byte " + i + " corrupted");
          }
          break;
        }
      }
      long want = next.computeIfAbsent(stream, k -> new AtomicLong()).getAndIncrement();
      if (seq != want && errors.size() < 10) {
        errors.add("stream " + stream + ": got seq " + seq + ", want " + want);
      }
      total.incrementAndGet();
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      disconnects.add(reason);
    }

    long received(long stream) {
      AtomicLong n = next.get(stream);
      return n == null ? 0 : n.get();
    }

    String state() {
      return "received " + total.get() + ", per stream " + next + ", errors " + errors;
    }
  }

  private static byte fill(long seq, int i) {
    return (byte) (seq * 7 + i);
  }

  /** Writes message {stream, seq} of {@code size} bytes (at least 16) into {@code a}. */
  private static void encode(byte[] a, long stream, long seq) {
    ByteBuffer.wrap(a).putLong(stream).putLong(seq);
    for (int i = 16; i < a.length; i++) {
      a[i] = fill(seq, i);
    }
  }

  /** Retries a non-blocking send while the queue is full, up to a deadline; returns its final status. */
  private static SendStatus retry(Supplier<SendStatus> send) {
    long deadline = System.nanoTime() + SEND_DEADLINE_NANOS;
    SendStatus s;
    while ((s = send.get()) == SendStatus.QUEUE_FULL) {
      assertTrue(System.nanoTime() - deadline < 0, "the queue stayed full for 20 s");
      Thread.yield();
    }
    return s;
  }

  /** A deterministic payload for message {@code index} of the mixed test. */
  private static byte[] payload(int index, int size) {
    byte[] a = new byte[size];
    for (int i = 0; i < size; i++) {
      a[i] = (byte) (index * 31 + i * 7 + (i >>> 8));
    }
    return a;
  }

  @Test
  void aCorkedStreamEndedByFlushArrivesWholeInOrderOnce() throws Exception {
    int count = 200_000;
    Streams rx = new Streams(64);
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", rx)) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      byte[] msg = new byte[64];
      for (long i = 0; i < count; i++) {
        encode(msg, 0, i);
        assertEquals(SendStatus.OK, retry(() -> a.trySendMore(p, MessageKind.BINARY, msg, 0, msg.length)));
      }
      a.flush(p);
      Await.until("all " + count + " corked messages", () -> rx.total.get() >= count, rx::state, Duration.ofSeconds(10));
      assertTrue(rx.errors.isEmpty(), rx.state());
      assertEquals(count, rx.total.get(), rx.state());
      assertEquals(count, rx.received(0));
      assertEquals(count, a.peers().get(0).snapshot().messagesOut());
      Await.until("the receiver counted them", () -> b.peers().get(0).snapshot().messagesIn() == count);
      assertEquals(0, p.queuedBytes(), "nothing may stay queued after a flush");
    }
  }

  @Test
  void mixedCorkedPlainAndFutureSendsKeepOrderAndContent() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int[] sizes = {0, 1, 100, 70_000, 200_000};
    List<byte[]> got = new CopyOnWriteArrayList<>();
    List<MessageKind> kinds = new CopyOnWriteArrayList<>();
    PeerListener l = new PeerListener() {
      @Override
      public void onMessage(Message m) {
        got.add(m.bytes());
        kinds.add(m.kind());
      }
    };
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", l)) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      List<byte[]> sent = new ArrayList<>();
      List<MessageKind> sentKinds = new ArrayList<>();
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      StringBuilder plan = new StringBuilder();
      int index = 0;
      for (int run = 0; run < 60; run++) {
        int mode = run % 3; // more, plain, future: every transition between modes happens
        int length = 1 + random.nextInt(12);
        plan.append("more,plain,send".split(",")[mode]).append('x').append(length).append(' ');
        for (int k = 0; k < length; k++, index++) {
          // The big sizes are rarer, so the run stays a few MB.
          int size = sizes[random.nextInt(10) < 7 ? random.nextInt(3) : 3 + random.nextInt(2)];
          byte[] m = payload(index, size);
          MessageKind kind = index % 5 == 0 ? MessageKind.TEXT : MessageKind.BINARY;
          sent.add(m);
          sentKinds.add(kind);
          switch (mode) {
            case 0 -> {
              // An offset into a bigger array: only the slice may leave.
              byte[] padded = new byte[size + 3];
              System.arraycopy(m, 0, padded, 2, size);
              assertEquals(SendStatus.OK, retry(() -> a.trySendMore(p, kind, padded, 2, size)));
            }
            case 1 -> assertEquals(SendStatus.OK, retry(() -> a.trySend(p, kind, m, 0, m.length)));
            default -> futures.add(a.send(p, kind, m, Duration.ofSeconds(20)));
          }
        }
      }
      int total = index;
      String why = "seed " + seed + ", plan " + plan;
      // No final flush: the last run decides. 60 runs end with a future send (prompt).
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
      Await.until("all " + total + " messages", () -> got.size() >= total, () -> got.size() + " of " + total + "; " + why,
          Duration.ofSeconds(10));
      assertEquals(total, got.size(), why);
      for (int i = 0; i < total; i++) {
        int at = i;
        assertArrayEquals(sent.get(i), got.get(i), () -> "message " + at + " (" + sent.get(at).length + " B); " + why);
        assertEquals(sentKinds.get(i), kinds.get(i), "kind of message " + i + "; " + why);
      }
      assertTrue(futures.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
    }
  }

  @Test
  void corkedMessagesNobodyFlushesStillArrive() throws Exception {
    Streams small = new Streams(64);
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", small)) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      byte[] msg = new byte[64];
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        encode(msg, 0, i);
        assertEquals(SendStatus.OK, a.trySendMore(p, msg));
      }
      // No flush, no later send: only the backstop timer can make them leave.
      Await.until("ten corked messages", () -> small.total.get() >= 10, small::state, Duration.ofSeconds(5));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(small.errors.isEmpty(), small.state());
      assertEquals(10, small.total.get());
      assertTrue(tookMs < 2_000, "corked messages took " + tookMs + " ms; the backstop is ~1 ms");
      Await.until("the queue empties", () -> p.queuedBytes() == 0);
    }
  }

  @Test
  void aFloodOfPlainSendsIsBatchedYetArrivesWholeInOrderTailIncluded() throws Exception {
    // 300,000 plain sends of 64 B from one thread outpace the writer by far more than a batch:
    // the queue corks them as a flood. Nobody flushes: the tail must leave by the backstop.
    int n = 300_000;
    Streams small = new Streams(64);
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", small)) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      byte[] msg = new byte[64];
      for (int i = 0; i < n; i++) {
        encode(msg, 0, i);
        assertEquals(SendStatus.OK, retry(() -> a.trySend(p, msg)));
      }
      Await.until("every flooded message", () -> small.total.get() >= n, small::state, Duration.ofSeconds(20));
      assertTrue(small.errors.isEmpty(), small.state());
      assertEquals(n, small.received(0));
      Await.until("the queue empties", () -> p.queuedBytes() == 0);
      // After the flood, one more plain send on an idle connection leaves at once, no backstop.
      encode(msg, 0, n);
      assertEquals(SendStatus.OK, a.trySend(p, msg));
      Await.until("the send after the flood", () -> small.total.get() > n, small::state, Duration.ofSeconds(5));
      assertEquals(n + 1, small.received(0));
    }
  }

  @Test
  void theShortTailOfABatchNobodyFlushesStillArrives() throws Exception {
    // Three 50,000 B messages pass one batch (2 x 65,483 B on loopback): the sender writes two
    // whole segments itself; the short remainder must then leave by the backstop.
    Streams big = new Streams(50_000);
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", big)) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      for (int round = 0; round < 5; round++) {
        byte[] msg = new byte[50_000];
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
          encode(msg, 0, round * 3L + i);
          assertEquals(SendStatus.OK, a.trySendMore(p, msg));
        }
        long want = round * 3L + 3;
        Await.until("round " + round + ": three 50 kB corked messages", () -> big.total.get() >= want, big::state,
            Duration.ofSeconds(5));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMs < 2_000, "round " + round + " took " + tookMs + " ms");
      }
      assertTrue(big.errors.isEmpty(), big.state());
      assertEquals(15, big.total.get());
    }
  }

  @Test
  void aSingleCorkedMessageFollowedByFlushArrives() throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    try (PeerNode a = Nodes.start("a", new Recorder());
         PeerNode b = Nodes.local("b").onMessage(m -> got.add(m.kind() + ":" + m.text())).build().start()) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) {
        byte[] text = ("uno " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long start = System.nanoTime();
        assertEquals(SendStatus.OK, a.trySendMore(p, MessageKind.TEXT, text, 0, text.length));
        a.flush(p);
        int want = i + 1;
        Await.until("message " + i, () -> got.size() >= want, got::toString, Duration.ofSeconds(2));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMs < 1_000, "a flushed message took " + tookMs + " ms");
        assertEquals("TEXT:uno " + i, got.get(i));
        // The writer counts its bytes right after its write returns: the peer may be faster.
        Await.until("queue drained", () -> p.queuedBytes() == 0);
      }
      // A flush with nothing queued is cheap and harmless.
      a.flush(p);
      a.flush(p);
      assertEquals(20, got.size());
    }
  }

  @Test
  void severalThreadsStreamingCorkedKeepEachThreadsOrder() throws Exception {
    int threads = 4;
    int perThread = 50_000;
    Streams rx = new Streams(48);
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", rx)) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long stream = t;
        CompletableFuture<Void> f = new CompletableFuture<>();
        done.add(f);
        Thread th = new Thread(() -> {
          try {
            go.await();
            byte[] msg = new byte[48];
            for (long i = 0; i < perThread; i++) {
              encode(msg, stream, i);
              SendStatus s = retry(() -> a.trySendMore(p, msg));
              if (s != SendStatus.OK) {
                throw new AssertionError("thread " + stream + " message " + i + ": " + s);
              }
              if (i % 10_007 == 0) {
                // A flush in the middle of other threads' corked frames.
                a.flush(p);
              }
            }
            a.flush(p);
            f.complete(null);
          } catch (Throwable e) {
            f.completeExceptionally(e);
          }
        }, "test-sender-" + t);
        th.start();
      }
      go.countDown();
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      long want = (long) threads * perThread;
      Await.until("all " + want + " messages", () -> rx.total.get() >= want, rx::state, Duration.ofSeconds(10));
      assertTrue(rx.errors.isEmpty(), rx.state());
      assertEquals(want, rx.total.get());
      for (long t = 0; t < threads; t++) {
        assertEquals(perThread, rx.received(t), "thread " + t + ": " + rx.state());
      }
    }
  }

  @Test
  void closeRightAfterACorkedBurstDeliversItThenRefuses() throws Exception {
    int count = 50_000;
    Streams rx = new Streams(64);
    PeerNode a = Nodes.start("a", new Recorder());
    try (PeerNode b = Nodes.start("b", rx)) {
      Peer p;
      try {
        p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
        byte[] msg = new byte[64];
        for (long i = 0; i < count; i++) {
          encode(msg, 0, i);
          assertEquals(SendStatus.OK, retry(() -> a.trySendMore(p, msg)));
        }
      } finally {
        // No flush: close must write what is queued, corked or not, then BYE.
        a.close();
      }
      byte[] late = new byte[64];
      assertEquals(SendStatus.CLOSED, a.trySendMore(p, late));
      assertEquals(SendStatus.CLOSED, a.trySendMore(p, ByteBuffer.wrap(late)));
      assertEquals(SendStatus.CLOSED, a.trySendMore(p, MessageKind.TEXT, late, 0, 1));
      assertDoesNotThrow(() -> a.flush(p));
      Await.until("the peer sees the close", () -> rx.disconnects.size() == 1, rx::state, Duration.ofSeconds(5));
      assertEquals(DisconnectReason.Kind.CLOSED_BY_PEER, rx.disconnects.get(0).kind(), rx.disconnects.toString());
      assertTrue(rx.errors.isEmpty(), rx.state());
      assertEquals(count, rx.total.get(), "every message queued before close() arrives before the BYE");
    }
  }

  /**
   * close() from another thread while a sender streams corked frames: every frame the sender
   * had queued (status OK) must reach the peer before the BYE, whichever thread is writing when
   * the close comes. Several rounds, since the race needs the sender to hold the write turn
   * when the close comes; early in a stream (small buffers, so a batch's tail is written alone)
   * it is most likely.
   */
  @Test
  void closeWhileAnotherThreadStreamsCorkedDeliversEveryAcceptedMessage() throws Exception {
    for (int round = 0; round < 12; round++) {
      Streams rx = new Streams(64);
      try (PeerNode b = Nodes.start("b", rx); PeerNode a = Nodes.start("a", new Recorder())) {
        Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
        AtomicLong accepted = new AtomicLong();
        CompletableFuture<SendStatus> last = new CompletableFuture<>();
        boolean plain = round % 3 == 2;
        Thread sender = new Thread(() -> {
          try {
            byte[] msg = new byte[64];
            long deadline = System.nanoTime() + SEND_DEADLINE_NANOS;
            SendStatus s;
            for (long i = 0; ; ) {
              encode(msg, 0, i);
              // Mostly corked; every 64th plain, so prompt and corked bytes mix.
              s = plain && i % 64 == 63 ? a.trySend(p, msg) : a.trySendMore(p, msg);
              if (s == SendStatus.OK) {
                accepted.set(++i);
              } else if (s == SendStatus.CLOSED) {
                break;
              } else if (System.nanoTime() - deadline > 0) {
                break;
              } else {
                Thread.yield();
              }
            }
            last.complete(s);
          } catch (Throwable e) {
            last.completeExceptionally(e);
          }
        }, "test-streamer");
        sender.start();
        long under = 20_000 + 2_000L * round;
        Await.until("the stream is under way", () -> accepted.get() > under);
        a.close();
        assertEquals(SendStatus.CLOSED, last.get(10, TimeUnit.SECONDS));
        long sent = accepted.get();
        String what = "round " + round + (plain ? " (corked and plain)" : " (corked)") + ": accepted " + sent;
        Await.until(what + ", the peer sees the close", () -> rx.disconnects.size() == 1, rx::state,
            Duration.ofSeconds(5));
        assertTrue(rx.errors.isEmpty(), what + "; " + rx.state());
        assertEquals(sent, rx.total.get(), what + "; " + rx.state() + "; " + rx.disconnects);
        assertEquals(DisconnectReason.Kind.CLOSED_BY_PEER, rx.disconnects.get(0).kind(), what + "; " + rx.disconnects);
      }
    }
  }

  @Test
  void flushOnADisconnectedPeerDoesNothingAndOnAnotherNodesPeerThrows() throws Exception {
    Recorder rx = new Recorder();
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", rx);
         PeerNode c = Nodes.start("c", new Recorder())) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      for (int i = 0; i < 3; i++) {
        assertEquals(SendStatus.OK, a.trySendMore(p, MessageKind.TEXT, ("m" + i).getBytes(), 0, 2));
      }
      // disconnect() writes the corked messages, then BYE.
      a.disconnect(p).get(5, TimeUnit.SECONDS);
      Await.until("the peer sees the disconnect", () -> rx.disconnects.size() == 1);
      assertEquals(List.of("m0", "m1", "m2"), rx.texts());
      assertEquals(PeerState.CLOSED, p.state());
      assertDoesNotThrow(() -> a.flush(p));
      assertEquals(SendStatus.CLOSED, a.trySendMore(p, new byte[8]));
      assertDoesNotThrow(() -> a.flush(p));

      Peer atC = c.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.flush(atC));
      assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> a.trySendMore(atC, new byte[1]));
      assertThrows(NullPointerException.class, () -> a.flush(null));
    }
  }

  @Test
  void aFullQueueRefusesCorkedSendsAndAllQueuedArriveAfterTheReceiverResumes() throws Exception {
    int bound = 64 * 1024;
    int size = 1000;
    CountDownLatch release = new CountDownLatch(1);
    Streams rx = new Streams(size);
    PeerListener paused = new PeerListener() {
      @Override
      public void onMessage(Message m) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        rx.onMessage(m);
      }
    };
    try (PeerNode b = Nodes.local("b").maxUndeliveredBytes(bound).listener(paused).build().start();
         PeerNode a = Nodes.local("a").maxQueuedBytes(bound).build().start()) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      byte[] msg = new byte[size];
      long sent = 0;
      long full = 0;
      long refusedInARow = 0;
      long maxQueued = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      // Fill the receiver's bound, both kernel buffers and our queue: then QUEUE_FULL, again and
      // again, since nothing drains while the listener is paused.
      while (refusedInARow < 5_000) {
        encode(msg, 0, sent);
        SendStatus s = a.trySendMore(p, msg);
        if (s == SendStatus.OK) {
          sent++;
          refusedInARow = 0;
        } else {
          assertEquals(SendStatus.QUEUE_FULL, s);
          full++;
          refusedInARow++;
          assertTrue(System.nanoTime() - deadline < 0, "sending took too long: " + sent + " sent, " + full + " refused");
          Thread.yield();
        }
        maxQueued = Math.max(maxQueued, p.queuedBytes());
      }
      System.out.println("SENDMORE paused receiver: " + sent + " messages of " + size + " B queued before the queue stayed full ("
          + full + " refusals, max queued " + maxQueued + " B, bound " + bound + " B)");
      assertTrue(maxQueued <= bound, "queued " + maxQueued + " > bound " + bound);
      assertTrue(sent * size > bound, "only " + sent + " messages before the queue filled");
      assertEquals(0, rx.total.get(), "the paused listener returned");
      assertEquals(PeerState.CONNECTED, p.state());
      long want = sent;
      release.countDown();
      // No flush: the last frames were corked; the queue drains as the socket does, and the
      // backstop takes the remainder.
      Await.until("all " + want + " queued messages", () -> rx.total.get() >= want, rx::state, Duration.ofSeconds(10));
      assertTrue(rx.errors.isEmpty(), rx.state());
      assertEquals(want, rx.total.get());
      Await.until("the queue empties", () -> p.queuedBytes() == 0);
      // And the queue takes corked messages again.
      encode(msg, 0, want);
      assertEquals(SendStatus.OK, a.trySendMore(p, msg));
      a.flush(p);
      Await.until("one more", () -> rx.total.get() == want + 1, rx::state, Duration.ofSeconds(5));
      assertTrue(rx.errors.isEmpty(), rx.state());
    }
  }

  @Test
  void bufferAndSliceVariantsSendExactlyTheirBytesAndCheckBounds() throws Exception {
    List<Message> got = new CopyOnWriteArrayList<>();
    try (PeerNode a = Nodes.start("a", new Recorder());
         PeerNode b = Nodes.local("b").onMessage(got::add).build().start()) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      byte[] array = new byte[32];
      for (int i = 0; i < array.length; i++) {
        array[i] = (byte) (100 + i);
      }
      ByteBuffer heap = ByteBuffer.wrap(array).position(3).limit(20);
      assertEquals(SendStatus.OK, a.trySendMore(p, heap));
      assertEquals(3, heap.position());
      assertEquals(20, heap.limit());
      ByteBuffer direct = ByteBuffer.allocateDirect(16).put(array, 0, 16).flip().position(5);
      assertEquals(SendStatus.OK, a.trySendMore(p, direct.asReadOnlyBuffer()));
      assertEquals(SendStatus.OK, a.trySendMore(p, direct));
      assertEquals(5, direct.position());
      assertEquals(16, direct.limit());

      byte[] slice = java.util.Arrays.copyOfRange(array, 7, 12);
      assertThrows(IndexOutOfBoundsException.class, () -> a.trySendMore(p, MessageKind.BINARY, array, -1, 2));
      assertThrows(IndexOutOfBoundsException.class, () -> a.trySendMore(p, MessageKind.BINARY, array, 0, -1));
      assertThrows(IndexOutOfBoundsException.class, () -> a.trySendMore(p, MessageKind.BINARY, array, 30, 3));
      assertThrows(IndexOutOfBoundsException.class, () -> a.trySendMore(p, MessageKind.BINARY, array, 33, 0));
      assertThrows(IndexOutOfBoundsException.class,
          () -> a.trySendMore(p, MessageKind.BINARY, array, Integer.MAX_VALUE, 2));
      assertEquals(SendStatus.OK, a.trySendMore(p, MessageKind.CALL, array, 7, 5));
      assertEquals(SendStatus.OK, a.trySendMore(p, MessageKind.BINARY, array, 32, 0));
      a.flush(p);

      Await.until("five messages", () -> got.size() >= 5, got::toString, Duration.ofSeconds(5));
      assertEquals(5, got.size(), "a refused slice must queue nothing: " + got);
      assertArrayEquals(java.util.Arrays.copyOfRange(array, 3, 20), got.get(0).bytes());
      assertArrayEquals(java.util.Arrays.copyOfRange(array, 5, 16), got.get(1).bytes());
      assertArrayEquals(java.util.Arrays.copyOfRange(array, 5, 16), got.get(2).bytes());
      assertEquals(MessageKind.CALL, got.get(3).kind());
      assertArrayEquals(slice, got.get(3).bytes());
      assertEquals(0, got.get(4).size());
      assertEquals(MessageKind.BINARY, got.get(4).kind());
    }
  }
}
