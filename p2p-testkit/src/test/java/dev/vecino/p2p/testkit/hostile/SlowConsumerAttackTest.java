package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerDisconnectedException;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow consumer (issue 14, fault 7): a peer that completed the handshake, never reads, and
 * sends a 5-byte PING every 2 s so the heartbeat never drops it. Before the fix it held its
 * full 4 MiB queue forever (64 {@code send} futures still pending after 30 s). Now, with
 * {@code writeStallTimeout} 1 s, it is dropped as a slow consumer once no byte was written
 * for that long, its pending sends fail, and a legitimate peer from another address keeps
 * exchanging messages during and after.
 */
@Timeout(60)
class SlowConsumerAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 71);
  private static final Duration STALL = Duration.ofSeconds(1);
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void aPeerThatNeverReadsIsDroppedAfterTheWriteStallTimeoutAndItsSendsFail() throws Exception {
    List<Message> atNode = new CopyOnWriteArrayList<>();
    List<Message> atFriend = new CopyOnWriteArrayList<>();
    List<DisconnectReason> nodeLost = new CopyOnWriteArrayList<>();
    List<DisconnectReason> friendLost = new CopyOnWriteArrayList<>();
    try (TestNodes nodes = new TestNodes()) {
      PeerNode node = nodes.start(BLOCK.host(1), 0, b -> b.name("node").writeStallTimeout(STALL)
          .closeTimeout(Duration.ofMillis(200)).onMessage(atNode::add).listener(new PeerListener() {
            @Override
            public void onDisconnected(Peer peer, DisconnectReason reason) {
              nodeLost.add(reason);
            }
          }));
      PeerNode friend = nodes.start(BLOCK.host(2), 0, b -> b.name("friend").onMessage(atFriend::add)
          .listener(new PeerListener() {
            @Override
            public void onDisconnected(Peer peer, DisconnectReason reason) {
              friendLost.add(reason);
            }
          }));
      Peer nodeAtFriend = friend.connect(node.localAddress()).get(5, TimeUnit.SECONDS);
      Await.until("the node has the friend", () -> node.peer(friend.identity().id()).isPresent());
      Peer friendAtNode = node.peer(friend.identity().id()).orElseThrow();

      PeerId malloryId = PeerId.random();
      try (HostilePeer mallory = HostilePeer.to(node.localAddress()).from(BLOCK.address(7))
          .receiveBuffer(4096).connect()) {
        mallory.handshake(malloryId, "mallory", "vecino");
        Await.until("mallory connected", () -> node.peer(malloryId).isPresent());
        Peer m = node.peer(malloryId).orElseThrow();
        long start = System.nanoTime();
        byte[] chunk = new byte[64 * 1024];
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
          sends.add(node.send(m, MessageKind.BINARY, chunk));
        }
        // Mallory pings every 2 s, reads nothing; the friend chats meanwhile.
        int roundTrips = 0;
        long nextPing = System.nanoTime();
        while (nodeLost.isEmpty() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
          if (System.nanoTime() - nextPing >= 0) {
            mallory.send(HostilePeer.PING, new byte[0]);
            nextPing += TimeUnit.SECONDS.toNanos(2);
          }
          roundTrips += roundTrip(friend, nodeAtFriend, node, friendAtNode, atNode, atFriend, roundTrips);
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
            + "written before the stall; friend round trips meanwhile: " + roundTrips);
        assertTrue(failed > 0, "nothing was left unwritten");
        assertTrue(roundTrips >= 3, "friend round trips during the attack: " + roundTrips);
        assertTrue(mallory.awaitClosed(WAIT), "the node closed mallory's connection");
      }

      roundTrip(friend, nodeAtFriend, node, friendAtNode, atNode, atFriend, 1000);
      assertTrue(friendLost.isEmpty(), "friend lost the node: " + friendLost);
      assertEquals(1, node.peers().size());
      assertTrue(node.isRunning());
    }
  }

  /** One message each way between the friend and the node; returns 1. */
  private static int roundTrip(PeerNode friend, Peer nodeAtFriend, PeerNode node, Peer friendAtNode,
      List<Message> atNode, List<Message> atFriend, int n) throws Exception {
    String ask = "ask " + n;
    friend.send(nodeAtFriend, ask).get(5, TimeUnit.SECONDS);
    Await.until("node hears " + ask, () -> atNode.stream().anyMatch(m -> m.text().equals(ask)));
    String answer = "answer " + n;
    node.send(friendAtNode, answer).get(5, TimeUnit.SECONDS);
    Await.until("friend hears " + answer, () -> atFriend.stream().anyMatch(m -> m.text().equals(answer)));
    return 1;
  }
}
