package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerDisconnectedException;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.Footprint;
import dev.vecino.p2p.testkit.Friend;
import dev.vecino.p2p.testkit.HostilePeer;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * Slow consumer (issue 14, fault 7): a peer that completed the handshake, never reads, and
 * sends a 5-byte PING every 2 s so the heartbeat never drops it. Before the fix it held its
 * full 4 MiB queue forever (64 {@code send} futures still pending after 30 s). Now, with
 * {@code writeStallTimeout} 1 s, it is dropped as a slow consumer once no byte was written
 * for that long, its pending sends fail, and a legitimate peer from another address keeps
 * exchanging messages and reconnecting during and after, while heap, direct memory and threads
 * stay bounded.
 */
@Timeout(60)
class SlowConsumerAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 71);
  private static final Duration STALL = Duration.ofSeconds(1);
  private static final Duration WAIT = Duration.ofSeconds(5);
  /**
   * While mallory holds its queue: at most 2 x (maxQueuedBytes + 72 KiB) of direct memory for
   * it (docs/reliability.md, default 4 MiB bound), 2 MiB more for this JVM's own sockets; 8 MiB
   * of heap for the test's 64 sends (4 MiB of payload the node has copied) and what class
   * loading adds.
   */
  private static final Footprint.Allowance DURING = Footprint.Allowance.mebibytes(8, 2)
      .plusDirect(2L * (4 * 1024 * 1024 + 72 * 1024));
  /** After the drop: mallory's queue is freed. */
  private static final Footprint.Allowance AFTER = Footprint.Allowance.mebibytes(4, 2);

  @ParameterizedTest
  @EnumSource(Wire.class)
  void aPeerThatNeverReadsIsDroppedAfterTheWriteStallTimeoutAndItsSendsFail(Wire wire) throws Exception {
    List<DisconnectReason> nodeLost = new CopyOnWriteArrayList<>();
    try (TestNodes nodes = wire.nodes()) {
      Friend friend = Friend.start(nodes, BLOCK.host(2), "friend");
      PeerNode node = nodes.start(BLOCK.host(1), 0, b -> b.name("node").writeStallTimeout(STALL)
          .closeTimeout(Duration.ofMillis(200)).listener(friend.echo()).listener(new PeerListener() {
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
      Footprint during;

      try (HostilePeer mallory = wire.to(node.localAddress()).from(BLOCK.address(7))
          .receiveBuffer(4096).connect()) {
        PeerId malloryId = mallory.id();
        mallory.handshake("mallory", "vecino");
        Await.until("mallory connected", () -> node.peer(malloryId).isPresent());
        Peer m = node.peer(malloryId).orElseThrow();
        long start = System.nanoTime();
        byte[] chunk = new byte[64 * 1024];
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
          sends.add(node.send(m, MessageKind.BINARY, chunk));
        }
        // Mallory pings every 2 s, reads nothing; the friend reconnects and chats meanwhile.
        friend.reconnect();
        during = Footprint.awaitWithin(before, DURING, "while mallory held its queue");
        int exchanges = 0;
        long nextPing = System.nanoTime();
        while (nodeLost.isEmpty() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
          if (System.nanoTime() - nextPing >= 0) {
            mallory.send(HostilePeer.PING, new byte[0]);
            nextPing += TimeUnit.SECONDS.toNanos(2);
          }
          friend.exchange(1);
          exchanges++;
        }
        Await.until("mallory dropped", () -> nodeLost.size() == 1);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        DisconnectReason reason = nodeLost.get(0);
        assertEquals(DisconnectReason.Kind.LIMIT_EXCEEDED, reason.kind(), reason.toString());
        assertEquals("slow consumer", reason.detail());
        assertTrue(tookMs >= STALL.toMillis(), "dropped after " + tookMs + " ms, before the timeout");
        long failed = 0;
        for (CompletableFuture<Void> f : sends) {
          Await.until("every send completes", WAIT, f::isDone);
          if (f.isCompletedExceptionally()) {
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            assertInstanceOf(PeerDisconnectedException.class, e.getCause());
            failed++;
          }
        }
        System.out.println("SLOW CONSUMER dropped " + tookMs + " ms after the sends (writeStallTimeout "
            + STALL.toMillis() + " ms, close timeout 200 ms); " + failed + " of 64 sends failed, the rest were "
            + "written before the stall; friend exchanges meanwhile: " + exchanges);
        assertTrue(failed > 0, "nothing was left unwritten");
        assertTrue(exchanges >= 3, "friend exchanges during the attack: " + exchanges);
        assertTrue(mallory.awaitClosed(WAIT), "the node closed mallory's connection");
      }

      friend.checkIn(3);
      friend.assertNothingLost();
      assertEquals(1, node.peers().size());
      assertTrue(node.isRunning());
      Footprint after = Footprint.awaitWithin(before, AFTER, "after the drop");
      System.out.println("SLOW CONSUMER footprint: before " + before + "; during " + during.growthOver(before)
          + "; after " + after.growthOver(before) + "; " + friend);
    }
  }
}
