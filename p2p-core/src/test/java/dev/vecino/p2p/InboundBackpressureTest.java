package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A listener that falls behind makes the node stop reading, so the sender backs up, not our heap. */
@Timeout(60)
class InboundBackpressureTest {

  @Test
  void aSlowListenerPausesReadingAndLosesNothing() throws Exception {
    int bound = 256 * 1024;
    CountDownLatch release = new CountDownLatch(1);
    AtomicLong received = new AtomicLong();
    AtomicLong outOfOrder = new AtomicLong();
    AtomicLong expected = new AtomicLong();
    PeerListener slow = new PeerListener() {
      @Override
      public void onMessage(Message m) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        long v = m.payload().getLong();
        if (v != expected.getAndIncrement()) {
          outOfOrder.incrementAndGet();
        }
        received.incrementAndGet();
      }
    };
    try (PeerNode rx = Nodes.local("rx").maxUndeliveredBytes(bound).heartbeatInterval(Duration.ofMillis(200))
            .listener(slow).build().start();
         PeerNode tx = Nodes.local("tx").maxQueuedBytes(256 * 1024).heartbeatInterval(Duration.ofMillis(200))
            .build().start()) {
      Peer p = tx.connect(rx.localAddress()).get(5, TimeUnit.SECONDS);
      ByteBuffer buf = ByteBuffer.allocate(1000);
      long sent = 0;
      long full = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      // Offer for a while: the receiver stops reading, TCP fills, then our queue stays full.
      while (System.nanoTime() < deadline) {
        buf.clear().putLong(sent).position(1000).flip();
        if (tx.trySend(p, buf) == SendStatus.OK) {
          sent++;
        } else {
          full++;
          Thread.onSpinWait();
        }
      }
      assertTrue(full > 0, "the sender must have been held back");
      long sentTotal = sent;
      // Undelivered bytes stay near the bound (one read buffer of slack), however much was offered.
      long undeliveredBytes = (sentTotal - received.get()) * 1000;
      assertTrue(sentTotal * 1000 > 4L * bound, "offered " + sentTotal * 1000 + " bytes");
      // Without the pause the receiver would read (and hold) everything for 3 s: gigabytes.
      // With it, only the bound, one read buffer, the socket buffers and the sender's queue.
      assertTrue(sentTotal * 1000 < (64L << 20), "sent " + sentTotal * 1000 + " bytes to a stalled listener");
      assertEquals(PeerState.CONNECTED, p.state(), "heartbeats must not kill a connection we paused");
      release.countDown();
      Await.until("everything delivered", Duration.ofSeconds(30), () -> received.get() == sentTotal);
      assertEquals(0, outOfOrder.get());
      assertEquals(PeerState.CONNECTED, p.state());
      assertTrue(undeliveredBytes > 0);
    }
  }
}
