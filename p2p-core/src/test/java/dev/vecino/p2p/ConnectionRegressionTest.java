package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.ManualTransport.ManualChannel;
import dev.vecino.p2p.codec.FrameType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Regression tests for connection bugs the fuzzing and soak tests found. */
@Timeout(30)
class ConnectionRegressionTest {

  private static byte[] frame(FrameType type, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).putInt(body.length + 1).put((byte) type.code()).put(body).array();
  }

  /** A node on the hand-driven transport: the test thread is its I/O thread. */
  private static PeerNode manualNode(ManualTransport transport, Recorder recorder) {
    return PeerNode.builder().name("manual").bindAddress("127.0.0.1").transport(transport)
        .directCallbacks(true).listener(recorder).build().start();
  }

  @Test
  void aByeSplitAcrossReadsClosesWithoutAHandlerFailure() {
    ManualTransport transport = new ManualTransport();
    Recorder r = new Recorder();
    try (PeerNode node = manualNode(transport, r)) {
      ManualChannel ch = transport.accept();
      assertNotNull(ch);
      byte[] hello = frame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "splitter", PeerNode.DEFAULT_GROUP));
      ch.feed(hello, 0, hello.length);
      assertEquals(1, node.peers().size());
      byte[] bye = frame(FrameType.BYE, "\0see you".getBytes(StandardCharsets.UTF_8));
      // The first read leaves a partial frame in the connection's buffer; the second completes
      // the BYE, on which the connection closes inside the decode call.
      ch.feed(bye, 0, 3);
      assertDoesNotThrow(() -> ch.feed(bye, 3, bye.length));
      assertTrue(node.peers().isEmpty());
      assertEquals(DisconnectReason.Kind.CLOSED_BY_PEER, r.disconnects.get(0).kind());
      assertEquals("see you", r.disconnects.get(0).detail());
    }
  }

  @Test
  void aMessageLargerThanAHelloArrivingWithTheHelloIsDelivered() throws Exception {
    Recorder r = new Recorder();
    try (PeerNode node = Nodes.start("node", r);
         RawPeer raw = RawPeer.connect(node.localAddress())) {
      raw.readFrame();
      byte[] big = new byte[10_000];
      Arrays.fill(big, (byte) 'x');
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.writeBytes(frame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "eager", PeerNode.DEFAULT_GROUP)));
      both.writeBytes(frame(FrameType.TEXT, big));
      // One write: the node reads the HELLO and the 10 kB frame together, as it does when a
      // peer sends at once after connecting and the node's I/O thread is slow to read.
      raw.sendRaw(both.toByteArray());
      Await.until("message delivered, disconnects " + r.disconnects, () -> r.messages.size() == 1
          || !r.disconnects.isEmpty());
      assertTrue(r.disconnects.isEmpty(), r.disconnects.toString());
      assertArrayEquals(big, r.messages.get(0).bytes());
    }
  }

  @Test
  void aMessageLargerThanAHelloInTheSameReadAsTheHelloIsDeliveredOnTheManualTransport() {
    ManualTransport transport = new ManualTransport();
    Recorder r = new Recorder();
    try (PeerNode node = manualNode(transport, r)) {
      ManualChannel ch = transport.accept();
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.writeBytes(frame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "eager", PeerNode.DEFAULT_GROUP)));
      both.writeBytes(frame(FrameType.BINARY, new byte[5000]));
      both.writeBytes(frame(FrameType.BINARY, new byte[7]));
      byte[] bytes = both.toByteArray();
      ch.feed(bytes, 0, bytes.length - 3);
      ch.feed(bytes, bytes.length - 3, bytes.length);
      assertTrue(r.disconnects.isEmpty(), r.disconnects.toString());
      assertEquals(2, r.messages.size());
      assertEquals(5000, r.messages.get(0).bytes().length);
    }
  }

  /**
   * Senders on several threads write inline on an idle connection while the I/O thread
   * flushes too: every send returns normally and every future completes (found by SoakTest:
   * a ConcurrentModificationException thrown from send, futures never completed).
   */
  @Test
  void concurrentSendersOnAnIdleConnectionCompleteEveryFuture() throws Exception {
    java.util.concurrent.atomic.AtomicLong got = new java.util.concurrent.atomic.AtomicLong();
    try (PeerNode a = Nodes.start("a", new Recorder());
         PeerNode b = Nodes.local("b").onMessage(m -> got.incrementAndGet()).build().start()) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      int threads = 4;
      int each = 3000;
      java.util.List<java.util.concurrent.CompletableFuture<Void>> futures = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.List<Thread> senders = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread th = new Thread(() -> {
          for (int i = 0; i < each; i++) {
            try {
              futures.add(a.send(p, MessageKind.BINARY, new byte[16]));
            } catch (RuntimeException e) {
              thrown.add(e);
              return;
            }
            if (i % 50 == 0) {
              // Pacing: let the connection go idle so senders take the inline write path.
              java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
          }
        }, "test-sender-" + t);
        senders.add(th);
        th.start();
      }
      for (Thread th : senders) {
        th.join(30_000);
      }
      assertTrue(thrown.isEmpty(), "send threw: " + thrown);
      Await.until("every future completed", Duration.ofSeconds(20),
          () -> futures.stream().allMatch(java.util.concurrent.CompletableFuture::isDone));
      assertTrue(futures.stream().noneMatch(java.util.concurrent.CompletableFuture::isCompletedExceptionally));
      Await.until("every message received", () -> got.get() == (long) threads * each);
    }
  }
}
