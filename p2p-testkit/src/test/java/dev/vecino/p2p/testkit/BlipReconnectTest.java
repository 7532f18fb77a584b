package dev.vecino.p2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault 6 of issue 14: a network blip (a reset on both sides of a streaming connection, here
 * by a relay) while the receiver's listeners lag behind. The receiver had paused reading, so it
 * never saw the reset, kept the stale connection and refused the sender's reconnect as a
 * duplicate; the sender listed a CLOSED peer for a handshake timeout, then gave up for good (3
 * of 3 runs). Now the receiver's check of the stale connection sees the reset through a write,
 * and the sender's reconnect gets in. Meanwhile a legitimate peer from another address
 * exchanges messages with the receiver and reconnects, during the second blip and after, and
 * heap, direct memory and threads stay bounded.
 */
@Timeout(60)
class BlipReconnectTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(14, 6);
  private static final int MESSAGE = 16_400;
  /**
   * During a blip: the sender's queue, 2 x (maxQueuedBytes + 72 KiB) of direct memory at most
   * (docs/reliability.md, default 4 MiB bound), and the receiver's undelivered messages, 64 KiB
   * plus a read, on the heap; 4 MiB of heap and 2 MiB of direct memory more for what the test,
   * its sockets and class loading add.
   */
  private static final Footprint.Allowance DURING = Footprint.Allowance.mebibytes(4, 2)
      .plusDirect(2L * (4 * 1024 * 1024 + 72 * 1024)).plusHeap(64 * 1024 + 256 * 1024);
  /**
   * After the blips: the messages streamed are delivered and the stale connections gone, but
   * the sender's live connection may keep its grown queue buffers (the documented bound).
   */
  private static final Footprint.Allowance AFTER = Footprint.Allowance.mebibytes(4, 2)
      .plusDirect(2L * (4 * 1024 * 1024 + 72 * 1024));

  /**
   * The receiver's listener: stuck on the sender's large messages while the gate is closed, so
   * reading them pauses (back pressure); on a callback executor of two threads, so the friend's
   * events (serialized per peer) are not stuck behind them.
   */
  static final class SlowReceiver implements PeerListener {
    final PeerId friend;
    volatile CountDownLatch gate = new CountDownLatch(0);
    final List<String> texts = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> disconnects = new CopyOnWriteArrayList<>();
    final List<InetSocketAddress> movedTo = new CopyOnWriteArrayList<>();

    SlowReceiver(PeerId friend) {
      this.friend = friend;
    }

    @Override
    public void onMessage(Message m) {
      if (m.sender().id().equals(friend)) {
        return;
      }
      if (m.payload().remaining() < 100) {
        texts.add(m.text());
        return;
      }
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void onConnectionReplaced(Peer peer, InetSocketAddress oldRemote, InetSocketAddress newRemote) {
      movedTo.add(newRemote);
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      if (!peer.id().equals(friend)) {
        disconnects.add(reason);
      }
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
    Sender tx = new Sender();
    Backoff fast = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.0, 0);
    List<Long> reconnectMillis = new ArrayList<>();
    AtomicInteger callbackThreads = new AtomicInteger();
    ExecutorService callbacks = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "test-receiver-callback-" + callbackThreads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try (TestNodes nodes = new TestNodes()) {
      Friend friend = Friend.start(nodes, BLOCK.host(4), "friend");
      SlowReceiver rx = new SlowReceiver(friend.id());
      PeerNode receiver = nodes.start(BLOCK.host(1), 0, b -> b.name("receiver")
          .maxUndeliveredBytes(64 * 1024).callbackExecutor(callbacks).listener(rx).listener(friend.echo()));
      PeerNode sender = nodes.start(BLOCK.host(2), 0, b -> b.name("sender").reconnect(fast).listener(tx));
      friend.connect(receiver);
      friend.exchange(3);
      Footprint base = Footprint.measure();
      Footprint during = null;
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
          if (blip == 2) {
            // The receiver's listener is still stuck on the sender's messages: the friend talks and gets in afresh.
            friend.checkIn(1);
          }
          Await.until("blip " + blip + ": the sender reconnects and the receiver takes the new connection",
              () -> tx.connected.size() == connects + 1 && !atReceiver.remoteAddress().equals(stale));
          reconnectMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut));
          if (blip == 2) {
            during = Footprint.awaitWithin(base, DURING, "during blip 2");
          }
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
        friend.checkIn(3);
        friend.assertNothingLost();
        Footprint after = Footprint.awaitWithin(base, AFTER, "after the blips");
        System.out.println("BlipReconnectTest: reconnected after each blip in " + reconnectMillis + " ms; footprint "
            + "before " + base + ", during " + during.growthOver(base) + ", after " + after.growthOver(base)
            + "; " + friend);
      }
    } finally {
      callbacks.shutdownNow();
    }
  }
}
