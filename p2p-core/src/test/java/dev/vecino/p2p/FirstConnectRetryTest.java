package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.discovery.Backoff;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code connect(address, backoff)}: a first connect retried until the peer is up. */
@Timeout(60)
class FirstConnectRetryTest {

  private static final Backoff FAST = new Backoff(Duration.ofMillis(40), Duration.ofMillis(200), 2.0, 0.0, 0);

  /** A port on {@code host} that nothing listens on (something did a moment ago). */
  private static InetSocketAddress closed(String host) throws IOException {
    InetAddress a = InetAddress.getByName(host);
    try (ServerSocket s = new ServerSocket(0, 1, a)) {
      return new InetSocketAddress(a, s.getLocalPort());
    }
  }

  @Test
  void retriesARefusedFirstConnectUntilThePeerIsUp() throws Exception {
    ReconnectTest.Events e = new ReconnectTest.Events();
    InetSocketAddress bobAt = closed("127.0.18.1");
    try (PeerNode a = Nodes.local("a").bindAddress("127.0.18.2").listener(e).build().start()) {
      CompletableFuture<Peer> f = a.connect(bobAt, FAST);
      Await.until("two retries announced", () -> e.attempts.size() >= 2, () -> e.state(a), Await.DEFAULT);
      assertEquals(List.of(1, 2), e.attempts.subList(0, 2));
      assertTrue(!f.isDone(), "still retrying");
      try (PeerNode bob = Nodes.local("bob").bindAddress("127.0.18.1").port(bobAt.getPort()).build().start()) {
        Peer p = f.get(10, TimeUnit.SECONDS);
        assertEquals(bob.identity().id(), p.id());
        assertTrue(e.gaveUp.isEmpty());
      }
    }
  }

  @Test
  void givesUpPerThePolicyWithTheLastError() throws Exception {
    ReconnectTest.Events e = new ReconnectTest.Events();
    Backoff twice = new Backoff(Duration.ofMillis(20), Duration.ofMillis(40), 2.0, 0.0, 2);
    InetSocketAddress nobody = closed("127.0.18.3");
    try (PeerNode a = Nodes.local("a").bindAddress("127.0.18.4").listener(e).build().start()) {
      ExecutionException x = assertThrows(ExecutionException.class,
          () -> a.connect(nobody, twice).get(10, TimeUnit.SECONDS));
      assertInstanceOf(PeerUnreachableException.class, x.getCause());
      Await.until("gave up", () -> e.gaveUp.size() == 1, () -> e.state(a), Await.DEFAULT);
      assertEquals(List.of(3), e.gaveUp, "three attempts: the first and two retries");
      assertEquals(List.of(1, 2), e.attempts);
      assertNull(e.lastIds.get(0), "no peer was ever seen there");
    }
  }

  @Test
  void aRefusalRetryingCannotChangeFailsAtOnce() throws Exception {
    ReconnectTest.Events e = new ReconnectTest.Events();
    try (PeerNode other = Nodes.local("other").bindAddress("127.0.18.5").group("elsewhere").build().start();
         PeerNode a = Nodes.local("a").bindAddress("127.0.18.6").listener(e).build().start()) {
      ExecutionException x = assertThrows(ExecutionException.class,
          () -> a.connect(other.localAddress(), FAST).get(10, TimeUnit.SECONDS));
      assertInstanceOf(OtherGroupException.class, x.getCause());
      assertTrue(e.attempts.isEmpty(), "no retry: " + e.attempts);
    }
  }

  @Test
  void anAddressTheBindAddressCannotReachFailsAtOnce() throws Exception {
    ReconnectTest.Events e = new ReconnectTest.Events();
    try (PeerNode a = Nodes.local("a").bindAddress("127.0.18.13").listener(e).build().start()) {
      // Decided before any packet: a loopback-bound node reaches only loopback addresses.
      ExecutionException x = assertThrows(ExecutionException.class,
          () -> a.connect(new InetSocketAddress("198.18.0.1", 9), FAST).get(10, TimeUnit.SECONDS));
      assertInstanceOf(PeerUnreachableException.class, x.getCause());
      assertTrue(e.attempts.isEmpty(), "no retry: " + e.attempts);
    }
  }

  @Test
  void cancellingStopsTheRetries() throws Exception {
    ReconnectTest.Events e = new ReconnectTest.Events();
    InetSocketAddress nobody = closed("127.0.18.7");
    try (PeerNode a = Nodes.local("a").bindAddress("127.0.18.8").listener(e).build().start()) {
      CompletableFuture<Peer> f = a.connect(nobody, FAST);
      Await.until("a retry announced", () -> !e.attempts.isEmpty(), () -> e.state(a), Await.DEFAULT);
      assertTrue(f.cancel(false));
      int before = e.attempts.size();
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
      Await.until("a quiet period longer than two delays", () -> System.nanoTime() > until);
      assertEquals(before, e.attempts.size(), "no retries after the cancel: " + e.attempts);
      assertThrows(CancellationException.class, f::join);
    }
  }

  @Test
  void closingTheNodeFailsAWaitingRetry() throws Exception {
    ReconnectTest.Events e = new ReconnectTest.Events();
    Backoff slow = new Backoff(Duration.ofMinutes(1), Duration.ofMinutes(1), 1.0, 0.0, 0);
    InetSocketAddress nobody = closed("127.0.18.9");
    PeerNode a = Nodes.local("a").bindAddress("127.0.18.10").listener(e).build().start();
    CompletableFuture<Peer> f = a.connect(nobody, slow);
    Await.until("a retry scheduled", () -> !e.attempts.isEmpty(), () -> e.state(a), Await.DEFAULT);
    a.close();
    ExecutionException x = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
    assertInstanceOf(NodeClosedException.class, x.getCause());
    Nodes.assertNoThreadsOf(a);
  }

  @Test
  void aNodeThatReconnectsRemembersAPeerReachedByRetrying() throws Exception {
    ReconnectTest.Events e = new ReconnectTest.Events();
    InetSocketAddress bobAt = closed("127.0.18.11");
    Identity bobId = Identity.random("bob");
    try (PeerNode a = Nodes.local("a").bindAddress("127.0.18.12").reconnect(FAST).listener(e).build().start()) {
      CompletableFuture<Peer> f = a.connect(bobAt, FAST);
      Await.until("a retry announced", () -> !e.attempts.isEmpty(), () -> e.state(a), Await.DEFAULT);
      PeerNode bob = Nodes.local("bob").identity(bobId).bindAddress("127.0.18.11").port(bobAt.getPort())
          .build().start();
      assertEquals(bobId.id(), f.get(10, TimeUnit.SECONDS).id());
      bob.close();
      Await.until("reconnecting to bob", () -> a.reconnecting().size() == 1, () -> e.state(a), Await.DEFAULT);
      assertSame(PeerState.RECONNECTING, a.reconnecting().get(0).state());
      assertEquals(bobId.id(), a.reconnecting().get(0).id());
    }
  }
}
