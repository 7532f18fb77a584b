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
import org.junit.jupiter.api.Test;

class PeerSelectorTest {

  static PeerInfo peer(String hexPrefix, String name, String alias) {
    PeerId id = PeerId.parse((hexPrefix + "0".repeat(32)).substring(0, 32));
    return new PeerInfo(id, name, alias, new InetSocketAddress("127.0.0.1", 9999), 9999,
        Direction.OUTBOUND, PeerState.CONNECTED, Instant.EPOCH, 0, 0, 0, 0, 0, Instant.EPOCH);
  }

  private final PeerInfo bob = peer("b0b", "bob", null);
  private final PeerInfo ana = peer("a0a", "ana", "annie");
  private final PeerInfo carl = peer("c0c", "Carl", null);
  private final List<PeerInfo> peers = List.of(bob, ana, carl);

  @Test
  void selectsByOneBasedIndex() {
    assertEquals(bob, PeerSelector.select(peers, "1"));
    assertEquals(carl, PeerSelector.select(peers, "3"));
  }

  @Test
  void selectsByAliasThenName() {
    assertEquals(ana, PeerSelector.select(peers, "annie"));
    assertEquals(ana, PeerSelector.select(peers, "ana"));
    assertEquals(bob, PeerSelector.select(peers, "bob"));
  }

  @Test
  void matchesCaseInsensitivelyWhenNoExactMatch() {
    assertEquals(carl, PeerSelector.select(peers, "carl"));
    assertEquals(ana, PeerSelector.select(peers, "ANNIE"));
  }

  @Test
  void selectsByIdPrefixOfFourOrMoreDigits() {
    assertEquals(carl, PeerSelector.select(peers, "c0c0"));
  }

  @Test
  void aliasBeatsAnotherPeersName() {
    PeerInfo impostor = peer("d0d", "annie", null);
    assertEquals(ana, PeerSelector.select(List.of(impostor, ana), "annie"));
  }

  @Test
  void refusesAmbiguousNames() {
    PeerInfo bob2 = peer("b1b", "bob", null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PeerSelector.select(List.of(bob, bob2), "bob"));
    assertTrue(e.getMessage().startsWith("ambiguous peer 'bob'"), e.getMessage());
  }

  @Test
  void namesTheUnknownPeer() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PeerSelector.select(peers, "dave"));
    assertEquals("unknown peer 'dave' (see /peers)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PeerSelector.select(peers, "7"));
    assertEquals("unknown peer 7: there are 3 peers (see /peers)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PeerSelector.select(List.of(), "1"));
    assertEquals("unknown peer '1': no peers connected", e.getMessage());
  }

  @Test
  void aNumericNameWorksWhenItIsNotAnIndex() {
    PeerInfo n42 = peer("e0e", "42", null);
    assertEquals(n42, PeerSelector.select(List.of(bob, n42), "42"));
  }
}
