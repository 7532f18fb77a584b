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
      a.setAlias(p.id(), "bobby");
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
      assertEquals("bobby", lost.get(0).label());

      try (PeerNode bob2 = Nodes.local("bob").identity(bobId).port(port).build().start()) {
        Await.until("reconnected", () -> e.connected.size() == 2, () -> e.state(a), Await.DEFAULT);
        Await.until("no longer listed as reconnecting", () -> a.reconnecting().isEmpty());
        Peer again = e.connected.get(1);
        assertEquals(bobId.id(), again.id());
        assertEquals("bobby", again.alias().orElseThrow(), "the alias survives the reconnect");
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
