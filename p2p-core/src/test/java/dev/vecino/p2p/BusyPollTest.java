package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.transport.TransportConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link PeerNodeBuilder#busyPoll(Duration)}: request/response still works, and an idle loop still sleeps. */
@Timeout(60)
class BusyPollTest {

  @Test
  void pingPongWorksWithPollingLoops() throws Exception {
    AtomicInteger replies = new AtomicInteger();
    PeerNode[] echo = new PeerNode[1];
    try (PeerNode server = Nodes.local("echo").directCallbacks(true).busyPoll(Duration.ofMillis(1))
            .onMessage(m -> echo[0].trySend(m.sender(), m.bytes())).build().start();
        PeerNode client = Nodes.local("client").directCallbacks(true).busyPoll(Duration.ofMillis(1))
            .onMessage(m -> replies.incrementAndGet()).build().start()) {
      echo[0] = server;
      Peer peer = client.connect(server.localAddress()).get(5, TimeUnit.SECONDS);
      for (int i = 1; i <= 1000; i++) {
        assertEquals(SendStatus.OK, client.trySend(peer, new byte[] {(byte) i}));
        int want = i;
        Await.until("reply " + i, () -> replies.get() >= want);
      }
      assertEquals(1000, replies.get());
    }
  }

  @Test
  void anIdleLoopStillSleeps() throws Exception {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (PeerNode node = Nodes.local("idle").busyPoll(Duration.ofMillis(2)).build().start()) {
      String suffix = node.identity().id().shortId();
      Thread io = Await.until("the I/O thread", () -> find("vecino-io-" + suffix) != null,
          () -> find("vecino-io-" + suffix));
      long cpu0 = mx.getThreadCpuTime(io.getId());
      long t0 = System.nanoTime();
      // A measuring window, not an event: let 600 ms of idleness pass.
      Await.until("600 ms", Duration.ofSeconds(5), () -> System.nanoTime() - t0 > 600_000_000L);
      long cpu = mx.getThreadCpuTime(io.getId()) - cpu0;
      long wall = System.nanoTime() - t0;
      // Polling 2 ms after each wake-up (at most one a second when idle) is a few ms of CPU;
      // a loop that never slept would use the whole window.
      assertTrue(cpu < wall / 4, "idle I/O thread used " + cpu / 1_000_000 + " ms of CPU in "
          + wall / 1_000_000 + " ms");
    }
  }

  private static Thread find(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name)).findFirst().orElse(null);
  }

  @Test
  void rejectsOutOfRangeValues() {
    assertThrows(IllegalArgumentException.class,
        () -> PeerNode.builder().busyPoll(Duration.ofNanos(-1)).build());
    assertThrows(IllegalArgumentException.class,
        () -> PeerNode.builder().busyPoll(Duration.ofMillis(11)).build());
    assertThrows(NullPointerException.class, () -> PeerNode.builder().busyPoll(null));
    assertThrows(IllegalArgumentException.class,
        () -> new TransportConfig("x", 1, Duration.ofNanos(-1)));
    assertEquals(Duration.ZERO, new TransportConfig("x", 1).busyPoll());
  }
}
