package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.embedded.EmbeddedChannel;
import dev.vecino.p2p.embedded.ManualTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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
    return PeerNode.builder().plaintext(true).name("manual").bindAddress("127.0.0.1").transport(transport)
        .directCallbacks(true).listener(recorder).build().start();
  }

  @Test
  void aByeSplitAcrossReadsClosesWithoutAHandlerFailure() {
    ManualTransport transport = new ManualTransport();
    Recorder r = new Recorder();
    try (PeerNode node = manualNode(transport, r)) {
      EmbeddedChannel ch = transport.accept();
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
    try (PeerNode node = Nodes.startPlain("node", r);
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
      EmbeddedChannel ch = transport.accept();
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
    try (PeerNode a = Nodes.startPlain("a", new Recorder());
         PeerNode b = Nodes.plain("b").onMessage(m -> got.incrementAndGet()).build().start()) {
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

  /** Accepts a connection on the hand-driven transport and completes the handshake. */
  private static EmbeddedChannel acceptPeer(ManualTransport transport) {
    EmbeddedChannel ch = transport.accept();
    assertNotNull(ch);
    byte[] hello = frame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "peer", PeerNode.DEFAULT_GROUP));
    ch.feed(hello, 0, hello.length);
    return ch;
  }

  private static Throwable cause(CompletableFuture<Void> f) {
    return f.handle((v, e) -> e).join();
  }

  /**
   * A write fails after frames were written whole earlier in the same flush: their sends
   * succeed, the rest fail, and none is left pending (an intermediate version of the writer
   * dropped the futures of such frames: SoakTest timed out waiting for them).
   */
  @Test
  void aWriteErrorCompletesTheSendsOfFramesWrittenEarlierInTheSameFlush() {
    ManualTransport transport = new ManualTransport();
    Recorder r = new Recorder();
    try (PeerNode node = manualNode(transport, r)) {
      EmbeddedChannel ch = acceptPeer(transport);
      Peer p = node.peers().get(0);
      int before = ch.written.size();
      // The socket takes 300 bytes of the first frame (1,005 bytes with its header), then is full.
      ch.writeBudget = 300;
      CompletableFuture<Void> first = node.send(p, MessageKind.BINARY, new byte[1000]);
      transport.runTasks();
      assertEquals(before + 300, ch.written.size());
      assertTrue(ch.writeWanted, "the writer waits for the socket to drain");
      CompletableFuture<Void> second = node.send(p, MessageKind.BINARY, new byte[100]);
      transport.runTasks();
      assertFalse(first.isDone());
      assertFalse(second.isDone());
      // The socket drains just enough for the rest of the first frame, then resets: one flush
      // finishes the first frame and fails on the second.
      ch.writeError = new IOException("Connection reset by peer");
      ch.drain(1005 - 300);
      assertEquals(before + 1005, ch.written.size());
      assertTrue(first.isDone(), "the send of a frame written whole before the error is left pending");
      assertFalse(first.isCompletedExceptionally(), () -> "written whole, yet failed: " + cause(first));
      assertTrue(second.isCompletedExceptionally(), "the send of the frame the error cut is not failed");
      assertInstanceOf(PeerDisconnectedException.class, cause(second));
      assertEquals(DisconnectReason.Kind.CONNECTION_LOST, r.disconnects.get(0).kind(), r.disconnects.toString());
    }
  }

  /**
   * A send with a queue timeout that meets a full queue, with a payload the codec cannot
   * encode (over maxFrameSize), throws at once as it does when the queue has room. It used to
   * be parked and encoded only when admitted, inside a later write: the codec's exception then
   * escaped from that write (on the I/O thread or another sender's trySend) and the future was
   * never completed.
   */
  @Test
  void aParkedSendTheCodecCannotEncodeFailsAtOnceAndTheQueueGoesOn() {
    ManualTransport transport = new ManualTransport();
    Recorder r = new Recorder();
    try (PeerNode node = PeerNode.builder().plaintext(true).name("manual").bindAddress("127.0.0.1").transport(transport)
        .directCallbacks(true).maxFrameSize(2048).maxQueuedBytes(4096).listener(r).build().start()) {
      EmbeddedChannel ch = acceptPeer(transport);
      Peer p = node.peers().get(0);
      int before = ch.written.size();
      ch.writeBudget = 0;
      assertEquals(SendStatus.OK, node.trySend(p, new byte[1500]));
      assertEquals(SendStatus.OK, node.trySend(p, new byte[1500]));
      assertEquals(SendStatus.QUEUE_FULL, node.trySend(p, new byte[1500]));
      transport.runTasks();
      // 3,000 bytes: over the frame limit, under the queue bound, so a full queue would park it.
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> node.send(p, MessageKind.BINARY, new byte[3000], Duration.ofSeconds(30)));
      assertTrue(e.getMessage().contains("cannot encode"), e.getMessage());
      // The same with room in the queue.
      byte[] fits = new byte[1000];
      Arrays.fill(fits, (byte) 7);
      CompletableFuture<Void> parked = node.send(p, MessageKind.BINARY, fits, Duration.ofSeconds(30));
      // A parked payload is copied at once: the caller may reuse the array.
      Arrays.fill(fits, (byte) 0);
      transport.runTasks();
      assertFalse(parked.isDone(), "parked while the socket is full");
      assertDoesNotThrow(() -> ch.drain(Long.MAX_VALUE));
      assertTrue(parked.isDone());
      assertFalse(parked.isCompletedExceptionally(), () -> "parked send failed: " + cause(parked));
      byte[] out = ch.written.toByteArray();
      assertEquals(before + 2 * 1505 + 1005, out.length);
      assertEquals(7, out[out.length - 1], "the parked frame carries the payload as it was when sent");
      assertTrue(r.disconnects.isEmpty(), r.disconnects.toString());
    }
  }

  /**
   * Direct callbacks: a send future's callback disconnects, on the I/O thread, while the
   * writer is completing the futures of one flush; the disconnect's own flush runs inside
   * that. Every future completes once, nothing throws, and the BYE goes out.
   */
  @Test
  void aSendCallbackThatDisconnectsWhileAFlushCompletesItsSendsIsSafe() {
    ManualTransport transport = new ManualTransport();
    Recorder r = new Recorder();
    try (PeerNode node = manualNode(transport, r)) {
      EmbeddedChannel ch = acceptPeer(transport);
      Peer p = node.peers().get(0);
      int before = ch.written.size();
      CompletableFuture<Void> first = node.send(p, MessageKind.BINARY, new byte[10]);
      CompletableFuture<Void> second = node.send(p, MessageKind.BINARY, new byte[20]);
      CompletableFuture<Void> third = node.send(p, MessageKind.BINARY, new byte[30]);
      java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
      first.thenRun(() -> {
        runs.incrementAndGet();
        node.disconnect(p);
      });
      // One flush writes all three; completing the first disconnects.
      assertDoesNotThrow(transport::runTasks);
      assertEquals(1, runs.get());
      assertTrue(first.isDone() && second.isDone() && third.isDone());
      assertFalse(second.isCompletedExceptionally() || third.isCompletedExceptionally());
      assertTrue(ch.outputShut, "the BYE went out and the output was shut");
      byte[] out = ch.written.toByteArray();
      assertEquals(FrameType.BYE.code(), out[before + 15 + 25 + 35 + 4], "a BYE follows the three frames");
    }
  }

  /**
   * A sender writes inline (the connection is idle) and the connection closes under it, after
   * its write took the frame but before the write returned: the send succeeds, since the frame
   * was written whole. (The close used to fail every queued send at once, this one included.)
   */
  @Test
  void aCloseWhileASenderIsWritingDoesNotFailTheFrameItWrote() throws Exception {
    ManualTransport transport = new ManualTransport();
    Recorder r = new Recorder();
    try (PeerNode node = manualNode(transport, r)) {
      EmbeddedChannel ch = acceptPeer(transport);
      Peer p = node.peers().get(0);
      int before = ch.written.size();
      PausedInlineSender sender = PausedInlineSender.send(node, p, ch, 100);
      assertEquals(before + 105, ch.written.size(), "the frame is written whole");
      // The peer closes while the sender is still inside its write.
      ch.remoteClose();
      CompletableFuture<Void> f = sender.resume();
      Await.until("the send completes", f::isDone);
      assertFalse(f.isCompletedExceptionally(), () -> "written whole, yet failed: " + cause(f));
    }
  }

  /**
   * Default callback executor: a sender writes inline and the node closes (its callback
   * executor shuts down) before the sender completes the send's future. The future still
   * completes: completions refused by the closed executor run on the sender's thread. (They
   * used to be dropped with the executor's other events: the future stayed pending forever.)
   */
  @Test
  void aSendCompletedByASenderAfterTheNodeClosedDoesNotStayPending() throws Exception {
    ManualTransport transport = new ManualTransport();
    PeerNode node = PeerNode.builder().plaintext(true).name("manual").bindAddress("127.0.0.1").transport(transport)
        .closeTimeout(Duration.ofMillis(100)).listener(new Recorder()).build().start();
    EmbeddedChannel ch = acceptPeer(transport);
    Peer p = node.peers().get(0);
    PausedInlineSender sender = PausedInlineSender.send(node, p, ch, 100);
    node.close();
    CompletableFuture<Void> f = sender.resume();
    Await.until("the send completes after the node closed", f::isDone);
    assertFalse(f.isCompletedExceptionally(), () -> "written whole, yet failed: " + cause(f));
  }

  /**
   * A thread that sends one message on an idle connection, so it writes the frame itself, and
   * is held inside that write (after the bytes were taken) until {@link #resume}. The channel's
   * other writes (the test thread drives the I/O) pass.
   */
  private static final class PausedInlineSender {
    private final CountDownLatch inWrite = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<CompletableFuture<Void>> sent = new CompletableFuture<>();
    private Thread thread;

    /** Starts the send and returns once the sender is inside its write. */
    static PausedInlineSender send(PeerNode node, Peer p, EmbeddedChannel ch, int size) throws InterruptedException {
      PausedInlineSender s = new PausedInlineSender();
      Thread io = Thread.currentThread();
      ch.afterWrite = () -> {
        if (Thread.currentThread() != io) {
          s.inWrite.countDown();
          try {
            s.release.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
      s.thread = new Thread(() -> {
        try {
          s.sent.complete(node.send(p, MessageKind.BINARY, new byte[size]));
        } catch (Throwable e) {
          s.sent.completeExceptionally(e);
        }
      }, "test-inline-sender");
      s.thread.start();
      assertTrue(s.inWrite.await(10, TimeUnit.SECONDS), "the sender did not write inline");
      return s;
    }

    /** Lets the sender finish its write; returns the send's future once the send call returned. */
    CompletableFuture<Void> resume() throws Exception {
      release.countDown();
      CompletableFuture<Void> f = sent.get(10, TimeUnit.SECONDS);
      thread.join(10_000);
      return f;
    }
  }
}
