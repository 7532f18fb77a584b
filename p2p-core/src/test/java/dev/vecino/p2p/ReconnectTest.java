package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.discovery.Backoff;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ReconnectTest {

  private static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(400), 2.0, 0.0, 0);

  static final class Events extends Recorder {
    final List<Integer> attempts = new CopyOnWriteArrayList<>();
    final List<Duration> delays = new CopyOnWriteArrayList<>();
    final List<Integer> gaveUp = new CopyOnWriteArrayList<>();
    final List<PeerId> lastIds = new CopyOnWriteArrayList<>();
    final List<Long> connectedNanos = new CopyOnWriteArrayList<>();
    final List<Long> disconnectedNanos = new CopyOnWriteArrayList<>();

    @Override
    public void onConnected(Peer peer) {
      connectedNanos.add(System.nanoTime());
      super.onConnected(peer);
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      disconnectedNanos.add(System.nanoTime());
      super.onDisconnected(peer, reason);
    }

    /** What happened so far, for timeout messages. */
    String state(PeerNode node) {
      return "attempts " + attempts + ", delays " + delays + ", gave up " + gaveUp + ", connected "
          + connected.size() + ", disconnects " + disconnects + ", reconnecting " + node.reconnecting()
          + ", peers " + node.peers();
    }

    @Override
    public void onReconnecting(InetSocketAddress address, PeerId lastId, int attempt, Duration delay) {
      attempts.add(attempt);
      delays.add(delay);
    }

    @Override
    public void onReconnectFailed(InetSocketAddress address, PeerId lastId, int attempts) {
      lastIds.add(lastId);
      gaveUp.add(attempts);
    }
  }

  @Test
  void reconnectsAfterThePeerRestartsOnTheSamePort() throws Exception {
    Events e = new Events();
    Identity bobId = Identity.random("bob");
    PeerNode bob = Nodes.local("bob").identity(bobId).build().start();
    int port = bob.localAddress().getPort();
    try (PeerNode a = Nodes.local("a").reconnect(FAST).listener(e).build().start()) {
      Peer p = a.connect(bob.localAddress()).get(5, TimeUnit.SECONDS);
      bob.close();
      Await.until("at least three attempts while bob is down", () -> e.attempts.size() >= 3,
          () -> e.state(a), Await.DEFAULT);
      assertEquals(List.of(1, 2, 3), e.attempts.subList(0, 3));
      assertTrue(e.delays.get(1).compareTo(e.delays.get(0)) > 0, "backoff grows: " + e.delays);
      assertTrue(e.delays.get(2).compareTo(e.delays.get(1)) > 0, "backoff grows: " + e.delays);
      assertEquals(DisconnectReason.Kind.CLOSED_BY_PEER, e.disconnects.get(0).kind());
      List<PeerInfo> lost = a.reconnecting();
      assertEquals(1, lost.size());
      assertEquals(PeerState.RECONNECTING, lost.get(0).state());
      assertEquals(bobId.id(), lost.get(0).id());
      assertEquals("bob", lost.get(0).name());

      try (PeerNode bob2 = Nodes.local("bob").identity(bobId).port(port).build().start()) {
        Await.until("reconnected", () -> e.connected.size() == 2, () -> e.state(a), Await.DEFAULT);
        Await.until("no longer listed as reconnecting", () -> a.reconnecting().isEmpty());
        Peer again = e.connected.get(1);
        assertEquals(bobId.id(), again.id());
        assertEquals(1, a.peers().size());

        // A deliberate disconnect is not retried.
        int before = e.attempts.size();
        a.disconnect(again).get(5, TimeUnit.SECONDS);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
        Await.until("a quiet period", () -> System.nanoTime() > until);
        assertEquals(before, e.attempts.size(), "no attempts after disconnect");
        assertTrue(a.peers().isEmpty());
      }
    }
  }

  /**
   * Fault 6 of issue 14: a peer that refuses a reconnect with "already connected" (it still
   * holds a live connection claiming our id) did end the reconnect for good, after keeping a
   * CLOSED peer listed for a handshake timeout. The intent now survives, with growing backoff.
   */
  @Test
  void aRefusalAsDuplicateIsRetriedWithGrowingBackoff() throws Exception {
    Events e = new Events();
    Identity me = Identity.random("a");
    // Plaintext: a secure node's id cannot be squatted at all (SecureNodesTest).
    try (PeerNode bob = Nodes.plain("bob").handshakeTimeout(Duration.ofSeconds(1)).build().start();
         AnsweringPeer squatter = AnsweringPeer.connect(bob.localAddress(),
             java.net.InetAddress.getByName("127.0.14.70"), me.id(), "a")) {
      Await.until("bob registers the squatter", () -> bob.peer(me.id()).isPresent());
      long past = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1100);
      Await.until("the squatter's connection is past the overlap window", () -> System.nanoTime() - past > 0);
      try (PeerNode a = Nodes.plain("a").identity(me).reconnect(FAST).listener(e).build().start()) {
        a.connect(bob.localAddress()).get(5, TimeUnit.SECONDS);
        Await.until("three refused attempts", () -> e.attempts.size() >= 3, () -> e.state(a), Await.DEFAULT);
        assertEquals(List.of(1, 2, 3), e.attempts.subList(0, 3), "each refusal counts as a failed attempt");
        assertTrue(e.disconnects.stream().allMatch(r -> r.kind() == DisconnectReason.Kind.DUPLICATE), e.state(a));
        assertTrue(e.gaveUp.isEmpty());
        // Before: the refused peer stayed listed, CLOSED, for a handshake timeout (2 s here).
        for (int i = 0; i < 3; i++) {
          long listedMillis = TimeUnit.NANOSECONDS.toMillis(e.disconnectedNanos.get(i) - e.connectedNanos.get(i));
          assertTrue(listedMillis < 1500, "refused peer " + i + " listed for " + listedMillis + " ms");
        }

        squatter.close();
        Await.until("bob drops the squatter", () -> bob.peer(me.id()).isEmpty());
        Await.until("a gets in", () -> bob.peer(me.id()).isPresent() && a.peers().size() == 1
            && a.peers().get(0).state() == PeerState.CONNECTED, () -> e.state(a), Await.DEFAULT);
        assertTrue(e.gaveUp.isEmpty());
      }
    }
  }

  /** Fault 8 of issue 14: a reconnect answered by another id reports the old peer lost. */
  @Test
  void aReconnectAnsweredByAnotherIdReportsTheOldPeerLost() throws Exception {
    Events e = new Events();
    PeerNode bob = Nodes.local("bob").build().start();
    int port = bob.localAddress().getPort();
    PeerId bobId = bob.identity().id();
    try (PeerNode a = Nodes.local("a").reconnect(FAST).listener(e).build().start()) {
      a.connect(bob.localAddress()).get(5, TimeUnit.SECONDS);
      bob.close();
      Await.until("a first attempt", () -> !e.attempts.isEmpty(), () -> e.state(a), Await.DEFAULT);
      try (PeerNode carol = Nodes.local("carol").port(port).build().start()) {
        Await.until("bob reported lost", () -> e.gaveUp.size() == 1, () -> e.state(a), Await.DEFAULT);
        Await.until("carol connected", () -> e.connected.size() == 2, () -> e.state(a), Await.DEFAULT);
        assertEquals(carol.identity().id(), e.connected.get(1).id());
        assertTrue(a.reconnecting().isEmpty(), "bob is no longer being reconnected: " + a.reconnecting());
        assertEquals(List.of(carol.identity().id()), a.peers().stream().map(Peer::id).toList());
        assertTrue(e.lastIds.contains(bobId), "onReconnectFailed names bob: " + e.lastIds);
      }
    }
  }

  @Test
  void givesUpPerThePolicy() throws Exception {
    Events e = new Events();
    Backoff twice = new Backoff(Duration.ofMillis(20), Duration.ofMillis(40), 2.0, 0.0, 2);
    PeerNode bob = Nodes.start("bob", new Recorder());
    try (PeerNode a = Nodes.local("a").reconnect(twice).listener(e).build().start()) {
      a.connect(bob.localAddress()).get(5, TimeUnit.SECONDS);
      bob.close();
      Await.until("gave up", () -> e.gaveUp.size() == 1, () -> e.state(a), Await.DEFAULT);
      assertTrue(a.reconnecting().isEmpty());
      assertEquals(List.of(2), e.gaveUp);
      assertEquals(List.of(1, 2), e.attempts);
    }
  }

  @Test
  void doesNotReconnectWithoutAPolicy() throws Exception {
    Events e = new Events();
    PeerNode bob = Nodes.start("bob", new Recorder());
    try (PeerNode a = Nodes.start("a", e)) {
      a.connect(bob.localAddress()).get(5, TimeUnit.SECONDS);
      bob.close();
      Await.until("disconnected", () -> e.disconnects.size() == 1);
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
      Await.until("a quiet period", () -> System.nanoTime() > until);
      assertTrue(e.attempts.isEmpty());
    }
  }
}
