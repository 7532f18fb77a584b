package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerState;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerSelectorTest {

  static PeerInfo peer(String hexPrefix, String name) {
    PeerId id = PeerId.parse((hexPrefix + "0".repeat(32)).substring(0, 32));
    return new PeerInfo(id, name, new InetSocketAddress("127.0.0.1", 9999), 9999,
        Direction.OUTBOUND, PeerState.CONNECTED, Instant.EPOCH, 0, 0, 0, 0, 0, Instant.EPOCH);
  }

  private final PeerInfo bob = peer("b0b", "bob");
  private final PeerInfo ana = peer("a0a", "ana");
  private final PeerInfo carl = peer("c0c", "Carl");
  private final List<PeerInfo> peers = List.of(bob, ana, carl);
  private final Map<PeerId, String> aliases = Map.of(ana.id(), "annie");

  @Test
  void selectsByOneBasedIndex() {
    assertEquals(bob, PeerSelector.select(peers, aliases, "1"));
    assertEquals(carl, PeerSelector.select(peers, aliases, "3"));
  }

  @Test
  void selectsByAliasThenName() {
    assertEquals(ana, PeerSelector.select(peers, aliases, "annie"));
    assertEquals(ana, PeerSelector.select(peers, aliases, "ana"));
    assertEquals(bob, PeerSelector.select(peers, aliases, "bob"));
  }

  @Test
  void matchesCaseInsensitivelyWhenNoExactMatch() {
    assertEquals(carl, PeerSelector.select(peers, aliases, "carl"));
    assertEquals(ana, PeerSelector.select(peers, aliases, "ANNIE"));
  }

  @Test
  void selectsByIdPrefixOfFourOrMoreDigits() {
    assertEquals(carl, PeerSelector.select(peers, aliases, "c0c0"));
  }

  @Test
  void aliasBeatsAnotherPeersName() {
    PeerInfo impostor = peer("d0d", "annie");
    assertEquals(ana, PeerSelector.select(List.of(impostor, ana), aliases, "annie"));
  }

  @Test
  void refusesAmbiguousNames() {
    PeerInfo bob2 = peer("b1b", "bob");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PeerSelector.select(List.of(bob, bob2), aliases, "bob"));
    assertTrue(e.getMessage().startsWith("ambiguous peer 'bob'"), e.getMessage());
  }

  @Test
  void namesTheUnknownPeer() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PeerSelector.select(peers, aliases, "dave"));
    assertEquals("unknown peer 'dave' (see /peers)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PeerSelector.select(peers, aliases, "7"));
    assertEquals("unknown peer 7: no peer has that number (see /peers)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PeerSelector.select(List.of(), aliases, "1"));
    assertEquals("unknown peer '1': no peers connected", e.getMessage());
  }

  @Test
  void aNumericNameWorksWhenItIsNotAnIndex() {
    PeerInfo n42 = peer("e0e", "42");
    assertEquals(n42, PeerSelector.select(List.of(bob, n42), aliases, "42"));
  }

  @Test
  void aNumberStaysWithThePeerItWasShownForAndRefusesOnceItLeft() {
    PeerNumbers numbers = new PeerNumbers();
    peers.forEach(p -> numbers.number(p.id(), p.name()));
    List<PeerInfo> bobLeft = List.of(ana, carl);
    assertEquals(carl, PeerSelector.select(bobLeft, aliases, numbers, "3"), "3 is still Carl");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PeerSelector.select(bobLeft, aliases, numbers, "1"));
    assertEquals("peer 1 (bob) is no longer connected (see /peers)", e.getMessage());
    PeerInfo dave = peer("d0d", "dave");
    assertEquals(4, numbers.number(dave.id(), dave.name()), "a newcomer never gets a number used before");
    assertEquals(1, numbers.number(bob.id(), bob.name()), "bob gets his number back when he returns");
  }
}
