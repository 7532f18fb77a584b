package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PayloadListener#onPayload}: borrowed, zero-based, read-only payloads, in order, in both
 * callback modes; listeners of both styles on one node; and the order of messages against
 * the disconnect event now that a read's messages are handed over as one batch.
 */
@Timeout(60)
class PayloadListenerTest {

  /** Copies each borrowed payload (as a user must) and records what the view looked like. */
  static final class PayloadRecorder implements PayloadListener {
    final List<byte[]> payloads = new CopyOnWriteArrayList<>();
    final List<MessageKind> kinds = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile boolean messageCalled;

    @Override
    public void onPayload(Peer sender, MessageKind kind, ByteBuffer payload) {
      if (payload.position() != 0) {
        problems.add("position " + payload.position());
      }
      if (!payload.isReadOnly()) {
        problems.add("writable view");
      }
      if (payload.order() != ByteOrder.BIG_ENDIAN) {
        problems.add("order " + payload.order());
      }
      byte[] copy = new byte[payload.remaining()];
      payload.get(copy);
      payloads.add(copy);
      kinds.add(kind);
      events.add("payload");
      // Misbehave the way listeners do: the next message's view must not inherit this.
      payload.order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void onMessage(Message message) {
      messageCalled = true;
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      events.add("disconnected");
    }
  }

