package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.NodeKey;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PinnedPeer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts of pinning that need the store's insides: ids from fingerprints, name folding, ambiguous prefixes. */
class PinsTest {

  @Test
  void theIdOfAFingerprintIsTheIdOfItsKey() {
    for (int i = 0; i < 20; i++) {
      NodeKey k = NodeKey.generate();
      assertEquals(k.id(), Pins.idOf(k.fingerprint()));
    }
  }

  @Test
  void pinnedNamesCompareIgnoringCaseWidthAndInvisibleCharacters() {
    String bob = PeerStore.nameKey("bob");
    assertEquals(bob, PeerStore.nameKey("Bob"));
    assertEquals(bob, PeerStore.nameKey("\uff42\uff4f\uff42"), "full-width letters");
    assertEquals(bob, PeerStore.nameKey("b\u200bo\u200db"), "zero-width space and joiner");
    assertEquals(bob, PeerStore.nameKey(" bob "));
    assertNotEquals(bob, PeerStore.nameKey("b\u043eb"), "a Cyrillic o is another letter: fingerprints tell");
  }

  @Test
  void anIdPrefixThatMatchesTwoPinnedPeersUnpinsNeitherAndNamesBoth() {
    try (PeerNode node = PeerNode.builder().name("ana").build()) {
      PeerStore store = ((Node) node).discovery().store();
      PeerId one = new PeerId(0x1234_5600_0000_0001L, 1);
      PeerId two = new PeerId(0x1234_7800_0000_0002L, 2);
      store.pin(one, "FP-ONE", Instant.now());
      store.pin(two, "FP-TWO", Instant.now());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> node.untrust("1234"));
      assertTrue(e.getMessage().contains("matches 2 pinned peers: "), e.getMessage());
      assertTrue(e.getMessage().contains(one.shortId()) && e.getMessage().contains(two.shortId()), e.getMessage());
      assertEquals(2, node.pinnedPeers().size());
      assertEquals(List.of("FP-ONE"), node.untrust("123456").stream().map(PinnedPeer::fingerprint).toList());
      assertEquals(List.of(two), node.pinnedPeers().stream().map(PinnedPeer::id).toList());
    }
  }
}
