package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The write-stall timeout (issue 14, fault 7): a peer that takes no byte of a non-empty queue
 * for {@code writeStallTimeout} is dropped as a slow consumer and its sends fail; the clock
 * runs only while frames wait and nothing is written. The attack from another address, with a
 * legitimate peer beside it, is {@code SlowConsumerAttackTest} in p2p-testkit, against plaintext
 * and secure nodes.
 */
@Timeout(60)
class WriteStallTest {

  private static final Duration STALL = Duration.ofSeconds(1);
  /** For tests that only wait for a drop: a shorter timeout keeps them quick. */
  private static final Duration SHORT_STALL = Duration.ofMillis(500);

  private static Peer handshake(PeerNode node, RawPeer raw) throws Exception {
    raw.readFrame();
    raw.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "mallory", "vecino"));
    Await.until("handshake done", () -> node.peers().size() == 1);
    return node.peers().get(0);
  }

  @Test
  void dropsAPeerThatPingsButNeverReadsAndFailsItsSends() throws Exception {
    Recorder events = new Recorder();
    Recorder friendEvents = new Recorder();
    try (PeerNode node = Nodes.plain("node").writeStallTimeout(SHORT_STALL).closeTimeout(Duration.ofMillis(200))
            .listener(events).build().start();
         PeerNode friend = Nodes.startPlain("friend", friendEvents);
         RawPeer raw = RawPeer.connect(node.localAddress(), 4096)) {
      Peer p = handshake(node, raw);
      Peer atFriend = friend.connect(node.localAddress()).get(5, TimeUnit.SECONDS);
      long start = System.nanoTime();
      byte[] chunk = new byte[64 * 1024];
      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        sends.add(node.send(p, MessageKind.BINARY, chunk));
      }
      // The peer sends a 5-byte PING now and then (it is not silent) but never reads.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (events.disconnects.isEmpty() && System.nanoTime() < deadline) {
        raw.sendFrame(FrameType.PING, new byte[0]);
        long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        Await.until("200 ms pass or the peer is dropped", () -> System.nanoTime() > next || !events.disconnects.isEmpty());
      }
      Await.until("peer dropped", () -> events.disconnects.size() == 1);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.println("WRITE STALL slow consumer dropped after " + tookMs + " ms (writeStallTimeout "
          + SHORT_STALL.toMillis() + " ms, close timeout 200 ms)");
      DisconnectReason reason = events.disconnects.get(0);
      assertEquals(DisconnectReason.Kind.LIMIT_EXCEEDED, reason.kind());
      assertEquals("slow consumer", reason.detail());
      assertTrue(tookMs >= SHORT_STALL.toMillis(), "dropped before the timeout: " + tookMs + " ms");
      // What the kernel took before the stall was written (those sends succeeded); the rest fail.
      long failed = 0;
      for (CompletableFuture<Void> f : sends) {
        Await.until("send completed", f::isDone);
        if (f.isCompletedExceptionally()) {
          ExecutionException e = assertThrows(ExecutionException.class, f::get);
          assertInstanceOf(PeerDisconnectedException.class, e.getCause());
          failed++;
        }
      }
      System.out.println("WRITE STALL " + failed + " of 64 sends failed");
      assertTrue(failed > 0, "nothing was left unwritten");
      assertTrue(raw.awaitEof(), "the node closed the connection");
      // The other peer was never touched.
      friend.send(atFriend, "still here").get(5, TimeUnit.SECONDS);
      Await.until("friend's message through", () -> events.texts().contains("still here"));
      assertTrue(friendEvents.disconnects.isEmpty(), friendEvents.disconnects.toString());
      assertTrue(node.isRunning());
    }
  }

  @Test
  void keepsAPeerThatReadsInBurstsWithPausesShorterThanTheTimeout() throws Exception {
    Recorder events = new Recorder();
    try (PeerNode node = Nodes.plain("node").writeStallTimeout(STALL).listener(events).build().start();
         RawPeer raw = RawPeer.connect(node.localAddress(), 4096)) {
      Peer p = handshake(node, raw);
      byte[] chunk = new byte[64 * 1024];
      byte[] buf = new byte[64 * 1024];
      Duration pause = STALL.multipliedBy(3).dividedBy(10);
      // Six pauses of 0.3 timeouts each: 1.8 timeouts without a write in all, never one in a row.
      for (int cycle = 0; cycle < 6; cycle++) {
        for (int i = 0; i < 200 && node.trySend(p, chunk) == SendStatus.OK; i++) {
          // Top the queue up to its bound, so it never runs empty (the clock would stop).
        }
        long resume = System.nanoTime() + pause.toNanos();
        Await.until("a pause passes", () -> System.nanoTime() > resume);
        // Read 1 MiB: enough for the kernel to take more from the node, not enough to empty its queue.
        for (int read = 0; read < 1024 * 1024; ) {
          int n = raw.in.read(buf);
          assertTrue(n > 0, "the node closed the connection");
          read += n;
        }
        assertTrue(p.queuedBytes() > 0, "the queue ran empty");
      }
      assertTrue(events.disconnects.isEmpty(), "dropped a peer that reads: " + events.disconnects);
      assertEquals(PeerState.CONNECTED, p.state());
    }
  }

  @Test
  void runsTheClockOnlyWhileFramesWaitEvenWithHeartbeatsAndIdleTimeoutOff() throws Exception {
    Recorder events = new Recorder();
    Duration stall = Duration.ofMillis(100);
    try (PeerNode node = Nodes.plain("node").writeStallTimeout(stall).heartbeatInterval(Duration.ZERO)
            .closeTimeout(Duration.ofMillis(100)).listener(events).build().start();
         RawPeer raw = RawPeer.connect(node.localAddress(), 4096)) {
      Peer p = handshake(node, raw);
      // Nothing queued: five timeouts pass and the peer stays, though it never reads.
      long until = System.nanoTime() + stall.multipliedBy(5).toNanos();
      Await.until("five timeouts pass", () -> System.nanoTime() > until);
      assertTrue(events.disconnects.isEmpty(), events.disconnects.toString());
      // Queued and not read: dropped, with no heartbeat or idle timer to run the check.
      long start = System.nanoTime();
      CompletableFuture<Void> f = node.send(p, MessageKind.BINARY, new byte[4 * 1024 * 1024]);
      Await.until("peer dropped", () -> events.disconnects.size() == 1);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(DisconnectReason.Kind.LIMIT_EXCEEDED, events.disconnects.get(0).kind());
      assertTrue(tookMs >= stall.toMillis(), "dropped before the timeout: " + tookMs + " ms");
      Await.until("send failed", f::isCompletedExceptionally);
    }
  }

  @Test
  void validatesTheTimeout() {
    assertThrows(IllegalArgumentException.class,
        () -> PeerNode.builder().writeStallTimeout(Duration.ofMillis(-1)).build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PeerNode.builder().writeStallTimeout(Duration.ofMillis(5)).build());
    assertTrue(e.getMessage().contains("writeStallTimeout"), e.getMessage());
    assertThrows(NullPointerException.class, () -> PeerNode.builder().writeStallTimeout(null));
    PeerNode.builder().writeStallTimeout(Duration.ZERO).build().close();
  }
}
