package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.Footprint;
import dev.vecino.p2p.testkit.Friend;
import dev.vecino.p2p.testkit.HostilePeer;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TcpRelay;
import dev.vecino.p2p.testkit.TestNodes;
import dev.vecino.p2p.testkit.compat.CompatNode;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 5 of issue 14: ids are public and claimed, not proven. Bob (current code) connected
 * out to alice, an honest node built from an older main (6a29797, in a child JVM), whose id is
 * lower than bob's. Before, a stranger claiming alice's id won the duplicate rule: alice was
 * dropped, bob's handle moved to the stranger without an event, and the stranger received
 * bob's messages for alice. Now an established connection is checked before it is given up.
 * Throughout, a legitimate peer from a third address (carol) exchanges messages with bob and
 * reconnects, during and after, and heap, direct memory and threads stay bounded.
 *
 * <p>Plaintext nodes: the attack claims an id, which a secure node's peers cannot (their ids
 * are their keys); alice, from an older main, speaks protocol 1 only.
 */
@Timeout(60)
class IdHijackAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(14, 5);
  /** Lower than bob's id: the lower-id rule would hand alice's place to whoever claims her id. */
  private static final PeerId ALICE = new PeerId(0x0a11ceL, 1);
  private static final PeerId BOB = new PeerId(-1L, -1L);
  /** Bob's handshake timeout: the duplicate rule's overlap window; the check's bound is a quarter. */
  private static final Duration HANDSHAKE = Duration.ofSeconds(1);
  /** A connection held and checked, then closed: 4 MiB for what the test and class loading add. */
  private static final Footprint.Allowance BOUNDS = Footprint.Allowance.mebibytes(4, 2);

  record Replaced(Peer peer, InetSocketAddress oldRemote, InetSocketAddress newRemote) {}

  /** Bob's events, but for carol's (the friend's), which carol checks herself. */
  static final class Events implements PeerListener {
    final PeerId friend;
    final List<Replaced> replaced = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> disconnects = new CopyOnWriteArrayList<>();
    final List<String> texts = new CopyOnWriteArrayList<>();

    Events(PeerId friend) {
      this.friend = friend;
    }

    @Override
    public void onMessage(Message message) {
      if (!message.sender().id().equals(friend)) {
        texts.add(message.text());
      }
    }

    @Override
    public void onConnectionReplaced(Peer peer, InetSocketAddress oldRemote, InetSocketAddress newRemote) {
      replaced.add(new Replaced(peer, oldRemote, newRemote));
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      if (!peer.id().equals(friend)) {
        disconnects.add(reason);
      }
    }
  }

  private static PeerNode bob(TestNodes nodes, Events events, Friend carol) {
    return nodes.start(BLOCK.host(1), 0, b -> b.name("bob").id(BOB).handshakeTimeout(HANDSHAKE).listener(events)
        .listener(carol.echo()));
  }

  /** When a connection made now is older than bob's overlap window. */
  private static long overlapWindowEnd() {
    return System.nanoTime() + HANDSHAKE.toNanos() + TimeUnit.MILLISECONDS.toNanos(100);
  }

  /** Waits until {@code end}, from {@link #overlapWindowEnd()}. */
  private static void pastTheOverlapWindow(long end) {
    Await.until("the overlap window to pass", () -> System.nanoTime() - end > 0);
  }

  @Test
  void aStrangerClaimingALivePeersIdIsRefusedAndBobsMessagesKeepReachingThePeer() throws Exception {
    try (TestNodes nodes = TestNodes.plaintext();
         CompatNode alice = CompatNode.start(CompatNode.JAR_6A29797, BLOCK.host(2), "alice", ALICE)) {
      Friend carol = Friend.start(nodes, BLOCK.host(3), "carol");
      Events events = new Events(carol.id());
      PeerNode bob = bob(nodes, events, carol);
      Peer p = bob.connect(alice.address()).get(10, TimeUnit.SECONDS);
      long windowEnd = overlapWindowEnd();
      assertEquals(ALICE, p.id());
      carol.connect(bob);
      carol.exchange(3);
      Footprint before = Footprint.measure();
      Footprint during;
      pastTheOverlapWindow(windowEnd);

      // Bob keeps writing to alice throughout the attack.
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger sent = new AtomicInteger();
      Thread writer = new Thread(() -> {
        for (int i = 0; i < 2000 && !stop.get(); i++) {
          try {
            bob.send(p, "for alice " + i).get(5, TimeUnit.SECONDS);
            sent.incrementAndGet();
          } catch (Exception e) {
            return;
          }
          LockSupport.parkNanos(5_000_000);
        }
      }, "test-bob-writer");
      writer.start();

      int strangerTexts = 0;
      HostilePeer.Frame bye = null;
      long refusedAfterMillis;
      try (HostilePeer mallory = HostilePeer.to(bob.localAddress()).from(BLOCK.address(7)).connect()) {
        mallory.handshake(ALICE, "alice", "vecino");
        long claimed = System.nanoTime();
        mallory.sendText("mallory, as alice");
        // While bob checks alice's connection and holds the stranger's: carol talks and gets in afresh.
        carol.checkIn(3);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (bye == null && System.nanoTime() < deadline) {
          HostilePeer.Frame f;
          try {
            f = mallory.read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
          } catch (SocketTimeoutException e) {
            break;
          }
          if (f.type() == HostilePeer.TEXT) {
            strangerTexts++;
          } else if (f.type() == HostilePeer.BYE) {
            bye = f;
          }
        }
        refusedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - claimed);
        assertNotNull(bye, "the stranger is refused with a BYE");
        assertEquals(1, bye.byeCode(), "duplicate: " + bye);
        assertEquals("already connected", bye.byeText());
        // Not earlier: a full collection's pause within the check's 250 ms could make alice look stale.
        during = Footprint.awaitWithin(before, BOUNDS, "while the stranger claims alice's id");
        assertTrue(mallory.awaitClosed(Duration.ofSeconds(5)), "bob closes the stranger's connection");
      }
      // A few more messages after the attack, then stop.
      int afterAttack = sent.get() + 20;
      Await.until("bob writes on after the attack", () -> sent.get() >= afterAttack || !writer.isAlive());
      stop.set(true);
      writer.join(10_000);

      int total = sent.get();
      Await.until("alice gets all " + total + " messages: " + alice.messages().size(),
          () -> alice.messages().size() == total);
      System.out.println("IdHijackAttackTest: stranger refused " + refusedAfterMillis + " ms after its HELLO; bob sent "
          + total + " messages to alice during and after the attack: alice received " + alice.messages().size()
          + ", the stranger " + strangerTexts);
      assertEquals(0, strangerTexts, "no message for alice reached the stranger");
      assertSame(p, bob.peer(ALICE).orElseThrow(), "one handle for alice");
      assertEquals(alice.address(), p.remoteAddress(), "the handle stays on alice's connection");
      assertTrue(events.replaced.isEmpty(), "no handle switch: " + events.replaced);
      assertTrue(events.disconnects.isEmpty(), "no disconnect: " + events.disconnects);
      assertTrue(!events.texts.contains("mallory, as alice"), "nothing from the stranger reached bob's listeners");

      // Alice still talks to bob, and carol still talks and gets in afresh.
      alice.sendToAll("from alice");
      Await.until("bob hears alice", () -> events.texts.contains("from alice"));
      carol.checkIn(3);
      carol.assertNothingLost();
      Footprint after = Footprint.awaitWithin(before, BOUNDS, "after the stranger's claim");
      System.out.println("IdHijackAttackTest footprint: before " + before + "; during " + during.growthOver(before)
          + "; after " + after.growthOver(before) + "; " + carol);
    }
  }

  @Test
  void whenThePeersConnectionIsStaleItsIdReconnectsAndTheHandleFollowsWithAnEvent() throws Exception {
    try (TestNodes nodes = TestNodes.plaintext();
         CompatNode alice = CompatNode.start(CompatNode.JAR_6A29797, BLOCK.host(2), "alice", ALICE);
         TcpRelay network = new TcpRelay(BLOCK.address(4), alice.address())) {
      Friend carol = Friend.start(nodes, BLOCK.host(3), "carol");
      Events events = new Events(carol.id());
      PeerNode bob = bob(nodes, events, carol);
      Peer p = bob.connect(network.address()).get(10, TimeUnit.SECONDS);
      long windowEnd = overlapWindowEnd();
      InetSocketAddress before = p.remoteAddress();
      carol.connect(bob);
      carol.exchange(3);
      // No attack here, only a legitimate peer's connection moving: its footprint is checked after.
      Footprint start = Footprint.measure();
      pastTheOverlapWindow(windowEnd);

      // Alice's old connection goes silent (no FIN, no RST), and alice connects to bob again.
      network.freeze();
      carol.exchange(3);
      String outcome = alice.connect(bob.localAddress());
      assertTrue(outcome.startsWith("CONNECT-OK"), outcome);
      carol.reconnect();
      carol.exchange(3);

      Await.until("bob moves alice's handle to her new connection", () -> events.replaced.size() == 1);
      Replaced r = events.replaced.get(0);
      assertSame(p, r.peer());
      assertEquals(before, r.oldRemote());
      assertEquals(p.remoteAddress(), r.newRemote());
      assertNotEquals(before.getAddress(), r.newRemote().getAddress(), "not the relay's address any more");
      assertSame(p, bob.peer(ALICE).orElseThrow());

      bob.send(p, "after the move").get(10, TimeUnit.SECONDS);
      Await.until("alice gets bob's message on the new connection", () -> alice.messages().contains("after the move"));
      alice.sendToAll("alice again");
      Await.until("bob hears alice", () -> events.texts.contains("alice again"));
      assertTrue(events.disconnects.isEmpty(), "no disconnect: " + events.disconnects);
      assertEquals(2, bob.peers().size(), "alice and carol");
      carol.checkIn(3);
      carol.assertNothingLost();
      Footprint after = Footprint.awaitWithin(start, BOUNDS, "after alice's handle moved");
      System.out.println("IdHijackAttackTest, stale: footprint before " + start + "; after " + after.growthOver(start)
          + "; " + carol);
    }
  }
}
