package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.Footprint;
import dev.vecino.p2p.testkit.Friend;
import dev.vecino.p2p.testkit.HostilePeer;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * PING reflection (issue 14, fault 1), short in-process variant: a peer that completed the
 * handshake floods PINGs and never reads. Before the fix the node queued one PONG per PING,
 * past {@code maxQueuedBytes} (control frames ignored the bound), until its I/O thread died
 * of {@code OutOfMemoryError: direct buffer memory}. Now it holds one PONG, its queue stays at
 * the bound, a PING body over 64 bytes is refused with BYE 5, and a legitimate peer from
 * another address keeps chatting, reconnects during and after the flood, while heap, direct
 * memory and threads stay bounded. The child-JVM proof with a small
 * {@code -XX:MaxDirectMemorySize} is {@link PingReflectionAttackIT}.
 */
@Timeout(60)
class PingReflectionAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 11);
  private static final int BOUND = 256 * 1024;
  private static final int CHUNK = 16 * 1024;
  /** The control frames a queue may hold beyond its bound: HELLO, BYE, one PONG, one PING (docs/reliability.md). */
  private static final int CONTROL = 8 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration ATTACK = Duration.ofSeconds(1);
  /**
   * During the flood: mallory's queue held at the bound costs at most 2 x (bound + 72 KiB) of
   * direct memory (docs/reliability.md); 2 MiB more for this JVM's own socket buffers and
   * buffers not yet freed. The heap holds no PING or PONG past the bound: 8 MiB for what the
   * test and class loading add.
   */
  private static final Footprint.Allowance DURING = Footprint.Allowance.mebibytes(8, 2)
      .plusDirect(2L * (BOUND + 72 * 1024));
  /** After: what the test thread's blocking sockets cache (one 1 MiB PING was written). */
  private static final Footprint.Allowance AFTER = Footprint.Allowance.mebibytes(4, 2);

  private static BufferPoolMXBean direct() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void aPingFloodThatNeverReadsCostsOnePongWhileAFriendKeepsChatting(Wire wire) throws Exception {
    List<DisconnectReason> nodeLost = new CopyOnWriteArrayList<>();
    try (TestNodes nodes = wire.nodes()) {
      Friend friend = Friend.start(nodes, BLOCK.host(2), "friend");
      PeerNode node = nodes.start(BLOCK.host(1), 0, b -> b.name("node").maxQueuedBytes(BOUND)
          .listener(friend.echo()).listener(new PeerListener() {
            @Override
            public void onDisconnected(Peer peer, DisconnectReason reason) {
              if (!peer.id().equals(friend.id())) {
                nodeLost.add(reason);
              }
            }
          }));
      friend.connect(node);
      friend.exchange(3);
      Footprint before = Footprint.measure();
      BufferPoolMXBean direct = direct();
      long directBefore = direct.getMemoryUsed();
      Footprint during;

      try (HostilePeer mallory = wire.to(node.localAddress()).from(BLOCK.address(7))
          .receiveBuffer(4096).connect()) {
        PeerId malloryId = mallory.id();
        mallory.handshake("mallory", "vecino");
        Await.until("mallory connected", () -> node.peer(malloryId).isPresent());
        Peer m = node.peer(malloryId).orElseThrow();
        // The application has messages for mallory too: its queue sits at the bound (once the
        // kernel's socket buffers, a few MB on loopback, are full).
        byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < (BOUND + 16 * 1024 * 1024) / CHUNK && node.trySend(m, chunk) == SendStatus.OK; i++) {
          // Fill.
        }
        assertTrue(m.queuedBytes() > BOUND / 2, "mallory's queue filled: " + m.queuedBytes());
        AtomicLong pings = new AtomicLong();
        AtomicReference<IOException> floodFailed = new AtomicReference<>();
        long start = System.nanoTime();
        long end = start + ATTACK.toNanos();
        Thread flood = new Thread(() -> {
          byte[] body = new byte[64];
          try {
            while (System.nanoTime() < end) {
              mallory.send(HostilePeer.PING, body);
              pings.incrementAndGet();
            }
          } catch (IOException e) {
            floodFailed.set(e);
          }
        }, "test-ping-flood");
        flood.start();
        long maxQueued = 0;
        long maxDirect = 0;
        int exchanges = 0;
        Footprint late = null;
        while (flood.isAlive()) {
          // Keep mallory's queue at the bound (the kernel's send buffer may still grow).
          for (int i = 0; i < 64 && node.trySend(m, chunk) == SendStatus.OK; i++) {
            // Top up.
          }
          maxQueued = Math.max(maxQueued, queuedFor(node, malloryId));
          maxDirect = Math.max(maxDirect, direct.getMemoryUsed() - directBefore);
          if (exchanges == 0) {
            friend.reconnect();
          } else if (late == null && System.nanoTime() - start > ATTACK.toNanos() * 2 / 3) {
            late = Footprint.awaitWithin(before, DURING, "during the flood");
          }
          friend.exchange(1);
          exchanges++;
        }
        flood.join();
        during = late != null ? late : Footprint.awaitWithin(before, DURING, "at the end of the flood");
        maxQueued = Math.max(maxQueued, queuedFor(node, malloryId));
        maxDirect = Math.max(maxDirect, direct.getMemoryUsed() - directBefore);
        System.out.println("PING FLOOD " + pings.get() + " PINGs of 64 B in " + ATTACK.toMillis()
            + " ms; mallory's queue at most " + maxQueued + " B (bound " + BOUND + "); direct memory grew by at most "
            + maxDirect + " B; friend exchanges during the flood: " + exchanges);
        assertEquals(null, floodFailed.get(), "the node kept reading the flood");
        assertTrue(pings.get() > 1000, "a flood: " + pings.get());
        assertTrue(maxQueued > BOUND / 2, "mallory's queue never filled during the flood: " + maxQueued);
        assertTrue(maxQueued <= BOUND + CONTROL, "mallory's queue " + maxQueued + " B, bound " + BOUND);
        // The node's two buffers for mallory, plus slack for this JVM's own socket buffers.
        long directBound = 2L * (BOUND + CONTROL + 64 * 1024) + 2 * 1024 * 1024;
        assertTrue(maxDirect <= directBound, "direct memory grew by " + maxDirect + " B, bound " + directBound);
        assertTrue(exchanges >= 3, "friend exchanges during the flood: " + exchanges);
        assertEquals(PeerState.CONNECTED, m.state(), "mallory, who reads nothing but sends, is still a peer");
      }

      // A PING with a 1 MiB body: refused on its header with BYE 5.
      try (HostilePeer big = wire.to(node.localAddress()).from(BLOCK.address(8)).connect()) {
        big.handshake("mallory-big", "vecino");
        big.send(HostilePeer.PING, new byte[1024 * 1024]);
        HostilePeer.Frame bye = big.readUntil(HostilePeer.BYE, WAIT);
        assertEquals(5, bye.byeCode(), bye.toString());
        assertEquals("PING body of 1048576 bytes exceeds the limit of 64 bytes", bye.byeText());
        assertTrue(big.awaitClosed(WAIT), "the node closes after its BYE");
      }
      Await.until("both attackers gone", () -> node.peers().size() == 1 && nodeLost.size() == 2);
      assertTrue(nodeLost.stream().anyMatch(r -> r.kind() == DisconnectReason.Kind.PROTOCOL_ERROR
          && r.detail().contains("PING body of 1048576 bytes")), nodeLost.toString());

      // After the attack: the friend still chats and gets in afresh, nothing leaked.
      friend.checkIn(3);
      friend.assertNothingLost();
      assertTrue(node.isRunning());
      Footprint after = Footprint.awaitWithin(before, AFTER, "after the flood");
      System.out.println("PING FLOOD footprint: before " + before + "; during " + during.growthOver(before)
          + "; after " + after.growthOver(before) + "; " + friend);
    }
  }

  private static long queuedFor(PeerNode node, PeerId id) {
    return node.peers().stream().filter(p -> p.id().equals(id)).mapToLong(Peer::queuedBytes).max().orElse(0);
  }
}
