package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pairing policy: both people see one code, both accept, keys are pinned; anything else is refused. */
@Timeout(120)
class PairingTest {

  /** A person who answers every request the same way, and remembers what was shown. */
  private static final class Person implements PairingHandler {
    final List<PairingRequest> shown = new CopyOnWriteArrayList<>();
    final CompletableFuture<Boolean> answer;

    Person(CompletableFuture<Boolean> answer) {
      this.answer = answer;
    }

    static Person accepting() {
      return new Person(CompletableFuture.completedFuture(true));
    }

    @Override
    public CompletableFuture<Boolean> pair(PairingRequest request) {
      shown.add(request);
      return answer;
    }
  }

  private static PeerNodeBuilder pairing(String name, Person person) {
    return Nodes.local(name).pairing(person, Duration.ofSeconds(10));
  }

  private static NotAdmittedException refused(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(15, TimeUnit.SECONDS));
    return assertInstanceOf(NotAdmittedException.class, e.getCause());
  }

  @Test
  void bothSeeTheSameCodeAndOncePairedTheyAreAdmittedWithoutAsking() throws Exception {
    Person ana = Person.accepting();
    Person bob = Person.accepting();
    Recorder ra = new Recorder();
    try (PeerNode a = pairing("ana", ana).listener(ra).build().start();
         PeerNode b = pairing("bob", bob).build().start()) {
      Peer toA = b.connect(a.localAddress()).get(15, TimeUnit.SECONDS);
      assertEquals(a.identity().id(), toA.id());
      assertEquals(1, ana.shown.size());
      assertEquals(1, bob.shown.size());
      String code = ana.shown.get(0).code();
      assertTrue(code.matches("[0-9]{6}"), code);
      assertEquals(code, bob.shown.get(0).code(), "both people see the same code");
      assertEquals(b.identity().id(), ana.shown.get(0).id());
      assertEquals(a.identity().key().orElseThrow().fingerprint(), bob.shown.get(0).fingerprint());
      assertEquals(Direction.OUTBOUND, bob.shown.get(0).direction());
      b.send(toA, "paired").get(10, TimeUnit.SECONDS);
      Await.until("message", () -> ra.texts().contains("paired"));
      // Pinned on both sides: the next connection is admitted without asking anyone.
      b.disconnect(toA, "bye").get(10, TimeUnit.SECONDS);
      Await.until("ana sees bob leave", () -> a.peers().isEmpty());
      assertEquals(a.identity().id(), b.connect(a.localAddress()).get(15, TimeUnit.SECONDS).id());
      assertEquals(1, ana.shown.size());
      assertEquals(1, bob.shown.size());
    }
  }

  @Test
  void aPersonWhoDeclinesRefusesOnBothSides() throws Exception {
    Person ana = new Person(CompletableFuture.completedFuture(false));
    Person bob = Person.accepting();
    Recorder rb = new Recorder();
    try (PeerNode a = pairing("ana-secretive", ana).build().start();
         PeerNode b = pairing("bob", bob).listener(rb).build().start()) {
      NotAdmittedException e = refused(b.connect(a.localAddress()));
      assertTrue(e.getMessage().contains("pairing declined on the acceptor"), e.getMessage());
      assertTrue(!e.getMessage().contains("ana-secretive"), e.getMessage());
      assertTrue(rb.connected.isEmpty());
      Await.until("ana counts it", () -> a.stats().rejected(DisconnectReason.Kind.NOT_ADMITTED) == 1);
    }
  }

  @Test
  void aNodeThatDoesNotPairIsRefusedAtOnce() throws Exception {
    Person ana = Person.accepting();
    try (PeerNode a = pairing("ana", ana).build().start();
         PeerNode open = Nodes.local("bob").build().start()) {
      NotAdmittedException e = refused(open.connect(a.localAddress()));
      assertTrue(e.getMessage().contains("pairs with nodes it has not met, and the initiator"), e.getMessage());
      assertEquals(0, ana.shown.size(), "nobody is asked about a node that cannot pair");
    }
  }

  @Test
  void noAnswerWithinThePairingTimeoutRefuses() throws Exception {
    Person silent = new Person(new CompletableFuture<>());
    try (PeerNode a = Nodes.local("ana").pairing(silent, Duration.ofMillis(400)).build().start();
         PeerNode b = pairing("bob", Person.accepting()).build().start()) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> b.connect(a.localAddress()).get(15, TimeUnit.SECONDS));
      assertInstanceOf(HandshakeException.class, e.getCause());
      assertEquals(1, silent.shown.size());
      assertEquals(List.of(), a.peers());
    }
  }

  @Test
  void pairingAndAGroupSecretMustBothPass() throws Exception {
    GroupSecret team = GroupSecret.generate();
    try (PeerNode a = pairing("ana", Person.accepting()).groupSecret(team).build().start();
         PeerNode b = pairing("bob", Person.accepting()).groupSecret(team).build().start();
         PeerNode c = pairing("carl", Person.accepting()).groupSecret(GroupSecret.generate()).build().start()) {
      assertEquals(a.identity().id(), b.connect(a.localAddress()).get(15, TimeUnit.SECONDS).id());
      NotAdmittedException e = refused(c.connect(a.localAddress()));
      assertTrue(e.getMessage().contains("proved another group secret"), e.getMessage());
    }
  }

  @Test
  void anotherKeyAtAPinnedAddressIsRefusedLoudly() throws Exception {
    Person bob = Person.accepting();
    try (PeerNode b = pairing("bob", bob).build().start()) {
      InetSocketAddress where;
      try (PeerNode a = pairing("ana", Person.accepting()).bindAddress("127.0.41.1").build().start()) {
        where = a.localAddress();
        b.connect(where).get(15, TimeUnit.SECONDS);
        Await.until("bob registered ana", () -> b.peers().size() == 1);
      }
      Await.until("ana gone", () -> b.peers().isEmpty());
      // Someone else, with another key, now answers at ana's address.
      try (PeerNode impostor = pairing("ana", Person.accepting()).bindAddress("127.0.41.1").port(where.getPort())
          .build().start()) {
        NotAdmittedException e = refused(b.connect(where));
        assertTrue(e.getMessage().contains("that address is pinned to key"), e.getMessage());
        assertEquals(1, bob.shown.size(), "bob was not even asked");
        assertEquals(List.of(), impostor.peers());
      }
    }
  }
}
