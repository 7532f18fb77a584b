package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.net.InetAddress;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Control frames are bounded by construction (issue 14, fault 1): a node answers only the
 * latest unanswered PING, so a peer that floods PINGs and never reads makes it queue one PONG,
 * and it sends no heartbeat PING while frames are queued. Both run against a plaintext node
 * and, inside the tunnel, a secure one (whose TLS writer holds a few records past the queue).
 * The attack itself, against the public API from another address, is
 * {@code PingReflectionAttackTest} in p2p-testkit.
 */
@Timeout(60)
class PingReflectionTest {

  private static final int BOUND = 1024 * 1024;
  private static final int CHUNK = 16 * 1024;

  /**
   * Queues messages until the queue has stayed at its bound for 200 ms: the node's I/O thread
   * may still hand a megabyte or more to the kernel after the first refusal. The raw peer
   * reads none. Returns how many were queued.
   */
  private static int fill(PeerNode node, Peer p) {
    byte[] chunk = new byte[CHUNK];
    int[] sent = {0};
    long[] lastQueued = {System.nanoTime()};
    Await.until("the queue stays full for 200 ms", () -> {
      SendStatus status;
      while ((status = node.trySend(p, chunk)) == SendStatus.OK) {
        sent[0]++;
        lastQueued[0] = System.nanoTime();
      }
      assertEquals(SendStatus.QUEUE_FULL, status);
      return System.nanoTime() - lastQueued[0] > TimeUnit.MILLISECONDS.toNanos(200);
    });
    assertTrue(p.queuedBytes() > BOUND / 2, "queue filled: " + p.queuedBytes());
    return sent[0];
  }

  private static byte[] body(int i) {
    return ByteBuffer.allocate(8).putLong(i).array();
  }

  private static Wire.Attacker connect(Wire wire, PeerNode node) throws Exception {
    return wire.attacker(node.localAddress(), InetAddress.getLoopbackAddress(), 4096);
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void answersOnlyTheLatestPingWhileItsPongIsUnwritten(Wire wire) throws Exception {
    try (PeerNode node = wire.node("node").maxQueuedBytes(BOUND).heartbeatInterval(Duration.ZERO).build().start();
         Wire.Attacker raw = connect(wire, node)) {
      raw.readFrame();
      byte[] hello = raw.hello("mallory", "vecino");
      raw.sendFrame(FrameType.HELLO, hello);
      Await.until("handshake done", () -> node.peers().size() == 1);
      Peer p = node.peers().get(0);
      long helloIn = 5L + hello.length;
      Await.until("the node read the HELLO", () -> p.snapshot().bytesIn() == helloIn);
      int messages = fill(node, p);
      int pings = 2000;
      for (int i = 0; i < pings; i++) {
        raw.sendFrame(FrameType.PING, body(i));
      }
      long expectedIn = helloIn + pings * 13L;
      Await.until("the node read every PING", () -> node.peers().get(0).snapshot().bytesIn() == expectedIn);
      long queued = p.queuedBytes();
      assertTrue(queued <= (long) messages * (CHUNK + 5) + 13, "one PONG queued at most: " + queued);

      // Now read: the data, the PONG of the first PING, and one PONG for the latest.
      List<byte[]> pongs = new ArrayList<>();
      int data = 0;
      while (pongs.isEmpty() || !java.util.Arrays.equals(pongs.get(pongs.size() - 1), body(pings - 1))) {
        byte[] f = raw.readFrame();
        if (f[0] == FrameType.PONG.code()) {
          pongs.add(java.util.Arrays.copyOfRange(f, 1, f.length));
        } else {
          assertEquals(FrameType.BINARY.code(), f[0]);
          data++;
        }
        assertTrue(pongs.size() <= 2, "more than two PONGs for " + pings + " PINGs");
      }
      assertEquals(2, pongs.size());
      assertArrayEquals(body(0), pongs.get(0), "the first PING was answered when it came");
      assertEquals(messages, data, "every message came before the latest PONG");
      Await.until("queue drained", () -> p.queuedBytes() == 0);
      // The node answers at once again now that no PONG is unwritten.
      raw.sendFrame(FrameType.PING, body(7));
      byte[] f = raw.readFrame();
      assertEquals(FrameType.PONG.code(), f[0]);
      assertArrayEquals(body(7), java.util.Arrays.copyOfRange(f, 1, f.length));
    }
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void sendsNoHeartbeatPingWhileFramesAreQueued(Wire wire) throws Exception {
    Duration heartbeat = Duration.ofMillis(200);
    try (PeerNode node = wire.node("node").maxQueuedBytes(BOUND).heartbeatInterval(heartbeat).build().start();
         Wire.Attacker raw = connect(wire, node)) {
      raw.readFrame();
      raw.sendFrame(FrameType.HELLO, raw.hello("mallory", "vecino"));
      Await.until("handshake done", () -> node.peers().size() == 1);
      Peer p = node.peers().get(0);
      int messages = fill(node, p);
      // Five heartbeat intervals; the raw peer stays alive with a PONG now and then, reads nothing.
      long until = System.nanoTime() + heartbeat.multipliedBy(5).toNanos();
      while (System.nanoTime() < until) {
        raw.sendFrame(FrameType.PONG, new byte[0]);
        long next = System.nanoTime() + heartbeat.toNanos() / 4;
        Await.until("a quarter interval passes", () -> System.nanoTime() > next);
      }
      assertEquals(PeerState.CONNECTED, p.state());
      int data = 0;
      int pingsBeforeLastMessage = 0;
      while (data < messages) {
        byte[] f = raw.readFrame();
        if (f[0] == FrameType.PING.code()) {
          pingsBeforeLastMessage++;
        } else {
          data++;
        }
      }
      assertEquals(0, pingsBeforeLastMessage, "heartbeat PINGs queued behind " + messages + " messages");
    }
  }
}
