package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.discovery.Backoff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pinned keys on real loopback sockets: a name pinned to one key refuses another key on both
 * sides, a pinned peer may rename, open nodes never refuse by name, and the API's
 * {@code pinnedPeers}, {@code trust} and {@code untrust}.
 */
@Timeout(120)
class PinnedKeysTest {

  @TempDir
  Path dir;

  /** A person who answers every request the same way, and counts the requests. */
  private static final class Person implements PairingHandler {
    final List<PairingRequest> shown = new CopyOnWriteArrayList<>();
    private final boolean accept;

    Person(boolean accept) {
      this.accept = accept;
    }

    @Override
    public CompletableFuture<Boolean> pair(PairingRequest request) {
      shown.add(request);
      return CompletableFuture.completedFuture(accept);
    }
  }

  private static PeerNodeBuilder pairing(String name, Person person) {
    return Nodes.local(name).pairing(person, Duration.ofSeconds(10));
  }

  private static String fingerprint(PeerNode n) {
    return n.identity().key().orElseThrow().fingerprint();
  }

  private static NotAdmittedException refused(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(15, TimeUnit.SECONDS));
    return assertInstanceOf(NotAdmittedException.class, e.getCause());
  }

  /** Pairs {@code b} with {@code a} (b connects), then disconnects them again. */
  private static void pair(PeerNode a, PeerNode b) throws Exception {
    Peer p = b.connect(a.localAddress()).get(15, TimeUnit.SECONDS);
    b.disconnect(p, "paired").get(10, TimeUnit.SECONDS);
    Await.until("a sees b leave", () -> a.peers().isEmpty());
  }

  @Test
  void anotherKeyUnderAPinnedNameIsRefusedByTheConnectingSideAndNotPinned() throws Exception {
    Person bobs = new Person(true);
    try (PeerNode bob = pairing("bob", bobs).peerStore(dir.resolve("bob.peers")).build().start()) {
      String anas;
      try (PeerNode ana = pairing("ana", new Person(true)).build().start()) {
        anas = fingerprint(ana);
        pair(ana, bob);
      }
      assertEquals(List.of("ana"), bob.pinnedPeers().stream().map(PinnedPeer::name).toList());
      // Someone else calls itself ana, with its own key; bob's person even accepts the pairing.
      Recorder heard = new Recorder();
      try (PeerNode impostor = pairing("ana", new Person(true)).listener(heard).build().start()) {
        NotAdmittedException e = refused(bob.connect(impostor.localAddress()));
        assertTrue(e.getMessage().contains("is named 'ana' and has key " + fingerprint(impostor)), e.getMessage());
        assertTrue(e.getMessage().contains("has that name pinned to key " + anas), e.getMessage());
        assertEquals(2, bobs.shown.size(), "the pairing ran; the name was checked after it");
        Await.until("the impostor counts the refusal",
            () -> impostor.stats().rejected(Kind.NOT_ADMITTED) == 1);
        assertEquals(List.of(), heard.connected, "the impostor never saw bob connected");
        assertEquals(List.of(anas), bob.pinnedPeers().stream().map(PinnedPeer::fingerprint).toList(),
            "the impostor's key was not pinned");
      }
    }
  }

  @Test
  void anotherKeyUnderAPinnedNameIsRefusedByTheAcceptingSideWhateverTheCase() throws Exception {
    Recorder bobHeard = new Recorder();
    Person bobs = new Person(true);
    try (PeerNode bob = pairing("bob", bobs).listener(bobHeard).build().start()) {
      String anas;
      try (PeerNode ana = pairing("ana", new Person(true)).build().start()) {
        anas = fingerprint(ana);
        pair(bob, ana);
      }
      Await.until("ana gone", () -> bob.peers().isEmpty());
      bobHeard.connected.clear();
      Recorder heard = new Recorder();
      int asked = bobs.shown.size();
      // Reconnecting, as the chat does: a refusal by admission must not be retried.
      try (PeerNode impostor = pairing("ANA", new Person(true)).listener(heard)
          .reconnect(new Backoff(Duration.ofMillis(20), Duration.ofMillis(20), 1.0, 0.0, 3)).build().start()) {
        // The impostor connects: it is established when it answers bob's HELLO, so it hears the
        // refusal as the reason of its disconnect.
        impostor.connect(bob.localAddress()).handle((p, e) -> null).get(15, TimeUnit.SECONDS);
        DisconnectReason why = Await.until("the impostor hears why", () -> !heard.disconnects.isEmpty(),
            () -> heard.disconnects.get(0));
        assertEquals(Kind.NOT_ADMITTED, why.kind(), why.toString());
        assertTrue(why.detail().contains("is named 'ANA'"), why.detail());
        assertTrue(why.detail().contains("has that name pinned to key " + anas), why.detail());
        Await.until("bob counts the refusal", () -> bob.stats().rejected(Kind.NOT_ADMITTED) == 1);
        assertEquals(List.of(), bobHeard.connected, "bob never reported the impostor");
        assertEquals(List.of(), impostor.reconnecting(), "a refusal by admission is not retried");
        assertEquals(asked + 1, bobs.shown.size(), "bob's person was asked once, not again by retries");
      }
    }
  }

  @Test
  void aPinnedPeerMayRenameAndItsNewNameIsPinned() throws Exception {
    try (PeerNode bob = pairing("bob", new Person(true)).build().start()) {
      try (PeerNode ana = pairing("ana", new Person(true)).build().start()) {
        pair(ana, bob);
        try (PeerNode anita = ana.toBuilder().name("anita").build().start()) {
          assertEquals(ana.identity().id(), anita.identity().id());
          assertEquals("anita", bob.connect(anita.localAddress()).get(15, TimeUnit.SECONDS).name());
        }
      }
      assertEquals(List.of("anita"), bob.pinnedPeers().stream().map(PinnedPeer::name).toList());
    }
  }

  @Test
  void anOpenNodeWithoutPinsLetsAnyKeyUseAnyName() throws Exception {
    try (PeerNode hub = Nodes.local("hub").build().start();
         PeerNode first = Nodes.local("same").build().start();
         PeerNode second = Nodes.local("same").build().start()) {
      first.connect(hub.localAddress()).get(10, TimeUnit.SECONDS);
      second.connect(hub.localAddress()).get(10, TimeUnit.SECONDS);
      Await.until("both connected", () -> hub.peers().size() == 2);
      assertEquals(List.of(), hub.pinnedPeers());
    }
  }

  @Test
  void aTrustedKeyIsAdmittedWithoutAskingAndUntrustDisconnectsItAndAsksAgain() throws Exception {
    Person anas = new Person(false);
    Person bobs = new Person(true);
    Recorder anaHeard = new Recorder();
    try (PeerNode ana = pairing("ana", anas).listener(anaHeard).build().start();
         PeerNode bob = pairing("bob", bobs).build().start()) {
      PinnedPeer pinned = ana.trust(fingerprint(bob).toLowerCase(java.util.Locale.ROOT).replace("-", ""));
      assertEquals(new PinnedPeer(bob.identity().id(), fingerprint(bob), "", List.of(), pinned.firstSeen(),
          pinned.lastSeen()), pinned, "the id is the fingerprint's; the name comes when it connects");
      assertEquals(pinned, ana.trust(fingerprint(bob)), "trusting again changes nothing");
      bob.trust(fingerprint(ana));
      Peer toAna = bob.connect(ana.localAddress()).get(15, TimeUnit.SECONDS);
      assertEquals(0, anas.shown.size() + bobs.shown.size(), "nobody was asked");
      PinnedPeer seen = Await.until("ana pins bob's name and address", () -> !ana.pinnedPeers().get(0).name().isEmpty()
          && !ana.pinnedPeers().get(0).addresses().isEmpty(), () -> ana.pinnedPeers().get(0));
      assertEquals("bob", seen.name());
      assertEquals(List.of(bob.localAddress()), seen.addresses());

      Optional<PinnedPeer> gone = ana.untrust(bob.identity().id().shortId());
      assertEquals(Optional.of(fingerprint(bob)), gone.map(PinnedPeer::fingerprint));
      Await.until("ana disconnects bob", () -> anaHeard.disconnects.size() == 1);
      assertEquals(Kind.CLOSED_LOCALLY, anaHeard.disconnects.get(0).kind());
      assertEquals(List.of(), ana.pinnedPeers());
      assertEquals(Optional.empty(), ana.untrust(fingerprint(bob)), "nothing left to unpin");
      Await.until("bob sees it", () -> toAna.state() == PeerState.CLOSED);
      // Unpinned: ana asks again, and her person says no.
      NotAdmittedException again = refused(bob.connect(ana.localAddress()));
      assertTrue(again.getMessage().contains("pairing declined on the acceptor"), again.getMessage());
      assertEquals(1, anas.shown.size());
    }
  }

  @Test
  void trustAndUntrustRefuseWhatTheyCannotDo() throws Exception {
    try (PeerNode ana = Nodes.local("ana").build();
         PeerNode plain = Nodes.plain("plain").build()) {
      String bobs = NodeKey.generate().fingerprint();
      String typo = (bobs.charAt(0) == 'A' ? "B" : "A") + bobs.substring(1);
      IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ana.trust(typo));
      assertTrue(bad.getMessage().contains("group 2"), bad.getMessage());
      assertThrows(IllegalArgumentException.class, () -> ana.trust(fingerprint(ana)));
      IllegalStateException p = assertThrows(IllegalStateException.class, () -> plain.trust(bobs));
      assertTrue(p.getMessage().contains("plaintext"), p.getMessage());
      assertThrows(IllegalArgumentException.class, () -> ana.untrust("abc"), "too short a prefix");
      NodeKey k1 = NodeKey.generate();
      NodeKey k2 = NodeKey.generate();
      ana.trust(k1.fingerprint());
      ana.trust(k2.fingerprint());
      assertTrue(ana.untrust(k1.id().toString().toUpperCase(java.util.Locale.ROOT)).isPresent(), "a whole id, any case");
      assertEquals(List.of(k2.fingerprint()), ana.pinnedPeers().stream().map(PinnedPeer::fingerprint).toList());
    }
  }

  @Test
  void theHandlersFutureIsCancelledWhenTheOtherPersonDeclinesFirst() throws Exception {
    CompletableFuture<Boolean> undecided = new CompletableFuture<>();
    CompletableFuture<Boolean> bobSaysNo = new CompletableFuture<>();
    // Bob declines as soon as ana's person is asked, and ana's person never answers.
    PairingHandler waiting = request -> {
      bobSaysNo.complete(false);
      return undecided;
    };
    try (PeerNode ana = Nodes.local("ana").pairing(waiting, Duration.ofSeconds(30)).build().start();
         PeerNode bob = Nodes.local("bob").pairing(request -> bobSaysNo, Duration.ofSeconds(30)).build().start()) {
      refused(bob.connect(ana.localAddress()));
      Await.until("ana's question is withdrawn", undecided::isCancelled);
      assertEquals(List.of(), ana.pinnedPeers());
    }
  }
}