  private static byte[] numbered(int i, int size) {
    byte[] b = new byte[size];
    ByteBuffer.wrap(b).putInt(0, i);
    for (int k = 4; k < size; k++) {
      b[k] = (byte) (i + k);
    }
    return b;
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void borrowedPayloadsArriveInOrderZeroBasedAndReadOnly(boolean direct) throws Exception {
    PayloadRecorder rec = new PayloadRecorder();
    int n = 20_000;
    try (PeerNode rx = Nodes.local("rx").directCallbacks(direct).listener(rec).build().start();
        PeerNode tx = Nodes.local("tx").build().start()) {
      Peer peer = tx.connect(rx.localAddress()).get(5, TimeUnit.SECONDS);
      for (int i = 0; i < n; i++) {
        byte[] p = numbered(i, 8 + i % 200);
        while (tx.trySend(peer, p) == SendStatus.QUEUE_FULL) {
          Thread.onSpinWait();
        }
      }
      tx.call(peer, "ring").get(5, TimeUnit.SECONDS);
      Await.until("every payload", () -> rec.payloads.size() == n + 1);
      assertEquals(List.of(), rec.problems);
      for (int i = 0; i < n; i++) {
        assertArrayEquals(numbered(i, 8 + i % 200), rec.payloads.get(i), "payload " + i);
        assertEquals(MessageKind.BINARY, rec.kinds.get(i));
      }
      assertEquals("ring", new String(rec.payloads.get(n), java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(MessageKind.CALL, rec.kinds.get(n));
      assertTrue(!rec.messageCalled, "onMessage must not run on a PayloadListener");
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void largePayloadsAndEmptyOnesAreLentWhole(boolean direct) throws Exception {
    PayloadRecorder rec = new PayloadRecorder();
    byte[] big = numbered(7, 300_000);
    try (PeerNode rx = Nodes.local("rx").directCallbacks(direct).listener(rec).build().start();
        PeerNode tx = Nodes.local("tx").build().start()) {
      Peer peer = tx.connect(rx.localAddress()).get(5, TimeUnit.SECONDS);
      tx.send(peer, MessageKind.BINARY, big).get(5, TimeUnit.SECONDS);
      tx.send(peer, MessageKind.BINARY, new byte[0]).get(5, TimeUnit.SECONDS);
      tx.send(peer, MessageKind.BINARY, numbered(8, 100)).get(5, TimeUnit.SECONDS);
      Await.until("three payloads", () -> rec.payloads.size() == 3);
      assertEquals(List.of(), rec.problems);
      assertArrayEquals(big, rec.payloads.get(0));
      assertEquals(0, rec.payloads.get(1).length);
      assertArrayEquals(numbered(8, 100), rec.payloads.get(2));
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void everyPayloadListenerGetsTheWholePayloadSmallOrLarge(boolean direct) throws Exception {
    PayloadRecorder first = new PayloadRecorder();
    PayloadRecorder second = new PayloadRecorder();
    byte[] big = numbered(3, 200_000);
    byte[] small = numbered(4, 10);
    try (PeerNode rx = Nodes.local("rx").directCallbacks(direct).listener(first).listener(second)
            .build().start();
        PeerNode tx = Nodes.local("tx").build().start()) {
      Peer peer = tx.connect(rx.localAddress()).get(5, TimeUnit.SECONDS);
      tx.send(peer, MessageKind.BINARY, small).get(5, TimeUnit.SECONDS);
      tx.send(peer, MessageKind.BINARY, big).get(5, TimeUnit.SECONDS);
      tx.send(peer, MessageKind.BINARY, small).get(5, TimeUnit.SECONDS);
      Await.until("three payloads each", () -> first.payloads.size() == 3 && second.payloads.size() == 3);
      for (PayloadRecorder r : List.of(first, second)) {
        assertEquals(List.of(), r.problems);
        assertArrayEquals(small, r.payloads.get(0));
        assertArrayEquals(big, r.payloads.get(1));
        assertArrayEquals(small, r.payloads.get(2));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void bothListenerStylesSeeEveryMessageInRegistrationOrder(boolean direct) throws Exception {
    List<String> calls = new CopyOnWriteArrayList<>();
    List<Message> kept = new CopyOnWriteArrayList<>();
    PeerListener first = new PeerListener() {
      @Override
      public void onMessage(Message m) {
        calls.add("message:" + m.text());
        kept.add(m);
      }
    };
    PeerListener second = new PayloadListener() {
      @Override
      public void onPayload(Peer sender, MessageKind kind, ByteBuffer payload) {
        // An absolute read at 0 works: the view starts at the payload.
        calls.add("payload:" + (char) payload.get(0) + ":" + payload.remaining());
        payload.position(payload.limit());
      }
    };
    PeerListener third = new PayloadListener() {
      @Override
      public void onPayload(Peer sender, MessageKind kind, ByteBuffer payload) {
        // The previous listener consumed the view; this one still gets the whole payload.
        calls.add("again:" + payload.remaining());
        throw new IllegalStateException("a failing listener does not stop the others");
      }
    };
    PeerListener fourth = new PeerListener() {
      @Override
      public void onMessage(Message m) {
        calls.add("same:" + (m == kept.get(kept.size() - 1)));
      }
    };
    try (PeerNode rx = Nodes.local("rx").directCallbacks(direct)
            .listener(first).listener(second).listener(third).listener(fourth).build().start();
        PeerNode tx = Nodes.local("tx").build().start()) {
      Peer peer = tx.connect(rx.localAddress()).get(5, TimeUnit.SECONDS);
      tx.send(peer, "xy").get(5, TimeUnit.SECONDS);
      tx.send(peer, "zzz").get(5, TimeUnit.SECONDS);
      Await.until("eight calls", () -> calls.size() == 8);
      assertEquals(List.of("message:xy", "payload:x:2", "again:2", "same:true",
          "message:zzz", "payload:z:3", "again:3", "same:true"), calls);
      // Messages handed to onMessage are owned: they outlive the read.
      assertEquals("xy", kept.get(0).text());
      assertThrows(ReadOnlyBufferException.class, () -> kept.get(0).payload().put((byte) 1));
    }
  }

  /** Counts payloads; reads one byte of each, keeps nothing. */
  static final class PayloadCounter implements PayloadListener {
    final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
    volatile long sum;

    @Override
    public void onPayload(Peer sender, MessageKind kind, ByteBuffer payload) {
      sum += payload.get(0);
      count.lazySet(count.get() + 1);
    }
  }

  /**
   * The fast receive path, a payload listener in direct mode, allocates nothing per message:
   * the bytes the receiving node's threads allocate while a flood of 64-byte messages arrives
   * stay below one byte per message (a Message per message would cost over 100). With the
   * callback executor a flood can outrun the listener by more than the two batches a peer
   * keeps for reuse, and further reads then copy into fresh batches: that mode is not measured.
   */
  @Test
  void payloadListenersInDirectModeAllocateNothingPerMessage() throws Exception {
    boolean direct = true;
    PayloadCounter counter = new PayloadCounter();
    byte[] payload = numbered(1, 64);
    int warmup = 200_000;
    int measured = 400_000;
    try (PeerNode rx = Nodes.plain("rx").directCallbacks(direct).listener(counter).build().start();
        PeerNode tx = Nodes.plain("tx").build().start()) {
      Peer peer = tx.connect(rx.localAddress()).get(5, TimeUnit.SECONDS);
      flood(tx, peer, payload, warmup);
      Await.until("the warm-up flood", () -> counter.count.get() == warmup);
      long before = allocatedBy(rx);
      flood(tx, peer, payload, measured);
      Await.until("the measured flood", () -> counter.count.get() == warmup + measured);
      long perMessage1000 = (allocatedBy(rx) - before) * 1000 / measured;
      assertTrue(perMessage1000 < 1000, "the receiving node allocated " + perMessage1000 / 1000.0
          + " bytes per message (direct " + direct + ")");
    }
  }

  private static void flood(PeerNode tx, Peer peer, byte[] payload, int n) {
    for (int i = 0; i < n; i++) {
      while (tx.trySendMore(peer, payload) == SendStatus.QUEUE_FULL) {
        Thread.onSpinWait();
      }
    }
    tx.flush(peer);
  }

  /** The bytes allocated so far by the node's I/O and callback threads. */
  private static long allocatedBy(PeerNode node) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Set<String> names = Nodes.threadsOf(node);
    long[] ids = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> names.contains(t.getName())).mapToLong(Thread::getId).toArray();
    assertTrue(ids.length >= 1, "no threads of " + node + " among " + names);
    long total = 0;
    for (long a : mx.getThreadAllocatedBytes(ids)) {
      total += a;
    }
    return total;
  }

  @Test
  void messagesReadBeforeAByeReachListenersBeforeTheDisconnect() throws Exception {
    for (int round = 0; round < 20; round++) {
      PayloadRecorder rec = new PayloadRecorder();
      Recorder messages = new Recorder();
      List<String> order = new CopyOnWriteArrayList<>();
      PeerListener watcher = new PeerListener() {
        @Override
        public void onMessage(Message m) {
          order.add("m");
        }

        @Override
        public void onDisconnected(Peer peer, DisconnectReason reason) {
          order.add("bye");
        }
      };
      try (PeerNode rx = Nodes.local("rx").listener(rec).listener(watcher).listener(messages).build().start()) {
        PeerNode tx = Nodes.local("tx").build().start();
        Peer peer = tx.connect(rx.localAddress()).get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 200; i++) {
          assertEquals(SendStatus.OK, tx.trySend(peer, numbered(i, 16)));
        }
        // Closing flushes the queue, then says BYE: often in the same read as the last messages.
        tx.close();
        Await.until("disconnect", () -> order.contains("bye"));
        List<String> expected = new ArrayList<>(java.util.Collections.nCopies(200, "m"));
        expected.add("bye");
        assertEquals(expected, order, "round " + round);
        assertEquals(200, rec.payloads.size());
        assertEquals("disconnected", rec.events.get(rec.events.size() - 1));
      }
    }
  }
}
