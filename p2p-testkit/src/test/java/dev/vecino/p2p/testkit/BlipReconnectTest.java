package dev.vecino.p2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.discovery.Backoff;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 6 of issue 14: a network blip (a reset on both sides of a streaming connection, here
 * by a relay) while the receiver's listeners lag behind. The receiver had paused reading, so it
 * never saw the reset, kept the stale connection and refused the sender's reconnect as a
 * duplicate; the sender listed a CLOSED peer for a handshake timeout, then gave up for good (3
 * of 3 runs). Now the receiver's check of the stale connection sees the reset through a write,
 * and the sender's reconnect gets in.
 */
@Timeout(60)
class BlipReconnectTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(14, 6);
  private static final int MESSAGE = 16_400;

  /** The receiver's listener: stuck while the gate is closed, so reading pauses (back pressure). */
  static final class SlowReceiver implements PeerListener {
    volatile CountDownLatch gate = new CountDownLatch(0);
    final List<String> texts = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> disconnects = new CopyOnWriteArrayList<>();
    final List<InetSocketAddress> movedTo = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(Message m) {
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (m.payload().remaining() < 100) {
        texts.add(m.text());
      }
    }

    @Override
    public void onConnectionReplaced(Peer peer, InetSocketAddress oldRemote, InetSocketAddress newRemote) {
      movedTo.add(newRemote);
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      disconnects.add(reason);
    }
  }

  /** The sender's listener. */
  static final class Sender implements PeerListener {
    final List<Peer> connected = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> disconnects = new CopyOnWriteArrayList<>();

    @Override
    public void onConnected(Peer peer) {
      connected.add(peer);
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      disconnects.add(reason);
    }

    String state(PeerNode node) {
      return "connected " + connected.size() + ", disconnects " + disconnects + ", peers " + node.peers()
          + ", reconnecting " + node.reconnecting();
    }
  }

  @Test
  void threeBlipsInARowAllReconnectWithinAFewSeconds() throws Exception {
    SlowReceiver rx = new SlowReceiver();
    Sender tx = new Sender();
    Backoff fast = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.0, 0);
    List<Long> reconnectMillis = new ArrayList<>();
    try (TestNodes nodes = new TestNodes()) {
      PeerNode receiver = nodes.start(BLOCK.host(1), 0, b -> b.name("receiver")
          .maxUndeliveredBytes(64 * 1024).listener(rx));
      PeerNode sender = nodes.start(BLOCK.host(2), 0, b -> b.name("sender").reconnect(fast).listener(tx));
      try (TcpRelay network = new TcpRelay(BLOCK.address(3), receiver.localAddress())) {
        Peer toReceiver = sender.connect(network.address()).get(10, TimeUnit.SECONDS);
        Await.until("the receiver registers the sender", () -> receiver.peer(sender.identity().id()).isPresent());
        Peer atReceiver = receiver.peer(sender.identity().id()).orElseThrow();
        for (int blip = 1; blip <= 3; blip++) {
          CountDownLatch gate = new CountDownLatch(1);
          rx.gate = gate;
          PeerInfo before = atReceiver.snapshot();
          // Stream until the receiver's stuck listener made it stop reading.
          Peer current = toReceiver;
          byte[] big = new byte[MESSAGE];
          for (int i = 0; i < 40; i++) {
            assertEquals(SendStatus.OK, sender.trySend(current, big), "send " + i + " of blip " + blip);
          }
          Await.until("the receiver stops reading (blip " + blip + ")",
              () -> atReceiver.snapshot().messagesIn() - before.messagesIn() >= 4);

          int connects = tx.connected.size();
          InetSocketAddress stale = atReceiver.remoteAddress();
          long cut = System.nanoTime();
          network.cut();
          Await.until("blip " + blip + ": the sender reconnects and the receiver takes the new connection",
              () -> tx.connected.size() == connects + 1 && !atReceiver.remoteAddress().equals(stale));
          reconnectMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut));
          gate.countDown();

          toReceiver = tx.connected.get(tx.connected.size() - 1);
          assertEquals(PeerState.CONNECTED, toReceiver.state());
          sender.send(toReceiver, ("after blip " + blip).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
          int b = blip;
          Await.until("the receiver hears the sender after blip " + blip,
              () -> rx.texts.contains("after blip " + b));
          assertNotEquals(stale, atReceiver.remoteAddress());
        }
        assertEquals(3, rx.movedTo.size(), "the receiver's handle moved once per blip: " + rx.movedTo);
        assertTrue(rx.disconnects.isEmpty(), "the receiver kept its peer: " + rx.disconnects);
        assertEquals(3, tx.disconnects.size(), tx.state(sender));
        assertTrue(tx.disconnects.stream().allMatch(r -> r.kind() == DisconnectReason.Kind.CONNECTION_LOST),
            "the sender saw the resets, no refusal: " + tx.disconnects);
        assertEquals(1, sender.peers().size());
        System.out.println("BlipReconnectTest: reconnected after each blip in " + reconnectMillis + " ms");
      }
    }
  }
}
