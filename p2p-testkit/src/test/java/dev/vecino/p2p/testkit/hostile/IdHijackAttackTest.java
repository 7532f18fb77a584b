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
 */
@Timeout(60)
class IdHijackAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(14, 5);
  /** Lower than bob's id: the lower-id rule would hand alice's place to whoever claims her id. */
  private static final PeerId ALICE = new PeerId(0x0a11ceL, 1);
  private static final PeerId BOB = new PeerId(-1L, -1L);
  /** Bob's handshake timeout: the duplicate rule's overlap window; the check's bound is a quarter. */
  private static final Duration HANDSHAKE = Duration.ofSeconds(1);

  record Replaced(Peer peer, InetSocketAddress oldRemote, InetSocketAddress newRemote) {}

  static final class Events implements PeerListener {
    final List<Replaced> replaced = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> disconnects = new CopyOnWriteArrayList<>();
    final List<String> texts = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(Message message) {
      texts.add(message.text());
    }

    @Override
    public void onConnectionReplaced(Peer peer, InetSocketAddress oldRemote, InetSocketAddress newRemote) {
      replaced.add(new Replaced(peer, oldRemote, newRemote));
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      disconnects.add(reason);
    }
  }

  private static PeerNode bob(TestNodes nodes, Events events) {
    return nodes.start(BLOCK.host(1), 0, b -> b.name("bob").id(BOB).handshakeTimeout(HANDSHAKE).listener(events));
  }

  /** Waits until a connection made now is older than bob's overlap window. */
  private static void pastTheOverlapWindow() {
    long after = System.nanoTime() + HANDSHAKE.toNanos() + TimeUnit.MILLISECONDS.toNanos(100);
    Await.until("the overlap window to pass", () -> System.nanoTime() - after > 0);
  }

  /** A legitimate newcomer from another address connects to bob and both ways work. */
  private static void aNewcomerStillGetsIn(TestNodes nodes, PeerNode bob, Events bobEvents) throws Exception {
    List<String> carolGot = new CopyOnWriteArrayList<>();
    PeerNode carol = nodes.start(BLOCK.host(3), 0, b -> b.name("carol").onMessage(m -> carolGot.add(m.text())));
    Peer toBob = carol.connect(bob.localAddress()).get(10, TimeUnit.SECONDS);
    carol.send(toBob, "hi bob").get(10, TimeUnit.SECONDS);
    Await.until("bob hears carol", () -> bobEvents.texts.contains("hi bob"));
    bob.send(bob.peer(carol.identity().id()).orElseThrow(), "hi carol").get(10, TimeUnit.SECONDS);
    Await.until("carol hears bob", () -> carolGot.contains("hi carol"));
  }

  @Test
  void aStrangerClaimingALivePeersIdIsRefusedAndBobsMessagesKeepReachingThePeer() throws Exception {
    Events events = new Events();
    try (TestNodes nodes = new TestNodes();
         CompatNode alice = CompatNode.start(CompatNode.JAR_6A29797, BLOCK.host(2), "alice", ALICE)) {
      PeerNode bob = bob(nodes, events);
      Peer p = bob.connect(alice.address()).get(10, TimeUnit.SECONDS);
      assertEquals(ALICE, p.id());
      pastTheOverlapWindow();

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

      // Alice still talks to bob, and a newcomer from another address gets in.
      alice.sendToAll("from alice");
      Await.until("bob hears alice", () -> events.texts.contains("from alice"));
      aNewcomerStillGetsIn(nodes, bob, events);
    }
  }

  @Test
  void whenThePeersConnectionIsStaleItsIdReconnectsAndTheHandleFollowsWithAnEvent() throws Exception {
    Events events = new Events();
    try (TestNodes nodes = new TestNodes();
         CompatNode alice = CompatNode.start(CompatNode.JAR_6A29797, BLOCK.host(2), "alice", ALICE);
         TcpRelay network = new TcpRelay(BLOCK.address(4), alice.address())) {
      PeerNode bob = bob(nodes, events);
      Peer p = bob.connect(network.address()).get(10, TimeUnit.SECONDS);
      InetSocketAddress before = p.remoteAddress();
      pastTheOverlapWindow();

      // Alice's old connection goes silent (no FIN, no RST), and alice connects to bob again.
      network.freeze();
      String outcome = alice.connect(bob.localAddress());
      assertTrue(outcome.startsWith("CONNECT-OK"), outcome);

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
      assertEquals(1, bob.peers().size());
    }
  }
}
